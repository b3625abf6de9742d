"""Builds: find an uploaded build, poll many at once, expire one, set export compliance, read uploads."""

from __future__ import annotations

import dataclasses

from bot.appstore.base import ResourceFamily, csv, document
from bot.appstore.errors import AscConflict
from bot.appstore.http import seg
from bot.appstore.models import Build, BuildBetaDetail, BuildUpload, Included, resources

# One include gives processing state, beta state and marketing version in a single request.
BUILD_INCLUDE = "buildBetaDetail,preReleaseVersion"
MAX_LIMIT = 200


class BuildsMixin(ResourceFamily):
    """`/v1/builds`, `/v1/buildUploads` and a build's beta detail."""

    async def find_build(self, app_id: str, build_number: str, version: str, platform: str) -> Build | None:
        """The newest build with this build number and marketing version, or None if not listed yet."""
        params = {
            "filter[app]": app_id,
            "filter[version]": build_number,
            "filter[preReleaseVersion.version]": version,
            "filter[preReleaseVersion.platform]": platform,
            "sort": "-uploadedDate",
            "limit": 1,
            "include": BUILD_INCLUDE,
        }
        builds = self._builds(await self._http.get("/v1/builds", params), app_id)
        return builds[0] if builds else None

    async def list_recent_builds(self, app_id: str, platform: str, limit: int = 50) -> list[Build]:
        """The app's newest builds on one platform: one request finds many pending publications."""
        params = {
            "filter[app]": app_id,
            "filter[preReleaseVersion.platform]": platform,
            "sort": "-uploadedDate",
            "limit": max(1, min(limit, MAX_LIMIT)),
            "include": BUILD_INCLUDE,
        }
        return self._builds(await self._http.get("/v1/builds", params), app_id)

    async def get_builds(self, build_ids: list[str]) -> list[Build]:
        """Many builds by id, 200 per request; ids App Store Connect no longer knows are left out."""
        unique = list(dict.fromkeys(build_ids))
        builds: list[Build] = []
        for start in range(0, len(unique), MAX_LIMIT):
            chunk = unique[start : start + MAX_LIMIT]
            params = {"filter[id]": csv(chunk), "limit": MAX_LIMIT, "include": BUILD_INCLUDE}
            builds.extend(self._builds(await self._http.get("/v1/builds", params)))
        return builds

    async def get_build(self, build_id: str) -> Build:
        doc = await self._http.get(f"/v1/builds/{seg(build_id)}", {"include": BUILD_INCLUDE})
        return Build.parse(doc["data"], Included(doc))

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
        params = {
            "filter[app]": app_id,
            "filter[expired]": "false",
            "filter[betaAppReviewSubmission.betaReviewState]": "WAITING_FOR_REVIEW,IN_REVIEW",
            "filter[preReleaseVersion.platform]": platform,
            "limit": MAX_LIMIT,
            "include": "preReleaseVersion",  # the thread names them by marketing version
        }
        return self._builds(await self._http.get_all("/v1/builds", params), app_id)

    async def find_build_upload(
        self, app_id: str, version: str, build_number: str, platform: str
    ) -> BuildUpload | None:
        """The newest upload of this version and build number, with its state and errors."""
        params = {
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

    async def get_build_beta_detail(self, build_id: str) -> BuildBetaDetail:
        doc = await self._http.get(f"/v1/builds/{seg(build_id)}/buildBetaDetail")
        return BuildBetaDetail.parse(doc["data"])

    async def _patch_build(self, build_id: str, attributes: dict[str, bool]) -> Build:
        body = document("builds", id_=build_id, attributes=attributes)
        doc = await self._http.patch(f"/v1/builds/{seg(build_id)}", body)
        if doc and doc.get("data"):
            return Build.parse(doc["data"], Included(doc))
        return await self.get_build(build_id)

    @staticmethod
    def _builds(doc: dict, app_id: str | None = None) -> list[Build]:
        included = Included(doc)
        builds = [Build.parse(r, included) for r in resources(doc)]
        # Without include=app Apple may leave out the app relationship; the caller asked by app.
        return [dataclasses.replace(b, app_id=b.app_id or app_id) for b in builds]
