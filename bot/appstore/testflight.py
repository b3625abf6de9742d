"""TestFlight: beta review submissions, beta groups and "What to Test" notes of a build."""

from __future__ import annotations

import dataclasses

from bot.appstore.base import ResourceFamily, document, ref
from bot.appstore.cache import APP_LIFETIME, BUILD_LIFETIME
from bot.appstore.documents import resources
from bot.appstore.errors import AscConflict, AscUnprocessable
from bot.appstore.http import Params, seg
from bot.appstore.models import BetaBuildLocalization, BetaGroup, BetaReviewSubmission


class TestFlightMixin(ResourceFamily):
    """`/v1/betaAppReviewSubmissions`, `/v1/betaGroups`, `/v1/betaBuildLocalizations`."""

    async def find_beta_review_submission(
        self, build_id: str, *, fresh: bool = False
    ) -> BetaReviewSubmission | None:
        build = None if fresh else self._http.cache.get(f"build:{build_id}", instead_of_request=False)
        if build is not None and build.beta_review is not None:
            self._http.cache.skipped("beta review look-up (came with the build, include=)")
            return _with_build(build.beta_review[0], build_id) if build.beta_review else None
        doc = await self._http.get("/v1/betaAppReviewSubmissions", {"filter[build]": build_id})
        found = [BetaReviewSubmission.parse(r) for r in resources(doc)]
        return _with_build(found[0], build_id) if found else None

    async def submit_for_beta_review(self, build_id: str, *, looked: bool = False) -> BetaReviewSubmission:
        """Submit a build to TestFlight beta review, or return its existing submission (never two).
        `looked=True`: the caller has just found none, so do not ask again."""
        if looked:
            self._http.cache.skipped("beta review look-up repeated right after the caller's")
        existing = None if looked else await self.find_beta_review_submission(build_id)
        if existing is not None:
            return existing

        async def post() -> BetaReviewSubmission:
            body = document("betaAppReviewSubmissions", relationships={"build": ("builds", build_id)})
            doc = await self._http.post("/v1/betaAppReviewSubmissions", body)
            return _with_build(BetaReviewSubmission.parse((doc or {})["data"]), build_id)

        try:
            made = await self._http.create_once(
                post,
                lambda: self.find_beta_review_submission(build_id, fresh=True),
                what="beta review submission",
            )
            polled = self._http.cache.get(f"build:{build_id}", instead_of_request=False)
            if polled is not None:  # the steps after this one see the submission just made
                self._http.cache.put(
                    f"build:{build_id}", dataclasses.replace(polled, beta_review=(made,)), BUILD_LIFETIME
                )
            return made
        except (AscConflict, AscUnprocessable):
            # Someone else (a person, another run) submitted it between our look-up and our post.
            raced = await self.find_beta_review_submission(build_id, fresh=True)
            if raced is None:
                raise
            return raced

    async def list_beta_groups(self, app_id: str, *, fresh: bool = True) -> list[BetaGroup]:
        """The app's beta groups; `fresh=False` takes a list read in the last minutes (a name it
        lacks means read again: the group may be new)."""
        cached = None if fresh else self._http.cache.get(f"groups:{app_id}")
        if cached is not None:
            return list(cached)
        doc = await self._http.get_all("/v1/betaGroups", {"filter[app]": app_id, "limit": 200})
        groups = [BetaGroup.parse(r) for r in resources(doc)]
        self._http.cache.put(f"groups:{app_id}", tuple(groups), APP_LIFETIME)
        return groups

    async def beta_groups_of_build(self, app_id: str, build_id: str) -> list[BetaGroup]:
        params: Params = {"filter[app]": app_id, "filter[builds]": build_id, "limit": 200}
        doc = await self._http.get_all("/v1/betaGroups", params)
        return [BetaGroup.parse(r) for r in resources(doc)]

    async def add_build_to_beta_groups(self, build_id: str, group_ids: list[str]) -> None:
        """Give groups access to a build; adding it to a group it is already in changes nothing."""
        if not group_ids:
            return
        body = {"data": [ref("betaGroups", gid) for gid in dict.fromkeys(group_ids)]}
        await self._http.post(f"/v1/builds/{seg(build_id)}/relationships/betaGroups", body, idempotent=True)

    async def list_beta_build_localizations(self, build_id: str) -> list[BetaBuildLocalization]:
        doc = await self._http.get_all(
            "/v1/betaBuildLocalizations", {"filter[build]": build_id, "limit": 200}
        )
        return [BetaBuildLocalization.parse(r) for r in resources(doc)]

    async def upsert_beta_build_localization(
        self, build_id: str, locale: str, whats_new: str
    ) -> BetaBuildLocalization:
        """Set "What to Test" for one locale: update the existing localization, else create it."""

        async def find() -> BetaBuildLocalization | None:
            found = await self.list_beta_build_localizations(build_id)
            return next((loc for loc in found if loc.locale == locale), None)

        polled = self._http.cache.get(f"build:{build_id}", instead_of_request=False)
        if polled is not None and polled.localizations is not None:
            # Written now: the polled copy no longer tells this build's What to Test.
            self._http.cache.put(
                f"build:{build_id}", dataclasses.replace(polled, localizations=None), BUILD_LIFETIME
            )
            self._http.cache.skipped("What to Test entries (came with the build, include=)")
            existing = next((loc for loc in polled.localizations if loc.locale == locale), None)
        else:
            existing = await find()

        async def post() -> BetaBuildLocalization:
            body = document(
                "betaBuildLocalizations",
                attributes={"locale": locale, "whatsNew": whats_new},
                relationships={"build": ("builds", build_id)},
            )
            doc = await self._http.post("/v1/betaBuildLocalizations", body)
            return BetaBuildLocalization.parse((doc or {})["data"])

        if existing is None:
            try:
                created = await self._http.create_once(post, find, what=f"What to Test ({locale})")
            except AscConflict:
                # App Store Connect creates the primary locale itself some time after upload.
                existing = await find()
                if existing is None:
                    raise
            else:
                if created.whats_new == whats_new:
                    return created
                existing = created  # an earlier, ambiguous post landed with other text
        if existing.whats_new == whats_new:
            return existing
        body = document("betaBuildLocalizations", id_=existing.id, attributes={"whatsNew": whats_new})
        doc = await self._http.patch(f"/v1/betaBuildLocalizations/{seg(existing.id)}", body)
        if doc and doc.get("data"):
            return BetaBuildLocalization.parse(doc["data"])
        return dataclasses.replace(existing, whats_new=whats_new)


def _with_build(submission: BetaReviewSubmission, build_id: str) -> BetaReviewSubmission:
    if submission.build_id:
        return submission
    return BetaReviewSubmission(
        submission.id, submission.beta_review_state, submission.submitted_date, build_id
    )
