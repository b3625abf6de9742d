"""One request budget per App Store Connect key, shared by every client of that key, with priorities.

Apple counts requests per key over a rolling hour. Every request the bot sends with a key (steps,
polls, following, a person's modal, `asc-bot check`) first takes a slot from that key's budget. A
share of the hour is kept in reserve for the team's other tools; inside the rest, each priority may
fill the hour only up to its own ceiling, so a burst of clicks can use what polling may not, and
polling or following can never crowd out a person waiting in Slack.

The budget's state (slots taken, what `X-Rate-Limit` last said) sits behind `BudgetState`, so
several replicas can later share one key's budget through the database.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Protocol

from bot.appstore.auth import ApiKey
from bot.appstore.budget import WINDOW, RateLimit
from bot.clock import Clock

DEFAULT_LIMIT = 3600  # Apple's documented hourly limit, until a response says otherwise
DEFAULT_RESERVE = 0.20


class Priority(IntEnum):
    """Who is waiting for a request, most urgent first."""

    PERSON = 0  # a click, a modal, `asc-bot check`: someone watches
    STEP = 1  # a step's reads and writes
    POLL = 2  # waiting for Apple to find and process a build
    FOLLOW = 3  # following a submitted review


# How much of the usable hour (the limit less the reserve) each priority may fill.
CEILINGS = {Priority.PERSON: 1.0, Priority.STEP: 0.95, Priority.POLL: 0.80, Priority.FOLLOW: 0.65}

_current: ContextVar[Priority] = ContextVar("asc_priority", default=Priority.STEP)


@contextmanager
def priority(level: Priority) -> Iterator[None]:
    """Requests sent inside this block (and tasks it starts) go with `level`."""
    token = _current.set(level)
    try:
        yield
    finally:
        _current.reset(token)


def current_priority() -> Priority:
    return _current.get()


class BudgetState(Protocol):
    """Where a key's hourly budget lives: memory for one process, the database for several replicas."""

    async def take(self, key: str, now: datetime, allowed: int) -> float:
        """Take a slot when fewer than `allowed` were taken in the last hour: 0.0; else the seconds
        until the oldest slot ages out (nothing taken)."""
        ...

    async def used(self, key: str, now: datetime) -> int:
        """Slots taken in the last hour."""
        ...

    async def observe(self, key: str, limit: RateLimit, own: int) -> None:
        """Remember what `X-Rate-Limit` said, and how many of the used requests were the bot's."""
        ...

    async def reported(self, key: str) -> tuple[RateLimit, int] | None:
        """The last observation and the bot's own count at that moment."""
        ...


class MemoryBudgetState:
    """`BudgetState` for one process: a deque of send times per key."""

    def __init__(self) -> None:
        self._sent: dict[str, deque[datetime]] = {}
        self._reported: dict[str, tuple[RateLimit, int]] = {}

    def _window(self, key: str, now: datetime) -> deque[datetime]:
        sent = self._sent.setdefault(key, deque())
        while sent and now - sent[0] >= WINDOW:
            sent.popleft()
        return sent

    async def take(self, key: str, now: datetime, allowed: int) -> float:
        sent = self._window(key, now)
        if len(sent) < allowed:
            sent.append(now)
            return 0.0
        if not sent or allowed <= 0:
            return 60.0
        index = min(len(sent) - allowed, len(sent) - 1)
        return max(0.001, (sent[index] + WINDOW - now).total_seconds())

    async def used(self, key: str, now: datetime) -> int:
        return len(self._window(key, now))

    async def observe(self, key: str, limit: RateLimit, own: int) -> None:
        self._reported[key] = (limit, own)

    async def reported(self, key: str) -> tuple[RateLimit, int] | None:
        return self._reported.get(key)


@dataclass(frozen=True)
class BudgetSnapshot:
    limit: int
    usable: int
    used: int
    foreign: int  # requests of other tools on this key, as far as X-Rate-Limit tells


class KeyBudget:
    """The budget of one key (issuer id + key id); every client of that key awaits `acquire`."""

    def __init__(
        self,
        key_id: str,
        state: BudgetState,
        clock: Clock,
        *,
        reserve: float = DEFAULT_RESERVE,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.key_id = key_id
        self.reserve = reserve
        self._state = state
        self._clock = clock
        self._sleep = sleep
        self.waited: dict[Priority, float] = dict.fromkeys(Priority, 0.0)

    async def snapshot(self) -> BudgetSnapshot:
        now = self._clock.now()
        used = await self._state.used(self.key_id, now)
        seen = await self._state.reported(self.key_id)
        limit, foreign = DEFAULT_LIMIT, 0
        if seen is not None and seen[0].limit > 0:
            report, own = seen
            limit = report.limit
            # Others' requests age out of Apple's window too; assume evenly over the hour.
            age = (now - report.observed_at).total_seconds()
            others = max(0, report.limit - report.remaining - own)
            foreign = math.floor(others * max(0.0, 1.0 - age / WINDOW.total_seconds()))
        return BudgetSnapshot(limit, math.floor(limit * (1.0 - self.reserve)), used, foreign)

    async def allowed(self, level: Priority) -> int:
        """How many of the bot's requests may be in the rolling hour for a request of `level`."""
        snap = await self.snapshot()
        return max(0, math.floor(snap.usable * CEILINGS[level]) - snap.foreign)

    async def acquire(self, level: Priority | None = None) -> None:
        """Wait until a request of `level` (default: the context's) fits, and take its slot."""
        level = current_priority() if level is None else level
        while True:
            delay = await self._state.take(self.key_id, self._clock.now(), await self.allowed(level))
            if delay <= 0:
                return
            self.waited[level] += delay
            await self._sleep(delay)

    async def observe(self, limit: RateLimit) -> None:
        await self._state.observe(self.key_id, limit, await self._state.used(self.key_id, limit.observed_at))

    async def remaining(self) -> int:
        """Requests the bot may still send this hour without touching the reserve."""
        snap = await self.snapshot()
        return max(0, snap.usable - snap.foreign - snap.used)


class Budgets:
    """Every key's budget in one process, by issuer id and key id: two names for one key share one."""

    def __init__(
        self,
        clock: Clock,
        *,
        reserve: float = DEFAULT_RESERVE,
        state: BudgetState | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.reserve = reserve
        self._clock = clock
        self._state = state or MemoryBudgetState()
        self._sleep = sleep
        self._budgets: dict[str, KeyBudget] = {}

    def for_key(self, key: ApiKey) -> KeyBudget:
        ident = f"{key.issuer_id or 'individual'}/{key.key_id}"
        if ident not in self._budgets:
            self._budgets[ident] = KeyBudget(
                ident, self._state, self._clock, reserve=self.reserve, sleep=self._sleep
            )
        return self._budgets[ident]
