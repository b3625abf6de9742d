"""A burst of intakes stored as one batch leaves the rows and gives the answers that storing them one
by one would: repeated delivery ids and builds, also within the batch, find the first publication.
The group commit runs a batchable transaction's waiting calls as one batch, and one bad intake in a
batch fails alone."""

from __future__ import annotations

import asyncio
import random
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from storage.database import Store
from storage.intakes import STORE_INTAKE, NewPublication, store_intake, store_intakes
from storage.repository import NewAction, NewEvent
from storage.sql import Intake, get_publication

T0 = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
TABLES = ("publications", "actions", "events", "deliveries")


def item(n: int, build: str, delivery: str | None, *, app: str = "com.example.app", steps: int = 2) -> NewPublication:
    actions = [NewAction("submit_to_testflight", "webhook"), NewAction("beta_groups", "webhook", {"groups": ["QA"]})]
    return NewPublication(
        {
            "id": f"pub-{n:04d}",
            "app_bundle_id": app,
            "platform": "IOS",
            "version": "1.0",
            "build_number": build,
            "state": "waiting_for_build",
            "channel": "C1",
            "options": {"submit_to_testflight": True},
        },
        actions[:steps],
        ("ci", delivery) if delivery is not None else None,
        T0 + timedelta(seconds=n),
        NewEvent("created", actor="webhook", message=f"intake {n}", data={"n": n}, announce="thread"),
    )


