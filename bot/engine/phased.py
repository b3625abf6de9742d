"""A running phased release: Apple's 7-day schedule, what the thread hears each day, when to look again.

App Store Connect's phased release gives an update to 1%, 2%, 5%, 10%, 20%, 50% and 100% of users
with automatic updates on days 1 to 7 (days while paused do not count). The bot reads
`currentDayNumber` once a day and shows the day and the share in the publication's message.
"""

from __future__ import annotations

from storage.records import Publication

SHARES = (1, 2, 5, 10, 20, 50, 100)  # percent of users on day 1..7
DAYS = len(SHARES)
LOOK_EVERY = 86400.0  # seconds: the day number changes once a day
RUNNING = ("ACTIVE", "PAUSED")


def share(day: int) -> int:
    """The percentage of users who get the update on `day` (1-7; outside that range, clamped)."""
    return SHARES[min(max(day, 1), DAYS) - 1]


def follows_phased(pub: Publication) -> bool:
    """A released version whose phased release still runs: followed once a day."""
    return (
        pub.version_id is not None
        and pub.version_state == "READY_FOR_DISTRIBUTION"
        and pub.phased_state in RUNNING
    )


def progress(state: str | None, day: int | None) -> str | None:
    """ "day 3 of 7 · 5% of users" for a running phased release (None when there is nothing to show)."""
    if state not in RUNNING or not day:
        return None
    text = f"day {min(day, DAYS)} of {DAYS} · {share(day)}% of users"
    return f"{text} · paused" if state == "PAUSED" else text


def day_text(day: int) -> str:
    """The thread's line when a new day of the phased release starts."""
    return f"📈 Phased release, day {min(day, DAYS)} of {DAYS}: {share(day)}% of users with automatic updates get it."
