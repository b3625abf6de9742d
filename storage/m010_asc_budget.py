"""Migration m010: App Store Connect request slots per key, shared by the replicas of a team."""

from __future__ import annotations

from sqlite_utils import Database

from storage.migrations import MIGRATIONS


@MIGRATIONS()
def m010_asc_budget(db: Database) -> None:
    """One row per request sent in the rolling hour, and the last X-Rate-Limit of each key."""
    db.table("asc_budget_slots").create({"key": str, "sent_at": str}, not_null={"key", "sent_at"})
    db.table("asc_budget_slots").create_index(["key", "sent_at"], index_name="asc_budget_by_key")
    db.table("asc_budget_reported").create(
        {"key": str, "lim": int, "remaining": int, "observed_at": str, "own": int}, pk="key"
    )
