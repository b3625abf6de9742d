"""The step registry's own rules: one order per step, the approver rule read from the specs."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.engine.actions import ACTIONS, CONTROLS, GATED, label_of, ordered, title_of
from storage.records import Action

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _action(id_: int, kind: str) -> Action:
    return Action(id_, "p1", kind, "requested", "U0AAA", T0)


def test_every_step_has_its_own_order_and_is_keyed_by_its_kind() -> None:
    orders = [spec.order for spec in ACTIONS.values()]
    assert len(set(orders)) == len(orders)
    assert all(kind == spec.kind for kind, spec in ACTIONS.items())
    assert not set(ACTIONS) & set(CONTROLS)


def test_gated_is_the_gated_specs_and_the_controls() -> None:
    assert {k for k, s in ACTIONS.items() if s.gated} | set(CONTROLS) == GATED
    assert "submit_to_app_store" in GATED and "what_to_test" not in GATED


def test_titles_and_labels_fall_back() -> None:
    assert title_of("release_now") == "Release now"
    assert title_of("cancel") == "Cancel a publication"
    assert title_of("made_up_step") == "made up step"
    assert label_of("change_export_compliance") == "Change export compliance"  # the shorter button
    assert label_of("submit_to_testflight") == "Submit to TestFlight"  # no button text: the title


def test_ordered_runs_by_order_then_id_with_unknown_kinds_last() -> None:
    steps = [_action(1, "unknown_kind"), _action(2, "beta_groups"), _action(3, "what_to_test"), _action(4, "export_compliance")]
    assert [a.kind for a in ordered(steps)] == ["export_compliance", "what_to_test", "beta_groups", "unknown_kind"]
    twins = [_action(9, "gone"), _action(5, "gone")]
    assert [a.id for a in ordered(twins)] == [5, 9]
