"""Block Kit rendering: the four buttons, state lines, and Slack's limits however long the input."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.blocks import BUTTONS, REVIEW, event_text, publication_message
from bot.engine.notifier import PublicationView
from bot.sandbox.slack.limits import check_message
from storage.records import Action, Event, Publication

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def publication(**over: object) -> Publication:
    base = dict(
        id="p1",
        app_bundle_id="com.example.app",
        platform="IOS",
        version="1.4.0",
        build_number="412",
        state="waiting_for_build",
        created_at=NOW,
        channel="C1",
        source={"name": "GitHub Actions", "url": "https://ci.example.com/runs/1"},
    )
    return Publication(**{**base, **over})  # type: ignore[arg-type]


def test_message_has_the_four_buttons_with_exact_texts() -> None:
    text, blocks = publication_message(PublicationView(publication(), ()))
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == [label for _, label in BUTTONS]
    assert all(b["value"] == "p1" for b in buttons)
    review = next(b for b in buttons if b["action_id"] == REVIEW)
    assert review["confirm"]["confirm"]["text"] == "Submit"
    assert "1.4.0 (412)" in text
    assert check_message({"channel": "C1", "text": text, "blocks": blocks}) == []


def test_buttons_go_when_nothing_can_be_done() -> None:
    _, blocks = publication_message(PublicationView(publication(state="timed_out", last_error="late"), ()))
    assert not [b for b in blocks if b["type"] == "actions"]


def test_long_inputs_stay_within_limits() -> None:
    huge = publication(
        app_name="A" * 500,
        state="failed",
        last_error="x" * 10_000,
        source={"name": "n" * 3000, "url": "https://e.com/" + "p" * 2000},
    )
    actions = tuple(
        Action(
            id=i,
            publication_id="p1",
            kind="testflight",
            status="failed",
            requested_by="U1",
            requested_at=NOW,
            error="e" * 5000,
        )
        for i in range(3)
    )
    text, blocks = publication_message(PublicationView(huge, actions))
    assert check_message({"channel": "C1", "text": text, "blocks": blocks}) == []


def test_event_text_mentions_slack_users_only() -> None:
    event = Event(
        id=1,
        publication_id="p1",
        at=NOW,
        actor="U0ALICE",
        kind="k",
        message="{actor} clicked",
        data={},
        announce="thread",
        delivered_at=None,
    )
    assert event_text(event) == "<@U0ALICE> clicked"
    ci = Event(**{**event.__dict__, "actor": "webhook"})
    assert event_text(ci) == "CI clicked"
