"""`/asc publish`: a publication as the webhook would make it, in the channel it was typed in."""

from __future__ import annotations

import pytest

from bot.ci_client import RENAMED_FLAGS, build_payload
from bot.cli import build_parser
from bot.sandbox.world import World
from commands.publish import SWITCHES, USAGE, VALUED, PublishCommand, UsageError, parse
from tests.commands.conftest import eventually

CHANNEL = "C0MOBILE"


async def publish_command(world: World, text: str, user: str = "U0ALICE") -> str:
    """Run `/asc publish …`; the answer is the ack or, after it, a response_url message."""
    before = len(world.slack.ephemerals)
    reply = await world.slack.slash_command(
        world.events_url, "/asc", f"publish {text}", user=user, channel=CHANNEL
    )
    assert reply.status == 200 and reply.elapsed_seconds < 3
    [said] = await eventually(lambda: [m for m in world.slack.ephemerals[before:] if m.ephemeral_to == user])
    assert said.channel == CHANNEL
    return said.text


def test_parse_every_option() -> None:
    line = (
        "com.example.app 1.4.0 412 --testflight --beta-group “QA” --beta-group=Friends --app-store "
        "--release-type after-approval --phased-release --platform mac_os"
    )
    assert parse(line) == PublishCommand(
        "com.example.app",
        "1.4.0",
        "412",
        "MAC_OS",
        {
            "submit_to_testflight": True,
            "beta_groups": ["QA", "Friends"],
            "submit_to_app_store": True,
            "release_type": "AFTER_APPROVAL",
            "phased_release": True,
        },
    )


def test_parse_release_date_means_scheduled_and_utc_when_naive() -> None:
    parsed = parse("com.example.app 1.4.0 412 --earliest-release-date=2026-12-01T14:00")
    assert parsed.publishing == {
        "earliest_release_date": "2026-12-01T14:00:00+00:00",
        "release_type": "SCHEDULED",
    }


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("", "publish needs <bundle-id> <version> <build>; got 0 of them."),
        ("com.example.app 1.4.0", "publish needs <bundle-id> <version> <build>; got 2 of them."),
        ("com.example.app 1.4.0 412 7", "publish needs <bundle-id> <version> <build>; got 4 of them."),
        ("com.example.app 1.4.0 412 --fast", "Unknown option --fast."),
        ("com.example.app 1.4.0 412 --review", "--review is now called --app-store; nothing was started."),
        (
            "com.example.app 1.4.0 412 --review=yes",
            "--review is now called --app-store; nothing was started.",
        ),
        (
            "com.example.app 1.4.0 412 --groups QA",
            "--groups is now called --beta-group; nothing was started.",
        ),
        (
            "com.example.app 1.4.0 412 --phased",
            "--phased is now called --phased-release; nothing was started.",
        ),
        (
            "com.example.app 1.4.0 412 --release-date 2026-12-01T14:00Z",
            "--release-date is now called --earliest-release-date; nothing was started.",
        ),
        (
            "com.example.app 1.4.0 412 --expire-previous",
            "--expire-previous is now called --expire-build-submitted-for-review; nothing was started.",
        ),
        ("com.example.app 1.4.0 412 --beta-group", "--beta-group needs a value."),
        ("com.example.app 1.4.0 412 --beta-group --app-store", "--beta-group needs a value."),
        (
            "com.example.app 1.4.0 412 --release-type soon",
            "--release-type must be one of MANUAL, AFTER_APPROVAL, SCHEDULED; got soon.",
        ),
        (
            "com.example.app 1.4.0 412 --platform android",
            "--platform must be one of IOS, MAC_OS, TV_OS, VISION_OS; got android.",
        ),
        (
            'com.example.app 1.4.0 412 --beta-group "QA',
            "Cannot read the command: No closing quotation (check the quotes).",
        ),
    ],
)
def test_parse_says_exactly_what_is_wrong(line: str, problem: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse(line)
    assert str(caught.value) == problem


async def test_publish_starts_a_publication_in_this_channel(world: World) -> None:
    world.asc.add_app("com.example.app", name="Example")
    said = await publish_command(
        world, "com.example.app 1.4.0 412 --testflight --beta-group QA --beta-group Friends --phased-release"
    )
    assert (
        said
        == f"🚀 Started publishing com.example.app 1.4.0 (412) in <#{CHANNEL}>: follow it in the thread of its message."
    )
    [pub] = await world.bot.storage.list()
    assert (pub.app_bundle_id, pub.version, pub.build_number, pub.channel) == (
        "com.example.app",
        "1.4.0",
        "412",
        CHANNEL,
    )
    assert pub.options["submit_to_testflight"] is True
    assert pub.options["beta_groups"] == ["QA", "Friends"]
    assert pub.options["phased_release"] is True
    assert pub.source == {"name": "/asc publish by @u0alice"}
    kinds = {a.kind: a.requested_by for a in await world.bot.storage.actions(pub.id)}
    assert kinds == {
        "submit_to_testflight": "webhook",
        "beta_groups": "webhook",
    }  # the publishing options, as from CI
    await world.bot.engine.sweep()
    [message] = [m for m in world.slack.messages[CHANNEL] if not m.thread_ts]
    assert "Example 1.4.0 (412)" in message.text

    again = await publish_command(world, "com.example.app 1.4.0 412", user="U0BOB")
    assert again.startswith("Example 1.4.0 (412) is already being published")
    assert "/archives/C0MOBILE/p" in again
    assert len(await world.bot.storage.list()) == 1


async def test_publish_to_the_app_store_with_a_date(world: World) -> None:
    await publish_command(
        world, "com.example.app 1.4.0 412 --app-store --earliest-release-date 2026-12-01T14:00:00+01:00"
    )
    [pub] = await world.bot.storage.list()
    assert pub.options["submit_to_app_store"] is True
    assert pub.options["release_type"] == "SCHEDULED"
    assert pub.options["earliest_release_date"] == "2026-12-01T14:00:00+01:00"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("com.example.app", "⚠️ publish needs <bundle-id> <version> <build>; got 1 of them."),
        ("com.example.app 1.4.0 412 --release-type later", "⚠️ --release-type must be one of"),
        ("com.example.app one 412", "• <version> is not valid (CFBundleShortVersionString, e.g. 1.4.0)"),
        (
            "com.example.app 1.4.0 412 --earliest-release-date 2026-12-01T14:30Z",
            "• --earliest-release-date must be on the hour",
        ),
        (
            "com.example.app 1.4.0 412 --earliest-release-date 2020-01-01T14:00Z",
            "• --earliest-release-date must be in the future",
        ),
        (
            "com.example.app 1.4.0 412 --earliest-release-date tomorrow",
            "• --earliest-release-date must be an ISO 8601 date-time",
        ),
        (
            "com.example.app 1.4.0 412 --release-type SCHEDULED",
            "• --earliest-release-date is required with release_type SCHEDULED",
        ),
        ("com/example 1.4.0 412", "• <bundle-id> is not valid"),
    ],
)
async def test_wrong_usage_is_answered_with_the_problem_and_the_usage(
    world: World, text: str, problem: str
) -> None:
    said = await publish_command(world, text)
    assert problem in said
    assert said.endswith(f"Usage: `{USAGE}`")
    assert [m.via for m in world.slack.ephemerals] == ["ack"]
    assert (await world.bot.storage.counts())["publications"] == 0


