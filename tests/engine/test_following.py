"""The follow interval: the configured one, stretched to fit the key's hourly budget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.appstore.budget import RateLimit
from bot.engine.following import FOLLOW_SHARE, follow_interval

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@dataclass
class Client:
    rate_limit: RateLimit | None = None


def test_the_base_interval_when_the_round_is_cheap() -> None:
    assert follow_interval(120, Client(), 0) == 120  # type: ignore[arg-type]
    assert follow_interval(120, Client(RateLimit(3600, 3600, NOW)), 10) == 120  # type: ignore[arg-type]


def test_a_costly_round_is_stretched_to_its_share_of_the_budget() -> None:
    # 300 requests a round, repeated every interval, may use a quarter of 3600 an hour.
    assert follow_interval(120, Client(RateLimit(3600, 3000, NOW)), 300) == pytest.approx(  # type: ignore[arg-type]
        300 * 3600 / (FOLLOW_SHARE * 3600)
    )
    # Without a reported budget the bot assumes Apple's documented 3600 an hour.
    assert follow_interval(120, Client(), 300) == pytest.approx(1200)  # type: ignore[arg-type]


@pytest.mark.parametrize(("remaining", "factor"), [(3600, 1), (360, 1), (359, 4), (0, 4)])
def test_a_low_budget_stretches_four_times_below_ten_percent(remaining: int, factor: int) -> None:
    client = Client(RateLimit(3600, remaining, NOW))
    assert follow_interval(120, client, 0) == 120 * factor  # type: ignore[arg-type]
