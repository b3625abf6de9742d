"""Block Kit rendering: the four buttons, state lines, and Slack's limits however long the input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.appstore.models import BetaGroup
from bot.blocks import (
    BETA_GROUPS_VIEW,
    BUTTONS,
    COMPLIANCE_NO,
    COMPLIANCE_QUESTION,
    COMPLIANCE_YES,
    PHASED_COMPLETE,
    RELEASE_NOW,
    SUBMIT_TO_APP_STORE,
    already_requested,
    beta_groups_modal,
    buttons_for,
    compliance_answered,
    event_text,
    fit,
    loading_modal,
    metadata,
    next_hour,
    not_an_approver,
    publication_message,
    release_date_problem,
    reply,
    schedule_modal,
    status,
    submit_to_app_store_modal,
    what_to_test_modal,
)
from bot.engine.notifier import PublicationView
from bot.sandbox.slack.limits import check_message, check_view
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
    app_store = next(b for b in buttons if b["action_id"] == SUBMIT_TO_APP_STORE)
    assert app_store["confirm"]["confirm"]["text"] == "Submit"
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
            kind="submit_to_testflight",
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


def action(kind: str, status: str = "succeeded", by: str = "U1") -> Action:
    return Action(id=1, publication_id="p1", kind=kind, status=status, requested_by=by, requested_at=NOW)


def labels(pub: Publication, *actions: Action) -> list[str]:
    return [label for _, label in buttons_for(PublicationView(pub, actions))]


def test_the_message_buttons_keep_their_contract_texts() -> None:
    # Their texts come from the step registry's titles; people and other tools know them by these.
    texts = ["Submit to TestFlight", "Add beta groups", "Submit for review", "Schedule release"]
    assert [label for _, label in BUTTONS] == texts


def test_buttons_follow_the_app_store_version() -> None:
    four = [label for _, label in BUTTONS]
    assert labels(publication()) == four
    assert labels(publication(state="ready"), action("submit_to_testflight")) == four[1:]
    queued = labels(publication(), action("submit_to_app_store", "requested"))
    assert "Submit for review" in queued  # a second click is told who asked, not shown nothing
    assert labels(publication(version_state="WAITING_FOR_REVIEW")) == [four[0], four[1], four[3]]
    assert labels(publication(), action("submit_to_app_store")) == [four[0], four[1], four[3]]
    manual = publication(version_state="PENDING_DEVELOPER_RELEASE", release_type="MANUAL")
    assert labels(manual) == [four[0], four[1], "Release now"]
    after = publication(version_state="PENDING_DEVELOPER_RELEASE", release_type="AFTER_APPROVAL")
    assert labels(after) == [four[0], four[1]]
    live = dict(version_state="READY_FOR_DISTRIBUTION")
    assert labels(publication(**live, phased_state="ACTIVE")) == [
        four[0],
        four[1],
        "Pause phased release",
        "Release to all users",
    ]
    assert labels(publication(**live, phased_state="PAUSED"))[2:] == [
        "Resume phased release",
        "Release to all users",
    ]
    assert labels(publication(**live, phased_state="COMPLETE")) == four[:2]
    assert labels(publication(state="failed", build_id=None)) == []
    assert labels(publication(state="ready", processing_state="INVALID")) == []


def test_release_buttons_carry_confirmations_and_details_show_the_version() -> None:
    pub = publication(
        version_state="PENDING_DEVELOPER_RELEASE",
        release_type="MANUAL",
        beta_review_state="APPROVED",
        phased_state="ACTIVE",
    )
    text, payload = publication_message(PublicationView(pub, ()))
    buttons = {e["action_id"]: e for b in payload if b["type"] == "actions" for e in b["elements"]}
    assert buttons[RELEASE_NOW]["confirm"]["title"]["text"] == "Release now?"
    assert buttons[PHASED_COMPLETE]["confirm"]["confirm"]["text"] == "Release"
    details = payload[1]["text"]["text"]
    assert "*TestFlight:* beta review approved" in details
    assert "*App Store:* Pending developer release · manual release · phased release active" in details
    assert check_message({"text": text, "blocks": payload}) == []


def test_a_scheduled_release_shows_its_date_for_every_reader() -> None:
    pub = publication(
        version_state="WAITING_FOR_REVIEW",
        release_type="SCHEDULED",
        earliest_release_date="2026-12-01T14:00:00+00:00",
    )
    _, payload = publication_message(PublicationView(pub, ()))
    assert "release not before <!date^1796133600^" in payload[1]["text"]["text"]
    assert "|2026-12-01 14:00 UTC>" in payload[1]["text"]["text"]


def test_compliance_question_has_two_buttons_and_answers_replace_them() -> None:
    event = Event(
        id=1,
        publication_id="p1",
        at=NOW,
        actor="bot",
        kind=COMPLIANCE_QUESTION,
        message="🔐 Does it use non-exempt encryption?",
        data={},
        announce="thread",
        delivered_at=None,
    )
    text, payload = reply(PublicationView(publication(), ()), event)
    assert payload is not None
    [row] = [b for b in payload if b["type"] == "actions"]
    assert [(e["action_id"], e["value"]) for e in row["elements"]] == [
        (COMPLIANCE_YES, "p1"),
        (COMPLIANCE_NO, "p1"),
    ]
    plain = Event(**{**event.__dict__, "kind": "testflight_succeeded"})
    assert reply(PublicationView(publication(), ()), plain) == (plain.message, None)
    text, payload = compliance_answered(text, False, "U0ALICE")
    assert "<@U0ALICE> answered: the app does not use non-exempt encryption" in text
    assert check_message({"text": text, "blocks": payload}) == []


def test_modals_stay_within_limits_however_long_the_input() -> None:
    pub = publication(
        app_name="N" * 400,
        release_notes=[{"language": "xx-YY", "text": "w" * 4000}],
        options={
            "copyright": "c" * 500,
            "release_type": "SCHEDULED",
            "earliest_release_date": "2026-12-01T14:00:00+00:00",
            "phased_release": True,
            "beta_groups": ["GROUP 8 GGGGGGGG"],
        },
    )
    groups = [BetaGroup(str(i), f"Group {i} " + "g" * (i % 160), i % 2 == 0, None) for i in range(400)]
    meta = metadata(p="p1", c="C1", t="1.2")
    what = what_to_test_modal(pub, meta)
    text_input = what["blocks"][2]["element"]
    assert len(text_input["initial_value"]) == 3000 and text_input["initial_value"].endswith("…")
    assert what["blocks"][1]["element"]["initial_option"]["value"] == "en-US"  # an unknown locale
    picker = beta_groups_modal(pub, groups, meta)
    [internal, external] = picker["blocks"][1]["element"]["option_groups"]
    assert len(internal["options"]) == len(external["options"]) == 100
    assert [o["value"] for o in picker["blocks"][1]["element"]["initial_options"]] == ["Group 8 gggggggg"]
    app_store = submit_to_app_store_modal(pub, meta, NOW)
    schedule = schedule_modal(pub, meta, NOW)
    assert schedule["blocks"][1]["element"]["initial_date_time"] == 1796133600
    loading = loading_modal(BETA_GROUPS_VIEW, "Add beta groups", pub, meta)
    for view in (what, picker, app_store, schedule, loading):
        assert check_view(view) == [], view["callback_id"]
    assert beta_groups_modal(pub, [], meta).get("submit") is None


def test_release_dates_are_whole_future_hours() -> None:
    assert release_date_problem(None, NOW) == "Pick a date and time for the release."
    half = NOW + timedelta(days=1, minutes=30)
    assert release_date_problem(half, NOW) == (
        "App Store Connect releases on the hour: you picked 12:30 UTC; pick 12:00 or 13:00 UTC instead."
    )
    assert "passed" in str(release_date_problem(NOW - timedelta(hours=1), NOW))
    assert release_date_problem(NOW + timedelta(hours=1), NOW) is None
    assert next_hour(NOW + timedelta(minutes=17)) == NOW + timedelta(days=1, hours=1)


def test_status_of_many_publications_is_shortened_to_50_blocks() -> None:
    pubs = [
        publication(id=f"p{i}", app_name="A" * 300, build_number=str(i), channel="C1", message_ts=f"1.{i}")
        for i in range(600)
    ]
    text, payload = status(pubs, None)
    assert len(payload) == 50 and "more not shown" in payload[-1]["elements"][0]["text"]
    assert "<https://slack.com/archives/C1/p10|" in payload[1]["text"]["text"]
    assert check_message({"text": text, "blocks": payload}) == []
    assert status([], "com.x")[0] == "Nothing in flight for com.x."


def test_ephemeral_answers() -> None:
    asked = action("submit_to_app_store", "requested", "U0ALICE")
    said = already_requested("Submit for review", asked)
    assert said.startswith("*Submit for review* was already requested by <@U0ALICE> at <!date^")
    assert said.endswith("(🕓 queued).")
    refusal = not_an_approver("Submit for review", "com.x", ["U1", "S2"])
    assert refusal.startswith("🔒 Only approvers may *submit for review* for com.x: <@U1>, <!subteam^S2>.")
    assert fit([{"type": "divider"}] * 60)[-1]["elements"][0]["text"] == "…and 11 more not shown."
