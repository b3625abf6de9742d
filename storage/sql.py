"""SQL helpers and the small value types shared by the repositories."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from storage.records import Action, Publication, to_db_time

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
    status: str = "requested"  # or "held": waits for an approver (bot/engine/guard.py)


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


def encode(fields: dict[str, Any]) -> dict[str, Any]:
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


def one(db: Database, sql: str, params: Sequence[Any]) -> dict[str, Any] | None:
    rows = list(db.query(sql, params))
    return rows[0] if rows else None


def insert_event(db: Database, publication_id: str | None, event: NewEvent, now: datetime) -> None:
    db.table("events").insert(
        encode(
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


def record_delivery(
    db: Database,
    delivery: tuple[str, str],
    now: datetime,
    publication_id: str | None,
    status: int,
    body: dict[str, Any],
) -> None:
    db.table("deliveries").insert(
        {
            "source": delivery[0],
            "delivery_id": delivery[1],
            "received_at": to_db_time(now),
            "publication_id": publication_id,
            "status": status,
            "response": json.dumps(body, sort_keys=True),
        }
    )
