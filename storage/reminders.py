"""Held steps that have waited long enough for an approver to be reminded, and the reminders sent."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from storage.database import StorageEngine, immediate, json_text
from storage.records import Action, to_db_time
from storage.sql import NewEvent, insert_event, one

REMINDER = "approval_reminder"


class RemindersRepository:
    """A reminder is an event; each is added only while its step is still held, once per interval."""

    store: StorageEngine

    async def held_waiting(self, status: str, older_than: datetime) -> list[Action]:
        """Steps with `status` (held) requested before `older_than` that an approver could still run:
        not of a cancelled or timed-out publication, nor one that failed before its build was found."""

        def q(db: Database) -> list[Action]:
            rows = db.query(
                "select a.* from actions a join publications p on p.id = a.publication_id"
                " where a.status = ? and a.requested_at <= ?"
                " and p.state not in ('cancelled', 'timed_out')"
                " and not (p.state = 'failed' and p.build_id is null) order by a.id",
                [status, to_db_time(older_than)],
            )
            return [Action.from_row(r) for r in rows]

        return await self.store.call(q)

    async def add_reminder(
        self, action: Action, status: str, every: timedelta, event: NewEvent, now: datetime
    ) -> bool:
        """Add the reminder unless the step was acted on or was reminded of within `every`."""

        def tx(db: Database) -> bool:
            with immediate(db):
                still = one(db, "select 1 as x from actions where id = ? and status = ?", [action.id, status])
                if not still:
                    return False
                recent = one(
                    db,
                    "select 1 as x from events where publication_id = ? and kind = ? and at > ?"  # noqa: S608
                    f" and {json_text(db, 'data', 'kind')} = ?",
                    [action.publication_id, REMINDER, to_db_time(now - every), action.kind],
                )
                if recent:
                    return False
                insert_event(db, action.publication_id, event, now)
                return True

        return await self.store.call(tx)
