"""All SQL of the bot: each public method is one transaction on the store's thread."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from storage.database import Store, immediate
from storage.records import ACTIVE_STATES, Action, Event, Publication, to_db_time

_JSON_FIELDS = {"options", "release_notes", "source", "params", "result", "data"}


class _Bump:
    """Marker for `message_dirty`: count one more visible change (the Slack message must be redrawn)."""


DIRTY = _Bump()


@dataclass(frozen=True)
class NewEvent:
    """An audit entry to append; `announce` makes it a thread reply ("thread" or "broadcast")."""

    kind: str
    actor: str = "bot"
    message: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    announce: str | None = None


@dataclass(frozen=True)
class NewAction:
    kind: str
    requested_by: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Intake:
    """The outcome of storing a build-uploaded notification."""

    publication: Publication
    created: bool
    status: int
    body: dict[str, Any]


@dataclass(frozen=True)
class ActionRequest:
    """The outcome of asking for a step: the stored action and whether this call created it."""

    action: Action
    created: bool


def _encode(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, datetime):
            out[key] = to_db_time(value)
        elif key in _JSON_FIELDS and value is not None and not isinstance(value, str):
            out[key] = json.dumps(value, sort_keys=True)
        elif isinstance(value, bool):
            out[key] = int(value)
        else:
            out[key] = value
    return out


def _one(db: Database, sql: str, params: Sequence[Any]) -> dict[str, Any] | None:
    rows = list(db.query(sql, params))
    return rows[0] if rows else None


def _insert_event(db: Database, publication_id: str | None, event: NewEvent, now: datetime) -> None:
    db["events"].insert(
        _encode(
            {
                "publication_id": publication_id,
                "at": now,
                "actor": event.actor,
                "kind": event.kind,
                "message": event.message,
                "data": event.data,
                "announce": event.announce,
            }
        )
    )


def _update(
    db: Database,
    table: str,
    key: str,
    key_value: Any,
    fields: dict[str, Any],
    where: str = "",
    where_params: Sequence[Any] = (),
) -> int:
    bump = [name for name, value in fields.items() if value is DIRTY]
    encoded = _encode({name: value for name, value in fields.items() if value is not DIRTY})
    assignments = [f"[{name}] = ?" for name in encoded] + [f"[{name}] = [{name}] + 1" for name in bump]
    sql = f"UPDATE [{table}] SET {', '.join(assignments)} WHERE [{key}] = ? {where}"  # noqa: S608 - names are ours
    return db.execute(sql, [*encoded.values(), key_value, *where_params]).rowcount


class Storage:
    """Repository over the four tables; safe to call from any coroutine."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- publications -------------------------------------------------------------------------

    async def create_publication(
        self,
        fields: dict[str, Any],
        actions: Sequence[NewAction],
        *,
        delivery: tuple[str, str] | None,
        now: datetime,
        event: NewEvent,
    ) -> Intake:
        """Store a new publication once: a repeated delivery or natural key returns the first answer."""

        def tx(db: Database) -> Intake:
            with immediate(db):
                if delivery is not None:
                    seen = _one(db, "select * from deliveries where source = ? and delivery_id = ?", delivery)
                    if seen is not None:
                        pub = _get(db, seen["publication_id"])
                        assert pub is not None
                        return Intake(pub, False, 200, json.loads(seen["response"]))
                existing = _one(
                    db,
                    "select * from publications where app_bundle_id = ? and platform = ? and version = ?"
                    " and build_number = ?",
                    [fields["app_bundle_id"], fields["platform"], fields["version"], fields["build_number"]],
                )
                if existing is not None:
                    pub = Publication.from_row(existing)
                    body = {"publication_id": pub.id, "state": pub.state}
                    if delivery is not None:
                        _record_delivery(db, delivery, now, pub.id, 200, body)
                    return Intake(pub, False, 200, body)
                row = _encode({**fields, "created_at": now, "updated_at": now})
                db["publications"].insert(row)
                for action in actions:
                    db["actions"].insert(
                        _encode(
                            {
                                "publication_id": fields["id"],
                                "kind": action.kind,
                                "params": action.params,
                                "status": "requested",
                                "requested_by": action.requested_by,
                                "requested_at": now,
                            }
                        )
                    )
                _insert_event(db, fields["id"], event, now)
                pub = _get(db, fields["id"])
                assert pub is not None
                body = {"publication_id": pub.id, "state": pub.state}
                if delivery is not None:
                    _record_delivery(db, delivery, now, pub.id, 202, body)
                return Intake(pub, True, 202, body)

        return await self.store.call(tx)

    async def get(self, publication_id: str) -> Publication | None:
        return await self.store.call(_get, publication_id)

    async def find(
        self, bundle_id: str, platform: str, version: str, build_number: str
    ) -> Publication | None:
        def q(db: Database) -> Publication | None:
            row = _one(
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

    async def next_due_at(self) -> datetime | None:
        def q(db: Database) -> datetime | None:
            marks = ",".join("?" * len(ACTIVE_STATES))
            row = _one(
                db,
                f"select min(next_poll_at) as t from publications where state in ({marks})",  # noqa: S608
                ACTIVE_STATES,
            )
            return datetime.fromisoformat(row["t"]) if row and row["t"] else None

        return await self.store.call(q)

    async def list(
        self, *, bundle_id: str | None = None, active_only: bool = True, limit: int = 50
    ) -> list[Publication]:
        def q(db: Database) -> list[Publication]:
            where, params = [], []
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
                changed = _update(
                    db, "publications", "id", publication_id, {**fields, "updated_at": now}, where, params
                )
                if not changed:
                    return None
                if event is not None:
                    _insert_event(db, publication_id, event, now)
                return _get(db, publication_id)

        return await self.store.call(tx)

    # -- actions ------------------------------------------------------------------------------

    async def request_action(
        self, publication_id: str, action: NewAction, now: datetime, event: NewEvent | None = None
    ) -> ActionRequest:
        """Ask for a step once: an open one, or a succeeded one with the same params, is returned as is;
        a failed or skipped one, or a succeeded one asked with other params (e.g. more groups), runs again."""

        def tx(db: Database) -> ActionRequest:
            with immediate(db):
                row = _one(
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
                    db["actions"].insert(
                        _encode({"publication_id": publication_id, "kind": action.kind, **fields})
                    )
                else:
                    _update(db, "actions", "id", row["id"], fields)
                _update(
                    db,
                    "publications",
                    "id",
                    publication_id,
                    {"next_poll_at": now, "updated_at": now, "message_dirty": DIRTY},
                )
                if event is not None:
                    _insert_event(db, publication_id, event, now)
                fresh = _one(
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

    async def claim_action(self, action_id: int, now: datetime, lease: timedelta) -> Action | None:
        """Mark an action running; one caller wins. A running action whose lease ran out can be reclaimed."""

        def tx(db: Database) -> Action | None:
            with immediate(db):
                changed = db.execute(
                    "UPDATE actions SET status = 'running', started_at = ?, lease_until = ?,"
                    " attempts = attempts + 1 WHERE id = ? AND (status = 'requested'"
                    " OR (status = 'running' AND lease_until < ?))",
                    [to_db_time(now), to_db_time(now + lease), action_id, to_db_time(now)],
                ).rowcount
                if not changed:
                    return None
                row = _one(db, "select * from actions where id = ?", [action_id])
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
                row = _one(db, "select publication_id from actions where id = ?", [action_id])
                _update(
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
                    _update(
                        db,
                        "publications",
                        "id",
                        row["publication_id"],
                        {**(publication_fields or {}), "message_dirty": DIRTY, "updated_at": now},
                    )
                    if event is not None:
                        _insert_event(db, row["publication_id"], event, now)

        await self.store.call(tx)

    async def recover_running(self, now: datetime) -> int:
        """At start-up: steps left running by a process that died go back to requested.

        One bot owns a database (DESIGN: one scheduler per store), so nobody else can be running them;
        every step checks App Store Connect before writing, so running one again is safe.
        """

        def tx(db: Database) -> int:
            with immediate(db):
                return db.execute(
                    "UPDATE actions SET status = 'requested', lease_until = NULL WHERE status = 'running'"
                ).rowcount

        return await self.store.call(tx)

    async def release_action(self, action_id: int, now: datetime, error: str | None = None) -> None:
        """Give a claimed action back (a transient fault): it will be tried again."""

        def tx(db: Database) -> None:
            with immediate(db):
                _update(
                    db,
                    "actions",
                    "id",
                    action_id,
                    {"status": "requested", "lease_until": None, "error": error},
                )

        await self.store.call(tx)

    # -- events -------------------------------------------------------------------------------

    async def add_event(self, publication_id: str | None, event: NewEvent, now: datetime) -> None:
        def tx(db: Database) -> None:
            with immediate(db):
                _insert_event(db, publication_id, event, now)

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
            _update(db, "events", "id", event_id, {"delivered_at": now})

        await self.store.call(tx)

    async def dirty_messages(self) -> list[Publication]:
        """Publications whose Slack message must be posted or redrawn."""

        def q(db: Database) -> list[Publication]:
            rows = db.query(
                "select * from publications where channel is not null and"
                " (message_dirty > 0 or message_ts is null)"
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
                    _update(db, "publications", "id", publication_id, {"message_ts": ts})
                _update(
                    db,
                    "publications",
                    "id",
                    publication_id,
                    {"message_dirty": 0},
                    "AND message_dirty = ?",
                    [dirty_seen],
                )

        await self.store.call(tx)

    # -- deliveries ---------------------------------------------------------------------------

    async def remember_delivery(
        self, source: str, delivery_id: str, now: datetime, publication_id: str | None = None
    ) -> bool:
        """Record a webhook delivery id; False when it was seen before."""

        def tx(db: Database) -> bool:
            with immediate(db):
                if _one(
                    db,
                    "select 1 as x from deliveries where source = ? and delivery_id = ?",
                    [source, delivery_id],
                ):
                    return False
                _record_delivery(db, (source, delivery_id), now, publication_id, 200, {})
                return True

        return await self.store.call(tx)

    async def counts(self) -> dict[str, int]:
        def q(db: Database) -> dict[str, int]:
            return {t: db[t].count for t in ("publications", "actions", "events", "deliveries")}

        return await self.store.call(q)


def _get(db: Database, publication_id: str) -> Publication | None:
    row = _one(db, "select * from publications where id = ?", [publication_id])
    return Publication.from_row(row) if row else None


def _record_delivery(
    db: Database,
    delivery: tuple[str, str],
    now: datetime,
    publication_id: str | None,
    status: int,
    body: dict[str, Any],
) -> None:
    db["deliveries"].insert(
        {
            "source": delivery[0],
            "delivery_id": delivery[1],
            "received_at": to_db_time(now),
            "publication_id": publication_id,
            "status": status,
            "response": json.dumps(body, sort_keys=True),
        }
    )
