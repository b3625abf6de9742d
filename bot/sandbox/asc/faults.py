"""Injected trouble, seeded so a failing run can be replayed: 5xx answers, 429 bursts, latency, drops."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Faults:
    """What goes wrong, and how often. Assign a new one to `sim.faults` to restart its random sequence."""

    error_rate: float = 0.0  # share of requests answered with one of `error_statuses`
    error_statuses: tuple[int, ...] = (500, 503)
    rate_limit_bursts: int = 0  # how many bursts of 429 answers are still to come
    retry_after: int = 1  # seconds, sent as Retry-After with each 429
    latency: float = 0.0  # real seconds added to every answer
    drop_rate: float = 0.0  # share of requests whose connection is closed without an answer
    seed: int = 0
    burst_length: int = 3  # consecutive 429 answers per burst
    burst_chance: float = 0.25  # chance that a burst starts at a request while bursts remain
    after_share: float = 0.5  # share of faulted writes that are applied before the fault hits
    paths: str | None = None  # regex; when set only matching paths are faulted
    # (path-and-query regex, old text, new text): the real answer's body with `old` replaced, e.g. a state Apple
    # may add later, or `"data":[...]` made `"data":null`. Off-spec on purpose, so not recorded.
    rewrites: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Fault:
    """The fault chosen for one request."""

    kind: str  # "error" | "drop" | "rate_limit"
    status: int = 0
    after: bool = False  # the write is applied, then the answer is lost or replaced

    @property
    def label(self) -> str:
        when = "after" if self.after else "before"
        return "rate_limit" if self.kind == "rate_limit" else f"{self.kind}_{when}"


class FaultInjector:
    """Draws a fault decision per request from a private seeded random sequence."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed)
        self._bursts_left = faults.rate_limit_bursts
        self._burst_remaining = 0
        self._paths = re.compile(faults.paths) if faults.paths else None

    @property
    def active(self) -> bool:
        f = self.faults
        return bool(f.error_rate or f.drop_rate or self._bursts_left or self._burst_remaining)

    def rewrite(self, path: str, body: bytes) -> bytes | None:
        """The answer's body after the rewrites that match `path`, or None when none changed it."""
        out = body
        for pattern, old, new in self.faults.rewrites:
            if re.search(pattern, path):
                out = out.replace(old.encode(), new.encode())
        return out if out != body else None

    def decide(self, method: str, path: str) -> Fault | None:
        """The fault for this request, or None. Writes may fail before or after being applied."""
        if not self.active or (self._paths and not self._paths.search(path)):
            return None
        f, rng = self.faults, self._rng
        if self._burst_remaining:
            self._burst_remaining -= 1
            return Fault("rate_limit", 429)
        if self._bursts_left and rng.random() < f.burst_chance:
            self._bursts_left -= 1
            self._burst_remaining = max(0, f.burst_length - 1)
            return Fault("rate_limit", 429)
        # Draw the same number of values for every request so the sequence only depends on the seed.
        roll, when, pick = rng.random(), rng.random(), rng.randrange(len(f.error_statuses) or 1)
        after = method != "GET" and when < f.after_share
        if roll < f.drop_rate:
            return Fault("drop", after=after)
        if roll < f.drop_rate + f.error_rate:
            return Fault("error", f.error_statuses[pick], after)
        return None
