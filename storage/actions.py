"""Steps: asked for once, claimed by one runner, finished with their result."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from storage.database import StorageEngine, dialect, immediate
from storage.records import Action, to_db_time
from storage.sql import DIRTY, ActionRequest, NewAction, NewEvent, encode, insert_event, one, update_row


class ActionsRepository:
    """Steps of a publication, each claimed by one runner."""

    store: StorageEngine

    async def request_action(
        self, publication_id: str, action: NewAction, now: datetime, event: NewEvent | None = None
    ) -> ActionRequest:
        """Ask for a step once: an open one, or a succeeded one with the same params, is returned as is;
        a failed or skipped one, or a succeeded one asked with other params (e.g. more groups), runs again."""

        def tx(db: Database) -> ActionRequest:
            with immediate(db):
                row = one(
                    db,
                    "select * from actions where publication_id = ? and kind = ?",
                    [publication_id, action.kind],
                )
                if row is not None and row["status"] in ("requested", "running"):
                    return ActionRequest(Action.from_row(row), False)
                if (
                    row is not None
                    and row["status"] == "succeeded"
                    and json.loads(row["params"] or "{}") == (action.params or {})
                ):
                    return ActionRequest(Action.from_row(row), False)
                fields = {
                    "params": action.params,
                    "status": "requested",
                    "requested_by": action.requested_by,
                    "requested_at": now,
                    "started_at": None,
                    "lease_until": None,
                    "finished_at": None,
                    "result": None,
                    "error": None,
                }
                if row is None:
                    db.table("actions").insert(
                        encode({"publication_id": publication_id, "kind": action.kind, **fields})
                    )
                else:
                    update_row(db, "actions", "id", row["id"], fields)
                update_row(
                    db,
                    "publications",
                    "id",
                    publication_id,
                    {"next_poll_at": now, "updated_at": now, "message_dirty": DIRTY},
                )
                if event is not None:
                    insert_event(db, publication_id, event, now)
                fresh = one(
                    db,
                    "select * from actions where publication_id = ? and kind = ?",
                    [publication_id, action.kind],
                )
                assert fresh is not None
                return ActionRequest(Action.from_row(fresh), True)

        return await self.store.call(tx)

    async def actions(self, publication_id: str) -> list[Action]:
        def q(db: Database) -> list[Action]:
            rows = db.query("select * from actions where publication_id = ? order by id", [publication_id])
            return [Action.from_row(r) for r in rows]

        return await self.store.call(q)

    async def claim_action(
        self, action_id: int, now: datetime, lease: timedelta, owner: str = ""
    ) -> Action | None:
        """Mark an action running; one caller wins. A running action whose lease ran out can be reclaimed."""

        def tx(db: Database) -> Action | None:
            with immediate(db):
                changed = db.execute(
                    "UPDATE actions SET status = 'running', started_at = ?, lease_until = ?, lease_owner = ?,"
                    " attempts = attempts + 1 WHERE id = ? AND (status = 'requested'"
                    " OR (status = 'running' AND lease_until < ?))",
                    [to_db_time(now), to_db_time(now + lease), owner, action_id, to_db_time(now)],
                ).rowcount
                if not changed:
                    return None
                row = one(db, "select * from actions where id = ?", [action_id])
                return Action.from_row(row) if row else None

        return await self.store.call(tx)

    async def finish_action(
        self,
        action_id: int,
        status: str,
        now: datetime,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
        event: NewEvent | None = None,
        publication_fields: dict[str, Any] | None = None,
    ) -> None:
        """Record a step's result, with what it changed on the publication, in one transaction."""

        def tx(db: Database) -> None:
            with immediate(db):
                row = one(db, "select publication_id from actions where id = ?", [action_id])
                update_row(
                    db,
                    "actions",
                    "id",
                    action_id,
                    {
                        "status": status,
                        "finished_at": now,
                        "lease_until": None,
                        "result": result,
                        "error": error,
                    },
                )
                if row is not None:
                    update_row(
                        db,
                        "publications",
                        "id",
                        row["publication_id"],
                        {**(publication_fields or {}), "message_dirty": DIRTY, "updated_at": now},
                    )
                    if event is not None:
                        insert_event(db, row["publication_id"], event, now)

        await self.store.call(tx)

    async def recover_running(self, now: datetime) -> int:
        """At start-up: steps left running by a process that died go back to requested.

        On SQLite one bot owns the file (its lock), so nobody else can be running them. On PostgreSQL
        other replicas may be: only steps whose lease ran out go back (a live one is renewed by its
        owner; a dead owner's runs out and is taken over). Every step checks App Store Connect before
        writing, so running one again is safe.
        """

        def tx(db: Database) -> int:
            with immediate(db):
                shared = dialect(db) == "postgresql"
                return db.execute(
                    "UPDATE actions SET status = 'requested', lease_until = NULL WHERE status = 'running'"  # noqa: S608 - no input
                    + (" AND (lease_until IS NULL OR lease_until < ?)" if shared else ""),
                    [to_db_time(now)] if shared else [],
                ).rowcount

        return await self.store.call(tx)

    async def release_action(self, action_id: int, now: datetime, error: str | None = None) -> None:
        """Give a claimed action back (a transient fault): it will be tried again."""

        def tx(db: Database) -> None:
            with immediate(db):
                update_row(
                    db,
                    "actions",
                    "id",
                    action_id,
                    {"status": "requested", "lease_until": None, "error": error},
                )

        await self.store.call(tx)
