"""The hourly request budget App Store Connect reports per key, and how fast to go when it runs low."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class RateLimit:
    """The key's hourly budget as last reported by App Store Connect's `X-Rate-Limit` header."""

    limit: int
    remaining: int
    observed_at: datetime


def parse_rate_limit(value: str | None, observed_at: datetime) -> RateLimit | None:
    """Parse `user-hour-lim:3600;user-hour-rem:3412;`; None when the header is absent or garbled."""
    fields: dict[str, int] = {}
    for item in (value or "").split(";"):
        name, _, number = item.partition(":")
        try:
            fields[name.strip()] = int(number.strip())
        except ValueError:
            continue
    if "user-hour-lim" not in fields or "user-hour-rem" not in fields:
        return None
    return RateLimit(fields["user-hour-lim"], max(0, fields["user-hour-rem"]), observed_at)


def pace_delay(limit: RateLimit | None, now: datetime, reserve_fraction: float, max_delay: float) -> float:
    """Seconds to wait before the next request: zero while the budget is above its reserve.

    The window is a rolling hour, so requests age out at about limit/3600 per second. Below the
    reserve, match that pace, slowing further as the budget nears zero, so it never runs out.
    """
    if limit is None or limit.limit <= 0 or now - limit.observed_at > WINDOW:
        return 0.0
    reserve = max(1.0, limit.limit * reserve_fraction)
    if limit.remaining >= reserve:
        return 0.0
    steady = WINDOW.total_seconds() / limit.limit
    return min(max_delay, steady * reserve / max(limit.remaining, 1))
