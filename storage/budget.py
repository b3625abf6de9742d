"""The App Store Connect budget in the database: one key's hourly slots shared by every replica.

With PostgreSQL several replicas send requests with the same key; each takes its slot here, so the
hour's count is the team's, not the replica's. A take is one short transaction (the count, then the
insert) serialised per key with an advisory lock, so two replicas cannot both take the last slot.
With SQLite one process owns the file and the budget stays in memory (bot/appstore/scheduler.py).
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta

from sqlite_utils import Database

from storage.database import StorageEngine, dialect, immediate
from storage.records import from_db_time, to_db_time

WINDOW = timedelta(hours=1)  # Apple's rolling hour


class BudgetRepository:
    """Slots taken per key over the rolling hour, and the last `X-Rate-Limit` each key reported."""

    store: StorageEngine

    async def budget_take(self, key: str, now: datetime, allowed: int) -> float:
        """Take a slot when fewer than `allowed` were taken in the last hour: 0.0; else the seconds
        until the oldest slot that stands in the way ages out (nothing taken)."""

        def tx(db: Database) -> float:
            with immediate(db):
                if dialect(db) == "postgresql":
                    db.execute("select pg_advisory_xact_lock(?)", [zlib.crc32(key.encode()) & 0x7FFFFFFF])
                since = to_db_time(now - WINDOW)
                db.execute("delete from asc_budget_slots where key = ? and sent_at <= ?", [key, since])
                sent = [
                    r["sent_at"]
                    for r in db.query(
                        "select sent_at from asc_budget_slots where key = ? order by sent_at", [key]
                    )
                ]
                if len(sent) < allowed:
                    db.execute(
                        "insert into asc_budget_slots (key, sent_at) values (?, ?)", [key, to_db_time(now)]
                    )
                    return 0.0
                if not sent or allowed <= 0:
                    return 60.0
                oldest = from_db_time(sent[min(len(sent) - allowed, len(sent) - 1)])
                assert oldest is not None
                return max(0.001, (oldest + WINDOW - now).total_seconds())

        return await self.store.call(tx)

    async def budget_used(self, key: str, now: datetime) -> int:
        def q(db: Database) -> int:
            rows = db.query(
                "select count(*) as n from asc_budget_slots where key = ? and sent_at > ?",
                [key, to_db_time(now - WINDOW)],
            )
            return int(next(iter(rows))["n"])

        return await self.store.call(q)

    async def budget_observe(
        self, key: str, limit: int, remaining: int, observed_at: datetime, own: int
    ) -> None:
        def tx(db: Database) -> None:
            with immediate(db):
                db.execute("delete from asc_budget_reported where key = ?", [key])
                db.execute(
                    "insert into asc_budget_reported (key, lim, remaining, observed_at, own)"
                    " values (?, ?, ?, ?, ?)",
                    [key, limit, remaining, to_db_time(observed_at), own],
                )

        await self.store.call(tx)

    async def budget_reported(self, key: str) -> tuple[int, int, datetime, int] | None:
        """(limit, remaining, observed at, the bot's own count then) as last reported, or None."""

        def q(db: Database) -> tuple[int, int, datetime, int] | None:
            rows = list(db.query("select * from asc_budget_reported where key = ?", [key]))
            if not rows:
                return None
            r = rows[0]
            at = from_db_time(r["observed_at"])
            assert at is not None
            return int(r["lim"]), int(r["remaining"]), at, int(r["own"])

        return await self.store.call(q)
