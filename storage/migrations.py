"""Versioned schema migrations; applied in order at start-up, each exactly once."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

MIGRATIONS = Migrations("asc-bot")


@MIGRATIONS()
def m001_initial(db: Database) -> None:
    db.table("publications").create(
        {
            "id": str,
            "app_bundle_id": str,
            "app_id": str,
            "app_name": str,
            "platform": str,
            "version": str,
            "build_number": str,
            "build_id": str,
            "state": str,
            "options": str,
            "release_notes": str,
            "source": str,
            "tests_passed": int,
            "api_key": str,
            "channel": str,
            "message_ts": str,
            "message_dirty": int,
            "created_at": str,
            "updated_at": str,
            "find_deadline": str,
            "process_deadline": str,
            "next_poll_at": str,
            "processing_state": str,
            "beta_internal_state": str,
            "beta_external_state": str,
            "last_error": str,
            "finished_at": str,
        },
        pk="id",
        not_null={"app_bundle_id", "platform", "version", "build_number", "state", "created_at"},
        defaults={"message_dirty": 0, "options": "{}", "release_notes": "[]", "source": "{}"},
    )
    db.table("publications").create_index(
        ["app_bundle_id", "platform", "version", "build_number"],
        unique=True,
        index_name="publications_natural_key",
    )
    db.table("publications").create_index(["state", "next_poll_at"], index_name="publications_due")

    db.table("actions").create(
        {
            "id": int,
            "publication_id": str,
            "kind": str,
            "params": str,
            "status": str,
            "requested_by": str,
            "requested_at": str,
            "started_at": str,
            "lease_until": str,
            "attempts": int,
            "finished_at": str,
            "result": str,
            "error": str,
        },
        pk="id",
        not_null={"publication_id", "kind", "status", "requested_by", "requested_at"},
        defaults={"params": "{}", "attempts": 0},
        foreign_keys=[("publication_id", "publications", "id")],
    )
    db.table("actions").create_index(
        ["publication_id", "kind"], unique=True, index_name="actions_once_per_kind"
    )

    db.table("events").create(
        {
            "id": int,
            "publication_id": str,
            "at": str,
            "actor": str,
            "kind": str,
            "message": str,
            "data": str,
            "announce": str,  # None: audit only; "thread": a thread reply; "broadcast": also in the channel
            "delivered_at": str,
        },
        pk="id",
        not_null={"at", "actor", "kind"},
        defaults={"data": "{}"},
    )
    db.table("events").create_index(["publication_id", "id"], index_name="events_by_publication")
    db.table("events").create_index(["announce", "delivered_at"], index_name="events_undelivered")

    db.table("deliveries").create(
        {
            "source": str,
            "delivery_id": str,
            "received_at": str,
            "publication_id": str,
            "status": int,
            "response": str,
        },
        pk=("source", "delivery_id"),
        not_null={"received_at"},
    )


@MIGRATIONS()
def m002_app_store_following(db: Database) -> None:
    """What the bot follows after a submission: the App Store version and its phased release."""
    for column in (
        "version_id",
        "version_state",
        "release_type",
        "earliest_release_date",
        "phased_state",
        "beta_review_state",
    ):
        db.table("publications").add_column(column, str)
    db.table("publications").create_index(["build_id"], index_name="publications_by_build")
    db.table("publications").create_index(["version_id"], index_name="publications_by_version")


@MIGRATIONS()
def m003_asc_outage(db: Database) -> None:
    """Since when the bot could not ask App Store Connect about a publication (outage time does not
    count against its deadlines), and the unknown states it was last told about."""
    db.table("publications").add_column("asc_down_since", str)
    db.table("publications").add_column("unknown_states", str)


@MIGRATIONS()
def m004_slack_delivery(db: Database) -> None:
    """Posts Slack would not take (told to someone, shown in /asc status) and posts whose answer was lost."""
    db.table("publications").add_column("slack_problem", str)
    db.table("outbox_attempts").create(
        {"outbox_id": str, "first_at": str, "attempts": int}, pk="outbox_id", not_null={"first_at"}
    )


@MIGRATIONS()
def m005_slack_parked_channels(db: Database) -> None:
    """Channels Slack refused for good (their posts are held until the bot can post there again),
    and the notices about undeliverable publications, each told once."""
    db.table("slack_blocked_channels").create(
        {"channel": str, "code": str, "problem": str, "since": str, "checked_at": str},
        pk="channel",
        not_null={"code", "since"},
    )
    db.table("slack_notices").create(
        {
            "key": str,
            "publication_id": str,
            "text": str,
            "created_at": str,
            "told_at": str,
            "told_to": str,
        },
        pk="key",
        not_null={"text", "created_at"},
    )


# Later migrations live in their own modules, registered in order on import.
import storage.m006_feedback  # noqa: E402
import storage.m007_leases  # noqa: E402
import storage.m008_phased_day  # noqa: E402
import storage.m009_unknown_since  # noqa: E402
import storage.m010_asc_budget  # noqa: E402
import storage.m011_step_kinds  # noqa: E402, F401


def migration_names() -> list[str]:
    """Every migration's name, in the order they apply (storage/pg_schema.py has one twin per name)."""
    return [m.name for m in MIGRATIONS._migrations]
