"""Typed rows: what the rest of the bot reads out of the database."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# The states the sweep claims, for storage's queries. The states themselves, which moves they allow
# and which are terminal live in bot/engine/lifecycle.py (tests/engine/test_lifecycle.py checks
# that the two agree); storage imports nothing above it.
ACTIVE_STATES = ("waiting_for_build", "processing", "ready")
ACTION_STATUSES = ("requested", "running", "succeeded", "failed", "skipped")


def to_db_time(when: datetime | None) -> str | None:
    """UTC ISO 8601 with a fixed width, so text comparison in SQL orders by time."""
    if when is None:
        return None
    return _db_time(when)


@functools.lru_cache(maxsize=512)
def _db_time(when: datetime) -> str:
    # Cached: one intake stores its `now` in six columns of four rows (benchmark 5: 5% of the GIL's
    # time in a burst). Aware datetimes equal as instants give the same UTC text, so a hit is right.
    if when.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def from_db_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _json(text: str | None, default: Any) -> Any:
    return json.loads(text) if text else default


@dataclass(frozen=True)
class Publication:
    """One uploaded build on its way to testers or review."""

    id: str
    app_bundle_id: str
    platform: str
    version: str
    build_number: str
    state: str
    created_at: datetime
    app_id: str | None = None
    app_name: str | None = None
    build_id: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    release_notes: list[dict[str, str]] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)
    tests_passed: bool | None = None
    api_key: str | None = None
    channel: str | None = None
    message_ts: str | None = None
    message_dirty: int = 0
    updated_at: datetime | None = None
    find_deadline: datetime | None = None
    process_deadline: datetime | None = None
    next_poll_at: datetime | None = None
    processing_state: str | None = None
    beta_internal_state: str | None = None
    beta_external_state: str | None = None
    last_error: str | None = None
    finished_at: datetime | None = None
    version_id: str | None = None
    version_state: str | None = None
    release_type: str | None = None
    earliest_release_date: str | None = None
    phased_state: str | None = None
    phased_day: int | None = None  # currentDayNumber of the phased release (1-7)
    beta_review_state: str | None = None
    asc_down_since: datetime | None = None  # first failed poll of the outage in progress
    unknown_states: str | None = None  # the unknown App Store Connect states last told in the thread
    unknown_since: datetime | None = None  # a followed review first seen in an undocumented state
    # Why Slack would not take this publication's posts (e.g. not_in_channel), once told to someone.
    slack_problem: str | None = None

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def label(self) -> str:
        return f"{self.app_name or self.app_bundle_id} {self.version} ({self.build_number})"

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Publication:
        tests = row.get("tests_passed")
        return cls(
            id=row["id"],
            app_bundle_id=row["app_bundle_id"],
            platform=row["platform"],
            version=row["version"],
            build_number=row["build_number"],
            state=row["state"],
            created_at=from_db_time(row["created_at"]),  # type: ignore[arg-type]
            app_id=row.get("app_id"),
            app_name=row.get("app_name"),
            build_id=row.get("build_id"),
            options=_json(row.get("options"), {}),
            release_notes=_json(row.get("release_notes"), []),
            source=_json(row.get("source"), {}),
            tests_passed=None if tests is None else bool(tests),
            api_key=row.get("api_key"),
            channel=row.get("channel"),
            message_ts=row.get("message_ts"),
            message_dirty=row.get("message_dirty") or 0,
            updated_at=from_db_time(row.get("updated_at")),
            find_deadline=from_db_time(row.get("find_deadline")),
            process_deadline=from_db_time(row.get("process_deadline")),
            next_poll_at=from_db_time(row.get("next_poll_at")),
            processing_state=row.get("processing_state"),
            beta_internal_state=row.get("beta_internal_state"),
            beta_external_state=row.get("beta_external_state"),
            last_error=row.get("last_error"),
            finished_at=from_db_time(row.get("finished_at")),
            version_id=row.get("version_id"),
            version_state=row.get("version_state"),
            release_type=row.get("release_type"),
            earliest_release_date=row.get("earliest_release_date"),
            phased_state=row.get("phased_state"),
            phased_day=row.get("phased_day"),
            beta_review_state=row.get("beta_review_state"),
            asc_down_since=from_db_time(row.get("asc_down_since")),
            unknown_states=row.get("unknown_states"),
            unknown_since=from_db_time(row.get("unknown_since")),
            slack_problem=row.get("slack_problem"),
        )


@dataclass(frozen=True)
class Action:
    """One requested step of a publication (stored once per kind)."""

    id: int
    publication_id: str
    kind: str
    status: str
    requested_by: str
    requested_at: datetime
    params: dict[str, Any] = field(default_factory=dict)
    started_at: datetime | None = None
    lease_until: datetime | None = None
    attempts: int = 0
    finished_at: datetime | None = None
    result: dict[str, Any] | None = None
    error: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in ("requested", "running")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Action:
        return cls(
            id=row["id"],
            publication_id=row["publication_id"],
            kind=row["kind"],
            status=row["status"],
            requested_by=row["requested_by"],
            requested_at=from_db_time(row["requested_at"]),  # type: ignore[arg-type]
            params=_json(row.get("params"), {}),
            started_at=from_db_time(row.get("started_at")),
            lease_until=from_db_time(row.get("lease_until")),
            attempts=row.get("attempts") or 0,
            finished_at=from_db_time(row.get("finished_at")),
            result=_json(row.get("result"), None),
            error=row.get("error"),
        )


@dataclass(frozen=True)
class Event:
    """An audit-log entry; those with `announce` set are also thread replies."""

    id: int
    publication_id: str | None
    at: datetime
    actor: str
    kind: str
    message: str | None
    data: dict[str, Any]
    announce: str | None
    delivered_at: datetime | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Event:
        return cls(
            id=row["id"],
            publication_id=row.get("publication_id"),
            at=from_db_time(row["at"]),  # type: ignore[arg-type]
            actor=row["actor"],
            kind=row["kind"],
            message=row.get("message"),
            data=_json(row.get("data"), {}),
            announce=row.get("announce"),
            delivered_at=from_db_time(row.get("delivered_at")),
        )
