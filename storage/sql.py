"""SQL helpers and the small value types shared by the repositories."""

from __future__ import annotations

import functools
import json
import json.encoder
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from storage.database import dialect
from storage.records import Action, Publication, to_db_time

_JSON_FIELDS = {"options", "release_notes", "source", "params", "result", "data"}
_ENCODER = json.JSONEncoder(sort_keys=True)
# The same text as json.dumps(value, sort_keys=True). `JSONEncoder.encode` builds the C encoder
# anew on every call; made once here it is half the cost per value, and a webhook encodes about
# eight (its options twice, its notes, source, steps' params, event data, the delivery's answer).
_MAKE_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_C_ENCODE = _MAKE_C_ENCODER and _MAKE_C_ENCODER(
    None, _ENCODER.default, json.encoder.encode_basestring_ascii, None, ": ", ", ", True, False, True
)


def _to_json(value: Any) -> str:
    if _C_ENCODE is None or isinstance(value, str):  # no C accelerator (PyPy), or a bare string
        return _ENCODER.encode(value)
    return "".join(_C_ENCODE(value, 0))


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
    status: str = "requested"  # or "held": waits for an approver (bot/engine/guard.py)


@dataclass(frozen=True)
class Intake:
    """What storing a build-uploaded notification came to: a new publication (`created`), or the one
    this build or this delivery already made. `state` is the state to tell the sender: a repeated
    delivery is told what its first delivery was told.

    The publication itself is read when asked for (`read`): a webhook's answer needs only its id and
    state, and making a `Publication` of a row just written (decoding the JSON it was encoded to) was
    a twentieth of the event loop's time per webhook in a burst (benchmark 5)."""

    publication_id: str
    created: bool
    state: str
    read: Callable[[], Publication] = field(repr=False, compare=False)

    @classmethod
    def of(cls, publication: Publication, created: bool, state: str) -> Intake:
        """For a publication already at hand."""
        return cls(publication.id, created, state, lambda: publication)

    @property
    def publication(self) -> Publication:
        return self.read()


@dataclass(frozen=True)
class ActionRequest:
    """The outcome of asking for a step: the stored action and whether this call created it."""

    action: Action
    created: bool


