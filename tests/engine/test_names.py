"""Beta group names: case, quote marks and spacing do not matter; exact wins; a shared key matches neither."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.names import match_names, name_key


@dataclass(frozen=True)
class Group:
    name: str


def test_key_folds_case_quotes_and_spacing() -> None:
    assert name_key("Tim\u2019s  Devices ") == name_key("tim's devices") == "tim's devices"
    assert name_key("\u201cQA\u201d") == name_key('"qa"')
    assert name_key("QA one") != name_key("QA-one")


def test_typographic_apostrophe_matches_and_is_reported_as_a_difference() -> None:
    groups = [Group("Tim\u2019s devices"), Group("External")]
    match = match_names(["tim's devices", "External", "Nobody"], groups)
    assert [(t, g.name) for t, g in match.found] == [("tim's devices", "Tim\u2019s devices"), ("External", "External")]
    assert match.unknown == ["Nobody"]
    assert match.differences() == [("tim's devices", "Tim\u2019s devices")]


def test_exact_name_wins_and_a_shared_key_matches_neither() -> None:
    groups = [Group("QA"), Group("qa")]
    exact = match_names(["qa"], groups)
    assert [g.name for _, g in exact.found] == ["qa"] and exact.ambiguous == {}
    folded = match_names(["Qa"], groups)
    assert folded.found == [] and folded.ambiguous == {"Qa": ["QA", "qa"]}
