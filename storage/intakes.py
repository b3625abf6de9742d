"""Storing a new publication from an upload, once: alone, or a burst of them as one batch.

`STORE_INTAKE` is a `Batchable`: on SQLite the intakes waiting for the same group commit are stored
by `store_intakes` with one multi-row INSERT per table (a publication's row, its steps, its first
event, the delivery id) instead of four statements and two savepoints per intake; that is most of
what the owner thread did per webhook in a burst. Each intake's answer is what `store_intake`, run
for each in turn, would have given: a repeated delivery id or build, also within the batch, finds
the publication the first one made.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from storage.database import immediate
from storage.group_commit import Batchable
from storage.records import Publication, to_db_time
from storage.sql import (
    Intake,
    NewAction,
    NewEvent,
    delivery_row,
    encode,
    event_row,
    get_publication,
    insert_rows,
    insert_rows_returning,
    json_text,
    one,
    record_delivery,
)


@dataclass(frozen=True)
class NewPublication:
    """What an intake asks to store: the publication's columns, its first steps, the webhook's
    delivery (source, id) if any, and its `created` event.

    Its rows are encoded when it is made: on the caller's thread (the event loop's), not the owner
    thread's. In a burst the two take turns with the GIL, and every stretch of Python the owner
    thread runs between two statements is one the event loop waits for (benchmark 5). The
    publication its row makes is read back only when someone asks (`publication`)."""

    fields: dict[str, Any]
    actions: Sequence[NewAction]
    delivery: tuple[str, str] | None
    now: datetime
    event: NewEvent
    publication_row: dict[str, Any] = field(init=False, repr=False, compare=False)
    action_rows: list[dict[str, Any]] = field(init=False, repr=False, compare=False)
    event_row: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        row = _publication_row(self)
        object.__setattr__(self, "publication_row", row)
        object.__setattr__(self, "action_rows", _action_rows(self))
        object.__setattr__(self, "event_row", event_row(self.fields["id"], self.event, self.now))

    @functools.cached_property
    def publication(self) -> Publication:
        """What `Publication.from_row` gives for `publication_row`: the publication if it is new."""
        return Publication.from_row(self.publication_row)

    def created(self) -> Intake:
        """The answer when this intake made its publication."""
        return Intake(self.fields["id"], True, self.publication_row["state"], lambda: self.publication)

    @property
    def build_key(self) -> tuple[str, str, str, str]:
        f = self.fields
        return (f["app_bundle_id"], f["platform"], f["version"], f["build_number"])


def told(intake: Intake) -> dict[str, Any]:
    """What a delivery's sender is told about its publication, kept for a repeated delivery."""
    return {"publication_id": intake.publication_id, "state": intake.state}


_BY_DELIVERY = "select * from deliveries where source = ? and delivery_id = ?"
_BY_BUILD = (
    "select * from publications where app_bundle_id = ? and platform = ? and version = ? and build_number = ?"
)


def _repeated_delivery(db: Database, delivery: tuple[str, str]) -> Intake | None:
    """The answer to a delivery id already stored: what its first delivery was told."""
    seen = one(db, _BY_DELIVERY, delivery)
    if seen is None:
        return None
    pub = get_publication(db, seen["publication_id"])
    assert pub is not None
    first = json.loads(seen["response"] or "{}")
    return Intake.of(pub, False, str(first.get("state") or pub.state))


# Terms per lookup query: SQLite parses `a OR b OR …` as a tree at most 1,000 deep.
_TERMS = 200


def _stored(
    db: Database, deliveries: list[tuple[str, str]], keys: list[tuple[str, str, str, str]]
) -> tuple[set[tuple[str, str]], dict[tuple[str, ...], dict[str, Any]]]:
    """Which of these delivery ids and builds are stored already, in one query (an indexed search
    each); the rows of the builds found are read only when there are some (a build sent again)."""
    wanted_deliveries, wanted_builds = sorted(set(deliveries)), sorted(set(keys))
    stored_deliveries: set[tuple[str, str]] = set()
    stored_builds: list[tuple[str, str, str, str]] = []
    build_term = "(app_bundle_id = ? and platform = ? and version = ? and build_number = ?)"
    for at in range(0, max(len(wanted_deliveries), len(wanted_builds)), _TERMS):
        part_d, part_b = wanted_deliveries[at : at + _TERMS], wanted_builds[at : at + _TERMS]
        queries: list[str] = []
        if part_d:
            where = " or ".join(["(source = ? and delivery_id = ?)"] * len(part_d))
            queries.append(f"select 0, source, delivery_id, null, null from deliveries where {where}")  # noqa: S608
        if part_b:
            where = " or ".join([build_term] * len(part_b))
            queries.append(
                f"select 1, app_bundle_id, platform, version, build_number from publications where {where}"  # noqa: S608
            )
        params = [v for d in part_d for v in d] + [v for key in part_b for v in key]
        for kind, a, b, c, d in db.execute(" union all ".join(queries), params).fetchall():
            if kind == 0:
                stored_deliveries.add((a, b))
            else:
                stored_builds.append((a, b, c, d))
    return stored_deliveries, _stored_builds(db, stored_builds) if stored_builds else {}


