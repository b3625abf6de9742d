"""When a rate-limited Slack call made for a person (a click, a modal, /asc) is worth retrying.

slack_sdk's 429 handler sleeps Retry-After and tries again, whatever it is. For a person waiting
on a click that is wrong twice over: views.open / views.push carry a trigger id that Slack lets
live 3 seconds, so a retry after a wait finds it expired (and the clicker would hear "too slow"
instead of "rate-limited"); and a Retry-After of most of a minute (Slack's tier limits are per
minute) leaves the clicker with nothing for that long. Both are answered at once instead: the
listener tells the clicker what happened. The outbox does not use this (its client never retries).
"""

from __future__ import annotations

from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.metrics import MeteredRateLimitRetryHandler, Metrics

TRIGGER_BOUND = frozenset({"views.open", "views.push"})
MAX_WAIT = 5.0  # seconds a person's request may wait for a rate limit to pass


class PersonRateLimitRetryHandler(MeteredRateLimitRetryHandler):
    """Retries a 429 only when its Retry-After is short and the call is not bound to a trigger id."""

    def __init__(self, metrics: Metrics, max_retry_count: int, max_wait: float = MAX_WAIT) -> None:
        super().__init__(metrics, max_retry_count=max_retry_count)
        self._max_wait = max_wait

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        if request.url.rstrip("/").rsplit("/", 1)[-1] in TRIGGER_BOUND:
            return False
        wait = retry_after(response)
        if wait is not None and wait > self._max_wait:
            return False
        return await super()._can_retry_async(state=state, request=request, response=response, error=error)


def retry_after(response: HttpResponse) -> float | None:
    for name, value in response.headers.items():
        if name.lower() == "retry-after":
            first = value[0] if isinstance(value, list) and value else value
            try:
                return float(first)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return None
    return None
