"""Databases as older releases left them: asc-bot 0.1 (only the first migration), and the releases
before m011 (the step kinds of then)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def forget_step_kinds_migration(db: Any) -> None:
    """The database as the releases before m011 left it, on either engine: m011 not applied yet.

    (The rows to migrate are written by the caller, with the kinds those releases stored.)"""
    from storage.database import dialect
    from storage.pg_schema import TABLE

    if dialect(db) == "postgresql":
        db.execute(f"DELETE FROM {TABLE} WHERE name = ?", ["m011_step_kinds"])  # noqa: S608
    else:
        db.execute("DELETE FROM _sqlite_migrations WHERE name = ?", ["m011_step_kinds"])


def store_kinds_as_before_m011(db: Any) -> None:
    """Steps stored under the kinds of the releases before m011 (a publication made by one of them)."""
    from storage.m011_step_kinds import RENAMED_KINDS

    for old, new in RENAMED_KINDS.items():
        db.execute("UPDATE actions SET kind = ? WHERE kind = ?", [old, new])
    forget_step_kinds_migration(db)
