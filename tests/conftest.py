"""Shared fixtures: a fake clock, a storage engine, and a whole offline world (simulators + real bot).

`db_url` is a fresh database of the test's `engine`: a SQLite file, or a new database on a throwaway
PostgreSQL server (bot/sandbox/postgres.py; `ASC_BOT_TEST_PG` names an existing one). The storage
and engine tests run on both engines (their conftest.py); every other test runs on the engines
listed in `ASC_BOT_TEST_ENGINES` (default `sqlite`; `sqlite,postgresql` runs the whole suite on both).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.sandbox.clock import FakeClock

if TYPE_CHECKING:
    from bot.sandbox.postgres import PostgresServer
    from bot.sandbox.world import World
    from storage.repository import Storage

ENGINES = tuple(e.strip() for e in os.environ.get("ASC_BOT_TEST_ENGINES", "sqlite").split(",") if e.strip())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session; the tests that need it skip (saying why) when none starts."""
    from bot.sandbox.postgres import ENV, NoPostgres, PostgresServer

    server = PostgresServer(os.environ.get(ENV))
    try:
        server.start()
    except NoPostgres as exc:
        pytest.skip(f"PostgreSQL tests skipped: no server could be started ({exc})")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """A fresh database for the test: None lets a World make its own SQLite file."""
    if engine == "sqlite":
        yield None
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    url = server.new_database()
    try:
        yield url
    finally:
        server.drop_database(url)


@pytest.fixture
async def world(clock: FakeClock, db_url: str | None) -> AsyncIterator[World]:
    from bot.sandbox.world import World
    from tests.support.flow import distinct_shapes
    from tests.support.openapi_conformance import check_exchanges

    w = await World(clock, db_path=db_url, build_appear_delay=60, processing_time=600).start()
    try:
        yield w
        # Every kind of request the bot sent in this test, and every answer, against Apple's spec.
        assert check_exchanges(distinct_shapes(w.asc.exchanges), allow_rejected=True) == []
    finally:
        await w.stop()


@pytest.fixture
async def storage(tmp_path: Path, db_url: str | None) -> AsyncIterator[Storage]:
    """The repository on a fresh database of the test's engine, opened (for storage and engine tests)."""
    from storage.database import make_store
    from storage.repository import Storage

    s = Storage(make_store(db_url or str(tmp_path / "t.db")))
    await s.store.open()
    yield s
    await s.store.close()
