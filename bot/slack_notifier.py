"""The engine's Notifier, spoken to Slack: the publication message, its thread, and DMs.

The client given here must not retry by itself (no retry handlers): a retried post whose first
answer was lost would appear twice. The outbox retries instead, after looking the post up by the
message metadata every post carries. Every failure is raised as a classified DeliveryError.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.clock import Clock, SystemClock
from bot.engine.notifier import DeliveryError, PublicationView
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
# Slack limits chat.postMessage per channel and every other method per workspace.
PER_CHANNEL = frozenset({"chat.postMessage"})
# A block lifts once the bot can post again; not_in_channel/channel_not_found need the bot invited.
NEEDS_MEMBERSHIP = frozenset({"not_in_channel", "channel_not_found"})


def tag(outbox_id: str) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": outbox_id}}


def _channel(view: PublicationView) -> str:
    channel = view.publication.channel
    assert channel is not None, "the outbox sends only for publications with a channel"
    return channel


class SlackNotifier:
    """Posts and redraws the publication message; replies in its thread; tells people directly."""

    def __init__(self, client: AsyncWebClient, clock: Clock | None = None) -> None:
        self._client = client
        self._clock = clock or SystemClock()
        self._channels = ChannelCheck(client)
        # (method, channel or "") -> until when Slack asked us not to call it (its Retry-After).
        self._limited: dict[tuple[str, str], datetime] = {}

    async def _call(self, method: str, call: Callable[[], Awaitable[T]], channel: str | None) -> T:
        """One Web API call, classified; a method Slack rate-limited is not called before its
        Retry-After ends (per workspace, or per channel for chat.postMessage)."""
        key = (method, (channel or "") if method in PER_CHANNEL else "")
        now = self._clock.now()
        until = self._limited.get(key)
        if until is not None and until > now:
            wait = (until - now).total_seconds()
            raise DeliveryError(
                "ratelimited", permanent=False, retry_after=wait, hint=f"{method} is rate-limited"
            )
        try:
            return await call()
        except Exception as exc:
            error = classify(exc, channel)
            if error.code == "ratelimited" and error.retry_after:
                self._limited[key] = self._clock.now() + timedelta(seconds=error.retry_after)
            raise error from exc

    async def post_publication(self, view: PublicationView, outbox_id: str) -> str:
        text, payload = blocks.publication_message(view)
        channel = _channel(view)
        response = await self._call(
            "chat.postMessage",
            lambda: self._client.chat_postMessage(
                channel=channel, text=text, blocks=payload, unfurl_links=False, metadata=tag(outbox_id)
            ),
            channel,
        )
        return str(response["ts"])

    async def update_publication(self, view: PublicationView) -> None:
        text, payload = blocks.publication_message(view)
        channel, ts = _channel(view), view.publication.message_ts
        assert ts is not None, "the outbox redraws only a message it posted"
        await self._call(
            "chat.update",
            lambda: self._client.chat_update(channel=channel, ts=ts, text=text, blocks=payload),
            channel,
        )

    async def reply(
        self, view: PublicationView, event: Event, outbox_id: str, *, plain: bool = False
    ) -> None:
        text, payload = blocks.reply(view, event)
        channel = _channel(view)
        await self._call(
            "chat.postMessage",
            lambda: self._client.chat_postMessage(
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
        channel = await self._where(channel)
        # A top-level post is in the channel's history since shortly before it was tried; a reply
        # is in its thread.
        read: Callable[..., Awaitable[Any]]
        if thread_ts is None:
            method, read = "conversations.history", self._client.conversations_history
            where: dict[str, Any] = {"oldest": f"{(since - LOOKBACK).timestamp():.6f}"}
        else:
            method, read, where = "conversations.replies", self._client.conversations_replies, {"ts": thread_ts}
        cursor = None
        while True:
            page = await self._call(
                method,
                partial(read, channel=channel, include_all_metadata=True, limit=200, cursor=cursor, **where),
                channel,
            )
            for message in page.get("messages") or []:
                payload = (message.get("metadata") or {}).get("event_payload") or {}
                if payload.get("outbox_id") == outbox_id:
                    return str(message["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                return None

    async def _where(self, who: str) -> str:
        """A channel id as is; a user's id becomes the bot's DM channel with them."""
        if not who.startswith(("U", "W")):
            return who
        opened = await self._call(
            "conversations.open", lambda: self._client.conversations_open(users=who), None
        )
        return str(opened["channel"]["id"])

    async def tell(self, who: str, text: str, outbox_id: str | None = None) -> None:
        channel = await self._where(who)
        await self._call(
            "chat.postMessage",
            lambda: self._client.chat_postMessage(
                channel=channel,
                text=text[:PLAIN_TEXT_MAX],
                metadata=tag(outbox_id) if outbox_id else None,
            ),
            channel,
        )

    async def channel_problem(self, channel: str) -> str | None:
        return await self._channels.problem(channel)

    async def channel_ready(self, channel: str, code: str) -> bool | None:
        """Asked afresh (conversations.info): can the bot post in a channel it was refused in for `code`?"""
        try:
            info = (
                await self._call(
                    "conversations.info", lambda: self._client.conversations_info(channel=channel), channel
                )
            ).get("channel") or {}
        except DeliveryError as err:
            return False if err.permanent and err.scope == "channel" else None
        if info.get("is_archived"):
            return False
        return bool(info.get("is_member")) or code not in NEEDS_MEMBERSHIP
