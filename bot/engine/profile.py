"""When to look again while Apple works on a build: sparse at first, denser when builds usually
finish processing, sparse again for the slow ones; a slow safety net while webhooks arrive."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

# (seconds since the upload, seconds between processing polls from then on). Apple rarely finishes
# a build in under five minutes; most are done within twenty; some take an hour or more.
DEFAULT_PROFILE: tuple[tuple[float, float], ...] = ((0, 300), (300, 60), (1200, 120), (3600, 300))
FIRST_FIND = 30.0  # Apple does not list a build the moment the upload ends
SAFETY_NET = 900.0  # seconds between polls while App Store Connect webhooks tell the bot instead
DEADLINE_MARGIN = 60.0  # the safety net always looks once shortly before a deadline


def parse_profile(text: str) -> tuple[tuple[float, float], ...]:
    """`0:300,300:60,1200:120` → ((0, 300), (300, 60), (1200, 120)); ValueError says what is wrong."""
    steps: list[tuple[float, float]] = []
    for item in text.split(","):
        at, sep, every = item.strip().partition(":")
        try:
            step = (float(at), float(every))
        except ValueError:
            raise ValueError(f"{item.strip()!r} is not <seconds since upload>:<seconds between polls>") from None
        if not sep or step[0] < 0 or step[1] < 1:
            raise ValueError(f"{item.strip()!r} needs a start of 0 or more and an interval of 1 or more")
        if steps and step[0] <= steps[-1][0]:
            raise ValueError("the starts must grow from left to right")
        steps.append(step)
    if not steps or steps[0][0] != 0:
        raise ValueError("the first step must start at 0")
    return tuple(steps)


def next_processing_poll(
    profile: Sequence[tuple[float, float]], uploaded: datetime, now: datetime
) -> datetime:
    """The profile's next poll: its interval at this age, but never past the start of a denser step."""
    age = (now - uploaded).total_seconds()
    interval = next((every for at, every in reversed(profile) if age >= at), profile[0][1])
    boundary = next((at for at, _ in profile if at > age), None)
    wait = interval if boundary is None else min(interval, boundary - age)
    return now + timedelta(seconds=max(1.0, wait))


def safety_net(now: datetime, deadline: datetime | None) -> datetime:
    """While webhooks arrive: look every SAFETY_NET seconds, and once just before the deadline."""
    at = now + timedelta(seconds=SAFETY_NET)
    if deadline is not None:
        last = deadline - timedelta(seconds=DEADLINE_MARGIN)
        if now < last < at:
            return last
    return at
