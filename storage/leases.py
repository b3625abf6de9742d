"""Leases: which replica sweeps a publication, runs a step or drains an outbox lane, and until when.

A lease is a row (owner, expiry), never a lock held across App Store Connect or Slack calls. Its
owner renews it while working; once it has run out another replica takes the work over, and that
replica reads App Store Connect (or looks its post up in Slack) before writing, as after a restart.
On PostgreSQL the sweep claims due publications with `FOR UPDATE SKIP LOCKED`, so replicas claiming
at once split the due rows instead of queueing on each other. With SQLite one process owns the
file (storage/database.py's lock), so every claim is won; the calls are the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlite_utils import Database

from storage.database import StorageEngine, dialect, immediate
from storage.records import ACTIVE_STATES, Publication, to_db_time
from storage.sql import one


class LeasesRepository:
    """Claims with an owner and an expiry: due publications, steps, named leases."""

    store: StorageEngine

    async def claim_due(
        self, now: datetime, owner: str, lease: timedelta, limit: int = 5000
    ) -> list[Publication]:
        """Claim the due active publications nobody else holds; returns them, oldest due first."""

        def tx(db: Database) -> list[Publication]:
            with immediate(db):
                marks = ",".join("?" * len(ACTIVE_STATES))
                skip = " FOR UPDATE SKIP LOCKED" if dialect(db) == "postgresql" else ""
                rows = list(
                    db.query(
                        f"select id from publications where state in ({marks}) and next_poll_at is not null"  # noqa: S608
                        " and next_poll_at <= ? and (sweep_lease_until is null or sweep_lease_until < ?"
                        " or sweep_owner = ?) order by next_poll_at limit ?" + skip,
                        [*ACTIVE_STATES, to_db_time(now), to_db_time(now), owner, limit],
                    )
                )
                ids = [r["id"] for r in rows]
                if not ids:
                    return []
                id_marks = ",".join("?" * len(ids))
                db.execute(
                    f"update publications set sweep_owner = ?, sweep_lease_until = ? where id in ({id_marks})",  # noqa: S608
                    [owner, to_db_time(now + lease), *ids],
                )
                claimed = db.query(
                    f"select * from publications where id in ({id_marks}) order by next_poll_at",  # noqa: S608
                    ids,
                )
                return [Publication.from_row(r) for r in claimed]

        return await self.store.call(tx)

    async def held_due(self, now: datetime, owner: str) -> list[Publication]:
        """The due active publications this owner holds (e.g. those its polling just made ready)."""

        def q(db: Database) -> list[Publication]:
            marks = ",".join("?" * len(ACTIVE_STATES))
            rows = db.query(
                f"select * from publications where state in ({marks}) and next_poll_at is not null"  # noqa: S608
                " and next_poll_at <= ? and sweep_owner = ? and sweep_lease_until >= ? order by next_poll_at",
                [*ACTIVE_STATES, to_db_time(now), owner, to_db_time(now)],
            )
            return [Publication.from_row(r) for r in rows]

        return await self.store.call(q)

    async def release_due(self, owner: str, publication_ids: Sequence[str]) -> None:
        """The sweep is over: its publications may be claimed by anyone at their next poll time."""
        if not publication_ids:
            return

        def tx(db: Database) -> None:
            marks = ",".join("?" * len(publication_ids))
            db.execute(
                "update publications set sweep_owner = null, sweep_lease_until = null"  # noqa: S608
                f" where sweep_owner = ? and id in ({marks})",
                [owner, *publication_ids],
            )

        await self.store.call(tx)

    async def renew_due(self, owner: str, publication_ids: Sequence[str], until: datetime) -> None:
        """Extend this owner's claim on the publications it is still sweeping."""
        if not publication_ids:
            return

        def tx(db: Database) -> None:
            marks = ",".join("?" * len(publication_ids))
            db.execute(
                f"update publications set sweep_lease_until = ? where sweep_owner = ? and id in ({marks})",  # noqa: S608
                [to_db_time(until), owner, *publication_ids],
            )

        await self.store.call(tx)

    async def renew_action(self, action_id: int, owner: str, until: datetime) -> bool:
        """Extend a running step's lease; False when it is not ours any more (it ran out and was taken)."""

        def tx(db: Database) -> bool:
            return bool(
                db.execute(
                    "update actions set lease_until = ? where id = ? and status = 'running' and lease_owner = ?",
                    [to_db_time(until), action_id, owner],
                ).rowcount
            )

        return await self.store.call(tx)

    async def claim_lease(self, name: str, owner: str, now: datetime, lease: timedelta) -> bool:
        """Take (or renew) the named lease when it is free, run out, or already ours."""

        def tx(db: Database) -> bool:
            with immediate(db):
                row = one(db, "select owner, until from leases where name = ?", [name])
                until = to_db_time(now + lease)
                if row is None:
                    db.table("leases").insert({"name": name, "owner": owner, "until": until})
                    return True
                if row["owner"] != owner and row["until"] >= to_db_time(now):
                    return False
                db.execute("update leases set owner = ?, until = ? where name = ?", [owner, until, name])
                return True

        return await self.store.call(tx)

    async def release_lease(self, name: str, owner: str) -> None:
        def tx(db: Database) -> None:
            db.execute("delete from leases where name = ? and owner = ?", [name, owner])

        await self.store.call(tx)

    async def forget_dead_leases(self) -> int:
        """At start-up on SQLite: leases left by this file's previous process (it died) are void; the
        file lock says nobody else runs. On PostgreSQL other replicas' leases stand until they run out."""

        def tx(db: Database) -> int:
            if dialect(db) == "postgresql":
                return 0
            with immediate(db):
                gone = db.execute("delete from leases").rowcount
                gone += db.execute(
                    "update publications set sweep_owner = null, sweep_lease_until = null"
                    " where sweep_owner is not null"
                ).rowcount
                return int(gone)

        return await self.store.call(tx)

    async def event_delivered(self, event_id: int) -> bool:
        """Whether a thread reply was posted meanwhile (by another replica's outbox)."""

        def q(db: Database) -> bool:
            row = one(db, "select delivered_at from events where id = ?", [event_id])
            return row is None or row["delivered_at"] is not None

        return await self.store.call(q)
