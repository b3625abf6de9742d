"""HTTP for App Store Connect: bearer tokens, retries with backoff, the hourly request budget, paging."""

from __future__ import annotations

import asyncio
import json as jsonlib
import logging
import random
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from typing import Any, Required, TypedDict, TypeVar
from urllib.parse import quote

import httpx

from bot.appstore.auth import ApiKey, TokenProvider
from bot.appstore.budget import RateLimit, parse_rate_limit
from bot.appstore.cache import ShortCache
from bot.appstore.errors import AscError, AscTransportError, error_from_response
from bot.appstore.retry import NOT_SENT, TRANSIENT, RetryBudget, RetryPolicy
from bot.appstore.scheduler import Budgets, KeyBudget
from bot.clock import Clock

log = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
Params = dict[str, str | int]

DEFAULT_BASE_URL = "https://api.appstoreconnect.apple.com"


class HttpOptions(TypedDict, total=False):
    """How a client talks to App Store Connect: `AscHttp`'s keyword arguments, `AppStoreConnect`'s too."""

    clock: Required[Clock]
    sleep: Sleep
    timeout: float
    transport: httpx.AsyncBaseTransport | None
    rng: random.Random | None
    policy: RetryPolicy | None
    budget: KeyBudget | None


def seg(value: str) -> str:
    """One URL path segment; ids can come from webhook payloads, so never let them add path parts."""
    return quote(str(value), safe="")


