"""The key budget's state in the database, for replicas that share one App Store Connect key."""

from __future__ import annotations

from datetime import datetime

from bot.appstore.budget import RateLimit
from storage.repository import Storage


class DatabaseBudgetState:
    """`bot.appstore.scheduler.BudgetState` over storage: every replica counts the same hour."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def take(self, key: str, now: datetime, allowed: int) -> float:
        return await self._storage.budget_take(key, now, allowed)

    async def used(self, key: str, now: datetime) -> int:
        return await self._storage.budget_used(key, now)

    async def observe(self, key: str, limit: RateLimit, own: int) -> None:
        await self._storage.budget_observe(key, limit.limit, limit.remaining, limit.observed_at, own)

    async def reported(self, key: str) -> tuple[RateLimit, int] | None:
        seen = await self._storage.budget_reported(key)
        if seen is None:
            return None
        limit, remaining, observed_at, own = seen
        return RateLimit(limit, remaining, observed_at), own
