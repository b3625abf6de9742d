"""Publications: intake (idempotent), lookups, compare-and-set updates, the message to draw."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from storage.database import StorageEngine, immediate
from storage.intakes import STORE_INTAKE, NewPublication
from storage.records import ACTIVE_STATES, Publication, from_db_time, to_db_time
from storage.sql import (
    Intake,
    NewAction,
    NewEvent,
    get_publication,
    insert_event,
    one,
    update_row,
)

# What moves back with the clock; updated_at too, so the same jump is not undone twice.
_SHIFTED = ("next_poll_at", "find_deadline", "process_deadline", "asc_down_since", "updated_at")


class PublicationsRepository:
    """Publications: intake, lookups, compare-and-set updates, the message to draw."""

    store: StorageEngine

    async def create_publication(
        self,
        fields: dict[str, Any],
        actions: Sequence[NewAction],
        *,
        delivery: tuple[str, str] | None,
        now: datetime,
        event: NewEvent,
    ) -> Intake:
        """Store a new publication once: a repeated delivery or natural key finds the first one.

        One transaction, committed together with other intakes waiting at the same time (one fsync
        for a burst of webhooks); it returns only once its own commit is durable."""

        item = NewPublication(fields, actions, delivery, now, event)
        return await self.store.call_grouped(STORE_INTAKE, item)

    async def get(self, publication_id: str) -> Publication | None:
        return await self.store.call(get_publication, publication_id)

    async def find(
        self, bundle_id: str, platform: str, version: str, build_number: str
    ) -> Publication | None:
        def q(db: Database) -> Publication | None:
            row = one(
                db,
                "select * from publications where app_bundle_id = ? and platform = ? and version = ?"
                " and build_number = ?",
                [bundle_id, platform, version, build_number],
            )
            return Publication.from_row(row) if row else None

        return await self.store.call(q)

    async def find_by(self, column: str, value: str) -> list[Publication]:
        """Publications whose `build_id` or `version_id` is `value` (what Apple's webhooks name)."""
        if column not in ("build_id", "version_id"):
            raise ValueError(f"cannot look publications up by {column}")

        def q(db: Database) -> list[Publication]:
            rows = db.query(f"select * from publications where [{column}] = ?", [value])  # noqa: S608
            return [Publication.from_row(r) for r in rows]

        return await self.store.call(q)

    async def due(self, now: datetime, limit: int = 5000) -> list[Publication]:
        """Active publications whose next poll time has come, oldest first."""

        def q(db: Database) -> list[Publication]:
            marks = ",".join("?" * len(ACTIVE_STATES))
            rows = db.query(
                f"select * from publications where state in ({marks}) and next_poll_at is not null"  # noqa: S608
                " and next_poll_at <= ? order by next_poll_at limit ?",
                [*ACTIVE_STATES, to_db_time(now), limit],
            )
            return [Publication.from_row(r) for r in rows]

        return await self.store.call(q)

    async def undo_clock_jump(self, now: datetime, tolerance: float = 60.0) -> timedelta | None:
        """When the clock went back (an active publication was changed "in the future"), move every
        active publication's schedule and deadlines back by as much, so polling goes on at once and
        the time left stays the same. Returns the jump, or None. Safe across restarts."""

        def tx(db: Database) -> timedelta | None:
            with immediate(db):
                marks = ",".join("?" * len(ACTIVE_STATES))
                row = one(
                    db,
                    f"select max(updated_at) as t from publications where state in ({marks})",  # noqa: S608
                    ACTIVE_STATES,
                )
                latest = from_db_time(row["t"]) if row else None
                if latest is None or (latest - now).total_seconds() <= tolerance:
                    return None
                jump = latest - now
                rows = list(db.query(f"select * from publications where state in ({marks})", ACTIVE_STATES))  # noqa: S608
                for r in rows:
                    moved = {
                        name: from_db_time(r[name]) - jump  # type: ignore[operator]
                        for name in _SHIFTED
                        if r.get(name)
                    }
                    update_row(db, "publications", "id", r["id"], moved)
                return jump

        return await self.store.call(tx)

    async def list(
        self, *, bundle_id: str | None = None, active_only: bool = True, limit: int = 50
    ) -> list[Publication]:
        def q(db: Database) -> list[Publication]:
            where: list[str] = []
            params: list[str] = []
            if active_only:
                where.append(f"state in ({','.join('?' * len(ACTIVE_STATES))})")
                params.extend(ACTIVE_STATES)
            if bundle_id:
                where.append("app_bundle_id = ?")
                params.append(bundle_id)
            clause = f"where {' and '.join(where)}" if where else ""
            rows = db.query(
                f"select * from publications {clause} order by created_at desc limit ?",  # noqa: S608
                [*params, limit],
            )
            return [Publication.from_row(r) for r in rows]

        return await self.store.call(q)

    async def update(
        self,
        publication_id: str,
        now: datetime,
        *,
        expect_state: str | Sequence[str] | None = None,
        event: NewEvent | None = None,
        **fields: Any,
    ) -> Publication | None:
        """Change a publication (compare-and-set on its state when `expect_state` is given).

        Returns the new row, or None when the expected state no longer holds (someone else won).
        """

        def tx(db: Database) -> Publication | None:
            with immediate(db):
                where, params = "", []
                if expect_state is not None:
                    states = [expect_state] if isinstance(expect_state, str) else list(expect_state)
                    where = f"AND state IN ({','.join('?' * len(states))})"
                    params = states
                changed = update_row(
                    db, "publications", "id", publication_id, {**fields, "updated_at": now}, where, params
                )
                if not changed:
                    return None
                if event is not None:
                    insert_event(db, publication_id, event, now)
                return get_publication(db, publication_id)

        return await self.store.call(tx)

    async def dirty_messages(self) -> builtins.list[Publication]:  # `list` here is the method above
        """Publications whose Slack message must be posted or redrawn."""

        def q(db: Database) -> list[Publication]:
            rows = db.query(
                "select * from publications where channel is not null and"
                " (message_dirty > 0 or message_ts is null)"
                # a message Slack refused to post for good is not tried again
                " and not (message_ts is null and slack_problem is not null)"
                # in the order they were created (their first event's id: SQLite's rowid order is no
                # promise, and PostgreSQL returns rows in any order)
                " order by (select min(e.id) from events e where e.publication_id = publications.id)"
            )
            return [Publication.from_row(r) for r in rows]

        return await self.store.call(q)

    async def message_drawn(self, publication_id: str, dirty_seen: int, ts: str | None = None) -> None:
        """Record a post (its ts) or a redraw of the state read when `dirty_seen` was current.

        A change made while the message was being drawn bumped the counter, so it stays dirty.
        """

        def tx(db: Database) -> None:
            with immediate(db):
                if ts is not None:
                    update_row(db, "publications", "id", publication_id, {"message_ts": ts})
                update_row(
                    db,
                    "publications",
                    "id",
                    publication_id,
                    {"message_dirty": 0},
                    "AND message_dirty = ?",
                    [dirty_seen],
                )

        await self.store.call(tx)

    async def counts(self) -> dict[str, int]:
        def q(db: Database) -> dict[str, int]:
            return {t: db.table(t).count for t in ("publications", "actions", "events", "deliveries")}

        return await self.store.call(q)
