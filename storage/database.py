"""The SQLite database: one owner thread for the connection, WAL mode, migrations at open.

Writes that may come in bursts (webhook intake) go through `call_grouped`: the transactions waiting
when the owner thread gets to them commit together, one fsync for the group, each answered after
the group's commit (storage/group_commit.py).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from sqlite_utils import Database

from storage.group_commit import GROUP_SAVEPOINT, GroupCommitter, fresh_group
from storage.migrations import MIGRATIONS

log = logging.getLogger(__name__)
T = TypeVar("T")


class StorageEngine(Protocol):
    """What the repositories need of a database: SQLite's `Store` or PostgreSQL's `PgStore`.

    `call(fn, *args)` runs `fn(db, *args)` on a handle that speaks the sqlite-utils subset the
    repositories use (`query`, `execute`, `db[table].insert`, `immediate(db)`).
    """

    path: str

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def call(self, fn: Callable[..., T], *args: Any) -> T: ...

    async def call_grouped(self, fn: Callable[..., T], *args: Any) -> T:
        """Like `call`, for one transaction (`fn` writes inside `immediate(db)`) that may commit
        together with others waiting at the same time; it returns once its own commit is durable."""
        ...


class Store:
    """Owns the sqlite-utils `Database`; every call runs on the store's single thread.

    A SQLite connection belongs to the thread that made it, and one writer thread also
    serialises every read-then-write in this process, so concurrent requests cannot race.
    """

    def __init__(self, path: str, *, exclusive: bool = False) -> None:
        self.path = path
        self.exclusive = exclusive  # the bot itself: one process per file (see `hold_lock`)
        self._executor: ThreadPoolExecutor | None = None
        self._db: Database | None = None
        self._thread_id: int | None = None
        self._lock: int | None = None
        self._groups: GroupCommitter | None = None

    async def open(self) -> None:
        """Connect in the owner thread, switch to WAL and apply pending migrations."""
        if self._executor is not None:
            return
        if self.exclusive and self.path != ":memory:" and not self.path.startswith("file:"):
            self._lock = hold_lock(self.path)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asc-bot-db")
        self._groups = GroupCommitter(self._executor, self._database)
        await self.call(lambda db: None)

    async def close(self) -> None:
        if self._executor is None:
            return
        if self._groups is not None:
            await asyncio.shield(self._groups.close())  # the groups already asked for commit first

        def _close(db: Database) -> None:
            db.conn.close()
            self._db = None

        await self.call(_close)
        self._executor.shutdown(wait=True)
        self._executor = self._groups = None
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor releases the lock
            self._lock = None

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(db, *args)` on the owner thread and return its result."""
        if self._executor is None:
            raise RuntimeError("Store.open() has not been called")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._run, fn, args)

    def _run(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        return fn(self._database(), *args)

    def _database(self) -> Database:
        if self._db is None:
            self._db = _connect(self.path)
            self._thread_id = threading.get_ident()
        return self._db

    async def call_grouped(self, fn: Callable[..., T], *args: Any) -> T:
        """Run the transaction `fn(db, *args)` in the next group commit; its result once committed.

        While the owner thread commits one group, the transactions asked for meanwhile wait and
        then commit together as the next: no timer, a lone transaction commits at once.
        """
        if self._groups is None:
            raise RuntimeError("Store.open() has not been called")
        return await self._groups.call(fn, args)


class DatabaseInUse(RuntimeError):
    """Another bot process already runs on this SQLite file."""


def hold_lock(path: str) -> int:
    """Lock `<path>.lock` for as long as the returned descriptor stays open (the process's life).

    SQLite lets two processes share a file, but two bots on one database would both poll, claim and
    post: the scheduler, the outbox and the step runner assume they are alone. The kernel drops an
    flock when its holder dies, even by SIGKILL, so a crash never leaves a stale lock behind.
    """
    lock_path = f"{path}.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise DatabaseInUse(
            f"another asc-bot (pid {holder}) is already running on the SQLite database {path}: "
            "SQLite takes one bot process per database file. Stop the other one first, or run "
            "several replicas on PostgreSQL (ASC_BOT_DB=postgresql://...)."
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd


def make_store(db: str, *, exclusive: bool = False) -> StorageEngine:
    """The store `ASC_BOT_DB` names: `postgresql://…` is PostgreSQL; a path or `sqlite:///path` is SQLite."""
    from storage.pg import PgStore, is_postgres_url

    if is_postgres_url(db):
        return PgStore(db)
    return Store(sqlite_path(db), exclusive=exclusive)


def sqlite_path(db: str) -> str:
    """`sqlite:///relative.db` and `sqlite:////absolute.db` (SQLAlchemy's form) name a file path."""
    return db[len("sqlite:///") :] if db.startswith("sqlite:///") else db


def _connect(path: str) -> Database:
    # A batch's statements differ by their row count (storage/intakes.py): five shapes times every
    # group size up to GROUP_MAX would overflow the default cache of 128 and prepare them anew.
    conn = sqlite3.connect(path, timeout=10.0, cached_statements=1024)
    db = Database(conn)
    if path != ":memory:":
        db.enable_wal()
    # FULL (the default) rather than NORMAL: a committed publication must survive a power cut.
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    MIGRATIONS.apply(db)
    log.info("database ready at %s (schema %s)", path, applied_migrations(db)[-1:])
    return db


def backup(source: str, target: str) -> int:
    """Copy `source` to `target` with SQLite's online backup API; returns the pages copied."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
        return int(dst.execute("pragma page_count").fetchone()[0])
    finally:
        dst.close()
        src.close()


def dialect(db: Any) -> str:
    """"sqlite" or "postgresql": the engine behind a handle passed to a repository's function."""
    return getattr(db, "dialect", "sqlite")


def json_text(db: Any, column: str, key: str) -> str:
    """SQL for the text of `key` in a JSON-text column, in the handle's dialect."""
    if dialect(db) == "postgresql":
        return f"(({column})::jsonb ->> '{key}')"
    return f"json_extract({column}, '$.{key}')"


def applied_migrations(db: Database) -> list[str]:
    if dialect(db) == "postgresql":
        from storage.pg_schema import applied_names

        return applied_names(db.conn)  # type: ignore[arg-type]
    if "_sqlite_migrations" not in db.table_names():
        return []
    return [row["name"] for row in db.query("select name from _sqlite_migrations order by id")]


@contextmanager
def immediate(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock up front (BEGIN IMMEDIATE).

    In WAL mode a deferred transaction that reads and then writes fails at once with
    SQLITE_BUSY_SNAPSHOT if another connection committed in between; IMMEDIATE waits instead.
    Inside a transaction already (a group commit, `Store.call_grouped`) it is a savepoint: its
    failure undoes its own writes only, and the group commits the rest. A grouped function's first
    one is the savepoint the group opened for that function (two statements fewer per intake): its
    failure rolls back to it, which undoes the same writes.
    On PostgreSQL: a REPEATABLE READ transaction (storage/pg.py runs it again when it is aborted).
    """
    if dialect(db) == "postgresql":
        with db.transaction():  # type: ignore[attr-defined]
            yield db
        return
    if fresh_group.get() is db:
        fresh_group.set(None)  # a nested or second immediate() opens its own
        try:
            yield db
        except BaseException:
            if db.conn.in_transaction:
                db.execute(f"ROLLBACK TO {GROUP_SAVEPOINT}")
            raise
        return
    if db.conn.in_transaction:
        db.execute("SAVEPOINT immediate")
        try:
            yield db
        except BaseException:
            if db.conn.in_transaction:
                db.execute("ROLLBACK TO immediate")
                db.execute("RELEASE immediate")
            raise
        else:
            db.execute("RELEASE immediate")
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    else:
        db.conn.commit()
