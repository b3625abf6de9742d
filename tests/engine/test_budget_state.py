"""The key budget in the database: `DatabaseBudgetState` keeps the `BudgetState` contract that the
in-memory state keeps, over real storage on both engines, and every handle of the database counts the
same hour (replicas sharing one key)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.appstore.budget import RateLimit
from bot.appstore.scheduler import BudgetState, MemoryBudgetState
from bot.engine.budget_state import DatabaseBudgetState
from bot.sandbox.clock import FakeClock
from storage.repository import Storage

KEY = "issuer/KEY123"


async def test_a_slot_is_taken_while_the_hour_has_room(storage: Storage, clock: FakeClock) -> None:
    state = DatabaseBudgetState(storage)
    assert await state.used(KEY, clock.now()) == 0
    for _ in range(3):
        assert await state.take(KEY, clock.now(), 3) == 0.0
        clock.advance(10)
    assert await state.used(KEY, clock.now()) == 3


async def test_a_full_hour_says_how_long_until_its_first_slot_ages_out(
    storage: Storage, clock: FakeClock
) -> None:
    state = DatabaseBudgetState(storage)
    for _ in range(3):
        await state.take(KEY, clock.now(), 3)
        clock.advance(100)
    assert await state.take(KEY, clock.now(), 3) == pytest.approx(3600 - 300)
    assert await state.used(KEY, clock.now()) == 3  # a refused take takes nothing
    clock.advance(3600 - 300)
    assert await state.used(KEY, clock.now()) == 2
    assert await state.take(KEY, clock.now(), 3) == 0.0


async def test_a_lower_ceiling_waits_for_the_slot_that_stands_in_its_way(
    storage: Storage, clock: FakeClock
) -> None:
    state = DatabaseBudgetState(storage)
    for _ in range(4):
        await state.take(KEY, clock.now(), 10)
        clock.advance(100)
    # Two allowed, four taken: the third-newest slot must age out before one more fits.
    assert await state.take(KEY, clock.now(), 2) == pytest.approx(3600 - 200)
    assert await state.take(KEY, clock.now(), 0) == 60.0  # nothing allowed at all: ask again in a minute


async def test_keys_count_their_own_hours(storage: Storage, clock: FakeClock) -> None:
    state = DatabaseBudgetState(storage)
    await state.take(KEY, clock.now(), 1)
    assert await state.take("issuer/OTHER", clock.now(), 1) == 0.0
    assert (await state.used(KEY, clock.now()), await state.used("issuer/OTHER", clock.now())) == (1, 1)


async def test_the_last_report_comes_back_as_a_rate_limit_with_the_bots_own_count(
    storage: Storage, clock: FakeClock
) -> None:
    state = DatabaseBudgetState(storage)
    assert await state.reported(KEY) is None
    await state.observe(KEY, RateLimit(3600, 3412, clock.now()), 150)
    assert await state.reported(KEY) == (RateLimit(3600, 3412, clock.now()), 150)
    later = clock.advance(60)
    await state.observe(KEY, RateLimit(3600, 3300, later), 200)  # the newest report replaces the last
    assert await state.reported(KEY) == (RateLimit(3600, 3300, later), 200)
    assert await state.reported("issuer/OTHER") is None


async def test_two_handles_of_one_database_share_the_hour_and_the_report(
    storage: Storage, clock: FakeClock
) -> None:
    one, two = DatabaseBudgetState(storage), DatabaseBudgetState(storage)
    await one.take(KEY, clock.now(), 2)
    await two.take(KEY, clock.now(), 2)
    assert await one.take(KEY, clock.now(), 2) > 0
    await two.observe(KEY, RateLimit(100, 90, clock.now()), 2)
    assert await one.reported(KEY) == (RateLimit(100, 90, clock.now()), 2)


async def test_it_answers_as_the_in_memory_state_does(storage: Storage, clock: FakeClock) -> None:
    """The same takes, ceilings and ages give the same answers: the scheduler cannot tell them apart."""
    states: list[BudgetState] = [DatabaseBudgetState(storage), MemoryBudgetState()]
    answers: list[list[float]] = [[], []]
    start = clock.now()
    steps = [(0, 3), (30, 3), (30, 3), (30, 3), (60, 2), (3500, 3), (100, 3), (0, 1), (4000, 5)]
    for state, told in zip(states, answers, strict=True):
        at = start
        for seconds, allowed in steps:
            at += timedelta(seconds=seconds)
            told.append(await state.take(KEY, at, allowed))
            told.append(await state.used(KEY, at))
    assert answers[0] == pytest.approx(answers[1])
