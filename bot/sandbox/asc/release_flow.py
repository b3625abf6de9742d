"""How App Store versions and review submissions move: submit, review, approve, cancel, release."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.appstore.states import VERSION_REJECTED
from bot.sandbox.asc.records import PhasedRelease, ReviewItem, ReviewSubmission, Version
from bot.sandbox.asc.store import Event, Store

# A submission in one of these blocks a new one for the same app and platform. CANCELING and
# COMPLETING are still in progress at Apple: clients wait them out before creating another.
OPEN_SUBMISSION_STATES = frozenset(
    {"READY_FOR_REVIEW", "WAITING_FOR_REVIEW", "IN_REVIEW", "UNRESOLVED_ISSUES", "CANCELING", "COMPLETING"}
)
SUBMITTABLE_SUBMISSION_STATES = frozenset({"READY_FOR_REVIEW", "UNRESOLVED_ISSUES"})
EDITABLE_VERSION_STATES = frozenset(
    {"PREPARE_FOR_SUBMISSION", "DEVELOPER_REJECTED", "REJECTED", "METADATA_REJECTED", "INVALID_BINARY"}
)
# Once every version of a platform is in one of these, a new version may be created.
CANCEL_SECONDS = 3.0

_APP_STORE_STATE = {
    "READY_FOR_DISTRIBUTION": "READY_FOR_SALE",
    "PROCESSING_FOR_DISTRIBUTION": "PROCESSING_FOR_APP_STORE",
}
_APPROVED = frozenset(
    {"PENDING_DEVELOPER_RELEASE", "PENDING_APPLE_RELEASE", "ACCEPTED", "PROCESSING_FOR_DISTRIBUTION",
     "READY_FOR_DISTRIBUTION"}
)  # fmt: skip


def app_store_state(version: Version) -> str:
    """The deprecated `appStoreState` that matches a version's `appVersionState`."""
    return _APP_STORE_STATE.get(version.state, version.state)


def set_version_state(store: Store, version: Version, state: str, when: datetime) -> None:
    """Move a version's state, announce it, and do what going live implies."""
    old = version.state
    if old == state:
        return
    version.state = state
    store.emit(
        Event(
            "APP_STORE_VERSION_APP_VERSION_STATE_UPDATED",
            version.app_id,
            "appStoreVersions",
            version.id,
            {"oldValue": old, "newValue": state},
            when,
        )
    )
    if state == "READY_FOR_DISTRIBUTION":
        for other in store.versions_by_app.get(version.app_id, ()):
            if other is not version and other.platform == version.platform and other.state == state:
                set_version_state(store, other, "REPLACED_WITH_NEW_VERSION", when)
        phased = store.phased_releases.get(version.phased_release_id or "")
        if phased is not None and phased.start_date is None and phased.state in ("INACTIVE", "ACTIVE"):
            phased.state, phased.start_date = "ACTIVE", when
            _finish_phased_later(store, phased, when)


PHASED_DAYS = 7


def _finish_phased_later(store: Store, phased: PhasedRelease, now: datetime) -> None:
    """After 7 days of release (paused days do not count) Apple completes a phased release itself."""

    def left(at: datetime) -> float:
        assert phased.start_date is not None
        paused = phased.paused_seconds + ((at - phased.paused_at).total_seconds() if phased.paused_at else 0)
        return PHASED_DAYS * 86400 - ((at - phased.start_date).total_seconds() - paused)

    def check(when: datetime) -> None:
        if phased.state == "ACTIVE" and left(when) <= 0:
            phased.state = "COMPLETE"
        elif phased.state in ("ACTIVE", "PAUSED"):
            _finish_phased_later(store, phased, when)

    wait = max(left(now), 0) if phased.state == "ACTIVE" else 86400.0  # paused: look again daily
    store.at(now + timedelta(seconds=wait), check)


def items_of(store: Store, submission: ReviewSubmission) -> list[ReviewItem]:
    """A submission's items, in the order they were added."""
    return [store.items[i] for i in submission.item_ids]


def open_submission(store: Store, app_id: str, platform: str) -> ReviewSubmission | None:
    """The review submission still in progress for an app and platform, if any."""
    for sub in store.submissions_by_app.get(app_id, ()):
        if sub.platform == platform and sub.state in OPEN_SUBMISSION_STATES:
            return sub
    return None


