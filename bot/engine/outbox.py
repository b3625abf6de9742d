"""Delivers what the database says people should see: the publication message and its thread replies.

The events table is the source; a failed post stays undelivered and is tried again on a later
sweep, so nothing is lost when Slack is down or rate-limits us.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.engine.notifier import Notifier, PublicationView
from storage.records import Publication
from storage.repository import Storage

log = logging.getLogger(__name__)


class Outbox:
    """Posts, redraws and replies in order, at least once, one flush at a time."""

    def __init__(self, storage: Storage, notifier: Notifier, clock: Clock) -> None:
        self._storage = storage
        self._notifier = notifier
        self._clock = clock
        self._lock = asyncio.Lock()
        self._retry_at: dict[str, datetime] = {}
        self._failures: dict[str, int] = {}

    async def flush(self) -> None:
        async with self._lock:
            await self._draw_messages()
            await self._send_replies()

    def _backing_off(self, publication_id: str) -> bool:
        until = self._retry_at.get(publication_id)
        return until is not None and until > self._clock.now()

    def _failed(self, publication_id: str, exc: Exception, what: str) -> None:
        count = self._failures.get(publication_id, 0) + 1
        self._failures[publication_id] = count
        delay = min(300.0, 2.0**count)
        self._retry_at[publication_id] = self._clock.now() + timedelta(seconds=delay)
        log.warning(
            "could not %s for publication %s (attempt %d, next in %.0fs): %s",
            what,
            publication_id,
            count,
            delay,
            exc,
        )

    def _succeeded(self, publication_id: str) -> None:
        self._failures.pop(publication_id, None)
        self._retry_at.pop(publication_id, None)

    async def _view(self, publication: Publication) -> PublicationView:
        return PublicationView(publication, tuple(await self._storage.actions(publication.id)))

    async def _draw_messages(self) -> None:
        for pub in await self._storage.dirty_messages():
            if self._backing_off(pub.id):
                continue
            view = await self._view(pub)
            try:
                if pub.message_ts is None:
                    ts = await self._notifier.post_publication(view)
                    await self._storage.message_drawn(pub.id, pub.message_dirty, ts)
                    log.info("posted message %s for publication %s", ts, pub.id)
                else:
                    await self._notifier.update_publication(view)
                    await self._storage.message_drawn(pub.id, pub.message_dirty)
                self._succeeded(pub.id)
            except Exception as exc:  # any failure: keep it for the next flush
                self._failed(pub.id, exc, "draw the message")

    async def _send_replies(self) -> None:
        blocked: set[str] = set()
        publications: dict[str, Publication | None] = {}
        for event in await self._storage.undelivered():
            pub_id = event.publication_id
            if pub_id is None or pub_id in blocked:
                continue
            if pub_id not in publications:
                publications[pub_id] = await self._storage.get(pub_id)
            pub = publications[pub_id]
            if pub is None or pub.channel is None:
                await self._storage.mark_delivered(event.id, self._clock.now())
                continue
            if pub.message_ts is None or self._backing_off(pub_id):
                blocked.add(pub_id)  # replies wait for their thread, and keep their order
                continue
            try:
                await self._notifier.reply(await self._view(pub), event)
                await self._storage.mark_delivered(event.id, self._clock.now())
                self._succeeded(pub_id)
            except Exception as exc:
                self._failed(pub_id, exc, f"reply ({event.kind})")
                blocked.add(pub_id)
