"""Publication ids are RFC 9562 version-7 UUIDs, in the order they were made."""

from __future__ import annotations

import time
import uuid

import pytest

from storage import ids
from storage.ids import time_ordered_id


def test_an_id_is_a_version_7_uuid_carrying_the_time_it_was_made() -> None:
    before = time.time_ns() // 1_000_000
    made = time_ordered_id()
    after = time.time_ns() // 1_000_000
    parsed = uuid.UUID(made)
    assert str(parsed) == made
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122
    assert before <= parsed.int >> 80 <= after


@pytest.fixture(autouse=True)
def _own_sequence(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests below set the clock; the ids the other tests make go on from the real one."""
    monkeypatch.setattr(ids, "_last", 0)


def test_ids_made_in_one_millisecond_still_increase_and_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ids.time, "time_ns", lambda: 1_700_000_000_000_000_000)
    made = [time_ordered_id() for _ in range(5_000)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    assert {uuid.UUID(m).int >> 80 for m in made} == {1_700_000_000_000}
    assert all(uuid.UUID(m).version == 7 for m in made)


def test_an_id_after_the_clock_went_back_still_sorts_after_the_last(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ids.time, "time_ns", lambda: 1_700_000_000_000_000_000)
    later = time_ordered_id()
    monkeypatch.setattr(ids.time, "time_ns", lambda: 1_699_999_000_000_000_000)
    assert time_ordered_id() > later


def test_the_random_part_differs_between_ids() -> None:
    made = {uuid.UUID(time_ordered_id()).int & (1 << 62) - 1 for _ in range(100)}
    assert len(made) == 100
