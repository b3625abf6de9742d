"""Answers worth keeping a short while: a build just polled, an app's beta groups, its app record.

Every entry has a lifetime; a write that changes a resource drops its entry, and callers that must
see the latest state (or found something missing) ask again past the cache.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock

BUILD_LIFETIME = 30.0  # a build polled in this sweep is what the steps right after it see
JUST_READ = 30.0  # a version's store text read or written by this step is what its checklist sees
APP_LIFETIME = 900.0  # an app's record and beta groups change rarely; a miss reads them again


SAVINGS = {
    "build": "build re-read before a step (the sweep's poll just read it)",
    "groups": "beta groups list (came with the app, include=betaGroups)",
    "vlocs": "version localizations read again right after (the What's New write just read them)",
    "vlocsin": "version localizations (came with the versions read, include=)",
}


class ShortCache:
    """Values by key, each with its own lifetime on the injected clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._items: dict[str, tuple[datetime, Any]] = {}
        # Requests not sent, by why (the benchmarks print them): cache hits and skipped look-ups.
        self.saved: Counter[str] = Counter()

    def put(self, key: str, value: Any, lifetime: float) -> None:
        self._items[key] = (self._clock.now() + timedelta(seconds=lifetime), value)
        if len(self._items) > 20_000:  # many builds at once: forget the expired ones
            now = self._clock.now()
            self._items = {k: v for k, v in self._items.items() if v[0] > now}

    def get(self, key: str, *, instead_of_request: bool = True) -> Any | None:
        """The value while it lives; `instead_of_request` counts the hit as a request saved."""
        item = self._items.get(key)
        if item is None or item[0] <= self._clock.now():
            return None
        if instead_of_request:
            self.saved[SAVINGS.get(key.partition(":")[0], key.partition(":")[0])] += 1
        return item[1]

    def skipped(self, why: str, requests: int = 1) -> None:
        """Count the request(s) a write's answer or an earlier read made unnecessary."""
        self.saved[why] += requests

    def drop(self, key: str) -> None:
        self._items.pop(key, None)
