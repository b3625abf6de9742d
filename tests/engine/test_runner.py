"""Settling: after a round of steps, what comes next — more steps, following Apple, or the end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.engine import messages, phased
from bot.engine.lifecycle import KEEP, State
from bot.engine.runner import settled
from storage.records import Action, Publication

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FOLLOW, POLL = 120.0, 30.0


def pub(**fields: object) -> Publication:
    base: dict[str, object] = {"build_id": "b1", "processing_state": "VALID"}
    return Publication("p1", "com.example.app", "IOS", "1.0", "7", "ready", NOW, **{**base, **fields})  # type: ignore[arg-type]


def step(kind: str, status: str, lease_until: datetime | None = None) -> Action:
    return Action(1, "p1", kind, status, "U1", NOW, lease_until=lease_until)


def test_open_steps_look_again_when_one_retries_or_its_lease_ends() -> None:
    retry = NOW + timedelta(seconds=30)
    assert (
        settled(pub(), [step("submit_to_testflight", "requested")], NOW, retry, FOLLOW, POLL).next_poll_at
        == retry
    )
    lease = NOW + timedelta(minutes=10)
    running = [step("submit_to_testflight", "running", lease)]
    assert settled(pub(), running, NOW, None, FOLLOW, POLL).next_poll_at == lease
    assert (
        settled(pub(), [step("submit_to_testflight", "requested")], NOW, None, FOLLOW, POLL).next_poll_at
        == NOW
    )


def test_a_followed_review_is_looked_at_every_follow_interval_and_a_beta_review_every_poll() -> None:
    version = pub(version_id="v1", version_state="WAITING_FOR_REVIEW")
    change = settled(version, [step("submit_to_app_store", "succeeded")], NOW, None, FOLLOW, POLL)
    assert change.state is None and change.next_poll_at == NOW + timedelta(seconds=FOLLOW)
    beta = pub(beta_review_state="WAITING_FOR_REVIEW")
    change = settled(beta, [step("submit_to_testflight", "succeeded")], NOW, None, FOLLOW, POLL)
    assert change.next_poll_at == NOW + timedelta(seconds=POLL)


def test_a_running_phased_release_is_looked_at_once_a_day() -> None:
    released = pub(version_id="v1", version_state="READY_FOR_DISTRIBUTION", phased_state="ACTIVE")
    change = settled(released, [step("submit_to_app_store", "succeeded")], NOW, None, FOLLOW, POLL)
    assert change.next_poll_at == NOW + timedelta(seconds=phased.LOOK_EVERY)


def test_no_steps_rests_ready_without_polling() -> None:
    change = settled(pub(), [], NOW, None, FOLLOW, POLL)
    assert change.state is None and change.next_poll_at is None


def test_all_steps_succeeded_is_done() -> None:
    change = settled(pub(), [step("submit_to_testflight", "succeeded")], NOW, None, FOLLOW, POLL)
    assert change.state is State.DONE and change.expect == (State.READY,)
    assert change.finished_at == NOW and change.last_error is KEEP


def test_a_failed_step_or_a_rejection_is_failed_saying_why() -> None:
    change = settled(pub(), [step("submit_to_testflight", "failed")], NOW, None, FOLLOW, POLL)
    assert change.state is State.FAILED and isinstance(change.last_error, str)
    assert change.event is not None and change.event.message == change.last_error
    rejected = pub(version_id="v1", version_state="REJECTED")
    change = settled(rejected, [step("submit_to_app_store", "succeeded")], NOW, None, FOLLOW, POLL)
    assert change.state is State.FAILED and change.last_error == messages.rejected(rejected.label)
