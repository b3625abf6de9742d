"""Delivers what the database says people should see: the publication message and its thread replies.

The events table is the source. Work is split into one lane per channel, run side by side: each
lane goes in order and stops at a temporary failure (a rate limit's Retry-After, a 5xx, a lost
connection) until its back-off ends, so a slow or rate-limited channel holds back no other channel
and nothing at Apple; nothing here sleeps. A permanent refusal of one post is recorded on the
publication, told to someone once and never retried; the thread's later replies go on. A refusal
of the whole channel (the bot was not invited, the channel is archived) blocks the channel: its
posts are held, nothing is dropped, someone is told once, and once the bot can post there again
(invited: `channel_fixed`, or found so by a periodic re-check) the held posts go out in order. A
post whose answer was lost is looked up by its outbox id before it is tried again, so it never
appears twice; notices (DMs) too.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from bot.clock import Clock
from bot.engine import lifecycle
from bot.engine.leases import renew_while_working
from bot.engine.lifecycle import Change
from bot.engine.notifier import DeliveryError, Notifier, PublicationView
from bot.engine.settings import replica_id
from storage.records import Event, Publication
from storage.repository import NewEvent, Storage
from storage.slack_parking import BlockedChannel, Notice

log = logging.getLogger(__name__)
MAX_BACKOFF = 300.0
TOKEN_PAUSE = timedelta(minutes=15)
RECHECK = timedelta(minutes=5)  # how often a blocked channel is asked again whether it takes posts


def backoff(failures: int, retry_after: float | None) -> float:
    """Seconds a lane waits after its `failures`-th refusal in a row: what Slack asked, else 2, 4,
    8 … s, at most MAX_BACKOFF."""
    return retry_after or min(MAX_BACKOFF, 2.0**failures)


class ChannelBlocked(Exception):
    """Stops a lane: its channel refused posts for good and is now blocked."""


@dataclass
class Lane:
    retry_at: datetime | None = None
    failures: int = 0


class Outbox:
    """Posts, redraws and replies in order per channel, exactly once, one flush at a time."""

    def __init__(
        self,
        storage: Storage,
        notifier: Notifier,
        clock: Clock,
        fallback_channel: str | None = None,
        *,
        owner: str = "",
        lease: float = 60.0,
    ) -> None:
        self._owner = owner or replica_id()  # holder of this outbox's lane leases
        self._lease = lease
        self._storage = storage
        self._notifier = notifier
        self._clock = clock
        self._fallback = fallback_channel
        self._lock = asyncio.Lock()
        self._lanes: dict[str, Lane] = defaultdict(Lane)
        self._notices = Lane()  # notices go in order too, and wait like a lane
        # Blocked channels as last read (None: not yet); spares every webhook a query.
        self._blocked: set[str] | None = None
        self._paused_until: datetime | None = None

    async def flush(self) -> None:
        async with self._lock:
            now = self._clock.now()
            if self._paused_until is not None and self._paused_until > now:
                return
            blocked = await self._recheck(await self._storage.blocked_channels(), now)
            self._blocked = set(blocked)
            work: dict[str, list[Callable[[], Awaitable[None]]]] = defaultdict(list)
            for pub in await self._storage.dirty_messages():
                if pub.channel in blocked:
                    await self._held(pub, blocked[pub.channel])
                    continue
                work[pub.channel or ""].append(partial(self._draw, pub.id))
            for event in await self._storage.undelivered():
                of = await self._storage.get(event.publication_id) if event.publication_id else None
                if of is None or of.channel is None:
                    await self._storage.mark_delivered(event.id, now)
                    continue
                if of.channel in blocked:
                    continue  # held, in order, until the channel takes posts again
                work[of.channel].append(partial(self._reply, event))
            due = [c for c in work if not self._backing_off(c, now)]
            await asyncio.gather(*(self._leased_lane(channel, work[channel]) for channel in due))
            notices, lease = "outbox:notices", timedelta(seconds=self._lease)
            if await self._storage.claim_lease(notices, self._owner, self._clock.now(), lease):
                try:  # one replica tells the notices, reading them after it holds the lease
                    await self._tell_notices()
                finally:
                    await self._storage.release_lease(notices, self._owner)

    async def channel_fixed(self, channel: str) -> int:
        """The bot can post in `channel` again (e.g. it was invited): release its held posts, which go
        out in order with the next flush. Returns how many publications were held there."""
        async with self._lock:
            return await self._release(channel)

    async def known_problem(self, channel: str) -> str | None:
        """Why `channel` is blocked, asked afresh (a fixed one is released instead), or None."""
        if self._blocked is None:
            self._blocked = set(await self._storage.blocked_channels())
        if channel not in self._blocked:
            return None
        block = (await self._storage.blocked_channels()).get(channel)
        if block is None:
            return None
        ready = await self._notifier.channel_ready(channel, block.code)
        if ready:
            await self.channel_fixed(channel)
            return None
        return block.problem

    async def _recheck(self, blocked: dict[str, BlockedChannel], now: datetime) -> dict[str, BlockedChannel]:
        """Ask Slack again about blocked channels not asked for RECHECK; the fixed ones are released."""
        due = [b for b in blocked.values() if b.checked_at is None or now - b.checked_at >= RECHECK]
        answers = await asyncio.gather(*(self._notifier.channel_ready(b.channel, b.code) for b in due))
        for block, ready in zip(due, answers, strict=True):
            await self._storage.channel_checked(block.channel, now)
            if ready:
                log.info("channel %s takes posts again; releasing its held posts", block.channel)
                await self._release(block.channel)
                del blocked[block.channel]
        return blocked

    async def _release(self, channel: str) -> int:
        block = await self._storage.unblock_channel(channel)
        if self._blocked is not None:
            self._blocked.discard(channel)
        if block is None:
            return 0
        self._lanes.pop(channel, None)
        held = [
            p
            for p in await self._storage.parked_publications(channel)
            if f"({block.code})" in (p.slack_problem or "")
        ]
        for pub in held:
            text = f"<#{channel}> takes posts again; held posts go out now"
            await self._apply(pub, Change(slack_problem=None, event=NewEvent("slack_released", message=text)))
        log.info("released %d publication(s) held in %s (%s)", len(held), channel, block.code)
        return len(held)

    async def _held(self, pub: Publication, block: BlockedChannel) -> None:
        """A publication whose channel is blocked shows why in /asc status (told once, for the channel)."""
        if pub.slack_problem is None:
            await self._apply(pub, Change(slack_problem=block.problem))

    async def _apply(self, pub: Publication, change: Change) -> None:
        await lifecycle.apply(self._storage, pub.id, self._clock.now(), change)

    async def _leased_lane(self, channel: str, jobs: list[Callable[[], Awaitable[None]]]) -> None:
        """Drain a channel's lane while holding its lease: one replica posts in a channel at a time,
        in order; a dead holder's lease runs out and the next one looks its last post up first."""
        name, lease = f"outbox:{channel}", timedelta(seconds=self._lease)
        if not await self._storage.claim_lease(name, self._owner, self._clock.now(), lease):
            return  # another replica is posting in this channel
        renewing = renew_while_working(
            lambda: self._storage.claim_lease(name, self._owner, self._clock.now(), lease), lease
        )
        try:
            await self._run_lane(channel, jobs)
        finally:
            renewing.cancel()
            await self._storage.release_lease(name, self._owner)

    def _backing_off(self, channel: str, now: datetime) -> bool:
        until = self._lanes[channel].retry_at
        return until is not None and until > now

    async def _run_lane(self, channel: str, jobs: list[Callable[[], Awaitable[None]]]) -> None:
        lane = self._lanes[channel]
        for job in jobs:
            try:
                await job()
            except ChannelBlocked:
                return  # everything after waits for the channel, in order
            except DeliveryError as err:
                if err.permanent and err.scope == "token":
                    self._paused_until = self._clock.now() + TOKEN_PAUSE
                    log.error("Slack refuses the bot's token (%s); posting paused for 15 min", err)
                    return
                lane.failures += 1
                delay = backoff(lane.failures, err.retry_after)
                lane.retry_at = self._clock.now() + timedelta(seconds=delay)
                log.warning("posting in %s waits %.0fs (attempt %d): %s", channel, delay, lane.failures, err)
                return
            except Exception:  # a bug in one post must not stop the others
                log.exception("could not deliver a post in %s", channel)
                return
            lane.failures, lane.retry_at = 0, None

    async def _view(self, publication: Publication) -> PublicationView:
        return PublicationView(publication, tuple(await self._storage.actions(publication.id)))

    async def _once(
        self, outbox_id: str, channel: str, thread_ts: str | None, post: Callable[[], Awaitable[str | None]]
    ) -> str | None:
        """Post, unless an earlier attempt whose answer was lost did post it: then return that post's id."""
        first = await self._storage.note_attempt(outbox_id, self._clock.now())
        if first is not None:
            found = await self._notifier.find_post(channel, thread_ts, outbox_id, first)
            if found is not None:
                log.info("post %s was made by an earlier attempt (%s); not posting again", outbox_id, found)
                return found
        return await post()

    async def _draw(self, publication_id: str) -> None:
        pub = await self._storage.get(publication_id)
        if pub is None or pub.channel is None:
            return
        view = await self._view(pub)
        outbox_id = f"p:{pub.id}"
        try:
            if pub.message_ts is None:
                ts = await self._once(
                    outbox_id, pub.channel, None, lambda: self._notifier.post_publication(view, outbox_id)
                )
                await self._storage.message_drawn(pub.id, pub.message_dirty, ts)
                await self._storage.attempt_settled(outbox_id)
                log.info("posted message %s for publication %s", ts, pub.id)
            else:
                await self._notifier.update_publication(view)
                await self._storage.message_drawn(pub.id, pub.message_dirty)
        except DeliveryError as err:
            if not err.permanent or err.scope == "token":
                raise
            await self._storage.attempt_settled(outbox_id)
            if pub.message_ts is not None and err.code in ("message_not_found", "cant_update_message"):
                # Someone deleted the message: post it anew (later replies go to the new thread).
                note = f"the publication message was gone from Slack ({err.code}); posting it again"
                event = NewEvent("slack_refused", message=note, data={"code": err.code})
                await self._apply(pub, Change(message_ts=None, event=event))
                log.warning("publication %s: %s", pub.id, note)
                return
            if err.scope == "channel":
                await self._refused(pub, err)  # blocks the channel: the post (or redraw) is held
            if pub.message_ts is not None:
                await self._storage.message_drawn(pub.id, pub.message_dirty)  # this redraw is skipped
            await self._refused(pub, err)

    async def _reply(self, event: Event) -> None:
        if await self._storage.event_delivered(event.id):  # by another replica, since it was read
            return
        pub = await self._storage.get(event.publication_id or "")
        if pub is None or pub.channel is None:
            return
        if pub.message_ts is None:
            if pub.slack_problem is not None:  # the thread will never exist: the audit log keeps it
                await self._storage.mark_delivered(event.id, self._clock.now())
                return
            return  # it waits for its thread (posted first in this lane once Slack takes it)
        view = await self._view(pub)
        outbox_id = f"e:{event.id}"

        async def send(plain: bool = False) -> None:
            await self._notifier.reply(view, event, outbox_id, plain=plain)

        try:
            try:
                await self._once(outbox_id, pub.channel, pub.message_ts, send)
            except DeliveryError as err:
                if not (err.permanent and err.scope == "post") or err.code == "thread_not_found":
                    raise
                await self._refused(pub, err, tell=False)
                await send(plain=True)  # said as text, without the blocks Slack refused
        except DeliveryError as err:
            if not err.permanent or err.scope == "token":
                raise
            await self._refused(pub, err)
        await self._storage.mark_delivered(event.id, self._clock.now())
        await self._storage.attempt_settled(outbox_id)

    async def _refused(self, pub: Publication, err: DeliveryError, *, tell: bool = True) -> None:
        """Record a permanent refusal on the publication and queue a notice, once per problem.

        A channel-wide refusal blocks the channel and raises ChannelBlocked: the lane stops there."""
        now = self._clock.now()
        problem = f"Slack would not take a post in <#{pub.channel}> ({err.code}): {err.hint}"
        current = await self._storage.get(pub.id) or pub
        if err.scope == "channel" and pub.channel:
            problem += "; its posts are held and go out once that is fixed"
            notice = Notice(
                f"channel:{pub.channel}:{err.code}:{now.isoformat()}",
                pub.id,
                f"⚠️ {pub.label}: {problem}",
                now,
            )
            first_time = await self._storage.block_channel(pub.channel, err.code, problem, now, notice)
            if self._blocked is not None:
                self._blocked.add(pub.channel)
        else:
            first_time = current.slack_problem is None or err.code not in current.slack_problem
            if tell and first_time:
                await self._storage.add_notice(
                    Notice(f"post:{pub.id}:{err.code}", pub.id, f"⚠️ {pub.label}: {problem}", now)
                )
        log.error("publication %s: %s", pub.id, problem)
        event = NewEvent("slack_refused", message=problem, data={"code": err.code, "scope": err.scope})
        told = first_time or current.slack_problem is None
        await lifecycle.apply(
            self._storage, pub.id, now, Change(slack_problem=problem, event=event if told else None)
        )
        if err.scope == "channel":
            raise ChannelBlocked(pub.channel)

    async def _tell_notices(self) -> None:
        """Send the notices not yet told, in order; a temporary failure waits like a lane does."""
        lane = self._notices
        if lane.retry_at is not None and lane.retry_at > self._clock.now():
            return
        for notice in await self._storage.untold_notices():
            try:
                told_to = await self._tell(notice)
            except DeliveryError as err:
                lane.failures += 1
                delay = backoff(lane.failures, err.retry_after)
                lane.retry_at = self._clock.now() + timedelta(seconds=delay)
                log.warning("a notice waits %.0fs: %s", delay, err)
                return
            await self._storage.notice_told(notice.key, self._clock.now(), told_to)
            lane.failures, lane.retry_at = 0, None

    async def _tell(self, notice: Notice) -> str | None:
        """Tell the person who started the publication, else the default channel; who was told."""
        pub = await self._storage.get(notice.publication_id) if notice.publication_id else None
        events = await self._storage.events(pub.id) if pub else []
        starter = next((e.actor for e in events if e.kind == "created"), None)
        targets = [starter] if starter and starter.startswith(("U", "W")) else []
        if self._fallback and (pub is None or self._fallback != pub.channel):
            targets.append(self._fallback)
        outbox_id = f"n:{notice.key}"
        for who in targets:
            try:
                await self._once(
                    outbox_id, who, None, partial(self._notifier.tell, who, notice.text, outbox_id)
                )
            except DeliveryError as err:
                if not err.permanent or err.scope == "token":
                    raise
                log.error("could not tell %s about %s: %s", who, notice.key, err)
                continue
            await self._storage.attempt_settled(outbox_id)
            return who
        log.error("nobody could be told (no default channel, no starter): %s", notice.text)
        return None
