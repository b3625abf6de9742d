"""Migration m009: since when a followed review has been in a state Apple does not document."""

from __future__ import annotations

from sqlite_utils import Database

from storage.migrations import MIGRATIONS


@MIGRATIONS()
def m009_unknown_since(db: Database) -> None:
    """Following an unknown state has a deadline (bot/engine/following.py), counted from this time."""
    db.table("publications").add_column("unknown_since", str)