def burst(seed: int, size: int = 60) -> list[NewPublication]:
    """Intakes as CI sends them in a burst: retries (same delivery), other runs of the same build
    (a new delivery id), no delivery id, a delivery id reused for another build, other apps."""
    rng = random.Random(seed)
    out: list[NewPublication] = []
    for n in range(size):
        build = str(rng.randint(1, size // 3))
        roll = rng.random()
        if roll < 0.2 and out:
            earlier = rng.choice(out)
            delivery = earlier.delivery[1] if earlier.delivery else None  # a retry, maybe for another build
        elif roll < 0.3:
            delivery = None
        else:
            delivery = f"d{rng.randint(1, size)}"
        app = rng.choice(["com.example.app", "com.example.other"])
        out.append(item(n, build, delivery, app=app, steps=rng.randint(0, 2)))
    return out


async def opened(path: Path) -> Store:
    store = Store(str(path))
    await store.open()
    return store


async def contents(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    def read(db: Any) -> dict[str, list[tuple[Any, ...]]]:
        return {t: db.conn.execute(f"select * from {t} order by rowid").fetchall() for t in TABLES}  # noqa: S608

    return await store.call(read)


def answers(results: list[Intake]) -> list[tuple[str, bool, str]]:
    return [(r.publication_id, r.created, r.state) for r in results]


@pytest.mark.parametrize("seed", range(12))
async def test_a_batch_stores_what_one_by_one_would(tmp_path: Path, seed: int) -> None:
    items = burst(seed)
    one_by_one, batched = await opened(tmp_path / "a.db"), await opened(tmp_path / "b.db")
    # Some of the builds and delivery ids are in the database already, from an earlier burst.
    earlier = [item(900 + n, str(n), f"d{n}") for n in range(1, 8)]
    for store in (one_by_one, batched):
        for old in earlier:
            await store.call(store_intake, old)
    alone = [await one_by_one.call(store_intake, i) for i in items]

    def in_one_transaction(db: Any) -> list[Intake]:
        db.execute("BEGIN IMMEDIATE")
        found = store_intakes(db, items)
        db.conn.commit()
        return found

    together = await batched.call(in_one_transaction)
    assert answers(together) == answers(alone)
    assert [r.publication for r in together] == [r.publication for r in alone]
    assert await contents(batched) == await contents(one_by_one)
    # A new publication's answer is built from the row written, not read back: it is what is stored.
    for r in together:
        assert r.publication == await batched.call(get_publication, r.publication_id)
    assert sum(r.created for r in together) < len(items)  # the burst did repeat itself
    await one_by_one.close()
    await batched.close()


async def waiting_behind_a_busy_store(store: Store, items: list[NewPublication]) -> list[Any]:
    """Ask for every intake while the owner thread is busy, so that they all wait for one group."""
    gate = threading.Event()
    busy = asyncio.ensure_future(store.call(lambda db: gate.wait(10)))
    calls = [asyncio.ensure_future(store.call_grouped(STORE_INTAKE, i)) for i in items]
    await asyncio.sleep(0.05)
    gate.set()
    await busy
    return await asyncio.gather(*calls, return_exceptions=True)


async def test_waiting_intakes_are_inserted_with_one_statement_per_table(tmp_path: Path) -> None:
    store = await opened(tmp_path / "g.db")
    statements: list[str] = []
    await store.call(lambda db: db.conn.set_trace_callback(statements.append))
    results = await waiting_behind_a_busy_store(store, [item(n, str(n), f"d{n}") for n in range(40)])
    await store.call(lambda db: db.conn.set_trace_callback(None))
    assert [r.created for r in results] == [True] * 40
    inserts = [s.split("(")[0].strip() for s in statements if s.upper().startswith("INSERT")]
    assert sorted(inserts) == sorted(f"INSERT INTO [{t}]" for t in TABLES), inserts
    assert sum(s.upper().startswith("COMMIT") for s in statements) == 1
    # What is stored already (delivery ids and builds) is looked up in one query.
    assert len([s for s in statements if s.upper().startswith("SELECT")]) == 1, statements
    # The batch is the whole transaction: no savepoint of its own (each statement costs a GIL round trip).
    assert not [s for s in statements if s.upper().startswith(("SAVEPOINT", "RELEASE"))], statements
    assert [len(rows) for rows in (await contents(store)).values()] == [40, 80, 40, 40]
    await store.close()


async def test_one_bad_intake_fails_alone_and_the_rest_of_its_batch_is_stored(tmp_path: Path) -> None:
    store = await opened(tmp_path / "g.db")
    items = [item(n, str(n), f"d{n}") for n in range(10)]
    bad = items[4]
    items[4] = NewPublication({**bad.fields, "no_such_column": 1}, bad.actions, bad.delivery, bad.now, bad.event)
    results = await waiting_behind_a_busy_store(store, items)
    assert [type(r).__name__ for r in results] == ["Intake"] * 4 + ["OperationalError"] + ["Intake"] * 5
    stored = await contents(store)
    assert [row[0] for row in stored["publications"]] == [f"pub-{n:04d}" for n in range(10) if n != 4]
    assert len(stored["actions"]) == 18 and len(stored["deliveries"]) == 9
    await store.close()


async def test_a_failing_batch_next_to_other_writes_undoes_only_its_bad_intake(tmp_path: Path) -> None:
    store = await opened(tmp_path / "g.db")
    items = [item(n, str(n), f"d{n}") for n in range(6)]
    bad = items[2]
    items[2] = NewPublication({**bad.fields, "no_such_column": 1}, bad.actions, bad.delivery, bad.now, bad.event)
    await store.call(lambda db: db.execute("create table notes (text text)"))

    def note(db: Any, text: str) -> str:
        db.execute("insert into notes values (?)", [text])
        return text

    gate = threading.Event()
    busy = asyncio.ensure_future(store.call(lambda db: gate.wait(10)))
    first = asyncio.ensure_future(store.call_grouped(note, "before"))
    calls = [asyncio.ensure_future(store.call_grouped(STORE_INTAKE, i)) for i in items]
    await asyncio.sleep(0.05)
    gate.set()
    await busy
    assert await first == "before"
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert [type(r).__name__ for r in results] == ["Intake"] * 2 + ["OperationalError"] + ["Intake"] * 3
    stored = await contents(store)
    assert [row[0] for row in stored["publications"]] == [f"pub-{n:04d}" for n in range(6) if n != 2]
    assert await store.call(lambda db: db.execute("select text from notes").fetchall()) == [("before",)]
    await store.close()
