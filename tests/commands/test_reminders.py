"""Approval reminders: a held step pings the approvers in its thread once per interval, until acted on."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from bot import blocks
from bot.config import AppSettings
from bot.sandbox.clock import FakeClock
from bot.sandbox.world import World
from tests.commands.conftest import action, buttons, ephemerals_to, eventually
from tests.support.flow import later, sweep

APP = "com.example.app"
BOSS, MALLORY = "U0BOSS", "U0MALLORY"
HOUR = 3600.0


async def reminders(world: World) -> list:
    assert world.bot is not None
    await sweep(world)
    [pub] = await world.bot.storage.list(active_only=False)
    assert pub.message_ts is not None
    return [m for m in world.slack.thread(pub.channel or "", pub.message_ts) if m.text.startswith("⏰")]


async def test_a_held_step_pings_its_approvers_every_interval_until_approved(
    world: World, clock: FakeClock
) -> None:
    world.asc.add_app(APP, name="Example")
    await world.stop_bot()
    app = AppSettings(
        APP, approvers=(BOSS, "S0RELEASE"), publishing=MappingProxyType({"submit_to_app_store": True})
    )
    await world.start_bot(apps=MappingProxyType({APP: app}), approval_reminder=HOUR)
    assert world.config is not None and world.bot is not None
    reply = await world.slack.slash_command(
        world.events_url, "/asc", f"publish {APP} 1.4.0 412", user=MALLORY
    )
    assert reply.status == 200
    await eventually(lambda: world.bot and ephemerals_to(world, MALLORY))
    world.asc.upload_build(APP, "1.4.0", "412")
    [pub] = await world.bot.storage.list()
    assert (await action(world, pub.id, "submit_to_app_store")).status == "held"

    await later(world, clock, HOUR - 60)
    assert await reminders(world) == []  # not yet: an hour from when it was held
    await later(world, clock, 61)
    [first] = await reminders(world)
    assert first.text.startswith("⏰ *Submit for review* has waited 60 min for an approver.")
    assert f"<@{BOSS}>" in first.text and "<!subteam^S0RELEASE>" in first.text
    assert buttons(first) == ["Approve and run it"]
    await later(world, clock, HOUR / 2)
    assert len(await reminders(world)) == 1  # once per interval, however often the bot sweeps

    # A restart changes nothing: the last reminder is in the database.
    await world.stop_bot()
    await world.start_bot()
    await later(world, clock, HOUR / 2 - 60)
    assert len(await reminders(world)) == 1
    await later(world, clock, 61)
    second = (await reminders(world))[-1]
    assert "has waited 2 h" in second.text

    await world.slack.click_button(
        world.events_url, second, blocks.APPROVE + "submit_to_app_store", user=BOSS
    )
    await eventually(lambda: ephemerals_to(world, BOSS))
    assert (await action(world, pub.id, "submit_to_app_store")).status != "held"
    await later(world, clock, 3 * HOUR)
    assert len(await reminders(world)) == 2  # acted on: no more pings


async def test_reminders_can_be_turned_off(world: World, clock: FakeClock) -> None:
    world.asc.add_app(APP, name="Example")
    await world.stop_bot()
    app = AppSettings(APP, approvers=(BOSS,), publishing=MappingProxyType({"submit_to_app_store": True}))
    await world.start_bot(apps=MappingProxyType({APP: app}), approval_reminder=0)
    assert world.config is not None and replace(world.config).approval_reminder == 0
    reply = await world.slack.slash_command(
        world.events_url, "/asc", f"publish {APP} 1.4.0 412", user=MALLORY
    )
    assert reply.status == 200
    await eventually(lambda: ephemerals_to(world, MALLORY))
    world.asc.upload_build(APP, "1.4.0", "412")
    await later(world, clock, 10 * HOUR)
    assert await reminders(world) == []
