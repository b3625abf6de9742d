"""Publication ids are ULIDs, in the order they were made."""

from __future__ import annotations

import re
import time

import pytest

from storage import ids
from storage.ids import new_ulid, ulid_millis

ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")


@pytest.fixture(autouse=True)
def _own_sequence(monkeypatch: pytest.MonkeyPatch) -> None:
    """Some tests here set the clock; the ids the other tests make go on from the real one."""
    monkeypatch.setattr(ids, "_last", 0)


def test_an_id_is_a_ulid_carrying_the_time_it_was_made() -> None:
    before = time.time_ns() // 1_000_000
    made = new_ulid()
    after = time.time_ns() // 1_000_000
    assert ULID.fullmatch(made), made
    assert before <= ulid_millis(made) <= after


def test_the_spec_s_example_time_reads_back() -> None:
    # The ULID spec's example, 01ARZ3NDEKTSV4RRFFQ69G5FAV, was made at 1469922850259 ms.
    assert ulid_millis("01ARZ3NDEKTSV4RRFFQ69G5FAV") == 1_469_922_850_259


def test_ids_made_in_one_millisecond_still_increase_and_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ids.time, "time_ns", lambda: 1_469_922_850_259_000_000)
    made = [new_ulid() for _ in range(5_000)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    assert {ulid_millis(m) for m in made} == {1_469_922_850_259}
    assert all(m.startswith("01ARZ3NDEK") for m in made)


def test_an_id_after_the_clock_went_back_still_sorts_after_the_last(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ids.time, "time_ns", lambda: 1_700_000_000_000_000_000)
    later = new_ulid()
    monkeypatch.setattr(ids.time, "time_ns", lambda: 1_699_999_000_000_000_000)
    assert new_ulid() > later


def test_the_random_part_differs_between_ids() -> None:
    assert len({new_ulid()[10:] for _ in range(100)}) == 100


@pytest.mark.parametrize(
    ("drawn", "text"),
    [
        (bytes(10), "01ARZ3NDEK0000000000000000"),
        (b"\xff" * 10, "01ARZ3NDEKZZZZZZZZZZZZZZZZ"),
        # 80 bits 0x0123456789ABCDEF0123, five at a time: 00000 00100 10001 10100 ... 00011
        (bytes.fromhex("0123456789abcdef0123"), "01ARZ3NDEK04HMASW9NF6YY093"),
    ],
)
def test_an_id_is_written_five_bits_a_character(monkeypatch: pytest.MonkeyPatch, drawn: bytes, text: str) -> None:
    # Known time and random bytes give the spec's characters, the random part's last one too.
    monkeypatch.setattr(ids.time, "time_ns", lambda: 1_469_922_850_259_000_000)
    monkeypatch.setattr(ids, "_random", drawn)
    monkeypatch.setattr(ids, "_at", 0)
    assert new_ulid() == text
