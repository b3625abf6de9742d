"""The next step of a publication and who must act, as the Home tab shows it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.engine.notifier import PublicationView
from bot.engine.overview import ANYONE, APPLE, APPROVERS, BOT, next_step
from storage.records import Action, Publication

NOW = datetime(2026, 12, 3, 9, tzinfo=UTC)
PUB = Publication("p1", "com.example.app", "IOS", "1.4.0", "412", "ready", NOW, build_id="b1")


def step(kind: str, status: str) -> Action:
    return Action(1, "p1", kind, status, "U1", NOW)


@pytest.mark.parametrize(
    ("changes", "actions", "expected"),
    [
        ({"state": "waiting_for_build"}, (), ("Apple lists the uploaded build", APPLE)),
        ({"state": "processing"}, (), ("Apple processes the build", APPLE)),
        (
            {"state": "processing"},
            (step("submit_to_app_store", "held"),),
            ("Approve *Submit for review*", APPROVERS),
        ),
        (
            {"beta_internal_state": "MISSING_EXPORT_COMPLIANCE"},
            (step("submit_to_testflight", "requested"),),
            ("Answer export compliance (buttons in the thread)", ANYONE),
        ),
        ({}, (step("submit_to_testflight", "running"),), ("asc-bot runs *Submit to TestFlight*", BOT)),
        ({"beta_review_state": "WAITING_FOR_REVIEW"}, (), ("TestFlight beta review by Apple", APPLE)),
        ({"version_id": "v1", "version_state": "IN_REVIEW"}, (), ("App Store review by Apple", APPLE)),
        (
            {"version_id": "v1", "version_state": "PENDING_DEVELOPER_RELEASE"},
            (),
            ("Release the approved version (*Release now*)", APPROVERS),
        ),
        ({}, (), ("Choose a step (buttons in the message)", ANYONE)),
    ],
)
def test_next_step(changes: dict, actions: tuple[Action, ...], expected: tuple[str, str]) -> None:
    found = next_step(PublicationView(replace(PUB, **changes), actions), ("U0BOSS",))
    assert (found.text, found.who) == expected


def test_without_approvers_a_release_is_anyones() -> None:
    pub = replace(PUB, version_id="v1", version_state="PENDING_DEVELOPER_RELEASE")
    assert next_step(PublicationView(pub, ()), ()).who == ANYONE
