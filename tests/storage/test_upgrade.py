"""Issue 16: a database an older version left behind is upgraded at start with its data; backups."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database, Migrations

from bot.cli import db_backup, main
from storage.database import Store, applied_migrations
from storage.migrations import MIGRATIONS, m001_initial
from storage.repository import Storage

CREATED = "2026-11-30T10:00:00.000000+00:00"


def as_version_0_1_left_it(path: Path) -> None:
    """Only the first migration, as the first release ran it, and a publication in flight."""
    old = Migrations("asc-bot")
    old()(m001_initial)
    db = Database(path)
    old.apply(db)
    db["publications"].insert(
        {
            "id": "pub-old-1",
            "app_bundle_id": "com.example.old",
            "platform": "IOS",
            "version": "1.0.0",
            "build_number": "7",
            "state": "waiting_for_build",
            "channel": "C0123456789",
            "created_at": CREATED,
            "updated_at": CREATED,
            "next_poll_at": CREATED,
        }
    )
    db["events"].insert({"publication_id": "pub-old-1", "at": CREATED, "actor": "webhook", "kind": "created"})
    db.conn.close()


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


def test_db_backup_copies_a_live_database(tmp_path: Path, capsys) -> None:
    path = tmp_path / "live.db"
    as_version_0_1_left_it(path)
    writer = sqlite3.connect(path)
    writer.execute("pragma journal_mode=wal")
    writer.execute("update publications set build_number = '8'")
    writer.commit()  # in the WAL, not yet checkpointed: a plain file copy would miss it
    target = tmp_path / "copy.db"
    assert db_backup(str(target), str(path)) == 0
    writer.close()
    with sqlite3.connect(target) as copy:
        assert copy.execute("select build_number from publications").fetchall() == [("8",)]
    assert db_backup(str(target), str(path)) == 2  # never overwrites
    assert db_backup(str(tmp_path / "x.db"), str(tmp_path / "missing.db")) == 2
    assert "exists" in capsys.readouterr().err


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("asc-bot 0.")
