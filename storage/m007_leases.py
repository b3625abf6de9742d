"""Migration m007: leases for several replicas on one database (issue 15)."""

from __future__ import annotations

from sqlite_utils import Database

from storage.migrations import MIGRATIONS


@MIGRATIONS()
def m007_leases(db: Database) -> None:
    """Leases for several replicas on one database: who sweeps a publication (until when), who runs a
    step, and named leases (an outbox lane per channel)."""
    db.table("publications").add_column("sweep_owner", str)
    db.table("publications").add_column("sweep_lease_until", str)
    db.table("actions").add_column("lease_owner", str)
    db.table("leases").create(
        {"name": str, "owner": str, "until": str}, pk="name", not_null={"owner", "until"}
    )
