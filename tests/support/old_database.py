"""A database as asc-bot 0.1 left it: only the first migration, and a publication in flight."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database, Migrations

from storage.migrations import m001_initial

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
