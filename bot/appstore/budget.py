"""The hourly request budget App Store Connect reports per key (how fast to go is bot/appstore/scheduler.py's)."""

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

