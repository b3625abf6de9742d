"""The scheduler's ticks when the wall clock jumps back (APScheduler plans by the wall clock)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from bot.engine.engine import Engine
from bot.scheduler import Ticker


class CountingEngine:
    """Only what Ticker calls on an engine: sweep, on_wake and wait_idle."""

    def __init__(self) -> None:
        self.sweeps = 0
        self.swept = asyncio.Event()
        self.on_wake: Any = None

    async def sweep(self) -> None:
        self.sweeps += 1
        self.swept.set()

    async def wait_idle(self, within: float = 10.0) -> bool:
        return True


async def test_clock_going_back_does_not_stop_the_ticks() -> None:
    engine = CountingEngine()
    ticker = Ticker(cast(Engine, engine), tick=0.05)
    ticker.start()
    try:
        await asyncio.wait_for(engine.swept.wait(), 10)
        scheduler = ticker._scheduler
        assert scheduler is not None
        # What a 50-minute step back leaves behind: the next tick planned 50 minutes "ahead".
        scheduler.modify_job("sweep", next_run_time=datetime.now(UTC) + timedelta(minutes=50))
        await asyncio.sleep(0.3)  # let any kick or sweep in flight finish
        engine.swept.clear()
        await asyncio.wait_for(engine.swept.wait(), 10)  # bounded: a frozen ticker fails here
        job = scheduler.get_job("sweep")
        assert job is not None and job.next_run_time < datetime.now(UTC) + timedelta(minutes=1)
    finally:
        await ticker.shutdown()
