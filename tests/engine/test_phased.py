"""A phased release's 7-day schedule and the words the message and the thread show for it."""

from __future__ import annotations

from bot.engine.phased import DAYS, day_text, progress, share


def test_share_follows_apples_schedule_and_clamps() -> None:
    assert [share(d) for d in range(1, DAYS + 1)] == [1, 2, 5, 10, 20, 50, 100]
    assert share(0) == 1 and share(12) == 100


def test_progress_only_for_a_running_release() -> None:
    assert progress("ACTIVE", 3) == "day 3 of 7 · 5% of users"
    assert progress("PAUSED", 2) == "day 2 of 7 · 2% of users · paused"
    assert progress("ACTIVE", 9) == "day 7 of 7 · 100% of users"
    assert progress("COMPLETE", 7) is None
    assert progress("ACTIVE", None) is None and progress("ACTIVE", 0) is None
    assert progress(None, 3) is None


def test_day_text() -> None:
    assert day_text(4) == "📈 Phased release, day 4 of 7: 10% of users with automatic updates get it."