def submission_of(store: Store, version: Version) -> tuple[ReviewSubmission, ReviewItem] | None:
    """The unfinished submission that holds a version, with its item."""
    for sub in reversed(store.submissions_by_app.get(version.app_id, ())):
        if sub.state == "COMPLETE":
            continue
        for item in items_of(store, sub):
            if item.version_id == version.id:
                return sub, item
    return None


def submit(store: Store, sub: ReviewSubmission, now: datetime, review_seconds: float | None) -> None:
    """PATCH submitted:true. With `review_seconds`, App Review takes half waiting, half in review."""
    sub.state, sub.submitted_at = "WAITING_FOR_REVIEW", now
    versions = [store.versions[item.version_id] for item in items_of(store, sub)]
    for item in items_of(store, sub):
        item.state = "READY_FOR_REVIEW"
    for version in versions:
        set_version_state(store, version, "WAITING_FOR_REVIEW", now)
    if review_seconds is None:
        return
    half = timedelta(seconds=review_seconds / 2)

    def start(when: datetime) -> None:
        if sub.state == "WAITING_FOR_REVIEW":
            sub.state = "IN_REVIEW"
            for version in versions:
                if version.state == "WAITING_FOR_REVIEW":
                    set_version_state(store, version, "IN_REVIEW", when)

    def finish(when: datetime) -> None:
        if sub.state == "IN_REVIEW":
            for version in versions:
                if version.state == "IN_REVIEW":
                    approve(store, version, when)

    store.at(now + half, start)
    store.at(now + 2 * half, finish)


def approve(store: Store, version: Version, when: datetime) -> None:
    """App Review accepts a version: hold it or release it according to its release type."""
    date = version.earliest_release_date
    if version.release_type == "MANUAL" or (version.release_type == "SCHEDULED" and date and date > when):
        set_version_state(store, version, "PENDING_DEVELOPER_RELEASE", when)
    else:
        set_version_state(store, version, "READY_FOR_DISTRIBUTION", when)
    if version.release_type == "SCHEDULED" and date and date > when:

        def scheduled(at: datetime) -> None:
            if version.state == "PENDING_DEVELOPER_RELEASE" and version.release_type == "SCHEDULED":
                set_version_state(store, version, "READY_FOR_DISTRIBUTION", at)

        store.at(date, scheduled)
    _settle_submission(store, version, "COMPLETE", "APPROVED")


def cancel(store: Store, sub: ReviewSubmission, now: datetime) -> None:
    """PATCH canceled:true: CANCELING now, COMPLETE a few seconds later, versions back to the developer."""
    sub.state = "CANCELING"

    def done(when: datetime) -> None:
        if sub.state != "CANCELING":
            return
        sub.state = "COMPLETE"
        for item in items_of(store, sub):
            item.state = "REMOVED"
            version = store.versions[item.version_id]
            if version.state not in EDITABLE_VERSION_STATES | _APPROVED:
                set_version_state(store, version, "DEVELOPER_REJECTED", when)

    store.at(now + timedelta(seconds=CANCEL_SECONDS), done)


def force_version_state(store: Store, version: Version, state: str, when: datetime) -> None:
    """The test hook: set any state and keep the submission holding the version consistent."""
    set_version_state(store, version, state, when)
    if state in ("WAITING_FOR_REVIEW", "IN_REVIEW"):
        found = submission_of(store, version)
        if found:
            sub, _ = found
            sub.state = state
            sub.submitted_at = sub.submitted_at or when
    elif state in _APPROVED:
        _settle_submission(store, version, "COMPLETE", "APPROVED")
    elif state in VERSION_REJECTED:
        _settle_submission(store, version, "UNRESOLVED_ISSUES", "REJECTED")
    elif state in ("DEVELOPER_REJECTED", "PREPARE_FOR_SUBMISSION"):
        found = submission_of(store, version)
        if found and found[0].state != "READY_FOR_REVIEW":
            _settle_submission(store, version, "COMPLETE", "REMOVED")


def _settle_submission(store: Store, version: Version, sub_state: str, item_state: str) -> None:
    found = submission_of(store, version)
    if found:
        sub, item = found
        sub.state, item.state = sub_state, item_state
