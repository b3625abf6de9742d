"""Builds: find an uploaded build, poll many at once, expire one, set export compliance, read uploads."""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.appstore.base import ResourceFamily, csv, document
from bot.appstore.cache import BUILD_LIFETIME
from bot.appstore.documents import Included, resources
from bot.appstore.errors import AscConflict
from bot.appstore.http import Params, seg
from bot.appstore.models import Build, BuildUpload

# One include gives processing state, beta state and marketing version in a single request, and the
# What to Test entries and beta review submission the TestFlight steps need right after the poll.
BUILD_INCLUDE = "buildBetaDetail,preReleaseVersion,betaBuildLocalizations,betaAppReviewSubmission"
BUILD_PARAMS: Params = {"include": BUILD_INCLUDE, "limit[betaBuildLocalizations]": 50}
MAX_LIMIT = 200


class BuildsMixin(ResourceFamily):
    """`/v1/builds`, `/v1/buildUploads` and a build's beta detail."""

    async def find_build(self, app_id: str, build_number: str, version: str, platform: str) -> Build | None:
        """The newest build with this build number and marketing version, or None if not listed yet."""
        params: Params = {
            "filter[app]": app_id,
            "filter[version]": build_number,
            "filter[preReleaseVersion.version]": version,
            "filter[preReleaseVersion.platform]": platform,
            "sort": "-uploadedDate",
            "limit": 1,
            **BUILD_PARAMS,
        }
        builds = self._builds(await self._http.get("/v1/builds", params), app_id)
        return builds[0] if builds else None

    async def list_recent_builds(self, app_id: str, platform: str, limit: int = 50) -> list[Build]:
        """The app's newest builds on one platform: one request finds many pending publications."""
        params: Params = {
            "filter[app]": app_id,
            "filter[preReleaseVersion.platform]": platform,
            "sort": "-uploadedDate",
            "limit": max(1, min(limit, MAX_LIMIT)),
            **BUILD_PARAMS,
        }
        return self._builds(await self._http.get("/v1/builds", params), app_id)

    async def get_builds(self, build_ids: list[str]) -> list[Build]:
        """Many builds by id, 200 per request; ids App Store Connect no longer knows are left out."""
        unique = list(dict.fromkeys(build_ids))
        builds: list[Build] = []
        for start in range(0, len(unique), MAX_LIMIT):
            chunk = unique[start : start + MAX_LIMIT]
            params: Params = {"filter[id]": csv(chunk), "limit": MAX_LIMIT, **BUILD_PARAMS}
            builds.extend(self._builds(await self._http.get("/v1/builds", params)))
        return builds

    async def get_build(self, build_id: str, *, fresh: bool = False) -> Build:
        """One build; one read moments ago (a poll in this sweep) answers unless `fresh`."""
        cached = None if fresh else self._http.cache.get(f"build:{build_id}")
        if isinstance(cached, Build):
            return cached
        doc = await self._http.get(f"/v1/builds/{seg(build_id)}", dict(BUILD_PARAMS))
        return self._remember([Build.parse(doc["data"], Included(doc))])[0]

    def _remember(self, builds: list[Build]) -> list[Build]:
        """Keep builds read with BUILD_INCLUDE for the steps right after the poll."""
        out = []
        for build in builds:
            if build.beta_review is None:
                # Asked for and not sent: none (a to-one left empty may come without data; were
                # there one after all, submitting meets a conflict and reads it back).
                build = dataclasses.replace(build, beta_review=())
            if build.beta_detail is not None:  # only a full read (with its beta detail) stands in
                self._http.cache.put(f"build:{build.id}", build, BUILD_LIFETIME)
            out.append(build)
        return out

    async def expire_build(self, build_id: str) -> Build:
        """Expire a build; this is also the only way to withdraw it from beta review."""
        return await self._patch_build(build_id, {"expired": True})

    async def set_uses_non_exempt_encryption(self, build_id: str, value: bool) -> Build:
        """Answer export compliance (`false` clears MISSING_EXPORT_COMPLIANCE for exempt apps).

        Apple takes one answer per build and refuses a second with 409, also when a retry repeats a
        PATCH whose answer was lost: then the build already says `value`, and that is success."""
        try:
            return await self._patch_build(build_id, {"usesNonExemptEncryption": value})
        except AscConflict:
            build = await self.get_build(build_id)
            if build.uses_non_exempt_encryption is value:
                return build
            raise

    async def builds_in_beta_review(self, app_id: str, platform: str) -> list[Build]:
        """Unexpired builds waiting for or in TestFlight beta review."""
        params: Params = {
            "filter[app]": app_id,
            "filter[expired]": "false",
            "filter[betaAppReviewSubmission.betaReviewState]": "WAITING_FOR_REVIEW,IN_REVIEW",
            "filter[preReleaseVersion.platform]": platform,
            "limit": MAX_LIMIT,
            "include": "preReleaseVersion",  # the thread names them by marketing version
        }
        return self._builds(await self._http.get_all("/v1/builds", params), app_id, full=False)

    async def find_build_upload(
        self, app_id: str, version: str, build_number: str, platform: str
    ) -> BuildUpload | None:
        """The newest upload of this version and build number, with its state and errors."""
        params: Params = {
            "filter[cfBundleVersion]": build_number,
            "filter[cfBundleShortVersionString]": version,
            "filter[platform]": platform,
            "limit": 10,
        }
        doc = await self._http.get(f"/v1/apps/{seg(app_id)}/buildUploads", params)
        uploads = [BuildUpload.parse(r) for r in resources(doc)]
        # Re-uploads of the same numbers happen after a failed upload; the newest one tells the truth.
        return max(
            uploads, key=lambda u: u.uploaded_date.timestamp() if u.uploaded_date else 0.0, default=None
        )

    async def get_build_upload(self, upload_id: str) -> BuildUpload:
        doc = await self._http.get(f"/v1/buildUploads/{seg(upload_id)}", {"include": "build"})
        return BuildUpload.parse(doc["data"])

    async def _patch_build(self, build_id: str, attributes: dict[str, bool]) -> Build:
        self._http.cache.drop(f"build:{build_id}")
        body = document("builds", id_=build_id, attributes=attributes)
        doc = await self._http.patch(f"/v1/builds/{seg(build_id)}", body)
        if doc and doc.get("data"):
            return Build.parse(doc["data"], Included(doc))
        return await self.get_build(build_id, fresh=True)

    def _builds(self, doc: dict[str, Any], app_id: str | None = None, *, full: bool = True) -> list[Build]:
        """Builds of a list answer; `full`: read with BUILD_PARAMS (so worth keeping a moment)."""
        included = Included(doc)
        builds = [Build.parse(r, included) for r in resources(doc)]
        # Without include=app Apple may leave out the app relationship; the caller asked by app.
        builds = [dataclasses.replace(b, app_id=b.app_id or app_id) for b in builds]
        return self._remember(builds) if full else builds
