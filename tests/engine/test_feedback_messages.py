"""What the thread says about TestFlight feedback: a tester's words are never read as Slack markup or
the `{actor}` placeholder, crash logs are cut to a few lines, screenshot links say when they expire,
and the daily digest stays under Slack's limit for a section."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.appstore.feedback import CRASH, SCREENSHOT, Screenshot
from bot.appstore.feedback import TesterFeedback as Feedback
from bot.engine import feedback_messages as fm

APP_ID = "1234567890"
LABEL = "Example 1.4.0 (41)"
SENT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def item(kind: str = SCREENSHOT, **over: object) -> Feedback:
    base = Feedback(
        id="fb1",
        kind=kind,
        build_id="b1",
        created_at=SENT,
        comment="The login button does nothing",
        email="tester@example.com",
        device_model="iPhone15,2",
        os_version="18.1",
        device_family="IPHONE",
    )
    return replace(base, **over)


@pytest.mark.parametrize(
    ("family", "system"),
    [
        ("IPHONE", "iOS"),
        ("IPAD", "iPadOS"),
        ("MAC", "macOS"),
        ("APPLE_TV", "tvOS"),
        ("VISION", "visionOS"),
        ("APPLE_WATCH", "watchOS"),
        (None, "iOS"),
        ("SOMETHING_NEW", "iOS"),
    ],
)
def test_the_device_names_the_system_of_its_family(family: str | None, system: str) -> None:
    assert fm.device(item(device_family=family)) == f"iPhone15,2, {system} 18.1"


def test_a_device_without_model_or_os_version_says_so_and_its_model_is_escaped() -> None:
    assert fm.device(item(device_model=None, os_version=None)) == "unknown device, OS unknown"
    assert fm.device(item(device_model="<Pad & {x}>")) == "&lt;Pad &amp; (x)&gt;, iOS 18.1"


def test_the_testflight_link_needs_the_app() -> None:
    assert fm.testflight_url(APP_ID) == f"https://appstoreconnect.apple.com/apps/{APP_ID}/testflight/ios"
    assert fm.testflight_url(None) == ""


def test_a_screenshot_reply_quotes_each_line_and_links_each_screenshot_with_the_first_expiry() -> None:
    shots = (
        Screenshot("https://apple.example/1.png", datetime(2026, 3, 2, 12, 0, tzinfo=UTC)),
        Screenshot("https://apple.example/2.png", datetime(2026, 3, 1, 18, 5, tzinfo=UTC)),
        Screenshot("https://apple.example/3.png", None),
    )
    text = fm.reply(item(comment="Line one\nLine two", screenshots=shots), LABEL, APP_ID, None)
    assert text.split("\n") == [
        f"💬 *TestFlight feedback* on {LABEL} from tester@example.com (iPhone15,2, iOS 18.1):",
        "> Line one",
        "> Line two",
        "<https://apple.example/1.png|Screenshot 1> · <https://apple.example/2.png|Screenshot 2> · "
        "<https://apple.example/3.png|Screenshot 3> (Apple's links work until 2026-03-01 18:05 UTC)",
    ]


def test_a_reply_without_comment_email_or_screenshots() -> None:
    text = fm.reply(item(comment=None, email=None), LABEL, APP_ID, None)
    assert text == (
        f"💬 *TestFlight feedback* on {LABEL} from a tester (iPhone15,2, iOS 18.1):\n_(no comment)_"
    )
    no_expiry = fm.reply(
        item(screenshots=(Screenshot("https://apple.example/1.png", None),)), LABEL, None, None
    )
    assert no_expiry.endswith("<https://apple.example/1.png|Screenshot 1>")


def test_a_testers_words_are_never_slack_markup_nor_the_actor_placeholder() -> None:
    text = fm.reply(
        item(comment="<!channel> {actor} & <https://evil.example|click>", email="<@U0BOSS>"),
        LABEL,
        APP_ID,
        None,
    )
    assert "> &lt;!channel&gt; (actor) &amp; &lt;https://evil.example|click&gt;" in text
    assert "from &lt;@U0BOSS&gt; (" in text
    assert "<!channel>" not in text and "{actor}" not in text


def test_a_crash_reply_shows_the_first_lines_of_its_log_and_links_the_full_log() -> None:
    log = "\n".join(f"frame {n}" for n in range(fm.LOG_LINES + 5))
    text = fm.reply(item(CRASH, comment="It crashed"), LABEL, APP_ID, log)
    lines = text.split("\n")
    assert lines[0] == f"💥 *TestFlight crash* in {LABEL} from tester@example.com (iPhone15,2, iOS 18.1):"
    assert lines[1] == "> It crashed"
    assert lines[2] == "```frame 0"
    assert f"frame {fm.LOG_LINES - 1}" in text and f"frame {fm.LOG_LINES}\n" not in text
    assert "\n…```\n" in text  # more lines than shown
    assert lines[-1] == (
        f"<{fm.testflight_url(APP_ID)}|Full crash log in App Store Connect (TestFlight, Crashes)>"
    )


def test_a_short_crash_log_is_shown_whole_and_cannot_close_its_code_block() -> None:
    text = fm.reply(item(CRASH, comment=None), LABEL, None, "  boom ``` here\nframe 1\n")
    assert text.split("\n")[1:] == ["_(no comment)_", "```boom ''' here", "frame 1```"]  # no link: no app


def test_a_crash_log_of_long_lines_is_cut_to_its_characters() -> None:
    text = fm.reply(item(CRASH), LABEL, APP_ID, "x" * (fm.LOG_CHARS * 2))
    shown = text.split("```")[1]
    assert shown == "x" * fm.LOG_CHARS + "\n…"


def test_a_crash_without_a_log_has_no_code_block() -> None:
    text = fm.reply(item(CRASH), LABEL, APP_ID, None)
    assert "```" not in text and "Full crash log" in text


def test_a_digest_line_is_one_line_cut_at_140_characters_with_the_first_screenshot() -> None:
    shots = (Screenshot("https://apple.example/1.png", None), Screenshot("https://apple.example/2.png", None))
    line = fm.summary(item(comment="First\nsecond", screenshots=shots), LABEL)
    assert line == (
        f"• 💬 {LABEL}, tester@example.com (iPhone15,2, iOS 18.1): “First second”"
        " <https://apple.example/1.png|screenshot>"
    )
    long = fm.summary(item(CRASH, comment="y" * 141, email=None), LABEL)
    assert long == f"• 💥 {LABEL}, a tester (iPhone15,2, iOS 18.1): “{'y' * 139}…”"
    exactly = fm.summary(item(comment="z" * 140), LABEL)
    assert f"“{'z' * 140}”" in exactly
    assert "“(no comment)”" in fm.summary(item(comment=None), LABEL)


def test_a_digest_counts_what_came_after_the_threshold_and_links_app_store_connect() -> None:
    one = fm.digest("com.example.app", "2026-03-01", ["• a"], 20, APP_ID)
    assert one == (
        "📋 *TestFlight feedback digest* for com.example.app, 2026-03-01 (UTC): 1 more submission after "
        f"the first 20 of the day.\n• a\nEverything in <{fm.testflight_url(APP_ID)}|App Store Connect (TestFlight)>."
    )
    two = fm.digest("com.example.app", "2026-03-01", ["• a", "• b"], 20, None)
    assert two.endswith("2 more submissions after the first 20 of the day.\n• a\n• b")


def test_a_long_digest_stays_under_slacks_limit_and_says_how_many_it_left_out() -> None:
    lines = [f"• {n:03d} " + "w" * 190 for n in range(40)]
    text = fm.digest("com.example.app", "2026-03-01", lines, 20, APP_ID)
    shown = [line for line in text.split("\n") if line.startswith("• ")]
    assert len(text) <= fm.DIGEST_CHARS
    assert 0 < len(shown) < len(lines) and shown == lines[: len(shown)]
    assert f"\n…and {len(lines) - len(shown)} more.\nEverything in <" in text
