"""Migration m006: TestFlight feedback the bot has seen, so each submission is told once."""

from __future__ import annotations

from sqlite_utils import Database

from storage.migrations import MIGRATIONS


@MIGRATIONS()
def m006_feedback(db: Database) -> None:
    """One row per submission id: where it went (a thread reply, or held for the app's daily digest)."""
    db.table("feedback_seen").create(
        {
            "feedback_id": str,
            "kind": str,  # screenshot | crash
            "app_bundle_id": str,
            "build_id": str,
            "publication_id": str,
            "via": str,  # webhook | poll
            "seen_at": str,
            "day": str,  # UTC day it was seen, YYYY-MM-DD: the digest's unit
            "mode": str,  # reply | digest
            "summary": str,  # the digest's line for it
            "digested_at": str,
        },
        pk="feedback_id",
        not_null={"kind", "app_bundle_id", "seen_at", "day", "mode"},
    )
    db.table("feedback_seen").create_index(["app_bundle_id", "day", "mode"], index_name="feedback_by_app_day")
    db.table("feedback_seen").create_index(["mode", "digested_at"], index_name="feedback_digest_due")
