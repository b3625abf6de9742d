"""Forged, unsigned or stale Slack requests are refused with 401 and change nothing."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

from bot import blocks
from bot.sandbox.slack import payloads
from bot.sandbox.slack.interactions import BotCaller
from bot.sandbox.slack.workspace import ResponseTarget
from bot.sandbox.world import DEMO_CHANNEL, World
from tests.commands.conftest import eventually, publish, requested


def bodies(world: World, message) -> dict[str, bytes]:
    """A slash command and a button click as Slack would send them, still unsigned."""
    ws = world.slack.workspace
    url = ws.issue_response_url(ResponseTarget(DEMO_CHANNEL, "U0MALLORY", ws.now()))
    command = payloads.slash_command(
        ws, "/asc", "publish com.example.app 9.9.9 1", "U0MALLORY", DEMO_CHANNEL, url
    )
    block_id, button = payloads.find_element(message.blocks, blocks.SUBMIT_TO_TESTFLIGHT, "button")
    click = payloads.block_actions(ws, message, block_id, button, "U0MALLORY", url)
    return {
        "command": urlencode(command).encode(),
        "click": urlencode({"payload": json.dumps(click)}).encode(),
    }


@pytest.mark.parametrize(
    "forgery",
    ["bad signature", "no signature", "other secret", "stale", "from the future"],
)
async def test_forged_unsigned_or_stale_requests_get_401(world: World, forgery: str) -> None:
    _, message = await publish(world)
    counts = await world.bot.storage.counts()
    calls = len(world.slack.calls)
    now = int(time.time())
    for body in bodies(world, message).values():
        if forgery == "bad signature":
            reply = await world.slack.send_signed(world.events_url, body, signature="v0=" + "0" * 64)
        elif forgery == "no signature":
            reply = await world.slack.send_signed(world.events_url, body, signature="")
        elif forgery == "other secret":
            signature = BotCaller("not-the-signing-secret").sign(body, str(now))
            reply = await world.slack.send_signed(world.events_url, body, timestamp=now, signature=signature)
        else:  # signed with the right secret, but more than 5 minutes away from now
            skew = -301 if forgery == "stale" else 301
            reply = await world.slack.send_signed(world.events_url, body, timestamp=now + skew)
        assert reply.status == 401, (forgery, reply.body)
    assert await world.bot.storage.counts() == counts
    assert len(world.slack.calls) == calls
    assert world.slack.ephemerals == []


async def test_the_same_requests_signed_properly_do_act(world: World) -> None:
    pub_id, message = await publish(world)
    for body in bodies(world, message).values():
        reply = await world.slack.send_signed(world.events_url, body)
        assert reply.status == 200
    step = await requested(world, pub_id, "submit_to_testflight")
    assert step.requested_by == "U0MALLORY"
    await eventually(lambda: [m for m in world.slack.ephemerals if m.text.startswith("🚀")])
    assert len(await world.bot.storage.list()) == 2
