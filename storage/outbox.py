"""Posts tried before: a post whose answer was lost may exist, so it is looked up before trying again."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from storage.database import StorageEngine, immediate
from storage.records import from_db_time, to_db_time
from storage.sql import one


class OutboxRepository:
    """Attempts of posts by outbox id, kept until the post is known to exist."""

    store: StorageEngine

    async def note_attempt(self, outbox_id: str, now: datetime) -> datetime | None:
        """Count an attempt; returns when the first one began, or None for a first attempt."""

        def tx(db: Database) -> datetime | None:
            with immediate(db):
                row = one(db, "select * from outbox_attempts where outbox_id = ?", [outbox_id])
                if row is None:
                    db.table("outbox_attempts").insert(
                        {"outbox_id": outbox_id, "first_at": to_db_time(now), "attempts": 1}
                    )
                    return None
                db.execute(
                    "update outbox_attempts set attempts = attempts + 1 where outbox_id = ?", [outbox_id]
                )
                return from_db_time(row["first_at"])

        return await self.store.call(tx)

    async def attempt_settled(self, outbox_id: str) -> None:
        """The post is known to exist (or was given up): nothing to look up any more."""

        def tx(db: Database) -> None:
            db.execute("delete from outbox_attempts where outbox_id = ?", [outbox_id])

        await self.store.call(tx)
