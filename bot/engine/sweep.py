"""The sweep: everything that is due, in one pass — poll, follow, run steps, relay, remind, post.

The scheduler calls `Sweep.run` every tick (and at once when the engine wakes it). Publications
are claimed with a lease, so replicas on one database sweep different ones.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import datetime, timedelta

from bot.appstore.scheduler import Priority, priority
from bot.engine.feedback import FeedbackRelay
from bot.engine.following import Follower, follow_interval
from bot.engine.hooks import AppHooks
from bot.engine.leases import renew_while_working
from bot.engine.lifecycle import State
from bot.engine.parts import EnginePart, EngineParts
from bot.engine.polling import Poller
from bot.engine.reminders import Reminders
from bot.engine.runner import StepRunner
from storage.records import Publication

log = logging.getLogger(__name__)
POLLED = (State.WAITING_FOR_BUILD, State.PROCESSING)


class Sweep(EnginePart):
    """One pass at a time; a call during a pass makes it run once more and waits for it."""

    def __init__(self, parts: EngineParts, feedback: FeedbackRelay) -> None:
        super().__init__(parts)
        self._feedback = feedback
        self._poller = Poller(parts.storage, parts.settings)
        self._follower = Follower(parts.storage)
        self._runner = StepRunner(parts)
        self._reminders = Reminders(parts)
        self._sweeping = False
        self._again = False
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def hooks(self) -> AppHooks:
        """Which apps' App Store Connect webhooks are heard (they stretch the polls)."""
        return self._poller.hooks

    async def run(self) -> None:
        if self._sweeping:
            self._again = True
            await self._idle.wait()
            return
        self._sweeping = True
        self._idle.clear()
        try:
            while True:
                self._again = False
                await self._once()
                if not self._again:
                    break
        finally:
            self._sweeping = False
            self._idle.set()

    async def recover(self) -> int:
        """Call once at start-up: resume steps a crashed process left half done."""
        await self._storage.forget_dead_leases()
        count = await self._storage.recover_running(self._clock.now())
        if count:
            log.info("resuming %d step(s) left running by the previous process", count)
        return count

    async def wait_idle(self, within: float = 10.0) -> bool:
        """Wait (bounded) for a running pass to finish, e.g. before shutting down."""
        try:
            async with asyncio.timeout(within):
                await self._idle.wait()
        except TimeoutError:
            return False
        return True

    async def _once(self) -> None:
        now = self._clock.now()
        jumped = await self._storage.undo_clock_jump(now)
        if jumped:
            log.warning("the clock went back %s; the schedule and deadlines moved back with it", jumped)
        # Claimed with a lease: another replica on the same database sweeps the others meanwhile.
        owner, lease = self._settings.replica, timedelta(seconds=self._settings.sweep_lease)
        due = await self._storage.claim_due(now, owner, lease)
        renewing = renew_while_working(
            lambda: self._storage.renew_due(owner, [p.id for p in due], self._clock.now() + lease), lease
        )
        try:
            by_key: dict[str, list[Publication]] = defaultdict(list)
            for pub in due:
                if pub.state in POLLED:
                    by_key[pub.api_key or ""].append(pub)
            await asyncio.gather(*(self._poll_key(key, pubs, now) for key, pubs in by_key.items()))
            ready: dict[str, list[Publication]] = defaultdict(list)
            for pub in await self._storage.held_due(now, owner):
                if pub.state == State.READY:
                    ready[pub.api_key or ""].append(pub)
            await asyncio.gather(*(self._follow_and_advance(key, pubs, now) for key, pubs in ready.items()))
        finally:
            renewing.cancel()
            await self._storage.release_due(owner, [p.id for p in due])
        await self._feedback.sweep(now)
        await self._reminders.sweep(now)
        await self._outbox.flush()

    async def _poll_key(self, key: str, pubs: list[Publication], now: datetime) -> None:
        try:
            client = self._clients.get(key or None)
        except Exception as exc:
            log.error("cannot poll %d publication(s): %s", len(pubs), exc)
            return
        try:
            with priority(Priority.POLL):
                await self._poller.poll(client, pubs, now)
        except Exception:  # one key's trouble must not stop the other keys or the outbox
            log.exception("polling %d publication(s) of key %s failed", len(pubs), key or "default")

    async def _follow_and_advance(self, key: str, pubs: list[Publication], now: datetime) -> None:
        try:
            client = self._clients.get(key or None)
        except Exception as exc:
            log.error("cannot advance %d publication(s): %s", len(pubs), exc)
            return
        with priority(Priority.FOLLOW):
            pubs, used = await self._follower.refresh(client, pubs, now)
        every = follow_interval(self._settings.follow_interval, client, used)
        by_app: dict[str, list[Publication]] = defaultdict(list)
        for pub in pubs:
            by_app[pub.app_bundle_id].append(pub)
        with priority(Priority.STEP):
            await asyncio.gather(*(self._runner.advance_app(group, every) for group in by_app.values()))
