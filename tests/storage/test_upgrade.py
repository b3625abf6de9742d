"""Issue 16: a database an older version left behind is upgraded at start with its data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from storage.database import Store, applied_migrations
from storage.migrations import MIGRATIONS
from storage.repository import Storage
from tests.support.old_database import as_version_0_1_left_it


async def test_an_older_database_is_migrated_on_start_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    as_version_0_1_left_it(path)
    assert applied_migrations(Database(path)) == ["m001_initial"]
    store = Store(str(path))
    await store.open()
    try:
        storage = Storage(store)
        pub = await storage.get("pub-old-1")
        assert pub is not None and pub.state == "waiting_for_build" and pub.build_number == "7"
        assert [e.kind for e in await storage.events("pub-old-1")] == ["created"]
        due = await storage.due(datetime(2026, 12, 1, tzinfo=UTC))
        assert [p.id for p in due] == ["pub-old-1"]  # the sweep still finds it
    finally:
        await store.close()
    names = applied_migrations(Database(path))
    assert names == [m.name for m in MIGRATIONS.pending(Database(memory=True))]
    assert len(names) > 1
