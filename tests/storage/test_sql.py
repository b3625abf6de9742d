"""The SQL helpers under every repository: one row by SELECT or RETURNING, rows inserted in one go."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from storage.database import StorageEngine, immediate, make_store
from storage.intakes import NewPublication
from storage.sql import NewAction, NewEvent, _to_json, encode, event_row, insert_returning, insert_rows, one
from tests.support.publications import fields


@pytest.fixture
async def store(tmp_path: Path, db_url: str | None) -> AsyncIterator[StorageEngine]:
    s = make_store(db_url or str(tmp_path / "t.db"))
    await s.open()

    def tables(db: Database) -> None:
        with immediate(db):
            db.execute("create table a (k text primary key, v text not null, n integer default 7)")
            db.execute("create table b (k text primary key, w text)")

    await s.call(tables)
    yield s
    await s.close()


async def test_one_is_the_first_row_or_none(store: StorageEngine) -> None:
    def q(db: Database) -> list[Any]:
        with immediate(db):
            db.execute("insert into a (k, v) values ('x', '1'), ('y', '2')")
        return [
            one(db, "select k, v, n from a order by k", []),
            one(db, "select * from a where k = ?", ["y"]),
            one(db, "select * from a where k = ?", ["nobody"]),
        ]

    assert await store.call(q) == [{"k": "x", "v": "1", "n": 7}, {"k": "y", "v": "2", "n": 7}, None]


async def test_one_names_a_column_given_twice_as_sqlite_utils_does(store: StorageEngine) -> None:
    if store.path.startswith("postgres"):
        pytest.skip("SQLite's fast path only: psycopg's dict rows keep the last of two same-named columns")

    def q(db: Database) -> Any:
        with immediate(db):
            db.execute("insert into a (k, v) values ('x', '1')")
            db.execute("insert into b (k, w) values ('x', 'b')")
        return one(db, "select a.k, b.k, b.w from a join b on a.k = b.k", [])

    assert await store.call(q) == {"k": "x", "k_2": "x", "w": "b"}


async def test_insert_returning_reads_back_the_defaults(store: StorageEngine) -> None:
    def q(db: Database) -> Any:
        with immediate(db):
            return insert_returning(db, "a", {"k": "x", "v": "1"})

    assert await store.call(q) == {"k": "x", "v": "1", "n": 7}


async def test_insert_rows_in_one_statement_and_refuses_rows_that_differ(store: StorageEngine) -> None:
    def q(db: Database) -> Any:
        with immediate(db):
            insert_rows(db, "a", [{"k": "x", "v": "1"}, {"k": "y", "v": "2"}, {"k": "z", "v": "3"}])
            insert_rows(db, "a", [])
        return list(db.query("select k, v from a order by k"))

    assert await store.call(q) == [{"k": "x", "v": "1"}, {"k": "y", "v": "2"}, {"k": "z", "v": "3"}]

    def mixed(db: Database) -> None:
        with immediate(db):
            insert_rows(db, "a", [{"k": "p", "v": "1"}, {"k": "q", "n": 2}])

    with pytest.raises(ValueError, match="different columns"):
        await store.call(mixed)
    assert await store.call(lambda db: one(db, "select count(*) as c from a", [])) == {"c": 3}


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES)
def test_stored_json_is_the_text_json_dumps_gives(value: object) -> None:
    # `_to_json` reuses one C encoder instead of json.dumps building one per call: same text.
    assert _to_json(value) == json.dumps(value, sort_keys=True)


_TEXT = st.none() | st.text(max_size=8)


@settings(max_examples=200, deadline=None)
@given(
    kind=st.text(max_size=8),
    actor=st.text(max_size=8),
    message=_TEXT,
    data=st.dictionaries(st.text(max_size=4), _JSON_VALUES, max_size=3) | st.text(max_size=8) | st.none(),
    announce=_TEXT,
    params=st.dictionaries(st.text(max_size=4), _JSON_VALUES, max_size=3) | st.text(max_size=8),
    when=st.datetimes(timezones=st.just(UTC)),
)
def test_an_intakes_step_and_event_rows_are_what_encode_gives(
    kind: str, actor: str, message: str | None, data: Any, announce: str | None, params: Any, when: datetime
) -> None:
    # Built column by column for speed; the text stored must not differ from `encode`'s.
    event = NewEvent(kind, actor=actor, message=message, data=data, announce=announce)
    assert event_row("p1", event, when) == encode(
        {
            "publication_id": "p1",
            "at": when,
            "actor": actor,
            "kind": kind,
            "message": message,
            "data": data,
            "announce": announce,
        }
    )
    action = NewAction(kind, actor, params)
    item = NewPublication(fields(id="p1"), [action], None, when, event)
    assert item.action_rows == [
        encode(
            {
                "publication_id": "p1",
                "kind": kind,
                "params": params,
                "status": "requested",
                "requested_by": actor,
                "requested_at": when,
            }
        )
    ]
