"""Channels whose posts are held after a permanent refusal, and notices told once per problem.

A channel Slack refused for good (not_in_channel, is_archived, ...) is blocked: nothing is posted
there, nothing is dropped, until the bot can post again (invited, unarchived); then the held posts
go out in order. Each problem's notice (a DM or a post in the default channel) is stored with the
block, in one transaction, and marked told once sent: told once, even across restarts.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from storage.database import StorageEngine, immediate
from storage.records import Publication, from_db_time, to_db_time
from storage.sql import one


@dataclass(frozen=True)
class BlockedChannel:
    channel: str
    code: str
    problem: str
    since: datetime
    checked_at: datetime | None


@dataclass(frozen=True)
class Notice:
    """Something to tell outside the thread: to the publication's starter, or the default channel."""

    key: str
    publication_id: str | None
    text: str
    created_at: datetime


class SlackParkingRepository:
    store: StorageEngine

    async def block_channel(
        self, channel: str, code: str, problem: str, now: datetime, notice: Notice | None = None
    ) -> bool:
        """Block `channel` (and queue its notice); False when it was blocked already (nothing queued)."""

        def tx(db: Database) -> bool:
            with immediate(db):
                if one(db, "select 1 as x from slack_blocked_channels where channel = ?", [channel]):
                    return False
                db.table("slack_blocked_channels").insert(
                    {
                        "channel": channel,
                        "code": code,
                        "problem": problem,
                        "since": to_db_time(now),
                        "checked_at": to_db_time(now),
                    }
                )
                if notice is not None:
                    _insert_notice(db, notice)
                return True

        return await self.store.call(tx)

    async def blocked_channels(self) -> dict[str, BlockedChannel]:
        def q(db: Database) -> dict[str, BlockedChannel]:
            return {
                r["channel"]: BlockedChannel(
                    r["channel"],
                    r["code"],
                    r["problem"] or "",
                    from_db_time(r["since"]),  # type: ignore[arg-type]
                    from_db_time(r["checked_at"]),
                )
                for r in db.query("select * from slack_blocked_channels order by since")
            }

        return await self.store.call(q)

    async def channel_checked(self, channel: str, now: datetime) -> None:
        def tx(db: Database) -> None:
            db.execute(
                "update slack_blocked_channels set checked_at = ? where channel = ?",
                [to_db_time(now), channel],
            )

        await self.store.call(tx)

    async def unblock_channel(self, channel: str) -> BlockedChannel | None:
        """Lift the block; returns it, or None when the channel was not blocked."""
        blocked = (await self.blocked_channels()).get(channel)
        if blocked is None:
            return None

        def tx(db: Database) -> None:
            db.execute("delete from slack_blocked_channels where channel = ?", [channel])

        await self.store.call(tx)
        return blocked

    async def parked_publications(self, channel: str) -> list[Publication]:
        """Publications in `channel` that carry a Slack problem."""

        def q(db: Database) -> list[Publication]:
            rows = db.query(
                "select * from publications where channel = ? and slack_problem is not null"
                " order by created_at, id",
                [channel],
            )
            return [Publication.from_row(r) for r in rows]

        return await self.store.call(q)

    async def add_notice(self, notice: Notice) -> bool:
        """Queue a notice; False when one with its key exists (told, or about to be)."""

        def tx(db: Database) -> bool:
            with immediate(db):
                return _insert_notice(db, notice)

        return await self.store.call(tx)

    async def untold_notices(self) -> list[Notice]:
        def q(db: Database) -> list[Notice]:
            rows = db.query("select * from slack_notices where told_at is null order by created_at, key")
            return [
                Notice(r["key"], r["publication_id"], r["text"], from_db_time(r["created_at"]))  # type: ignore[arg-type]
                for r in rows
            ]

        return await self.store.call(q)

    async def notice_told(self, key: str, now: datetime, told_to: str | None) -> None:
        def tx(db: Database) -> None:
            db.execute(
                "update slack_notices set told_at = ?, told_to = ? where key = ?",
                [to_db_time(now), told_to, key],
            )

        await self.store.call(tx)


def _insert_notice(db: Database, notice: Notice) -> bool:
    if one(db, "select 1 as x from slack_notices where key = ?", [notice.key]):
        return False
    db.table("slack_notices").insert(
        {
            "key": notice.key,
            "publication_id": notice.publication_id,
            "text": notice.text,
            "created_at": to_db_time(notice.created_at),
        }
    )
    return True


def held_channels(path: str) -> list[tuple[str, str, str]]:
    """(channel, code, problem) of each blocked channel, read-only and without migrating: for
    `asc-bot check`, which may run beside the bot or before its first start (then: none)."""
    if path == ":memory:" or path.startswith("file:") or not Path(path).expanduser().is_file():
        return []
    db = sqlite3.connect(f"file:{Path(path).expanduser()}?mode=ro", uri=True)
    try:
        if not db.execute("select 1 from sqlite_master where name = 'slack_blocked_channels'").fetchone():
            return []
        rows = db.execute(
            "select channel, code, coalesce(problem, '') from slack_blocked_channels order by since"
        )
        return [(str(c), str(k), str(p)) for c, k, p in rows.fetchall()]
    finally:
        db.close()
