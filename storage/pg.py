"""The PostgreSQL database: a psycopg 3 connection pool behind the same `call(fn)` as the SQLite store.

The repositories write their transactions once, as functions of a database handle: `query`,
`execute`, `db.table(name).insert` and `immediate(db)`, the part of sqlite-utils they use. `PgDatabase`
answers the same calls on a pooled connection, translating the SQL's `?` placeholders and `[name]`
quotes. A transaction runs REPEATABLE READ (a snapshot): every rule the repositories keep is held
by a unique key (one publication per build, one step per kind, one delivery id, one lease per name)
or by a compare-and-set on the one row it guards, and under a snapshot a concurrent write to that
row, or a racing insert of that key, aborts one of the two. The aborted function then runs again
from the start on fresh data, as it would have run after the other on SQLite. (SERIALIZABLE held
the same rules at a quarter of the intake rate: its predicate locks on shared index pages made
concurrent intakes of different builds abort each other; bench/storage_engines.py measured it.)
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import re
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any, TypeVar

import psycopg
from psycopg import IsolationLevel, errors
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from storage.pg_schema import apply_migrations

log = logging.getLogger(__name__)
T = TypeVar("T")

# Aborted by a concurrent transaction (or a racing insert of the same key): run the function again.
RETRYABLE = (errors.SerializationFailure, errors.DeadlockDetected, errors.UniqueViolation)
ATTEMPTS = 30


def is_postgres_url(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


@functools.lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """SQLite's dialect as the repositories write it -> psycopg's: `?` -> `%s`, `[name]` -> `"name"`."""
    sql = sql.replace("%", "%%").replace("?", "%s")
    return re.sub(r"\[(\w+)\]", r'"\1"', sql)


class PgTable:
    def __init__(self, db: PgDatabase, name: str) -> None:
        self.db, self.name = db, name

    def insert(self, row: dict[str, Any]) -> None:
        columns = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("%s" for _ in row)
        self.db.conn.execute(f'INSERT INTO "{self.name}" ({columns}) VALUES ({marks})', list(row.values()))  # noqa: S608

    @property
    def count(self) -> int:
        row = self.db.conn.execute(f'SELECT count(*) AS n FROM "{self.name}"').fetchone()  # noqa: S608
        return int(row["n"]) if row else 0


class PgDatabase:
    """The subset of sqlite-utils' `Database` the repositories use, on one pooled connection."""

    dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection[dict[str, Any]]) -> None:
        self.conn = conn

    def query(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        return iter(self.conn.execute(translate(sql), list(params)).fetchall())

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[dict[str, Any]]:
        return self.conn.execute(translate(sql), list(params))

    def table(self, name: str) -> PgTable:
        return PgTable(self, name)

    def __getitem__(self, table: str) -> PgTable:
        return PgTable(self, table)

    def table_names(self) -> list[str]:
        rows = self.conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        return [r["tablename"] for r in rows.fetchall()]

    def transaction(self) -> AbstractContextManager[Any]:
        return self.conn.transaction()


class PgStore:
    """A pool of connections to one PostgreSQL database; calls run on a few worker threads."""

    def __init__(self, url: str, *, workers: int = 4) -> None:
        self.path = url
        self.workers = workers
        self._executor: ThreadPoolExecutor | None = None
        self._pool: ConnectionPool[psycopg.Connection[dict[str, Any]]] | None = None

    async def open(self) -> None:
        """Connect the pool and apply pending migrations (one replica at a time)."""
        if self._executor is not None:
            return
        self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="asc-bot-pg")

        def _open() -> None:
            pool: ConnectionPool[psycopg.Connection[dict[str, Any]]] = ConnectionPool(
                self.path,
                min_size=1,
                max_size=self.workers,
                kwargs={"autocommit": True, "row_factory": dict_row},
                configure=_configure,
                open=False,
                name="asc-bot",
            )
            pool.open(wait=True, timeout=30)
            self._pool = pool
            with pool.connection() as conn:
                applied = apply_migrations(conn)
            log.info("database ready at %s (schema %s)", _masked(self.path), applied[-1:])

        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, _open)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self._executor is None:
            return
        executor, self._executor = self._executor, None
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.get_running_loop().run_in_executor(executor, pool.close)
        executor.shutdown(wait=True)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(db, *args)` on a pooled connection (again, if a concurrent writer aborted it)."""
        if self._executor is None:
            raise RuntimeError("Store.open() has not been called")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._run, fn, args)

    async def call_grouped(self, fn: Callable[..., T], *args: Any) -> T:
        """The transaction `fn(db, *args)` on its own pooled connection, committed on its own.

        PostgreSQL groups concurrent commits already: a backend flushing the WAL for its commit
        flushes every commit record written before it, so the transactions in flight on the
        pool's connections share an fsync. Batching them into one transaction here as SQLite's
        store does would also make one serialization failure run the whole batch again.
        """
        return await self.call(fn, *args)

    def _run(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        pool = self._pool
        if pool is None:
            raise RuntimeError("the PostgreSQL store is closed")
        for attempt in range(ATTEMPTS):
            with pool.connection() as conn:
                try:
                    return fn(PgDatabase(conn), *args)
                except RETRYABLE as exc:
                    if attempt == ATTEMPTS - 1:
                        raise
                    log.debug("transaction aborted by a concurrent one (%s); again", type(exc).__name__)
            time.sleep(random.uniform(0, 0.002 * (attempt + 1)))  # noqa: S311 - jitter, not secrets
        raise AssertionError("unreachable")


def _configure(conn: psycopg.Connection[Any]) -> None:
    conn.isolation_level = IsolationLevel.REPEATABLE_READ


def _masked(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)