def encode(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if value is None or type(value) is str:  # the usual case first: stored as it is
            out[key] = value
        elif isinstance(value, datetime):
            out[key] = to_db_time(value)
        elif key in _JSON_FIELDS:
            out[key] = json_text(value)
        elif isinstance(value, bool):
            out[key] = int(value)
        else:
            out[key] = value
    return out


def one(db: Database, sql: str, params: Sequence[Any]) -> dict[str, Any] | None:
    """The first row of a SELECT (or of a write `... RETURNING`), or None.

    On SQLite straight on the connection: sqlite-utils' `query` wraps every statement in a savepoint
    of its own (three statements for one), which every read inside a write transaction pays."""
    if dialect(db) == "postgresql":
        return next(db.query(sql, params), None)
    cursor = db.conn.execute(sql, params)
    row = cursor.fetchone()
    if row is None:
        return None
    names = [column[0] for column in cursor.description]
    if len(set(names)) != len(names):  # a join naming a column twice: sqlite-utils' deduped names
        return next(db.query(sql, params), None)
    return dict(zip(names, row, strict=True))


@functools.lru_cache(maxsize=1024)
def _insert_sql(table: str, columns: tuple[str, ...], rows: int = 1, returning: bool = False) -> str:
    names = ", ".join(f"[{name}]" for name in columns)
    values = ", ".join(["(" + ", ".join("?" for _ in columns) + ")"] * rows)
    tail = " RETURNING *" if returning else ""
    return f"INSERT INTO [{table}] ({names}) VALUES {values}{tail}"  # noqa: S608 - names are ours


def insert(db: Database, table: str, row: dict[str, Any]) -> None:
    """INSERT one encoded row. sqlite-utils' `insert` first asks SQLite about the table, several
    queries per row, which the intake of a burst of webhooks pays on every publication."""
    db.execute(_insert_sql(table, tuple(row)), list(row.values()))


# Rows per multi-row INSERT: SQLite allows 32,766 parameters in one statement, PostgreSQL 65,535.
_MAX_PARAMETERS = 30_000


def _chunks(rows: Sequence[dict[str, Any]], table: str) -> list[tuple[tuple[str, ...], Sequence[dict[str, Any]]]]:
    if not rows:
        return []
    columns = tuple(rows[0])
    if any(tuple(row) != columns for row in rows):
        raise ValueError(f"rows for {table} name different columns")
    per = max(1, _MAX_PARAMETERS // len(columns))
    return [(columns, rows[at : at + per]) for at in range(0, len(rows), per)]


def insert_rows(db: Database, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT encoded rows that name the same columns, in one statement (or a few, for many rows)."""
    for columns, chunk in _chunks(rows, table):
        db.execute(_insert_sql(table, columns, len(chunk)), [value for row in chunk for value in row.values()])


def insert_rows_returning(db: Database, table: str, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """INSERT encoded rows naming the same columns and read them back whole (the columns' defaults
    too), in one statement; in no promised order."""
    stored: list[dict[str, Any]] = []
    for columns, chunk in _chunks(rows, table):
        sql = _insert_sql(table, columns, len(chunk), returning=True)
        params = [value for row in chunk for value in row.values()]
        if dialect(db) == "postgresql":
            stored += list(db.query(sql, params))
            continue
        cursor = db.conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        stored += [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return stored


def insert_returning(db: Database, table: str, row: dict[str, Any]) -> dict[str, Any]:
    """INSERT one encoded row and read it back whole (the columns' defaults too) in one statement."""
    stored = one(db, _insert_sql(table, tuple(row), returning=True), list(row.values()))
    assert stored is not None
    return stored


def json_text(value: Any) -> str | None:
    """A JSON column's stored text: None and text as they are (already encoded), anything else as JSON."""
    return value if value is None or isinstance(value, str) else _to_json(value)


def event_row(publication_id: str | None, event: NewEvent, now: datetime) -> dict[str, Any]:
    """An event's encoded row for the events table (what `encode` gives, column by column: every
    intake makes one, and `encode`'s test of each value's type was most of its cost)."""
    return {
        "publication_id": publication_id,
        "at": to_db_time(now),
        "actor": event.actor,
        "kind": event.kind,
        "message": event.message,
        "data": json_text(event.data),
        "announce": event.announce,
    }


def insert_event(db: Database, publication_id: str | None, event: NewEvent, now: datetime) -> None:
    insert(db, "events", event_row(publication_id, event, now))


def update_row(
    db: Database,
    table: str,
    key: str,
    key_value: Any,
    fields: dict[str, Any],
    where: str = "",
    where_params: Sequence[Any] = (),
) -> int:
    bump = [name for name, value in fields.items() if value is DIRTY]
    encoded = encode({name: value for name, value in fields.items() if value is not DIRTY})
    assignments = [f"[{name}] = ?" for name in encoded] + [f"[{name}] = [{name}] + 1" for name in bump]
    sql = f"UPDATE [{table}] SET {', '.join(assignments)} WHERE [{key}] = ? {where}"  # noqa: S608 - names are ours
    return db.execute(sql, [*encoded.values(), key_value, *where_params]).rowcount


def get_publication(db: Database, publication_id: str) -> Publication | None:
    row = one(db, "select * from publications where id = ?", [publication_id])
    return Publication.from_row(row) if row else None


def delivery_row(
    delivery: tuple[str, str],
    now: datetime,
    publication_id: str | None = None,
    told: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A webhook delivery's row: its id, and what its sender was told (`response`: the publication's
    id and state), so that a repeated delivery is told the same. How it is told (the HTTP status) is
    the web layer's: `status` is left empty (rows from before hold the status they were answered with)."""
    return {
        "source": delivery[0],
        "delivery_id": delivery[1],
        "received_at": to_db_time(now),
        "publication_id": publication_id,
        "response": _to_json(told or {}),
    }


def record_delivery(
    db: Database,
    delivery: tuple[str, str],
    now: datetime,
    publication_id: str | None = None,
    told: dict[str, Any] | None = None,
) -> None:
    """Remember a webhook delivery id (see `delivery_row`)."""
    insert(db, "deliveries", delivery_row(delivery, now, publication_id, told))
