"""The lifecycle: every allowed move, every refused one, terminal states that cannot be left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from bot.engine import lifecycle
from bot.engine.lifecycle import ACTIVE, ALLOWED, FINISHED, KEEP, TERMINAL, Change, IllegalTransition, State
from storage.records import ACTIVE_STATES, Publication
from storage.repository import DIRTY, NewEvent

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
EVENT = NewEvent("test", message="moved")


def pub(state: str, **fields: object) -> Publication:
    return Publication("p1", "com.example.app", "IOS", "1.0", "7", state, NOW, **fields)  # type: ignore[arg-type]


def test_the_stored_strings_are_the_enum_values_and_storage_polls_the_active_ones() -> None:
    assert [s.value for s in State] == [
        "waiting_for_build", "processing", "ready", "done", "failed", "timed_out", "cancelled",
    ]  # fmt: skip
    assert set(ACTIVE_STATES) == ACTIVE
    assert set(State) == ACTIVE | FINISHED | TERMINAL
    assert not (ACTIVE & FINISHED or ACTIVE & TERMINAL or FINISHED & TERMINAL)


@pytest.mark.parametrize(("source", "target"), [(s, t) for s in State for t in sorted(ALLOWED[s])])
def test_every_allowed_move_compares_and_sets_and_redraws(source: State, target: State) -> None:
    change = lifecycle.move(source, target)
    assert change.state is target and change.expect == (source,) and change.redraw
    columns = change.columns()
    assert columns["state"] == target.value and type(columns["state"]) is str
    assert columns["message_dirty"] is DIRTY


@pytest.mark.parametrize(
    ("source", "target"), [(s, t) for s, t in product(State, State) if t not in ALLOWED[s]]
)
def test_every_other_move_is_refused(source: State, target: State) -> None:
    with pytest.raises(IllegalTransition):
        lifecycle.move(source, target)


@pytest.mark.parametrize("source", sorted(TERMINAL))
def test_a_terminal_state_cannot_be_left(source: State) -> None:
    assert ALLOWED[source] == frozenset()
    for target in State:
        with pytest.raises(IllegalTransition):
            lifecycle.move(source, target)
    with pytest.raises(IllegalTransition):
        lifecycle.reopen(source, NOW)


def test_the_active_states_all_reach_cancelled_and_finished_ones_only_reopen() -> None:
    assert all(State.CANCELLED in ALLOWED[s] for s in ACTIVE)
    assert all(ALLOWED[s] == {State.READY} for s in FINISHED)


def test_finish_stops_polling_and_keeps_the_last_error_unless_given() -> None:
    done = lifecycle.finish(State.READY, State.DONE, NOW, EVENT)
    assert done.columns() == {
        "state": "done", "next_poll_at": None, "finished_at": NOW, "message_dirty": DIRTY,
    }  # fmt: skip
    assert done.event is EVENT and done.last_error is KEEP
    failed = lifecycle.finish(State.PROCESSING, State.FAILED, NOW, EVENT, error="why", processing_state="INVALID")
    assert failed.columns()["last_error"] == "why" and failed.columns()["processing_state"] == "INVALID"
    with pytest.raises(IllegalTransition):
        lifecycle.finish(State.WAITING_FOR_BUILD, State.PROCESSING, NOW, EVENT)
    with pytest.raises(IllegalTransition):
        lifecycle.finish(State.DONE, State.FAILED, NOW, EVENT)


def test_reopen_takes_either_finished_state_back_to_ready_now() -> None:
    for source in FINISHED:
        change = lifecycle.reopen(source, NOW)
        assert set(change.expect or ()) == FINISHED
        assert change.columns() == {
            "state": "ready", "next_poll_at": NOW, "finished_at": None, "message_dirty": DIRTY,
        }  # fmt: skip
    with pytest.raises(IllegalTransition):
        lifecycle.reopen(State.PROCESSING, NOW)


def test_build_found_and_ready() -> None:
    found = lifecycle.build_found(State.WAITING_FOR_BUILD, "b1", EVENT)
    assert found.columns() == {"state": "processing", "build_id": "b1", "message_dirty": DIRTY}
    seen = {"processing_state": "VALID", "beta_internal_state": "IN_BETA_TESTING", "beta_external_state": None}
    ready = lifecycle.build_ready(State.PROCESSING, NOW, seen, EVENT)
    assert ready.expect == (State.PROCESSING,)
    assert ready.columns() == {
        "state": "ready", "next_poll_at": NOW, "last_error": None, "unknown_states": None,
        "message_dirty": DIRTY, **seen,
    }  # fmt: skip
    with pytest.raises(IllegalTransition):
        lifecycle.build_found(State.READY, "b1", EVENT)


def test_a_change_without_a_state_sets_only_what_it_names() -> None:
    assert Change().columns() == {}
    assert lifecycle.poll_at(None).columns() == {"next_poll_at": None}
    later = NOW + timedelta(minutes=5)
    change = Change(next_poll_at=later, slack_problem=None, redraw=True)
    assert change.columns() == {"next_poll_at": later, "slack_problem": None, "message_dirty": DIRTY}
    assert change.expect is None and change.state is None


def test_start_is_waiting_for_the_build_with_both_deadlines() -> None:
    columns = lifecycle.start(NOW, 900, 7200)
    assert columns == {
        "state": "waiting_for_build",
        "find_deadline": NOW + timedelta(seconds=900),
        "process_deadline": NOW + timedelta(seconds=7200),
        "next_poll_at": NOW,
        "message_dirty": 1,
    }


@pytest.mark.parametrize(
    ("state", "fields", "over"),
    [
        ("timed_out", {}, True),
        ("cancelled", {"build_id": "b1"}, True),
        ("processing", {"build_id": "b1", "processing_state": "INVALID"}, True),
        ("failed", {"build_id": "b1", "processing_state": "FAILED"}, True),
        ("failed", {}, True),  # failed before any build was found
        ("failed", {"build_id": "b1", "processing_state": "VALID"}, False),  # a new request reopens it
        ("done", {"build_id": "b1", "processing_state": "VALID"}, False),
        ("ready", {"build_id": "b1", "processing_state": "VALID"}, False),
        ("waiting_for_build", {}, False),
    ],
)
def test_is_over(state: str, fields: dict[str, str], over: bool) -> None:
    assert lifecycle.is_over(pub(state, **fields)) is over