def _stored_builds(db: Database, keys: list[tuple[str, str, str, str]]) -> dict[tuple[str, ...], dict[str, Any]]:
    """The stored publications of these builds, by build (searched in the natural key's index)."""
    wanted = sorted(set(keys))
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    term = "(app_bundle_id = ? and platform = ? and version = ? and build_number = ?)"
    for at in range(0, len(wanted), _TERMS):
        part = wanted[at : at + _TERMS]
        sql = f"select * from publications where {' or '.join([term] * len(part))}"  # noqa: S608
        cursor = db.execute(sql, [v for key in part for v in key])
        names = [column[0] for column in cursor.description]
        for row in cursor.fetchall():
            record = dict(zip(names, row, strict=True))
            found[(record["app_bundle_id"], record["platform"], record["version"], record["build_number"])] = record
    return found


def _publication_row(item: NewPublication) -> dict[str, Any]:
    return encode({**item.fields, "created_at": item.now, "updated_at": item.now})


def _action_rows(item: NewPublication) -> list[dict[str, Any]]:
    # What `encode` gives for each step's row, column by column (benchmark 5: an intake has three).
    publication_id, at = item.fields["id"], to_db_time(item.now)
    return [
        {
            "publication_id": publication_id,
            "kind": action.kind,
            "params": json_text(action.params),
            "status": action.status,
            "requested_by": action.requested_by,
            "requested_at": at,
        }
        for action in item.actions
    ]


def store_intake(db: Database, item: NewPublication) -> Intake:
    """Store one intake in its own transaction (a savepoint inside a group commit)."""
    with immediate(db):
        if item.delivery is not None and (repeated := _repeated_delivery(db, item.delivery)) is not None:
            return repeated
        existing = one(db, _BY_BUILD, item.build_key)
        if existing is not None:
            pub = Publication.from_row(existing)
            found = Intake.of(pub, False, pub.state)
            if item.delivery is not None:
                record_delivery(db, item.delivery, item.now, pub.id, told(found))
            return found
        rows = insert_rows_returning(db, "publications", [item.publication_row])
        insert_rows(db, "actions", item.action_rows)
        insert_rows(db, "events", [item.event_row])
        pub = Publication.from_row(rows[0])
        made = Intake.of(pub, True, pub.state)
        if item.delivery is not None:
            record_delivery(db, item.delivery, item.now, pub.id, told(made))
        return made


def store_intakes(db: Database, items: list[NewPublication]) -> list[Intake]:
    """Store several intakes inside the caller's transaction, as `store_intake` would one by one."""
    answers: list[Intake | None] = [None] * len(items)
    # Index of the intake whose publication another one gets: (j, record its delivery id?).
    same_as: dict[int, tuple[int, bool]] = {}
    by_delivery: dict[tuple[str, str], int] = {}  # delivery ids this batch records -> that intake
    by_build: dict[tuple[str, str, str, str], int] = {}  # builds this batch found or creates
    found: dict[int, Intake] = {}  # the answer of an intake that found or created a publication
    new: list[int] = []
    # What the database holds already, read in one query (each of the owner thread's statements
    # gives the GIL up and waits to get it back, in a burst as long as a statement takes).
    stored_deliveries, stored_builds = _stored(
        db, [item.delivery for item in items if item.delivery is not None], [item.build_key for item in items]
    )
    for i, item in enumerate(items):
        delivery, key = item.delivery, item.build_key
        if delivery is not None:
            if delivery in by_delivery:  # sent twice in this batch: told what the first was
                same_as[i] = (by_delivery[delivery], False)
                continue
            if delivery in stored_deliveries:
                answers[i] = _repeated_delivery(db, delivery)
                continue
            by_delivery[delivery] = i
        if key in by_build:
            same_as[i] = (by_build[key], True)
            continue
        by_build[key] = i
        existing = stored_builds.get(key)
        if existing is not None:
            pub = Publication.from_row(existing)
            answers[i] = found[i] = Intake.of(pub, False, pub.state)
        else:
            new.append(i)
    insert_rows(db, "publications", [items[i].publication_row for i in new])
    # Read from the rows just written, not back out of SQLite (`RETURNING`): the columns they leave
    # out are NULL or a default `from_row` gives too ('{}', '[]', 0); a test compares the two.
    for i in new:
        answers[i] = found[i] = items[i].created()
    insert_rows(db, "actions", [row for i in new for row in items[i].action_rows])
    insert_rows(db, "events", [items[i].event_row for i in new])
    for i, (j, _) in same_as.items():
        first = answers[j]
        assert first is not None
        answers[i] = found[i] = Intake(first.publication_id, False, first.state, first.read)
    deliveries = [
        delivery_row(item.delivery, item.now, found[i].publication_id, told(found[i]))
        for i, item in enumerate(items)
        if item.delivery is not None and i in found and (i not in same_as or same_as[i][1])
    ]
    insert_rows(db, "deliveries", deliveries)
    assert all(a is not None for a in answers)
    return [a for a in answers if a is not None]


STORE_INTAKE: Batchable[NewPublication, Intake] = Batchable(store_intake, store_intakes)
