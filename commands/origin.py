"""Clicks belong to their message: a button acts only on the publication whose message it is on.

One Bolt middleware for every button: the publication named by the button must have been posted in
the channel the click came from, and the clicked message must be its message or a reply in its
thread. Anything else (a copied payload, a value from another publication) is refused and logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.engine.engine import Engine
from commands.common import ButtonClick, tell
from storage.records import Publication

log = logging.getLogger(__name__)
PREFIX = "asc_"  # every action id of the bot's buttons (bot/blocks/base.py)
_pending: set[asyncio.Task[None]] = set()


def belongs(pub: Publication, click: ButtonClick, body: dict[str, Any]) -> bool:
    thread = click.thread_ts or (body.get("message") or {}).get("thread_ts")
    return (
        pub.message_ts is not None
        and click.channel == pub.channel
        and pub.message_ts in (click.message_ts, thread)
    )


def register(app: AsyncApp, engine: Engine) -> None:
    @app.middleware
    async def clicks_belong_to_their_message(
        body: dict[str, Any], client: AsyncWebClient, next: Callable[[], Awaitable[Any]]
    ) -> Any:
        container = body.get("container") or {}
        if body.get("type") != "block_actions" or container.get("type") != "message":
            return await next()
        click = ButtonClick.from_body(body)
        if not click.action_id.startswith(PREFIX):
            return await next()
        view = await engine.publication(click.publication_id)
        if view is None or belongs(view.publication, click, body):
            return await next()  # a gone publication is the listener's to explain
        pub = view.publication
        log.warning(
            "refused %s by %s on publication %s: clicked in %s on message %s, not its message",
            click.action_id,
            click.user,
            pub.id,
            click.channel,
            click.message_ts,
        )
        task = asyncio.create_task(refuse(engine, client, pub, click))
        _pending.add(task)
        task.add_done_callback(_pending.discard)
        return BoltResponse(status=200, body="")  # acked: nothing happens


async def refuse(engine: Engine, client: AsyncWebClient, pub: Publication, click: ButtonClick) -> None:
    await engine.audit(
        pub.id,
        click.user,
        "click_refused",
        "{actor} clicked a button that does not belong to the message it was on (refused).",
        {
            "action_id": click.action_id,
            "bundle_id": pub.app_bundle_id,
            "channel": click.channel,
            "message_ts": click.message_ts,
            "expected_channel": pub.channel,
            "expected_message_ts": pub.message_ts,
        },
    )
    await tell(client, click.where, click.user, blocks.click_refused())
