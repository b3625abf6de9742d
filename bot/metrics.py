"""Prometheus metrics: one CollectorRegistry per bot (never the global one), fed at the seams.

Counters are fed by the HTTP layers (App Store Connect transport, Slack client, aiohttp middleware)
and the ticker; gauges that the database knows (publications, steps, outbox) are read at scrape time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.appstore.budget import parse_rate_limit
from storage.stats import Stats

AUTH_ERRORS = frozenset({"invalid_auth", "not_authed", "token_revoked", "account_inactive", "token_expired"})


class StorageCollector(Collector):
    """Gauges from the last `Stats` read; `/metrics` reads fresh stats just before it renders."""

    def __init__(self, clock_now: Any) -> None:
        self.stats: Stats | None = None
        self._now = clock_now

    def collect(self) -> Iterator[Metric]:
        stats = self.stats or Stats()
        pubs = GaugeMetricFamily("asc_bot_publications", "Publications by state", labels=["state"])
        for state, n in sorted(stats.publications.items()):
            pubs.add_metric([state], n)
        steps = GaugeMetricFamily("asc_bot_steps", "Steps by kind and outcome", labels=["kind", "outcome"])
        for (kind, status), n in sorted(stats.steps.items()):
            steps.add_metric([kind, status], n)
        depth = GaugeMetricFamily("asc_bot_outbox_depth", "Slack posts not yet delivered")
        depth.add_metric([], stats.outbox_depth)
        age = GaugeMetricFamily(
            "asc_bot_outbox_oldest_age_seconds", "Age of the oldest undelivered Slack post (0 when none)"
        )
        oldest: datetime | None = stats.oldest_undelivered
        age.add_metric([], max(0.0, (self._now() - oldest).total_seconds()) if oldest else 0.0)
        yield from (pubs, steps, depth, age)


class Metrics:
    """Every metric of one bot, registered in its own registry."""

    def __init__(self, clock_now: Any) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.asc_requests = Counter(
            "asc_bot_appstore_requests", "App Store Connect requests", ["key", "status"], registry=r
        )
        self.asc_budget = Gauge(
            "asc_bot_appstore_budget_remaining", "Requests left this hour (X-Rate-Limit)", ["key"], registry=r
        )
        self.rate_limited = Counter(
            "asc_bot_rate_limited", "HTTP 429 answers", ["service", "key"], registry=r
        )
        self.slack_calls = Counter(
            "asc_bot_slack_calls", "Slack Web API calls by method and error ('' when ok)", ["method", "error"],
            registry=r,
        )
        self.sweep_seconds = Histogram(
            "asc_bot_sweep_duration_seconds", "Duration of one sweep", registry=r,
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
        )
        self.webhooks = Counter(
            "asc_bot_webhook_requests", "Webhook requests by path and HTTP status", ["path", "status"], registry=r
        )
        self.storage = StorageCollector(clock_now)
        r.register(self.storage)
        self.last_sweep: float | None = None  # time.monotonic() when the last sweep finished
        self.slack_auth_ok: bool | None = None  # None: not known yet

    def sweep_done(self, seconds: float) -> None:
        self.sweep_seconds.observe(seconds)
        self.last_sweep = time.monotonic()

    def slack_call(self, method: str, error: str) -> None:
        self.slack_calls.labels(method, error).inc()
        if error == "ratelimited":
            self.rate_limited.labels("slack", "").inc()
        if error in AUTH_ERRORS:
            self.slack_auth_ok = False
        elif error in ("", "ok"):
            self.slack_auth_ok = True


class MeteredTransport(httpx.AsyncBaseTransport):
    """Wraps the App Store Connect transport: counts each answer by status and reads X-Rate-Limit."""

    def __init__(self, inner: httpx.AsyncBaseTransport, metrics: Metrics, key: str, clock_now: Any) -> None:
        self._inner, self._metrics, self._key, self._now = inner, metrics, key, clock_now

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self._inner.handle_async_request(request)
        except httpx.TransportError:
            self._metrics.asc_requests.labels(self._key, "error").inc()
            raise
        self._metrics.asc_requests.labels(self._key, str(response.status_code)).inc()
        if response.status_code == 429:
            self._metrics.rate_limited.labels("appstore", self._key).inc()
        limit = parse_rate_limit(response.headers.get("X-Rate-Limit"), self._now())
        if limit is not None:
            self._metrics.asc_budget.labels(self._key).set(limit.remaining)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class MeteredWebClient(AsyncWebClient):
    """slack_sdk's client, counting every Web API call by method and Slack's error code."""

    metrics: Metrics | None = None

    async def api_call(self, api_method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            response = await super().api_call(api_method, *args, **kwargs)
        except SlackApiError as exc:
            if self.metrics is not None:
                self.metrics.slack_call(api_method, str(exc.response.get("error") or "unknown"))
            raise
        except Exception:
            if self.metrics is not None:
                self.metrics.slack_call(api_method, "transport")
            raise
        if self.metrics is not None:
            self.metrics.slack_call(api_method, "")
        return response


class MeteredRateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 retry, counting each 429 it retries (the last one is counted as `ratelimited`)."""

    def __init__(self, metrics: Metrics, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._metrics = metrics

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        limited = await super()._can_retry_async(state=state, request=request, response=response, error=error)
        if limited:
            self._metrics.rate_limited.labels("slack", "").inc()
        return limited
