"""Group commit: intakes waiting at the same time commit in one transaction, each answered after it.

SQLite's store runs them as savepoints of one transaction (one fsync); PostgreSQL's commits each on
its own pooled connection. Either way every caller gets its own result, and one failing undoes only
its own writes.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.sandbox.clock import FakeClock
from storage.database import Store, immediate
from storage.group_commit import Batchable
from storage.repository import NewAction, NewEvent, Storage
from tests.support.publications import fields


async def intake(storage: Storage, clock: FakeClock, build: str, delivery: str) -> Any:
    return await storage.create_publication(
        fields(build_number=build, options={"submit_to_testflight": True}),
        [NewAction("submit_to_testflight", "webhook"), NewAction("beta_groups", "webhook", {"groups": ["QA"]})],
        delivery=("ci", delivery),
        now=clock.now(),
        event=NewEvent("created", message="created", data={"n": build}),
    )


async def test_a_burst_of_intakes_each_gets_its_own_answer(storage: Storage, clock: FakeClock) -> None:
    # 40 builds, each delivered twice at once (CI retrying), and a third delivery id for 10 of them.
    calls = [intake(storage, clock, str(n), f"d{n}") for n in range(40) for _ in range(2)]
    calls += [intake(storage, clock, str(n), f"again{n}") for n in range(10)]
    results = await asyncio.gather(*calls)
    by_build: dict[str, list[Any]] = {}
    for r in results:
        by_build.setdefault(r.publication.build_number, []).append(r)
    assert len(by_build) == 40
    for answers in by_build.values():
        assert [a.created for a in answers].count(True) == 1
        assert len({a.publication_id for a in answers}) == 1
        assert {a.state for a in answers} == {"waiting_for_build"}
    assert await storage.counts() == {"publications": 40, "actions": 80, "events": 40, "deliveries": 50}


async def sqlite_store(tmp_path: Path) -> Store:
    store = Store(str(tmp_path / "g.db"))
    await store.open()
    await store.call(lambda db: db.execute("create table t (k text primary key, v text)"))
    return store


async def test_waiting_transactions_commit_together(tmp_path: Path) -> None:
    store = await sqlite_store(tmp_path)
    statements: list[str] = []
    await store.call(lambda db: db.conn.set_trace_callback(statements.append))
    gate = threading.Event()
    busy = asyncio.ensure_future(store.call(lambda db: gate.wait(10)))  # the owner thread is busy

    def put(db: Database, key: str) -> str:
        with immediate(db):
            db.execute("insert into t values (?, ?)", [key, "v"])
        return key

    writes = [asyncio.ensure_future(store.call_grouped(put, f"k{n}")) for n in range(20)]
    await asyncio.sleep(0.05)
    assert not any(w.done() for w in writes)  # nobody is answered before the commit
    gate.set()
    assert await asyncio.gather(*writes) == [f"k{n}" for n in range(20)]
    await busy
    await store.call(lambda db: db.conn.set_trace_callback(None))
    begins = [s for s in statements if s.upper().startswith("BEGIN")]
    commits = [s for s in statements if s.upper().startswith("COMMIT")]
    assert len(begins) == len(commits) == 1, statements  # 20 transactions, one commit
    assert await store.call(lambda db: db.execute("select count(*) from t").fetchone()[0]) == 20
    await store.close()


async def test_one_failing_transaction_undoes_only_its_own_writes(tmp_path: Path) -> None:
    store = await sqlite_store(tmp_path)

    def put(db: Database, key: str) -> str:
        with immediate(db):
            db.execute("insert into t values (?, ?)", [key, "v"])
            if key == "k3":
                raise ValueError("k3 is refused after its insert")
            db.execute("update t set v = 'done' where k = ?", [key])
        return key

    def duplicate(db: Database) -> None:  # a constraint violation inside the group
        with immediate(db):
            db.execute("insert into t values ('k1', 'again')")

    gate = threading.Event()
    busy = asyncio.ensure_future(store.call(lambda db: gate.wait(10)))
    writes = [asyncio.ensure_future(store.call_grouped(put, f"k{n}")) for n in range(6)]
    clash = asyncio.ensure_future(store.call_grouped(duplicate))
    await asyncio.sleep(0.05)
    gate.set()
    await busy
    outcomes = await asyncio.gather(*writes, clash, return_exceptions=True)
    assert [type(o).__name__ for o in outcomes] == ["str"] * 3 + ["ValueError"] + ["str"] * 2 + ["IntegrityError"]
    rows = await store.call(lambda db: db.execute("select k, v from t order by k").fetchall())
    assert rows == [("k0", "done"), ("k1", "done"), ("k2", "done"), ("k4", "done"), ("k5", "done")]
    await store.close()


async def test_a_group_whose_commit_fails_runs_each_alone(tmp_path: Path) -> None:
    store = await sqlite_store(tmp_path)
    await store.call(
        lambda db: db.execute(
            "create trigger no_k2 before insert on t when new.k = 'k2' begin select raise(rollback, 'no k2'); end"
        )
    )

    def put(db: Database, key: str) -> str:
        with immediate(db):
            db.execute("insert into t values (?, ?)", [key, "v"])
        return key

    gate = threading.Event()
    busy = asyncio.ensure_future(store.call(lambda db: gate.wait(10)))
    writes = [asyncio.ensure_future(store.call_grouped(put, f"k{n}")) for n in range(5)]
    await asyncio.sleep(0.05)
    gate.set()
    await busy
    # RAISE(ROLLBACK) ends the whole group's transaction: the others are committed one by one.
    outcomes = await asyncio.gather(*writes, return_exceptions=True)
    assert [o if isinstance(o, str) else "failed" for o in outcomes] == ["k0", "k1", "failed", "k3", "k4"]
    rows = await store.call(lambda db: db.execute("select k from t order by k").fetchall())
    assert rows == [("k0",), ("k1",), ("k3",), ("k4",)]
    await store.close()


async def test_close_waits_for_the_groups_asked_for(tmp_path: Path) -> None:
    store = await sqlite_store(tmp_path)

    def put(db: Database, key: str) -> str:
        with immediate(db):
            db.execute("insert into t values (?, ?)", [key, "v"])
        return key

    writes = [asyncio.ensure_future(store.call_grouped(put, f"k{n}")) for n in range(300)]
    await asyncio.sleep(0)
    await store.close()
    assert len(await asyncio.gather(*writes)) == 300
    check = Database(str(tmp_path / "g.db"))
    assert check.execute("select count(*) from t").fetchone()[0] == 300


async def test_a_grouped_function_that_survives_its_failed_block_keeps_only_what_came_after(
    tmp_path: Path,
) -> None:
    # A grouped function's first immediate() is the group's own savepoint (no second one nested):
    # its failure must still undo exactly its block, and nested immediate() blocks keep their own.
    store = await sqlite_store(tmp_path)

    def survivor(db: Database, key: str) -> str:
        try:
            with immediate(db):
                db.execute("insert into t values (?, 'first')", [f"{key}-first"])
                raise ValueError("refused after its insert")
        except ValueError:
            pass
        with immediate(db):
            db.execute("insert into t values (?, 'second')", [f"{key}-second"])
            try:
                with immediate(db):
                    db.execute("insert into t values (?, 'nested')", [f"{key}-nested"])
                    raise ValueError("the nested block alone is undone")
            except ValueError:
                pass
        return key

    def put(db: Database, key: str) -> str:
        with immediate(db):
            db.execute("insert into t values (?, 'v')", [key])
        return key

    gate = threading.Event()
    busy = asyncio.ensure_future(store.call(lambda db: gate.wait(10)))
    writes = [
        asyncio.ensure_future(store.call_grouped(fn, key))
        for fn, key in ((put, "a"), (survivor, "s"), (put, "b"))
    ]
    await asyncio.sleep(0.05)
    gate.set()
    await busy
    assert await asyncio.gather(*writes) == ["a", "s", "b"]
    rows = await store.call(lambda db: db.execute("select k, v from t order by k").fetchall())
    assert rows == [("a", "v"), ("b", "v"), ("s-second", "second")]
    await store.close()


async def test_transactions_asked_for_in_one_turn_of_an_idle_store_commit_as_one_group(tmp_path: Path) -> None:
    # Nothing holds the owner thread: the first transaction does not leave alone, the ones its
    # event-loop turn reads (a burst of requests arriving together) join its group.
    store = await sqlite_store(tmp_path)
    statements: list[str] = []
    await store.call(lambda db: db.conn.set_trace_callback(statements.append))

    def put(db: Database, key: str) -> str:
        with immediate(db):
            db.execute("insert into t values (?, ?)", [key, "v"])
        return key

    async def request(key: str) -> str:
        time.sleep(0.002)  # noqa: ASYNC251 - a request's blocking work lets the owner thread run (syscalls)
        return await store.call_grouped(put, key)

    writes = [asyncio.ensure_future(request(f"k{n}")) for n in range(10)]
    assert await asyncio.gather(*writes) == [f"k{n}" for n in range(10)]
    await store.call(lambda db: db.conn.set_trace_callback(None))
    assert sum(s.upper().startswith("COMMIT") for s in statements) == 1, statements
    await store.close()


async def test_a_stream_of_groups_does_not_starve_the_stores_other_calls(tmp_path: Path) -> None:
    # The owner thread takes the next group itself, but queued behind the calls asked for meanwhile:
    # a read asked for during a burst waits for one group, not for the burst to end.
    store = await sqlite_store(tmp_path)
    committed: list[str] = []

    def slow_put(db: Database, key: str) -> str:
        with immediate(db):
            db.execute("insert into t values (?, ?)", [key, "v"])
            threading.Event().wait(0.002)
        committed.append(key)
        return key

    read = None
    writes = []
    for n in range(1000):  # a group is always waiting while another commits
        writes.append(asyncio.ensure_future(store.call_grouped(slow_put, f"k{n}")))
        if n == 20:
            read = asyncio.ensure_future(store.call(lambda db: db.execute("select count(*) from t").fetchone()[0]))
        await asyncio.sleep(0.001)
        if read is not None and read.done():
            break
    assert read is not None and read.done(), "the read waited for the whole burst"
    assert await read < len(writes)
    await asyncio.gather(*writes)
    assert len(committed) == len(writes)
    await store.close()


async def test_a_lone_batchable_call_that_is_the_whole_group_runs_as_a_batch(tmp_path: Path) -> None:
    # A group of one intake (on disk, often a burst's first) takes the batch's path: no savepoint
    # around it, and the batch's statements; its answer is the one `one` would give.
    store = await sqlite_store(tmp_path)
    statements: list[str] = []
    ran: list[str] = []

    def one(db: Database, key: str) -> str:
        ran.append("one")
        db.execute("insert into t values (?, 'v')", [key])
        return key

    def many(db: Database, keys: list[str]) -> list[str]:
        ran.append("many")
        db.conn.executemany("insert into t values (?, 'v')", [(key,) for key in keys])
        return keys

    put = Batchable(one, many)
    await store.call(lambda db: db.conn.set_trace_callback(statements.append))
    assert await store.call_grouped(put, "alone") == "alone"
    await store.call(lambda db: db.conn.set_trace_callback(None))
    assert ran == ["many"]
    assert not any(s.upper().startswith("SAVEPOINT") for s in statements), statements
    assert await store.call(lambda db: db.execute("select k from t").fetchall()) == [("alone",)]
    await store.close()
