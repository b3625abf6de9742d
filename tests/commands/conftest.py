"""The Slack face over real HTTP: a whole world, with every payload checked against Slack's limits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.sandbox.slack import Message, check_message, check_view
from bot.sandbox.world import DEMO_CHANNEL, World
from storage.records import Action

MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url")
VIEW_METHODS = ("views.open", "views.update", "views.push")
REFUSED_AS_INVALID = ("invalid_blocks", "invalid_blocks_format", "invalid_arguments", "invalid_payload")


def limit_problems(world: World) -> list[str]:
    """Every message and view the bot sent, checked again against Block Kit's limits."""
    problems = list(world.slack.ack_problems)
    for call in world.slack.calls:
        if call.error in REFUSED_AS_INVALID and not call.injected:
            problems.append(f"{call.method} refused: {call.response}")
        if call.method in MESSAGE_METHODS:
            args = dict(call.args)
            if isinstance(args.get("blocks"), str):
                args["blocks"] = json.loads(args["blocks"])
            problems += [f"{call.method}: {e}" for e in check_message(args)]
        elif call.method in VIEW_METHODS:
            view = call.args.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            problems += [f"{call.method}: {e}" for e in check_view(view)]
    return problems


@pytest.fixture
async def world(world: World) -> AsyncIterator[World]:
    """The shared world; afterwards, nothing the bot sent to Slack broke a limit."""
    yield world
    assert limit_problems(world) == []


async def eventually(check: Callable[[], Any], within: float = 5.0) -> Any:
    """Wait (briefly, for real) until a listener that already acked has done its work."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        try:
            result = check()
        except LookupError:  # e.g. `ephemerals_to(...)[-1]` before the first answer arrived
            result = None
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(0.01)


async def publish(
    world: World, bundle_id: str = "com.example.app", version: str = "1.4.0", build: str = "412", **extra: Any
) -> tuple[str, Message]:
    """A publication made by the webhook, and its message in the channel."""
    if bundle_id not in world.asc.store.apps_by_bundle:
        world.asc.add_app(bundle_id, name="Example")
    response = await world.send_upload(world.upload_payload(bundle_id, version, build, **extra))
    assert response.status_code in (200, 202), response.text
    publication_id = response.json()["publication_id"]
    assert world.bot is not None
    await world.bot.engine.sweep()
    pub = await world.bot.storage.get(publication_id)
    assert pub is not None and pub.message_ts is not None
    message = world.slack.find_message(DEMO_CHANNEL, pub.message_ts)
    assert message is not None
    return publication_id, message


async def action(world: World, publication_id: str, kind: str) -> Action | None:
    assert world.bot is not None
    return next((a for a in await world.bot.storage.actions(publication_id) if a.kind == kind), None)


async def requested(world: World, publication_id: str, kind: str) -> Action:
    """The step once the listener (which acked first) has asked the engine for it."""
    found: list[Action] = []

    async def poll() -> None:
        while not found:
            step = await action(world, publication_id, kind)
            if step is not None:
                found.append(step)
            else:
                await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), 5.0)
    return found[0]


def ephemerals_to(world: World, user: str) -> list[str]:
    return [m.text for m in world.slack.ephemerals if m.ephemeral_to == user]


def open_views(world: World, callback_id: str) -> list[dict[str, Any]]:
    return [v for v in world.slack.views.values() if v.get("callback_id") == callback_id]


def buttons(message: Message) -> list[str]:
    return [e["text"]["text"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