@pytest.mark.parametrize("old", sorted(RENAMED_FLAGS))
async def test_an_old_flag_is_refused_naming_the_new_one(world: World, old: str) -> None:
    """The flags took asc-bot notify's names (issue 13): a line with an old one starts nothing."""
    world.asc.add_app("com.example.app", name="Example")
    said = await publish_command(world, f"com.example.app 1.4.0 412 --testflight {old}")
    assert said.startswith(f"⚠️ {old} is now called {RENAMED_FLAGS[old]}; nothing was started.")
    assert said.endswith(f"Usage: `{USAGE}`") and old not in USAGE.replace(RENAMED_FLAGS[old], "")
    counts = await world.bot.storage.counts()
    assert (counts["publications"], counts["actions"], counts["events"]) == (0, 0, 0)


def test_the_same_flags_mean_the_same_to_asc_bot_notify() -> None:
    """Every option this command takes is spelled as the CI client spells it, with the same value."""
    flags = (
        "--testflight --app-store --phased-release --beta-group QA --beta-group Friends "
        "--release-type SCHEDULED --earliest-release-date 2026-12-01T14:00:00+00:00"
    )
    slash = parse(f"com.example.app 1.4.0 412 {flags}").publishing
    app = ["--bundle-id", "com.example.app", "--version", "1.4.0", "--build", "412"]
    notify = build_parser().parse_args(["notify", "--url", "https://x", *app, *flags.split()])
    assert build_payload(notify, {})["publishing"] == slash
    assert set(slash) == {*SWITCHES.values(), *(o for o in VALUED.values() if o != "platform")}


async def test_app_store_from_the_command_line_is_for_approvers_only(world: World) -> None:
    await world.stop_bot()
    await world.start_bot(approvers=("U0BOSS",))
    said = await publish_command(world, "com.example.app 1.4.0 412 --app-store", user="U0MALLORY")
    assert said.startswith("🔒 Only approvers may *submit for review* for com.example.app: <@U0BOSS>.")
    counts = await world.bot.storage.counts()
    assert (counts["publications"], counts["events"]) == (0, 1)  # the refusal, in the audit log
    assert (
        await publish_command(world, "com.example.app 1.4.0 412 --testflight", user="U0MALLORY")
    ).startswith("🚀")
    assert (await publish_command(world, "com.example.app 1.4.0 413 --app-store", user="U0BOSS")).startswith(
        "🚀"
    )
