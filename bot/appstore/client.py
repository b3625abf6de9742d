"""`AppStoreConnect`: the one object the engine talks to, per API key, made of the resource families."""

from __future__ import annotations

import asyncio
import random
from types import TracebackType

import httpx

from bot.appstore.apps import AppsMixin
from bot.appstore.auth import ApiKey
from bot.appstore.budget import RateLimit
from bot.appstore.builds import BuildsMixin
from bot.appstore.feedback import FeedbackMixin
from bot.appstore.http import DEFAULT_BASE_URL, AscHttp, Sleep
from bot.appstore.releases import ReleasesMixin
from bot.appstore.retry import RetryPolicy
from bot.appstore.reviews import ReviewsMixin
from bot.appstore.testflight import TestFlightMixin
from bot.appstore.versions import VersionsMixin
from bot.appstore.webhooks import WebhooksMixin
from bot.clock import Clock


class AppStoreConnect(
    AppsMixin,
    BuildsMixin,
    TestFlightMixin,
    VersionsMixin,
    ReleasesMixin,
    ReviewsMixin,
    WebhooksMixin,
    FeedbackMixin,
):
    """An App Store Connect API client for one team key; close it with `aclose()` or `async with`."""

    def __init__(
        self,
        key: ApiKey,
        base_url: str = DEFAULT_BASE_URL,
        *,
        clock: Clock,
        sleep: Sleep = asyncio.sleep,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        rng: random.Random | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self._http = AscHttp(
            key,
            base_url,
            clock=clock,
            sleep=sleep,
            timeout=timeout,
            transport=transport,
            rng=rng,
            policy=policy,
        )

    @property
    def key_name(self) -> str:
        return self._http.key.name

    @property
    def rate_limit(self) -> RateLimit | None:
        """The hourly budget App Store Connect last reported for this key (None before any answer)."""
        return self._http.rate_limit

    @property
    def requests_sent(self) -> int:
        """Every HTTP request sent with this key, retries included."""
        return self._http.requests_sent

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AppStoreConnect:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
