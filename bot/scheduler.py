"""APScheduler as a clock only: one sweep job; every state lives in the database."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.engine.engine import Engine

log = logging.getLogger(__name__)


class Ticker:
    """Calls `engine.sweep` every `tick` seconds, and at once when the engine asks (`kick`)."""

    def __init__(self, engine: Engine, tick: float, on_sweep: Callable[[float], None] | None = None) -> None:
        self._engine = engine
        self._on_sweep = on_sweep  # told each sweep's duration (metrics, readiness)
        self._tick = tick
        self._scheduler: AsyncIOScheduler | None = None
        self._last_sweep = time.monotonic()
        self._watchdog: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        """APScheduler plans by the wall clock: when it jumps back, the next tick lands that much
        later. Measured on the monotonic clock, no sweep for three ticks means that: replan and sweep."""
        while True:
            await asyncio.sleep(self._tick)
            quiet = time.monotonic() - self._last_sweep
            if quiet > 3 * self._tick and self._scheduler is not None and self._scheduler.running:
                log.warning("no sweep for %.0f s (did the clock go back?); sweeping now", quiet)
                self._last_sweep = time.monotonic()
                self._scheduler.reschedule_job("sweep", trigger=IntervalTrigger(seconds=self._tick))
                self.kick()

    def start(self) -> None:
        """Start inside the running event loop (AsyncIOScheduler needs it)."""
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(
            self.sweep,
            IntervalTrigger(seconds=self._tick),
            id="sweep",
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        scheduler.start()
        self._scheduler = scheduler
        self._engine.on_wake = self.kick
        self._watchdog = asyncio.get_running_loop().create_task(self._watch())
        self.kick()  # a restart picks up whatever was due while the bot was down

    def kick(self) -> None:
        if self._scheduler is None or not self._scheduler.running:
            return
        # A run-now job. More than one may run: a kick during a sweep must not be dropped (APScheduler
        # skips a run past max_instances), and the engine folds overlapping calls into one more pass.
        self._scheduler.add_job(
            self.sweep, id="kick", replace_existing=True, misfire_grace_time=None, max_instances=64
        )

    async def sweep(self) -> None:
        started = self._last_sweep = time.monotonic()
        await self._engine.sweep()
        if self._on_sweep is not None:
            self._on_sweep(time.monotonic() - started)

    async def shutdown(self, grace: float = 10.0) -> None:
        """Stop ticking, let a sweep in progress finish (bounded), then stop the scheduler.

        APScheduler cancels running coroutine jobs on shutdown; every step is safe to cancel,
        but finishing the current one avoids redoing it after the restart.
        """
        self._engine.on_wake = None
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.pause()
            if not await self._engine.wait_idle(grace):
                log.warning("a sweep was still running after %.0f s; it is cancelled and will be redone", grace)
            self._scheduler.shutdown(wait=False)
        self._scheduler = None
