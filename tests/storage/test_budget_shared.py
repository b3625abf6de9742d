"""One App Store Connect key, two replicas: the hour's requests are counted once, in the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.appstore.budget import RateLimit
from bot.appstore.scheduler import KeyBudget, Priority
from bot.engine.budget_state import DatabaseBudgetState
from bot.sandbox.clock import FakeClock
from storage.database import make_store
from storage.repository import Storage

KEY = "issuer/KEY123"


@pytest.fixture
async def stores(tmp_path: Path, db_url: str | None) -> AsyncIterator[tuple[Storage, Storage]]:
    """Two replicas' storages on one database (on SQLite: two handles of one file)."""
    url = db_url or str(tmp_path / "t.db")
    a, b = Storage(make_store(url)), Storage(make_store(url))
    await a.store.open()
    await b.store.open()
    yield a, b
    await b.store.close()
    await a.store.close()


async def test_replicas_share_one_keys_hour(stores: tuple[Storage, Storage], clock: FakeClock) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    one, two = (KeyBudget(KEY, DatabaseBudgetState(s), clock, reserve=0.2, sleep=sleep) for s in stores)
    # Apple says the key allows 100 an hour: 80 usable, polls may fill 80 % of that (64).
    await one.observe(RateLimit(100, 100, clock.now()))
    assert await two.allowed(Priority.POLL) == 64
    for _ in range(40):
        await one.acquire(Priority.POLL)
        clock.advance(1)
    for _ in range(24):
        await two.acquire(Priority.POLL)
        clock.advance(1)
    assert slept == []  # 64 polls between them: all within the ceiling
    assert (await one.snapshot()).used == (await two.snapshot()).used == 64
    # The next poll, on either replica, waits for the first slot of the hour to age out.
    await two.acquire(Priority.POLL)
    assert len(slept) == 1 and slept[0] == pytest.approx(3600 - 64, abs=1)
    # A person waiting still gets through at once, up to the hour less the reserve.
    for _ in range(15):
        await one.acquire(Priority.PERSON)
    assert len(slept) == 1


async def test_what_apple_reported_is_seen_by_every_replica(
    stores: tuple[Storage, Storage], clock: FakeClock
) -> None:
    one, two = (KeyBudget(KEY, DatabaseBudgetState(s), clock) for s in stores)
    for _ in range(5):
        await one.acquire(Priority.STEP)
    await one.observe(RateLimit(3600, 3000, clock.now()))  # 600 used: 595 by other tools
    snap = await two.snapshot()
    assert snap.used == 5 and snap.foreign == 595
    clock.advance(timedelta(hours=1).total_seconds())
    assert (await two.snapshot()).used == 0  # the hour rolled on for both
