"""How builds and TestFlight states move: upload, listing, processing, export compliance, beta review."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.sandbox.asc.records import BetaLocalization, BetaReview, Build, BuildUpload
from bot.sandbox.asc.store import Event, Store

_REVIEW_TO_EXTERNAL = {
    "WAITING_FOR_REVIEW": "WAITING_FOR_BETA_REVIEW",
    "IN_REVIEW": "IN_BETA_REVIEW",
    "REJECTED": "BETA_REJECTED",
    "APPROVED": "BETA_APPROVED",
}

DEFAULT_UPLOAD_ERRORS = {
    "INVALID": [{"code": "ITMS-90683", "description": "Missing purpose string in Info.plist."}],
    "FAILED": [{"code": "ITMS-90035", "description": "Invalid Signature."}],
}


def beta_states(store: Store, build: Build) -> tuple[str, str]:
    """(internalBuildState, externalBuildState) of a build's buildBetaDetail right now."""
    if build.expired:
        return "EXPIRED", "EXPIRED"
    if build.processing_state == "PROCESSING":
        return "PROCESSING", "PROCESSING"
    if build.processing_state != "VALID" or build.beta_exception:
        return "PROCESSING_EXCEPTION", "PROCESSING_EXCEPTION"
    if build.uses_encryption is None:
        return "MISSING_EXPORT_COMPLIANCE", "MISSING_EXPORT_COMPLIANCE"
    review = store.beta_reviews.get(build.beta_review_id or "")
    external = _REVIEW_TO_EXTERNAL[review.state] if review else "READY_FOR_BETA_SUBMISSION"
    return "READY_FOR_BETA_TESTING", external


def review_state(store: Store, build: Build) -> str | None:
    """The betaReviewState a build's filter matches; expired builds have left beta review."""
    if build.expired or build.beta_review_id is None:
        return None
    return store.beta_reviews[build.beta_review_id].state


def change_build(store: Store, build: Build, when: datetime, change: Callable[[], None]) -> None:
    """Apply `change` and announce the external beta state if it moved (a webhook event)."""
    before = beta_states(store, build)[1]
    change()
    after = beta_states(store, build)[1]
    if after != before:
        store.emit(
            Event(
                "BUILD_BETA_DETAIL_EXTERNAL_BUILD_STATE_UPDATED",
                build.app_id,
                "buildBetaDetails",
                build.id,
                {"oldExternalBuildState": before, "newExternalBuildState": after},
                when,
            )
        )


def set_upload_state(store: Store, upload: BuildUpload, state: str, when: datetime) -> None:
    """Move a buildUpload's state and announce it."""
    upload.state = state
    store.emit(
        Event(
            "BUILD_UPLOAD_STATE_UPDATED", upload.app_id, "buildUploads", upload.id, {"newState": state}, when
        )
    )


def schedule_build(
    store: Store, build: Build, upload: BuildUpload, appear_at: datetime, done_at: datetime, locale: str
) -> None:
    """Put a fresh upload's future on the timeline: listed at `appear_at`, processed at `done_at`."""

    def appear(when: datetime) -> None:
        build.listed = True
        upload.build_id = build.id
        # App Store Connect makes the primary locale's What to Test entry by itself.
        store.add_beta_localization(BetaLocalization(store.new_id(), build.id, locale))

    def processed(when: datetime) -> None:
        change_build(store, build, when, lambda: setattr(build, "processing_state", build.outcome))
        set_upload_state(store, upload, "COMPLETE" if build.outcome == "VALID" else "FAILED", when)

    store.at(appear_at, appear)
    store.at(done_at, processed)


def submit_beta_review(store: Store, build: Build, now: datetime, review_seconds: float | None) -> BetaReview:
    """Create the beta review of a build; with `review_seconds` it decides itself (half waiting, half in review)."""
    review = BetaReview(store.new_id(), build.id, now)
    store.beta_reviews[review.id] = review
    change_build(store, build, now, lambda: setattr(build, "beta_review_id", review.id))
    if review_seconds is not None:
        half = timedelta(seconds=review_seconds / 2)

        def start(when: datetime) -> None:
            if review.state == "WAITING_FOR_REVIEW" and not build.expired:
                decide_beta_review(store, review, "IN_REVIEW", when)

        def finish(when: datetime) -> None:
            if review.state == "IN_REVIEW" and not build.expired:
                decide_beta_review(store, review, "APPROVED", when)

        store.at(now + half, start)
        store.at(now + 2 * half, finish)
    return review


def decide_beta_review(store: Store, review: BetaReview, state: str, when: datetime) -> None:
    """Set a beta review's state (IN_REVIEW, APPROVED or REJECTED)."""
    build = store.builds[review.build_id]
    change_build(store, build, when, lambda: setattr(review, "state", state))
