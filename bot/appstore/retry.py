"""When to try a request again and how long to wait first: backoff with jitter, 429 waits, limits."""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx

# Failures that happen before a single byte of the request reached the server.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures worth another try; anything else (bad URL, local protocol misuse) is a bug, not weather.
TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts and backoff for failures, waits for 429s."""

    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 30.0
    rate_limit_attempts: int = 10
    rate_limit_max_wait: float = 600.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Exponential backoff with jitter, so many clients that failed together do not return together."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** max(0, attempt - 1))
        return ceiling / 2 + rng.random() * ceiling / 2


class RetryBudget:
    """The retry budget of one logical request: whether to try again, and after how long."""

    def __init__(self, policy: RetryPolicy, rng: random.Random, idempotent: bool) -> None:
        self.policy, self.rng, self.idempotent = policy, rng, idempotent
        self.failures = self.rate_limited = 0
        self.waited_for_limit = 0.0
        self.renewed_token = False

    @property
    def n(self) -> int:
        return self.failures + self.rate_limited

    def after_transport_error(self, exc: Exception, sent: bool) -> float | None:
        if not isinstance(exc, TRANSIENT) or not (self.idempotent or not sent):
            return None
        return self._after_failure()

    def after_status(self, status: int, retry_after: float | None) -> float | None:
        if status == 429:
            # Refused before it was applied, so even a create may be repeated.
            self.rate_limited += 1
            delay = (
                retry_after
                if retry_after is not None
                else self.policy.backoff(self.rate_limited + 1, self.rng)
            )
            if (
                self.rate_limited >= self.policy.rate_limit_attempts
                or self.waited_for_limit + delay > self.policy.rate_limit_max_wait
            ):
                return None  # Apple asks for a longer pause than we wait in-line: let the caller reschedule
            self.waited_for_limit += delay
            return delay
        if status >= 500 and self.idempotent:
            return self._after_failure()
        return None

    def renew_token_once(self) -> bool:
        if self.renewed_token:
            return False
        self.renewed_token = True
        return True

    def _after_failure(self) -> float | None:
        self.failures += 1
        if self.failures >= self.policy.attempts:
            return None
        return self.policy.backoff(self.failures, self.rng)
