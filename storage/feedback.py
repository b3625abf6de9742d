"""TestFlight feedback seen by the bot: each submission id once, as a thread reply or in a digest."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlite_utils import Database

from storage.database import StorageEngine, immediate
from storage.records import Publication, to_db_time
from storage.sql import NewEvent, insert_event, one

REPLY, DIGEST = "reply", "digest"


@dataclass(frozen=True)
class NewFeedback:
    """A submission to record: where it goes and what is said about it."""

    feedback_id: str
    kind: str
    bundle_id: str
    build_id: str
    publication_id: str
    via: str  # webhook | poll
    event: NewEvent  # the thread reply, when it is posted on its own
    summary: str  # its line in a digest


@dataclass(frozen=True)
class HeldFeedback:
    """A submission waiting for its app's digest."""

    feedback_id: str
    publication_id: str
    day: str
    summary: str


def utc_day(now: datetime) -> str:
    return now.astimezone(UTC).date().isoformat()


class FeedbackRepository:
    """Each feedback id is recorded once, together with its thread reply, in one transaction."""

    store: StorageEngine

    async def feedback_known(self, feedback_id: str) -> bool:
        def q(db: Database) -> bool:
            return (
                one(db, "select 1 as x from feedback_seen where feedback_id = ?", [feedback_id]) is not None
            )

        return await self.store.call(q)

    async def record_feedback(self, item: NewFeedback, now: datetime, threshold: int) -> str | None:
        """REPLY (posted in the thread), DIGEST (held: the app had `threshold` replies today), or None
        when this id was recorded before. `threshold` 0 posts every submission on its own."""
        day = utc_day(now)

        def tx(db: Database) -> str | None:
            with immediate(db):
                if one(db, "select 1 as x from feedback_seen where feedback_id = ?", [item.feedback_id]):
                    return None
                today = one(
                    db,
                    "select count(*) as n from feedback_seen where app_bundle_id = ? and day = ? and mode = ?",
                    [item.bundle_id, day, REPLY],
                )
                mode = DIGEST if threshold and today and today["n"] >= threshold else REPLY
                db.table("feedback_seen").insert(
                    {
                        "feedback_id": item.feedback_id,
                        "kind": item.kind,
                        "app_bundle_id": item.bundle_id,
                        "build_id": item.build_id,
                        "publication_id": item.publication_id,
                        "via": item.via,
                        "seen_at": to_db_time(now),
                        "day": day,
                        "mode": mode,
                        "summary": item.summary,
                    }
                )
                if mode == REPLY:
                    insert_event(db, item.publication_id, item.event, now)
                return mode

        return await self.store.call(tx)

    async def held_feedback(self, before_day: str) -> dict[str, list[HeldFeedback]]:
        """Per app, submissions held for a digest on days before `before_day`, oldest first."""

        def q(db: Database) -> dict[str, list[HeldFeedback]]:
            rows = db.query(
                "select * from feedback_seen where mode = ? and digested_at is null and day < ?"
                " order by seen_at, feedback_id",
                [DIGEST, before_day],
            )
            out: dict[str, list[HeldFeedback]] = defaultdict(list)
            for r in rows:
                out[r["app_bundle_id"]].append(
                    HeldFeedback(r["feedback_id"], r["publication_id"], r["day"], r["summary"] or "")
                )
            return dict(out)

        return await self.store.call(q)

    async def post_digest(
        self, feedback_ids: list[str], publication_id: str, event: NewEvent, now: datetime
    ) -> bool:
        """Mark these submissions digested and add the digest reply, once (False: done before)."""

        def tx(db: Database) -> bool:
            with immediate(db):
                marks = ",".join("?" for _ in feedback_ids)
                changed = db.execute(
                    f"update feedback_seen set digested_at = ? where digested_at is null"  # noqa: S608
                    f" and feedback_id in ({marks})",
                    [to_db_time(now), *feedback_ids],
                ).rowcount
                if not changed:
                    return False
                insert_event(db, publication_id, event, now)
                return True

        return await self.store.call(tx)

    async def feedback_publications(self, since: datetime) -> list[Publication]:
        """Publications with a build, in flight or created since `since`: whose feedback is polled."""

        def q(db: Database) -> list[Publication]:
            rows = db.query(
                "select * from publications where build_id is not null and app_id is not null"
                " and (state in ('waiting_for_build', 'processing', 'ready') or created_at >= ?)"
                " order by created_at desc limit 1000",
                [to_db_time(since)],
            )
            return [Publication.from_row(r) for r in rows]

        return await self.store.call(q)
