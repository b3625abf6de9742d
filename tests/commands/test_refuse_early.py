"""Refuse early (issue 11): a channel the bot cannot post in is refused before App Store Connect is
asked and before anything is stored; a Slack outage refuses nothing."""

from __future__ import annotations

import asyncio

import pytest

from bot.sandbox.world import DEMO_CHANNEL, World
from tests.commands.conftest import ephemerals_to, eventually


async def _stored(world: World) -> int:
    return len(await world.bot.storage.list(active_only=False, limit=100))


async def test_webhook_for_a_private_channel_without_the_bot_is_refused_before_any_step(world: World) -> None:
    world.asc.add_app("com.example.app", name="Example")
    world.slack.add_channel("G0PRIVATE", "ios-private", member=False)
    asked_apple = len(world.asc.exchanges)
    reply = await world.send_upload(
        world.upload_payload("com.example.app", "1.4.0", "412", channel="G0PRIVATE")
    )
    assert reply.status_code == 400
    [problem] = reply.json()["errors"]
    assert (
        problem["field"] == "channel"
        and "<#G0PRIVATE>" in problem["message"]
        and "invite @asc-bot" in problem["message"]
    )
    assert len(world.asc.exchanges) == asked_apple and await _stored(world) == 0


async def test_an_archived_channel_is_refused_and_the_answer_is_cached(world: World) -> None:
    world.asc.add_app("com.example.app", name="Example")
    world.slack.add_channel("C0OLD", "old-releases", archived=True)
    for build in ("1", "2", "3"):
        reply = await world.send_upload(
            world.upload_payload("com.example.app", "1.4.0", build, channel="C0OLD")
        )
        assert reply.status_code == 400 and "archived" in reply.text
    assert len(world.slack.calls_to("conversations.info")) == 1
    assert await _stored(world) == 0


async def test_a_burst_for_an_unchecked_channel_asks_slack_once(world: World) -> None:
    world.asc.add_app("com.example.app", name="Example")
    world.slack.add_channel("C0NEW", "new-releases")
    payloads = [world.upload_payload("com.example.app", "1.4.0", str(n), channel="C0NEW") for n in range(8)]
    replies = await asyncio.gather(*(world.send_upload(p) for p in payloads))
    assert [r.status_code for r in replies] == [202] * 8, [r.text for r in replies]
    assert len(world.slack.calls_to("conversations.info")) == 1
    assert await _stored(world) == 8


@pytest.mark.parametrize(
    ("make", "said"), [("archived", "archived"), ("missing", "cannot post in <#C0GONE>")]
)
async def test_a_burst_for_a_channel_the_bot_cannot_post_in_is_all_refused_on_one_call(
    world: World, make: str, said: str
) -> None:
    world.asc.add_app("com.example.app", name="Example")
    if make == "archived":
        world.slack.add_channel("C0GONE", "old-releases", archived=True)
    payloads = [world.upload_payload("com.example.app", "1.4.0", str(n), channel="C0GONE") for n in range(8)]
    replies = await asyncio.gather(*(world.send_upload(p) for p in payloads))
    assert [r.status_code for r in replies] == [400] * 8
    assert all(said in r.text for r in replies), [r.text for r in replies]
    [call] = world.slack.calls_to("conversations.info")
    # an archived channel is a successful answer (is_archived); a missing one is Slack's error
    assert (call.ok, call.error) == ((True, None) if make == "archived" else (False, "channel_not_found"))
    assert await _stored(world) == 0


async def test_a_slack_outage_refuses_nothing(world: World) -> None:
    world.asc.add_app("com.example.app", name="Example")
    world.slack.inject_error("conversations.info", "internal_error", times=None, status=500)
    reply = await world.send_upload(world.upload_payload("com.example.app", "1.4.0", "412"))
    assert reply.status_code in (200, 202), reply.text
    assert await _stored(world) == 1


async def test_asc_publish_in_a_channel_the_bot_cannot_post_in_says_how_to_fix_it(world: World) -> None:
    world.asc.add_app("com.example.app", name="Example")
    world.slack.add_channel("G0PRIVATE", "ios-private", member=False)
    reply = await world.slack.slash_command(
        world.events_url, "/asc", "publish com.example.app 1.4.0 412", user="U0ALICE", channel="G0PRIVATE"
    )
    assert reply.status == 200
    [said] = await eventually(lambda: [t for t in ephemerals_to(world, "U0ALICE") if "cannot post" in t])
    assert "<#G0PRIVATE>" in said and "invite @asc-bot" in said
    assert await _stored(world) == 0
    assert DEMO_CHANNEL not in said
