"""Counts read at scrape time for /metrics and /readyz: publications, steps, the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from storage.database import StorageEngine, dialect


@dataclass(frozen=True)
class Stats:
    publications: dict[str, int] = field(default_factory=dict)  # by state
    steps: dict[tuple[str, str], int] = field(default_factory=dict)  # by (kind, status)
    outbox_depth: int = 0
    oldest_undelivered: datetime | None = None


async def read_stats(store: StorageEngine) -> Stats:
    """One consistent read of everything the gauges show."""

    def q(db: Database) -> Stats:
        pubs = {r["state"]: r["n"] for r in db.query("select state, count(*) n from publications group by state")}
        steps = {
            (r["kind"], r["status"]): r["n"]
            for r in db.query("select kind, status, count(*) n from actions group by kind, status")
        }
        row = next(
            db.query(
                "select count(*) n, min(at) oldest from events"
                " where announce is not null and delivered_at is null"
            )
        )
        oldest = datetime.fromisoformat(row["oldest"]) if row["oldest"] else None
        return Stats(pubs, steps, row["n"], oldest)

    return await store.call(q)


async def ping(store: StorageEngine) -> None:
    """Raise unless the database answers a read of the schema and of the publications table."""

    def q(db: Database) -> None:
        catalog = "pg_class" if dialect(db) == "postgresql" else "sqlite_master"
        db.execute(f"select count(*) from {catalog}").fetchone()  # noqa: S608 - one of two names
        db.execute("select id from publications limit 1").fetchall()

    await store.call(q)
