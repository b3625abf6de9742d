"""Web API rate limits as Slack applies them: per method tier, per workspace, over a sliding minute.

From https://docs.slack.dev/apis/web-api/rate-limits (and each method's reference page): limits
apply "per API method per workspace per app"; Tier 1 allows 1+ calls a minute, Tier 2 20+, Tier 3
50+, Tier 4 100+. A call over the limit answers HTTP 429 with `Retry-After` (seconds) and
`{"ok": false, "error": "ratelimited"}`. chat.postMessage is "special" (about one message per second
per channel, after a short burst): see `ApiServer._pace` / `SlackSimulator.pace_posts`.

The limits here are the documented minimums, on by default: a test's ordinary traffic stays far
below them, a burst (say 60 redraws in a minute) meets them. Tests tighten one method with
`SlackSimulator.limit_rate` and may give the limiter their fake clock.

Since May 2025 Slack limits conversations.history/replies to 1 a minute for *commercially
distributed* apps outside the Marketplace; a self-hosted internal app such as asc-bot keeps Tier 3.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from datetime import datetime

TIER_PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}
WINDOW_SECONDS = 60.0

# The documented tier of each method the simulator serves. "special" methods get their own rule
# (chat.postMessage: per channel pacing) or, when Slack only says "hundreds per minute", Tier 4's.
METHOD_TIERS: dict[str, int | str] = {
    "apps.connections.open": 1,
    "auth.test": "special",
    "chat.getPermalink": "special",
    "chat.postEphemeral": 4,
    "chat.postMessage": "special",
    "chat.update": 3,
    "conversations.history": 3,
    "conversations.info": 3,
    "conversations.open": 3,
    "conversations.replies": 3,
    "usergroups.users.list": 2,
    "users.info": 4,
    "views.open": 4,
    "views.publish": 4,
    "views.push": 4,
    "views.update": 4,
}
# Per-minute quota of the "special" methods limited here (chat.postMessage is paced per channel).
SPECIAL_PER_MINUTE = {"auth.test": 100, "chat.getPermalink": 100}


def default_limits() -> dict[str, int]:
    """method -> calls allowed in any minute, from the tiers above."""
    limits = {m: TIER_PER_MINUTE[t] for m, t in METHOD_TIERS.items() if isinstance(t, int)}
    limits.update(SPECIAL_PER_MINUTE)
    return limits


class RateLimits:
    """Counts calls per method over a sliding minute; `take` answers how long to wait, or None."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self.per_minute: dict[str, int] = default_limits()
        self.enabled = True
        self._seen: dict[str, deque[float]] = {}

    def limit(self, method: str, per_minute: int | None) -> None:
        """Allow `per_minute` calls to `method` in any minute (None: no limit)."""
        if per_minute is None:
            self.per_minute.pop(method, None)
        else:
            self.per_minute[method] = per_minute

    def reset(self) -> None:
        """Forget the calls counted so far (as if a minute of silence had passed)."""
        self._seen.clear()

    def take(self, method: str) -> int | None:
        """Count a call to `method`; None when allowed, else the Retry-After seconds (not counted)."""
        limit = self.per_minute.get(method)
        if not self.enabled or limit is None:
            return None
        now = self.now().timestamp()
        seen = self._seen.setdefault(method, deque())
        while seen and seen[0] <= now - WINDOW_SECONDS:
            seen.popleft()
        if len(seen) >= limit:
            if not seen:  # a limit of 0: the method is closed for now
                return math.ceil(WINDOW_SECONDS)
            return max(1, math.ceil(seen[0] + WINDOW_SECONDS - now))
        seen.append(now)
        return None
