"""Migration m008: the day (1-7) of a running phased release, as App Store Connect last said."""

from __future__ import annotations

from sqlite_utils import Database

from storage.migrations import MIGRATIONS


@MIGRATIONS()
def m008_phased_day(db: Database) -> None:
    """Shown in the publication message as "day N of 7 · share of users"."""
    db.table("publications").add_column("phased_day", int)
