"""`AppStoreConnect`: the one object the engine talks to, per API key, made of the resource families."""

from __future__ import annotations

from types import TracebackType
from typing import Unpack

from bot.appstore.apps import AppsMixin
from bot.appstore.auth import ApiKey
from bot.appstore.budget import RateLimit
from bot.appstore.builds import BuildsMixin
from bot.appstore.feedback import FeedbackMixin
from bot.appstore.http import DEFAULT_BASE_URL, AscHttp, HttpOptions
from bot.appstore.releases import ReleasesMixin
from bot.appstore.reviews import ReviewsMixin
from bot.appstore.scheduler import KeyBudget
from bot.appstore.testflight import TestFlightMixin
from bot.appstore.testinfo import TestInfoMixin
from bot.appstore.versions import VersionsMixin
from bot.appstore.webhooks import WebhooksMixin


class AppStoreConnect(
    AppsMixin,
    BuildsMixin,
    TestFlightMixin,
    TestInfoMixin,
    VersionsMixin,
    ReleasesMixin,
    ReviewsMixin,
    WebhooksMixin,
    FeedbackMixin,
):
    """An App Store Connect API client for one team key; close it with `aclose()` or `async with`."""

    def __init__(self, key: ApiKey, base_url: str = DEFAULT_BASE_URL, **options: Unpack[HttpOptions]) -> None:
        self._http = AscHttp(key, base_url, **options)

    @property
    def key_name(self) -> str:
        return self._http.key.name

    @property
    def rate_limit(self) -> RateLimit | None:
        """The hourly budget App Store Connect last reported for this key (None before any answer)."""
        return self._http.rate_limit

    @property
    def budget(self) -> KeyBudget:
        """The key's hourly budget, shared by every client of the same key in this process."""
        return self._http.budget

    @property
    def savings(self) -> dict[str, int]:
        """Requests not sent, by why: cache hits, look-ups a write's answer made unnecessary."""
        return dict(self._http.cache.saved)

    def saved(self, why: str) -> None:
        """A step counts a request it did not need to send (for the benchmarks' table)."""
        self._http.cache.skipped(why)

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
