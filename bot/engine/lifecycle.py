"""A publication's lifecycle: its states, the moves between them, and the one change type they write.

    waiting_for_build ──▶ processing ──▶ ready ──▶ done
            │                 │            │   ◀──┘ (a new request reopens it)
            │                 │            └──▶ failed ──▶ ready (reopened likewise)
            └──────┬──────────┘
                   ▼
        failed · timed_out        and from any active state: cancelled

`timed_out` and `cancelled` are terminal: nothing leaves them. Every write of a publication row in
the engine is a `Change`, built here and applied by `apply`, so the state machine (and which columns a
move touches) has one home. The stored strings are the enum's values.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from enum import Enum, StrEnum
from typing import Any, Final

from bot.appstore.states import BUILD_FAILED_STATES
from storage.records import Publication
from storage.repository import DIRTY, NewEvent, Storage


class State(StrEnum):
    """The value of `publications.state`."""

    WAITING_FOR_BUILD = "waiting_for_build"
    PROCESSING = "processing"
    READY = "ready"
    DONE = "done"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"


# Polled and swept (storage.records.ACTIVE_STATES names the same three for its queries).
ACTIVE: Final = frozenset({State.WAITING_FOR_BUILD, State.PROCESSING, State.READY})
# At rest, but a new request reopens them.
FINISHED: Final = frozenset({State.DONE, State.FAILED})
# Nothing leaves these.
TERMINAL: Final = frozenset({State.TIMED_OUT, State.CANCELLED})

ALLOWED: Final[dict[State, frozenset[State]]] = {
    State.WAITING_FOR_BUILD: frozenset({State.PROCESSING, State.FAILED, State.TIMED_OUT, State.CANCELLED}),
    State.PROCESSING: frozenset({State.READY, State.FAILED, State.TIMED_OUT, State.CANCELLED}),
    State.READY: frozenset({State.DONE, State.FAILED, State.CANCELLED}),
    State.DONE: frozenset({State.READY}),
    State.FAILED: frozenset({State.READY}),
    State.TIMED_OUT: frozenset(),
    State.CANCELLED: frozenset(),
}


class IllegalTransition(ValueError):
    """A move the lifecycle does not have (a bug in the caller, never a user's mistake)."""


def is_over(pub: Publication) -> bool:
    """Nothing more can be done with this build: a terminal state, a build Apple refused, or a
    failure before any build was found. (A `done` or `failed` publication with a build reopens.)"""
    return (
        pub.state in TERMINAL
        or pub.processing_state in BUILD_FAILED_STATES
        or (pub.state == State.FAILED and pub.build_id is None)
    )


class _Keep(Enum):
    KEEP = "keep"


KEEP: Final = _Keep.KEEP


@dataclass(frozen=True)
class Change:
    """One write of a publication row: the columns it sets (KEEP leaves one as it is), whether the
    Slack message is redrawn, the event it records, and the states it expects (compare-and-set)."""

    state: State | None = None
    expect: tuple[State, ...] | None = None
    event: NewEvent | None = None
    redraw: bool = False
    next_poll_at: datetime | _Keep | None = KEEP
    finished_at: datetime | _Keep | None = KEEP
    last_error: str | _Keep | None = KEEP
    build_id: str | _Keep | None = KEEP
    app_id: str | _Keep | None = KEEP
    app_name: str | _Keep | None = KEEP
    find_deadline: datetime | _Keep | None = KEEP
    process_deadline: datetime | _Keep | None = KEEP
    asc_down_since: datetime | _Keep | None = KEEP
    processing_state: str | _Keep | None = KEEP
    beta_internal_state: str | _Keep | None = KEEP
    beta_external_state: str | _Keep | None = KEEP
    beta_review_state: str | _Keep | None = KEEP
    unknown_states: str | _Keep | None = KEEP
    unknown_since: datetime | _Keep | None = KEEP
    version_id: str | _Keep | None = KEEP
    version_state: str | _Keep | None = KEEP
    release_type: str | _Keep | None = KEEP
    earliest_release_date: str | _Keep | None = KEEP
    phased_state: str | _Keep | None = KEEP
    phased_day: int | _Keep | None = KEEP
    slack_problem: str | _Keep | None = KEEP
    message_ts: str | _Keep | None = KEEP

    def columns(self) -> dict[str, Any]:
        """The publication columns this change sets, as storage names them."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("expect", "event", "redraw", "state") or value is KEEP:
                continue
            out[f.name] = value
        if self.state is not None:
            out["state"] = str(self.state)
        if self.redraw:
            out["message_dirty"] = DIRTY
        return out


async def apply(storage: Storage, publication_id: str, now: datetime, change: Change) -> Publication | None:
    """Write one change; None when the expected state no longer holds (someone else moved it)."""
    expect = None if change.expect is None else [str(s) for s in change.expect]
    return await storage.update(
        publication_id, now, expect_state=expect, event=change.event, **change.columns()
    )


def move(current: str, to: State, **columns: Any) -> Change:
    """A state change from `current` (compare-and-set on it), if the lifecycle allows it."""
    source = State(current)
    if to not in ALLOWED[source]:
        raise IllegalTransition(f"a publication cannot go from {source} to {to}")
    return Change(state=to, expect=(source,), redraw=True, **columns)


# -- the moves --------------------------------------------------------------------------------


def start(now: datetime, find_timeout: float, processing_timeout: float) -> dict[str, Any]:
    """The lifecycle columns of a new publication: waiting for its build, looked for at once."""
    return {
        "state": str(State.WAITING_FOR_BUILD),
        "find_deadline": now + timedelta(seconds=find_timeout),
        "process_deadline": now + timedelta(seconds=processing_timeout),
        "next_poll_at": now,
        "message_dirty": 1,
    }


def build_found(current: str, build_id: str, event: NewEvent, **columns: Any) -> Change:
    """Apple lists the uploaded build: it is processed now."""
    return move(current, State.PROCESSING, build_id=build_id, event=event, **columns)


def build_ready(current: str, now: datetime, seen: dict[str, str | None], event: NewEvent) -> Change:
    """Processing ended well: the requested steps may run."""
    return move(
        current,
        State.READY,
        next_poll_at=now,
        last_error=None,
        unknown_states=None,
        event=event,
        **seen,
    )


def finish(
    current: str,
    to: State,
    now: datetime,
    event: NewEvent,
    error: str | _Keep | None = KEEP,
    **columns: Any,
) -> Change:
    """The end of the road for now: done, failed, timed out or cancelled; no more polling."""
    if to not in FINISHED | TERMINAL:
        raise IllegalTransition(f"{to} is not an end")
    return move(current, to, next_poll_at=None, finished_at=now, last_error=error, event=event, **columns)


def reopen(current: str, now: datetime) -> Change:
    """A new request for a done or failed publication: back to ready, looked at now."""
    if current not in FINISHED:
        raise IllegalTransition(f"only a done or failed publication reopens, not a {current} one")
    return Change(
        state=State.READY, expect=(State.DONE, State.FAILED), redraw=True, next_poll_at=now, finished_at=None
    )


def poll_at(when: datetime | None, event: NewEvent | None = None) -> Change:
    """Look again at `when` (None: nothing more to look at); the state stays."""
    return Change(next_poll_at=when, event=event)
