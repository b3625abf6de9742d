"""The audit log and the thread replies it feeds; webhook delivery ids."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from storage.database import StorageEngine, immediate, json_text
from storage.records import Event
from storage.sql import NewEvent, insert_event, one, record_delivery, update_row


class EventsRepository:
    """The audit log, thread replies and webhook delivery ids."""

    store: StorageEngine

    async def add_event(self, publication_id: str | None, event: NewEvent, now: datetime) -> None:
        def tx(db: Database) -> None:
            with immediate(db):
                insert_event(db, publication_id, event, now)

        await self.store.call(tx)

    async def events(self, publication_id: str) -> list[Event]:
        def q(db: Database) -> list[Event]:
            rows = db.query("select * from events where publication_id = ? order by id", [publication_id])
            return [Event.from_row(r) for r in rows]

        return await self.store.call(q)

    async def undelivered(self, limit: int = 500) -> list[Event]:
        """Thread replies not yet posted, in the order they happened."""

        def q(db: Database) -> list[Event]:
            rows = db.query(
                "select * from events where announce is not null and delivered_at is null"
                " order by id limit ?",
                [limit],
            )
            return [Event.from_row(r) for r in rows]

        return await self.store.call(q)

    async def mark_delivered(self, event_id: int, now: datetime) -> None:
        def tx(db: Database) -> None:
            update_row(db, "events", "id", event_id, {"delivered_at": now})

        await self.store.call(tx)

    async def remember_delivery(
        self, source: str, delivery_id: str, now: datetime, publication_id: str | None = None
    ) -> bool:
        """Record a webhook delivery id; False when it was seen before."""

        def tx(db: Database) -> bool:
            with immediate(db):
                if one(
                    db,
                    "select 1 as x from deliveries where source = ? and delivery_id = ?",
                    [source, delivery_id],
                ):
                    return False
                record_delivery(db, (source, delivery_id), now, publication_id)
                return True

        return await self.store.call(tx)

    async def audit_trail(self, kinds: tuple[str, ...], bundle_id: str | None, limit: int) -> list[Event]:
        """The newest audit events of these kinds, newest first; for one app when a bundle id is given."""

        def q(db: Database) -> list[Event]:
            marks = ", ".join("?" for _ in kinds)
            sql = f"select * from events where kind in ({marks})"  # noqa: S608 - only placeholders
            args: list[object] = list(kinds)
            if bundle_id is not None:
                sql += f" and lower({json_text(db, 'data', 'bundle_id')}) = lower(?)"
                args.append(bundle_id)
            rows = db.query(sql + " order by id desc limit ?", [*args, limit])
            return [Event.from_row(r) for r in rows]

        return await self.store.call(q)
