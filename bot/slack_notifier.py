"""The engine's Notifier, spoken to Slack: the publication message, its thread, and DMs.

The client given here must not retry by itself (no retry handlers): a retried post whose first
answer was lost would appear twice. The outbox retries instead, after looking the post up by the
message metadata every post carries. Every failure is raised as a classified DeliveryError.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.engine.notifier import PublicationView
from bot.slack_channels import ChannelCheck
from bot.slack_errors import classify
from storage.records import Event

T = TypeVar("T")
# Outcomes a channel should see even if an event forgot to ask for it: done, failed, timed out.
BROADCAST_KINDS = frozenset({"finished", "failed", "timed_out"})
EVENT_TYPE = "asc_bot_post"
# How far back a lost top-level post is searched for, before its first attempt.
LOOKBACK = timedelta(minutes=2)
PLAIN_TEXT_MAX = 3000


def tag(outbox_id: str) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": outbox_id}}


class SlackNotifier:
    """Posts and redraws the publication message; replies in its thread; tells people directly."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._channels = ChannelCheck(client)

    async def _call(self, call: Awaitable[T], channel: str | None) -> T:
        try:
            return await call
        except Exception as exc:
            raise classify(exc, channel) from exc

    async def post_publication(self, view: PublicationView, outbox_id: str) -> str:
        text, payload = blocks.publication_message(view)
        channel = view.publication.channel
        response = await self._call(
            self._client.chat_postMessage(
                channel=channel, text=text, blocks=payload, unfurl_links=False, metadata=tag(outbox_id)
            ),
            channel,
        )
        return str(response["ts"])

    async def update_publication(self, view: PublicationView) -> None:
        text, payload = blocks.publication_message(view)
        channel = view.publication.channel
        await self._call(
            self._client.chat_update(
                channel=channel, ts=view.publication.message_ts, text=text, blocks=payload
            ),
            channel,
        )

    async def reply(
        self, view: PublicationView, event: Event, outbox_id: str, *, plain: bool = False
    ) -> None:
        text, payload = blocks.reply(view, event)
        channel = view.publication.channel
        await self._call(
            self._client.chat_postMessage(
                channel=channel,
                thread_ts=view.publication.message_ts,
                text=text[:PLAIN_TEXT_MAX] if plain else text,
                blocks=None if plain else payload,
                reply_broadcast=event.announce == "broadcast" or event.kind in BROADCAST_KINDS,
                unfurl_links=False,
                metadata=tag(outbox_id),
            ),
            channel,
        )

    async def find_post(
        self, channel: str, thread_ts: str | None, outbox_id: str, since: datetime
    ) -> str | None:
        cursor = None
        while True:
            if thread_ts is None:
                oldest = f"{(since - LOOKBACK).timestamp():.6f}"
                call = self._client.conversations_history(
                    channel=channel, oldest=oldest, include_all_metadata=True, limit=200, cursor=cursor
                )
            else:
                call = self._client.conversations_replies(
                    channel=channel, ts=thread_ts, include_all_metadata=True, limit=200, cursor=cursor
                )
            page = await self._call(call, channel)
            for message in page.get("messages") or []:
                payload = (message.get("metadata") or {}).get("event_payload") or {}
                if payload.get("outbox_id") == outbox_id:
                    return str(message["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                return None

    async def tell(self, who: str, text: str) -> None:
        channel = who
        if who.startswith(("U", "W")):
            opened = await self._call(self._client.conversations_open(users=who), None)
            channel = opened["channel"]["id"]
        await self._call(self._client.chat_postMessage(channel=channel, text=text[:PLAIN_TEXT_MAX]), channel)

    async def channel_problem(self, channel: str) -> str | None:
        return await self._channels.problem(channel)
