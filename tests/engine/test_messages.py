"""The engine's words in the thread: durations in minutes or hours, the `{actor}` placeholder left for
the chat surface, and each wording's cases (no reason, no states, again or first checklist)."""

from __future__ import annotations

import pytest

from bot.engine import messages


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0, "0 s"),
        (0.4, "0 s"),
        (45, "45 s"),
        (59.6, "1 min"),  # rounded to the second first
        (60, "1 min"),
        (90, "1 min"),
        (3600, "60 min"),
        (7199, "119 min"),  # under two hours: minutes
        (7200, "2 h"),
        (9000, "2.5 h"),
        (86400, "24 h"),
    ],
)
def test_a_duration_is_seconds_under_a_minute_minutes_under_two_hours_else_hours(
    seconds: float, said: str
) -> None:
    assert messages.duration(seconds) == said


def test_created_says_how_long_the_bot_waits_for_the_build() -> None:
    assert messages.created("Example 1.0 (7)", 1800) == (
        "📦 Example 1.0 (7) was uploaded. Waiting for it to appear in App Store Connect (up to 30 min)."
    )
    assert "(up to 3 h)" in messages.created("Example 1.0 (7)", 10800)


def test_processing_failed_gives_apples_reasons_or_points_to_apples_email() -> None:
    assert messages.processing_failed("INVALID", ["ITMS-90035: Invalid Signature.", "ITMS-90000: x"]) == (
        "❌ App Store Connect could not process the build (INVALID): "
        "ITMS-90035: Invalid Signature.; ITMS-90000: x."
    )
    without = messages.processing_failed("FAILED", [])
    assert without.startswith("❌ App Store Connect could not process the build (FAILED): ")
    assert "gave no reason; check the e-mail Apple sent." in without


def test_timeouts_say_how_long_was_waited() -> None:
    found = messages.find_timed_out("Example 1.0 (7)", 5400)
    assert found.startswith("⏰ Example 1.0 (7) did not appear in App Store Connect within 90 min.")
    assert "bundle id, version and build number" in found
    assert messages.processing_timed_out("Example 1.0 (7)", 14400).startswith(
        "⏰ Example 1.0 (7) was still processing after 4 h."
    )


def test_an_unknown_state_is_followed_until_a_time_or_while_followed() -> None:
    until = messages.unknown_state("Example 1.0 (7)", ["NEW_STATE", "OTHER"], "2026-03-02 10:00")
    assert "the bot does not know for Example 1.0 (7): NEW_STATE, OTHER." in until
    assert until.endswith("I keep checking until 2026-03-02 10:00 UTC.")
    assert messages.unknown_state("Example 1.0 (7)", ["NEW_STATE"]).endswith(
        "I keep checking while it is followed."
    )


def test_an_unknown_state_too_long_names_the_states_or_says_there_was_none() -> None:
    named = messages.unknown_state_too_long("Example 1.0 (7)", ["NEW_STATE"], 48.0)
    assert named.startswith("❓ Example 1.0 (7): App Store Connect kept reporting NEW_STATE for 48 hours")
    assert "`/asc publish`" in named
    assert "kept reporting no state for 1.5 hours" in messages.unknown_state_too_long("X", [], 1.5)


def test_requested_and_cancelled_leave_the_actor_to_the_chat_surface() -> None:
    assert messages.requested("Submit for review") == "🙋 {actor} asked to submit for review."
    # Only the first letter is lowered: the rest of a title (a name like TestFlight) stays as it is.
    assert messages.requested("Submit to TestFlight") == "🙋 {actor} asked to submit to TestFlight."
    assert messages.cancelled("Example 1.0 (7)") == (
        "🚫 {actor} cancelled Example 1.0 (7): no more waiting or steps for this build."
    )
    held = messages.needs_approver("Submit for review")
    assert held.startswith("⏸ *Submit for review* comes from the app's publishing defaults, but {actor}")


def test_the_end_of_a_publication_all_done_or_the_failed_steps() -> None:
    assert (
        messages.all_done("Example 1.0 (7)") == "🎉 Example 1.0 (7): everything that was asked for is done."
    )
    assert messages.some_failed("Example 1.0 (7)", ["Submit for review", "Add to groups"]) == (
        "❌ Example 1.0 (7): finished, but these steps failed: Submit for review, Add to groups. "
        "See the thread for why."
    )
    assert (
        messages.action_failed("Submit for review", "409 conflict")
        == "⚠️ Submit for review failed: 409 conflict"
    )


def test_the_checklist_lists_each_gap_and_says_whether_it_was_checked_again() -> None:
    gaps = [
        {"what": "Copyright", "fix": "App Store Connect → Copyright"},
        {"what": "Keywords (en-US)", "fix": "App Store Connect → en-US → Keywords"},
    ]
    first = messages.checklist("App Store review", gaps, again=False)
    assert first.startswith("🧾 Pre-flight checklist before App Store review.")
    assert "so nothing was submitted:\n• *Copyright* — App Store Connect → Copyright\n" in first
    assert "• *Keywords (en-US)* — App Store Connect → en-US → Keywords\n" in first
    assert first.endswith("Press *Check again* once they are done.")
    again = messages.checklist("TestFlight beta review", gaps[:1], again=True)
    assert again.startswith("🧾 Checked again: still missing before TestFlight beta review.")
    assert "Keywords" not in again


def test_the_approval_reminder_says_how_long_the_step_has_waited() -> None:
    assert messages.approval_reminder("Submit for review", 14400) == (
        "⏰ *Submit for review* has waited 4 h for an approver."
    )
    assert messages.approval_reminder("Submit for review", 3600).endswith(
        "has waited 60 min for an approver."
    )


def test_short_wordings() -> None:
    assert (
        messages.found("Example 1.0 (7)")
        == "🔎 Found Example 1.0 (7) in App Store Connect. Apple is processing it."
    )
    assert messages.ready("Example 1.0 (7)") == "✅ Example 1.0 (7) finished processing and is valid."
    assert (
        messages.asc_trouble("HTTP 503")
        == "⚠️ App Store Connect is not answering as it should (HTTP 503); I keep trying."
    )
    assert "com.example.app" in messages.app_not_found("com.example.app", "default")
    assert "key 'default'" in messages.app_not_found("com.example.app", "default")
    assert messages.rejected("X 1 (2)").startswith("❌ X 1 (2): Apple's review did not accept the build.")
    assert (
        messages.nothing_to_check("X 1 (2)")
        == "Nothing of X 1 (2) waits for the pre-flight checklist any more."
    )
    assert "CI reported failing tests" in messages.tests_failed()
    assert messages.tests_failed_anyway().startswith("(CI reported failing tests; going ahead")
