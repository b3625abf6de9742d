"""Test helpers: a recording `httpx.MockTransport` handler, a recording sleep and a client factory."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import httpx

from bot.appstore.auth import ApiKey, generate_private_key_pem
from bot.appstore.client import AppStoreConnect
from bot.appstore.http import AscHttp
from bot.sandbox.clock import FakeClock

BASE_URL = "https://asc.test"
_PEM = generate_private_key_pem()
Handler = Callable[[httpx.Request], httpx.Response]


def make_key(name: str = "default") -> ApiKey:
    return ApiKey(
        name=name, issuer_id="69a6de7e-0000-47e3-e053-5b8c7c11a4d1", key_id="2X9R4HXF34", private_key=_PEM
    )


class Sleeps:
    """An injected sleep that records each wait and moves the fake clock instead of waiting."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.clock.advance(seconds)


class Recorder:
    """Wraps a handler, keeping every request it saw (with its body already read)."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    def calls(self) -> list[tuple[str, str]]:
        return [(r.method, r.url.path) for r in self.requests]


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


def answer(status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


def error(status: int, code: str, detail: str | None = None, title: str = "An error") -> httpx.Response:
    err: dict[str, Any] = {"status": str(status), "code": code, "title": title}
    if detail is not None:
        err["detail"] = detail
    return httpx.Response(status, json={"errors": [err]})


def make_client(handler: Handler, **kwargs: Any) -> tuple[AppStoreConnect, Recorder, Sleeps, FakeClock]:
    clock = kwargs.pop("clock", None) or FakeClock()
    sleeps = Sleeps(clock)
    recorder = Recorder(handler)
    client = AppStoreConnect(
        kwargs.pop("key", None) or make_key(),
        BASE_URL,
        clock=clock,
        sleep=sleeps,
        transport=httpx.MockTransport(recorder),
        rng=random.Random(7),
        **kwargs,
    )
    return client, recorder, sleeps, clock


def make_http(handler: Handler, **kwargs: Any) -> tuple[AscHttp, Recorder, Sleeps, FakeClock]:
    clock = kwargs.pop("clock", None) or FakeClock()
    sleeps = Sleeps(clock)
    recorder = Recorder(handler)
    http = AscHttp(
        make_key(),
        BASE_URL,
        clock=clock,
        sleep=sleeps,
        transport=httpx.MockTransport(recorder),
        rng=random.Random(7),
        **kwargs,
    )
    return http, recorder, sleeps, clock


def routes(table: dict[tuple[str, str], Any]) -> Handler:
    """A handler routing by (method, path); a value is a Response, an exception to raise, a callable
    taking the request, or a list of those used in turn (the last one repeats)."""
    queues = {key: list(value) if isinstance(value, list) else [value] for key, value in table.items()}

    def handler(request: httpx.Request) -> httpx.Response:
        queue = queues.get((request.method, request.url.path))
        if queue is None:
            return error(404, "NOT_FOUND", f"no route for {request.method} {request.url.path}")
        step = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(step, Exception):
            raise step
        return step(request) if callable(step) else step

    return handler


def doc(data: Any, **extra: Any) -> httpx.Response:
    return answer(200, {"data": data, "links": {"self": "x"}, **extra})


def res(
    type_: str, id_: str, relationships: dict[str, Any] | None = None, **attributes: Any
) -> dict[str, Any]:
    resource: dict[str, Any] = {"type": type_, "id": id_, "attributes": attributes}
    if relationships:
        resource["relationships"] = {k: {"data": v} for k, v in relationships.items()}
    return resource