class AscHttp:
    """One keep-alive connection pool and token cache per API key; every App Store Connect request."""

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
        budget: KeyBudget | None = None,
    ) -> None:
        self.key = key
        # Standalone clients get a budget of their own; the bot hands every client of a key the same.
        self.budget = budget or Budgets(clock, sleep=sleep).for_key(key)
        self.cache = ShortCache(clock)
        self.tokens = TokenProvider(key, clock)
        self.policy = policy or RetryPolicy()
        self.requests_sent = 0
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrets
        self._rate_limit: RateLimit | None = None
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": "asc-bot"},
        )

    @property
    def rate_limit(self) -> RateLimit | None:
        return self._rate_limit

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(self, path: str, params: Params | None = None) -> dict[str, Any]:
        return await self.request("GET", path, params=params) or {}

    async def get_all(
        self, path: str, params: Params | None = None, *, max_pages: int = 100
    ) -> dict[str, Any]:
        """Every page of a collection, following `links.next`, merged into one document."""
        document = await self.get(path, params)
        data = list(document.get("data") or [])
        included = list(document.get("included") or [])
        for _ in range(max_pages - 1):
            next_url = (document.get("links") or {}).get("next")
            if not next_url:
                break
            document = await self.get(self._same_origin(next_url))
            data.extend(document.get("data") or [])
            included.extend(document.get("included") or [])
        else:
            log.warning("stopped paging %s after %d pages", path, max_pages)
        return {"data": data, "included": included}

    async def post(
        self, path: str, body: dict[str, Any], *, idempotent: bool = False
    ) -> dict[str, Any] | None:
        """POST; `idempotent=True` for relationship posts, which may be repeated harmlessly."""
        return await self.request("POST", path, body=body, idempotent=idempotent)

    async def patch(self, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        return await self.request("PATCH", path, body=body)

    async def delete(self, path: str, body: dict[str, Any] | None = None) -> None:
        await self.request("DELETE", path, body=body)

    async def create_once(
        self, post: Callable[[], Awaitable[T]], find: Callable[[], Awaitable[T | None]], *, what: str
    ) -> T:
        """Create a resource without ever creating it twice.

        A create that fails ambiguously (answer lost, 5xx) may still have been applied, so look the
        resource up and post again only when it is not there.
        """
        attempt = 0
        while True:
            try:
                return await post()
            except AscError as exc:
                if not exc.maybe_applied:
                    raise
                attempt += 1
                log.warning("creating %s failed ambiguously (%s); reading back", what, exc)
                found = await find()
                if found is not None:
                    return found
                if attempt >= self.policy.attempts:
                    raise
                await self._sleep(self.policy.backoff(attempt, self._rng))

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Params | None = None,
        body: dict[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> dict[str, Any] | None:
        """Send one logical request, retrying what is safe to retry; raise `AscError` otherwise.

        GET, PATCH and DELETE (and POSTs marked idempotent) are retried after time-outs, dropped
        connections and 5xx. Other POSTs are retried only when they cannot have reached the server;
        otherwise the error says `maybe_applied` and the caller reads back (see `create_once`).
        """
        if idempotent is None:
            idempotent = method != "POST"
        path = httpx.URL(url).path
        tries = RetryBudget(self.policy, self._rng, idempotent)
        while True:
            await self.budget.acquire()
            try:
                response = await self._send(method, url, params, body)
            except httpx.TransportError as exc:
                sent = not isinstance(exc, NOT_SENT)
                delay = tries.after_transport_error(exc, sent)
                if delay is None:
                    maybe_applied = sent and not idempotent and isinstance(exc, TRANSIENT)
                    raise self._transport_error(exc, method, path, maybe_applied=maybe_applied) from exc
                log.warning("%s %s: %s; retry %d in %.1fs", method, path, type(exc).__name__, tries.n, delay)
                await self._sleep(delay)
                continue

            status = response.status_code
            log.debug("%s %s -> %d", method, path, status)
            if status < 400:
                return self._json(response, method, path)
            if status == 401 and tries.renew_token_once():
                # A token can expire in flight or the clocks disagree; one fresh token settles it.
                self.tokens.invalidate()
                continue
            retry_after = self._retry_after(response)
            delay = tries.after_status(status, retry_after)
            if delay is not None:
                log.warning("%s %s -> %d; retry %d in %.1fs", method, path, status, tries.n, delay)
                await self._sleep(delay)
                continue
            raise error_from_response(
                status,
                response.content,
                key_name=self.key.name,
                key_id=self.key.key_id,
                method=method,
                path=path,
                reason=response.reason_phrase,
                retry_after=retry_after,
                maybe_applied=status >= 500 and not idempotent,
            )

    async def _send(
        self, method: str, url: str, params: Params | None, body: dict[str, Any] | None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens.token()}"}
        content = None
        if body is not None:
            content = jsonlib.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.requests_sent += 1
        response = await self._client.request(method, url, params=params, content=content, headers=headers)
        limit = parse_rate_limit(response.headers.get("X-Rate-Limit"), self._clock.now())
        if limit is not None:
            self._rate_limit = limit
            await self.budget.observe(limit)
        return response

    def _retry_after(self, response: httpx.Response) -> float | None:
        value = response.headers.get("Retry-After")
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, (when - self._clock.now()).total_seconds()) if when.tzinfo else None

    def _json(self, response: httpx.Response, method: str, path: str) -> dict[str, Any] | None:
        if not response.content:
            return None
        try:
            parsed = response.json()
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise AscError(
                status=response.status_code,
                title="App Store Connect answered with something that is not a JSON object",
                key_name=self.key.name,
                key_id=self.key.key_id,
                method=method,
                path=path,
            )
        return parsed

    def _transport_error(self, exc: Exception, method: str, path: str, *, maybe_applied: bool) -> AscError:
        return AscTransportError(
            status=0,
            title=type(exc).__name__,
            detail=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
            key_name=self.key.name,
            key_id=self.key.key_id,
            method=method,
            path=path,
            maybe_applied=maybe_applied,
        )

    def _same_origin(self, url: str) -> str:
        """Paging links are absolute; never send the token to another host than the configured one."""
        target, base = httpx.URL(url), self._client.base_url
        if (target.scheme, target.host, target.port) == (base.scheme, base.host, base.port):
            return url
        log.warning("paging link points to %s; following it on %s instead", target.host, base.host)
        return str(base.copy_with(raw_path=target.raw_path))
