"""App Store review: one open review submission per app and platform, its items, submit and cancel."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from bot.appstore.base import ResourceFamily, csv, document
from bot.appstore.documents import resources
from bot.appstore.errors import AscConflict, AscUnprocessable
from bot.appstore.http import Params, seg
from bot.appstore.models import ReviewSubmission, ReviewSubmissionItem
from bot.appstore.states import SUBMISSION_CANCEL_DONE, SUBMISSION_UNSENT


class ReviewsMixin(ResourceFamily):
    """`/v1/reviewSubmissions` and `/v1/reviewSubmissionItems`."""

    async def list_review_submissions(
        self, app_id: str, platform: str, states: list[str] | tuple[str, ...]
    ) -> list[ReviewSubmission]:
        params: Params = {
            "filter[app]": app_id,
            "filter[platform]": platform,
            "filter[state]": csv(list(states)),
            "include": "items",
            "limit": 200,
        }
        doc = await self._http.get_all("/v1/reviewSubmissions", params)
        return [ReviewSubmission.parse(r) for r in resources(doc)]

    async def get_review_submission(self, submission_id: str) -> ReviewSubmission:
        doc = await self._http.get(f"/v1/reviewSubmissions/{seg(submission_id)}", {"include": "items"})
        return ReviewSubmission.parse(doc["data"])

    async def create_review_submission(self, app_id: str, platform: str) -> ReviewSubmission:
        """A review submission to fill: a new one, or the open one App Store Connect says is in the way.
        A new one's `created` is True (so nobody needs to look for items in it)."""

        async def find() -> ReviewSubmission | None:
            found = await self.list_review_submissions(app_id, platform, SUBMISSION_UNSENT)
            return found[0] if found else None

        async def post() -> ReviewSubmission:
            body = document(
                "reviewSubmissions",
                attributes={"platform": platform},
                relationships={"app": ("apps", app_id)},
            )
            doc = await self._http.post("/v1/reviewSubmissions", body)
            return dataclasses.replace(ReviewSubmission.parse((doc or {})["data"]), created=True)

        try:
            return await self._http.create_once(post, find, what="review submission")
        except AscConflict as exc:
            if exc.open_submission_id:
                return await self.get_review_submission(exc.open_submission_id)
            existing = await find()
            if existing is None:
                raise
            return existing

    async def list_review_submission_items(self, submission_id: str) -> list[ReviewSubmissionItem]:
        # Without the include Apple leaves out which version an item holds (it has no links either).
        params: Params = {"include": "appStoreVersion", "limit": 200}
        doc = await self._http.get_all(f"/v1/reviewSubmissions/{seg(submission_id)}/items", params)
        return [ReviewSubmissionItem.parse(r) for r in resources(doc)]

    async def add_review_submission_item(
        self, submission_id: str, version_id: str, *, empty: bool = False
    ) -> ReviewSubmissionItem:
        """Put a version into a submission; a version already in it is not added again.
        `empty=True`: the submission was created just now, so there is nothing in it to look for."""

        async def find() -> ReviewSubmissionItem | None:
            items = await self.list_review_submission_items(submission_id)
            return next(
                (i for i in items if i.app_store_version_id == version_id and i.state != "REMOVED"), None
            )

        async def post() -> ReviewSubmissionItem:
            body = document(
                "reviewSubmissionItems",
                relationships={
                    "reviewSubmission": ("reviewSubmissions", submission_id),
                    "appStoreVersion": ("appStoreVersions", version_id),
                },
            )
            doc = await self._http.post("/v1/reviewSubmissionItems", body)
            item = ReviewSubmissionItem.parse((doc or {})["data"])
            # Apple's answer to a create carries relationship links only, never their data.
            return dataclasses.replace(item, app_store_version_id=item.app_store_version_id or version_id)

        if empty:
            self._http.cache.skipped("items of a review submission just created")
        existing = None if empty else await find()
        if existing is not None:
            return existing
        try:
            return await self._http.create_once(post, find, what="review submission item")
        except AscConflict:
            raced = await find()
            if raced is None:
                raise
            return raced

    async def submit_review_submission(self, submission_id: str) -> ReviewSubmission:
        """Send the submission to App Review; one that is already submitted is left as it is."""
        return await self._patch_submission(submission_id, "submitted", lambda s: s not in SUBMISSION_UNSENT)

    async def cancel_review_submission(self, submission_id: str) -> ReviewSubmission:
        """Withdraw a submission from review; one already canceling or complete is left as it is."""
        return await self._patch_submission(submission_id, "canceled", lambda s: s in SUBMISSION_CANCEL_DONE)

    async def _patch_submission(
        self, submission_id: str, flag: str, done: Callable[[str | None], bool]
    ) -> ReviewSubmission:
        body = document("reviewSubmissions", id_=submission_id, attributes={flag: True})
        try:
            doc = await self._http.patch(f"/v1/reviewSubmissions/{seg(submission_id)}", body)
        except (AscConflict, AscUnprocessable):
            # A retried PATCH can find the change already made; read back before calling it a failure.
            current = await self.get_review_submission(submission_id)
            if done(current.state):
                return current
            raise
        if doc and doc.get("data"):
            return ReviewSubmission.parse(doc["data"])
        return await self.get_review_submission(submission_id)
