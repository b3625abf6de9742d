"""The aiohttp server: auth, rate limit, faults, query and media-type checks, recording, routing."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.clock import Clock
from bot.sandbox.asc import apps, builds, feedback, phased, reviews, testflight, versions, webhooks
from bot.sandbox.asc.auth import TokenChecker
from bot.sandbox.asc.context import Ctx, Handler
from bot.sandbox.asc.errors import ApiError
from bot.sandbox.asc.exchange import Exchange
from bot.sandbox.asc.faults import Fault, FaultInjector, Faults
from bot.sandbox.asc.params import ROUTES as PARAMS
from bot.sandbox.asc.query import parse_query
from bot.sandbox.asc.store import Store

log = logging.getLogger(__name__)
RAW_BODY = web.RequestKey("asc_raw_body", bytes)
NOW = web.RequestKey("asc_now", datetime)
WINDOW = 3600.0  # seconds: the rate limit is counted over a rolling hour
_RATE_DETAIL = (
    "We've received too many requests for this API. Please wait and try again or slow down your request rate."
)
_SERVER_ERRORS = {
    500: (
        "UNEXPECTED_ERROR",
        "An unexpected error occurred on the server side. If this issue continues, contact us.",
    ),
    502: ("UNEXPECTED_ERROR", "The upstream service answered with an error."),
    503: ("SERVICE_UNAVAILABLE", "The service is temporarily unavailable. Try again later."),
    504: ("UNEXPECTED_ERROR", "The request timed out on the server side."),
}


class RateLimiter:
    """Requests per key over the last hour of the simulator's clock."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._hits: dict[str, deque[float]] = {}

    def _window(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - WINDOW:
            hits.popleft()
        return hits

    def remaining(self, key: str | None, now: datetime) -> int:
        if key is None:
            return self.limit
        return max(0, self.limit - len(self._window(key, now.timestamp())))

    def take(self, key: str, now: datetime) -> None:
        """Count one request, or raise Apple's 429 when the hour's budget is spent."""
        t = now.timestamp()
        hits = self._window(key, t)
        if len(hits) >= self.limit:
            wait = max(1, int(hits[0] + WINDOW - t) + 1)
            raise ApiError(429, "RATE_LIMIT_EXCEEDED", _RATE_DETAIL, headers={"Retry-After": str(wait)})
        hits.append(t)


class AscServer:
    """Serves the App Store Connect routes over one store; the simulator wraps it with a control API."""

    def __init__(self, clock: Clock, store: Store, hourly_limit: int, seed: int) -> None:
        self.clock = clock
        self.store = store
        self.tokens = TokenChecker()
        self.limiter = RateLimiter(hourly_limit)
        self.injector = FaultInjector(Faults())
        self.exchanges: list[Exchange] = []
        self.record_bodies = True  # benchmarks may turn this off: batch answers run to hundreds of KB
        self.beta_review_time: float | None = None
        self.app_review_time: float | None = None
        self.base_url = ""
        self._error_ids = random.Random(seed + 1)
        self.app = web.Application(middlewares=[self._middleware], client_max_size=8 * 1024 * 1024)
        for module in (apps, builds, testflight, versions, phased, reviews, webhooks, feedback):
            for method, path, handler in module.ROUTES:
                self.app.router.add_route(method, path, self._adapt(method, path, handler))

    def _adapt(
        self, method: str, path: str, handler: Handler
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        params = PARAMS[(method, path)]

        async def handle(request: web.Request) -> web.StreamResponse:
            body = request.get(RAW_BODY)
            if method != "GET" and body and request.content_type != "application/json":
                raise ApiError(
                    415,
                    "UNSUPPORTED_MEDIA_TYPE",
                    f"'{request.content_type}' is not supported; send application/json",
                )
            query = parse_query(request.query.items(), params)
            now = request[NOW]
            self.store.settle(now)
            ctx = Ctx(
                self.store,
                now,
                self.base_url,
                request.path_qs,
                request.match_info,
                query,
                body,
                self.beta_review_time,
                self.app_review_time,
            )
            return handler(ctx)

        return handle

    def error_response(self, exc: ApiError) -> web.Response:
        """Apple's ErrorResponse for an ApiError."""
        error_id = str(uuid.UUID(int=self._error_ids.getrandbits(128), version=4))
        body = json.dumps({"errors": [exc.item(error_id)]}, separators=(",", ":")).encode()
        return web.Response(
            status=exc.status, body=body, content_type="application/json", headers=exc.headers
        )

    def _fault_error(self, fault: Fault) -> ApiError:
        code, detail = _SERVER_ERRORS.get(fault.status, ("UNEXPECTED_ERROR", "An unexpected error occurred."))
        return ApiError(fault.status, code, detail)

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        now = self.clock.now()
        raw = await request.read()
        request[NOW] = now
        if raw:
            request[RAW_BODY] = raw
        key: str | None = None
        fault: Fault | None = None
        response: web.StreamResponse
        try:
            key = self.tokens.check(request.headers.get("Authorization"), now)
            self.limiter.take(key, now)
            fault = self.injector.decide(request.method, request.path)
            if self.injector.faults.latency:
                await asyncio.sleep(self.injector.faults.latency)
            if fault is not None and fault.kind == "rate_limit":
                retry = {"Retry-After": str(self.injector.faults.retry_after)}
                raise ApiError(429, "RATE_LIMIT_EXCEEDED", _RATE_DETAIL, headers=retry)
            if fault is not None and not fault.after:
                if fault.kind == "drop":
                    return self._drop(request, now, fault)
                raise self._fault_error(fault)
            response = await self._route(request, handler)
            body = getattr(response, "body", None)
            if self.injector.faults.rewrites and isinstance(body, bytes):
                rewritten = self.injector.rewrite(request.path_qs, body)
                if rewritten is not None:
                    response.body = rewritten  # type: ignore[attr-defined]
                    return response  # deliberately off-spec: not recorded for the conformance check
            if fault is not None and fault.after:
                if response.status >= 400:
                    fault = None  # nothing was changed, so the real refusal stands
                elif fault.kind == "drop":
                    return self._drop(request, now, fault)  # the change is made; the answer is lost
                else:
                    response = self.error_response(self._fault_error(fault))
        except ApiError as exc:
            response = self.error_response(exc)
        remaining = self.limiter.remaining(key, now)
        response.headers["X-Rate-Limit"] = f"user-hour-lim:{self.limiter.limit};user-hour-rem:{remaining};"
        self._record(request, now, response, fault)
        return response

    async def _route(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        try:
            routing_error = request.match_info.http_exception
            if routing_error is not None:
                raise _routing(routing_error)
            return await handler(request)
        except ApiError as exc:
            return self.error_response(exc)
        except Exception as exc:  # a simulator bug: answer like Apple's 500, keep the traceback in the log
            log.exception("ASC simulator failed on %s %s", request.method, request.path_qs)
            return self.error_response(ApiError(500, "UNEXPECTED_ERROR", f"Simulator error: {exc!r}"))

    def _drop(self, request: web.Request, now: datetime, fault: Fault) -> web.Response:
        if request.transport is not None:
            request.transport.close()
        self._record(request, now, None, fault)
        return web.Response(status=204)  # never sent: the connection is gone

    def _record(
        self, request: web.Request, now: datetime, response: web.StreamResponse | None, fault: Fault | None
    ) -> None:
        body: Any = getattr(response, "body", None) if response is not None else None
        self.exchanges.append(
            Exchange(
                method=request.method,
                path=request.path,
                query=list(request.query.items()),
                request_headers=dict(request.headers),
                request_body=request.get(RAW_BODY) if self.record_bodies else None,
                status=response.status if response is not None else None,
                response_headers=dict(response.headers) if response is not None else {},
                response_body=bytes(body)
                if self.record_bodies and isinstance(body, bytes | bytearray) and body
                else None,
                at=now,
                fault=fault.label if fault is not None else None,
            )
        )


def _routing(exc: web.HTTPException) -> ApiError:
    if exc.status == 405:
        return ApiError(405, "METHOD_NOT_ALLOWED", "The request method is not valid for the resource path.")
    return ApiError(404, "NOT_FOUND", "The path provided does not match a defined resource type.")
