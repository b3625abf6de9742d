"""Keeping a lease while working: the renewal runs in the background every third of the lease (at least
half a second apart, in real seconds), survives a failed renewal, and stops when cancelled. The lease it
renews here is a real one in storage, held against another replica."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import pytest

from bot.engine.leases import renew_while_working
from bot.sandbox.clock import FakeClock
from storage.repository import Storage

WAIT = 30.0  # real seconds a test waits for renewals before it gives up (never reached when they come)


class Renewals:
    """Counts renewals as they come, loop time of each; `fail_first` renewals raise."""

    def __init__(self, fail_first: int = 0) -> None:
        self.times: list[float] = []
        self.fail_first = fail_first
        self.calls = 0
        self._more = asyncio.Event()

    async def __call__(self) -> None:
        self.calls += 1
        self._more.set()
        if self.calls <= self.fail_first:
            raise RuntimeError("database unavailable")
        self.times.append(asyncio.get_running_loop().time())

    async def until(self, count: int) -> None:
        async def wait() -> None:
            while len(self.times) < count:
                self._more.clear()
                await self._more.wait()

        await asyncio.wait_for(wait(), WAIT)


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@pytest.mark.parametrize(("lease", "every"), [(3.0, 1.0), (0.3, 0.5)])
async def test_renews_every_third_of_the_lease_and_never_more_than_twice_a_second(
    lease: float, every: float
) -> None:
    renew = Renewals()
    start = asyncio.get_running_loop().time()
    task = renew_while_working(renew, timedelta(seconds=lease))
    try:
        await renew.until(3)
    finally:
        await stop(task)
    gaps = [b - a for a, b in zip([start, *renew.times], renew.times, strict=False)]
    assert len(gaps) == 3 and min(gaps) >= every * 0.9  # sleeps never end early (10 %: clock resolution)


async def test_a_failed_renewal_is_logged_and_the_next_one_comes(caplog: pytest.LogCaptureFixture) -> None:
    renew = Renewals(fail_first=1)
    task = renew_while_working(renew, timedelta(seconds=0.3))
    try:
        await renew.until(1)
    finally:
        await stop(task)
    assert renew.calls == 2
    assert "could not renew a lease: database unavailable" in caplog.text


async def test_cancelling_ends_the_renewals() -> None:
    renew = Renewals()
    task = renew_while_working(renew, timedelta(seconds=0.3))
    assert task.get_name() == "asc-bot-lease"
    await renew.until(1)
    await stop(task)
    assert task.cancelled()


async def test_the_renewed_lease_stays_with_its_holder(storage: Storage, clock: FakeClock) -> None:
    """A lease in storage, renewed while the work goes on, is never free for another replica to take.

    The engine's clock runs at most twice as fast as real time here (0.2 s per 0.1 s slept), so the
    lease of 3 s, renewed every real second, is renewed at most about 2 s of its time apart: before it
    runs out (renewing only once per whole lease would let the other replica in)."""
    lease = timedelta(seconds=3)
    renewed: list[bool] = []

    async def renew() -> None:
        renewed.append(await storage.claim_lease("work", "replica-a", clock.now(), lease))

    assert await storage.claim_lease("work", "replica-a", clock.now(), lease)
    task = renew_while_working(renew, lease)
    taken_by_other: list[bool] = []
    try:
        while len(renewed) < 3:
            await asyncio.sleep(0.1)
            clock.advance(0.2)
            taken_by_other.append(await storage.claim_lease("work", "replica-b", clock.now(), lease))
    finally:
        await stop(task)
    assert renewed == [True, True, True] and not any(taken_by_other)
    clock.advance(lease * 2)  # no longer renewed: the lease runs out and the other replica takes the work
    assert await storage.claim_lease("work", "replica-b", clock.now(), lease)
