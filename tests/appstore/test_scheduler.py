"""One budget per key: a burst of clicks cannot push polling over the key's hour, and goes first.

The App Store Connect simulator allows the key 100 requests per rolling hour; the bot keeps 20 % in
reserve, so it may send 80, polling at most 64 of them (its ceiling). Simulated clock throughout.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from bot.appstore.client import AppStoreConnect
from bot.appstore.scheduler import CEILINGS, Budgets, Priority, priority
from bot.sandbox.asc import AscSimulator
from bot.sandbox.clock import FakeClock
from tests.appstore.fakes import make_key

BUNDLE = "com.example.app"
LIMIT = 100


class Timeline(FakeClock):
    """Simulated time for concurrent tasks: a sleep parks the task; `run` moves the clock to the next
    wake-up only once every task is parked, so requests in flight never see time jump."""

    def __init__(self) -> None:
        super().__init__()
        self._parked: list[tuple[datetime, asyncio.Future[None]]] = []
        self.tasks: set[asyncio.Task[None]] = set()

    async def sleep(self, seconds: float) -> None:
        wake = asyncio.get_running_loop().create_future()
        self._parked.append((self.now() + timedelta(seconds=max(0.0, seconds)), wake))
        await wake

    def start(self, coro: Any) -> None:
        self.tasks.add(asyncio.ensure_future(coro))

    async def run(self) -> None:
        while True:
            live = {t for t in self.tasks if not t.done()}
            for task in self.tasks - live:
                task.result()  # a failure inside a task fails the test
            if not live:
                return
            if len(self._parked) < len(live):  # someone is still working (a request in flight)
                await asyncio.sleep(0.001)
                continue
            self._parked.sort(key=lambda item: item[0])
            when = self._parked[0][0]
            self.set(max(when, self.now()))
            due = [f for t, f in self._parked if t <= self.now()]
            self._parked = [(t, f) for t, f in self._parked if t > self.now()]
            for future in due:
                future.set_result(None)
            await asyncio.sleep(0)


def busiest_hour(times: list[datetime]) -> int:
    ordered, best, first = sorted(times), 0, 0
    for last, moment in enumerate(ordered):
        while moment - ordered[first] >= timedelta(hours=1):
            first += 1
        best = max(best, last - first + 1)
    return best


async def test_a_burst_of_clicks_cannot_push_polling_over_the_budget_and_goes_first() -> None:
    clock = Timeline()
    sim = AscSimulator(clock=clock, hourly_limit=LIMIT, record_bodies=False)
    base_url = await sim.start()
    key = make_key()
    sim.register_key(key.issuer_id, key.key_id, key.public_key_pem())
    app_id = sim.add_app(BUNDLE, name="Example")
    sim.add_beta_group(app_id, "QA", internal=True)
    budgets = Budgets(clock, reserve=0.20, sleep=clock.sleep)
    # Two clients of the same key, as the poller and a Slack modal would hold: one budget.
    poller = AppStoreConnect(key, base_url, clock=clock, sleep=clock.sleep, budget=budgets.for_key(key))
    clicker = AppStoreConnect(key, base_url, clock=clock, sleep=clock.sleep, budget=budgets.for_key(key))
    assert poller.budget is clicker.budget
    polls: list[datetime] = []
    clicks: list[datetime] = []

    async def click() -> None:
        with priority(Priority.PERSON):
            await clicker.list_beta_groups(app_id)
        clicks.append(clock.now())

    burst_at: list[datetime] = []

    async def poll() -> None:
        with priority(Priority.POLL):
            for _ in range(150):  # polling wants a request every 20 s: 180 an hour, far too many
                await poller.find_app(BUNDLE)
                polls.append(clock.now())
                await clock.sleep(20)

    async def burst() -> None:
        await clock.sleep(1800)  # half an hour in, polling has used its share; 60 people click
        burst_at.append(clock.now())
        for _ in range(60):
            clock.start(click())

    clock.start(poll())
    clock.start(burst())
    try:
        await clock.run()
    finally:
        await poller.aclose()
        await clicker.aclose()
        await sim.stop()

    statuses = [e.status for e in sim.exchanges]
    assert 429 not in statuses and len(statuses) == len(polls) + len(clicks)
    usable = int(LIMIT * 0.8)
    assert busiest_hour(polls + clicks) <= usable  # the reserve stays untouched
    assert busiest_hour(polls) <= int(usable * CEILINGS[Priority.POLL])  # polling stays under its ceiling
    assert len(clicks) == 60
    ceiling = int(usable * CEILINGS[Priority.POLL])
    assert len([t for t in polls if t < burst_at[0]]) == ceiling  # polling stopped at its ceiling...
    assert clicks.count(burst_at[0]) == usable - ceiling  # ...so the rest of the hour was the people's
    # Every click was sent before polling got another request: people go first.
    after_burst = [t for t in polls if t > burst_at[0]]
    assert after_burst and max(clicks) <= min(after_burst)
    # The clicks that found the hour full waited only for the oldest requests to age out.
    assert max(clicks) - burst_at[0] <= timedelta(hours=1)
