"""The poll interval: the configured one, stretched by the round's cost and a low budget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.appstore.budget import RateLimit
from bot.engine.polling import POLL_SHARE, poll_interval
from bot.engine.settings import EngineSettings

NOW = datetime(2026, 3, 1, tzinfo=UTC)
SETTINGS = EngineSettings(poll_interval=30)


@dataclass
class Client:
    rate_limit: RateLimit | None = None


def test_the_configured_interval_when_the_round_is_cheap() -> None:
    assert poll_interval(SETTINGS, Client()) == 30  # type: ignore[arg-type]
    assert poll_interval(SETTINGS, Client(RateLimit(3600, 3600, NOW)), 10) == 30  # type: ignore[arg-type]


def test_a_costly_round_is_stretched_to_half_the_budget() -> None:
    client = Client(RateLimit(1800, 1800, NOW))
    assert poll_interval(SETTINGS, client, 100) == pytest.approx(100 * 3600 / (POLL_SHARE * 1800))  # type: ignore[arg-type]
    assert poll_interval(SETTINGS, Client(), 100) == pytest.approx(200)  # type: ignore[arg-type]  # 3600 assumed


@pytest.mark.parametrize(
    ("remaining", "factor"),
    [(1000, 1), (720, 1), (719, 2), (360, 2), (359, 4), (180, 4), (179, 8), (0, 8)],
)
def test_a_low_budget_stretches_two_four_and_eight_times(remaining: int, factor: int) -> None:
    client = Client(RateLimit(3600, remaining, NOW))
    assert poll_interval(SETTINGS, client) == 30 * factor  # type: ignore[arg-type]
