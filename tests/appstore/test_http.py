"""AscHttp: retries and backoff, 429 handling, the rate budget, paging and what never leaks."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import httpx
import pytest

from bot.appstore.budget import RateLimit, parse_rate_limit
from bot.appstore.errors import (
    AscRateLimited,
    AscServerError,
    AscTransportError,
    AscUnauthorized,
)
from tests.appstore.fakes import BASE_URL, answer, body_of, error, make_http

OK = {"data": {"type": "apps", "id": "1", "attributes": {}}}


def scripted(*steps: object):
    """A handler answering with each step in turn: a Response, or an exception to raise."""
    queue = list(steps)

    def handler(request: httpx.Request) -> httpx.Response:
        step = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(step, Exception):
            raise step
        assert isinstance(step, httpx.Response)
        return step

    return handler


async def test_get_retries_5xx_with_growing_jittered_backoff() -> None:
    http, rec, sleeps, _ = make_http(
        scripted(error(500, "X"), error(503, "X"), error(502, "X"), answer(200, OK))
    )
    assert await http.get("/v1/apps/1") == OK
    assert len(rec.requests) == 4
    assert len(sleeps.calls) == 3
    # Backoff ceilings are 1, 2, 4 s; jitter keeps each wait in the upper half of its ceiling.
    for delay, ceiling in zip(sleeps.calls, [1, 2, 4], strict=True):
        assert ceiling / 2 <= delay <= ceiling
    assert http.requests_sent == 4


async def test_get_gives_up_after_the_attempt_budget() -> None:
    http, rec, _, _ = make_http(scripted(error(500, "INTERNAL")))
    with pytest.raises(AscServerError) as caught:
        await http.get("/v1/apps/1")
    assert len(rec.requests) == http.policy.attempts
    assert not caught.value.maybe_applied


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped")],
)
async def test_get_retries_connection_errors_and_timeouts(exc: Exception) -> None:
    http, rec, sleeps, _ = make_http(scripted(exc, answer(200, OK)))
    assert await http.get("/v1/apps/1") == OK
    assert len(rec.requests) == 2 and len(sleeps.calls) == 1


async def test_transport_error_after_retries_has_status_zero() -> None:
    http, _, _, _ = make_http(scripted(httpx.ConnectError("refused")))
    with pytest.raises(AscTransportError) as caught:
        await http.get("/v1/apps/1")
    assert caught.value.status == 0
    assert "ConnectError" in caught.value.user_message


async def test_post_is_retried_when_it_cannot_have_been_sent() -> None:
    http, rec, _, _ = make_http(scripted(httpx.ConnectError("refused"), answer(201, OK)))
    assert await http.post("/v1/betaAppReviewSubmissions", {"data": {}}) == OK
    assert len(rec.requests) == 2


@pytest.mark.parametrize("failure", [httpx.ReadTimeout("lost answer"), error(500, "INTERNAL")])
async def test_post_is_not_blindly_retried_after_an_ambiguous_failure(failure: object) -> None:
    http, rec, sleeps, _ = make_http(scripted(failure, answer(201, OK)))
    with pytest.raises((AscTransportError, AscServerError)) as caught:
        await http.post("/v1/betaAppReviewSubmissions", {"data": {}})
    assert caught.value.maybe_applied
    assert len(rec.requests) == 1 and sleeps.calls == []


async def test_idempotent_post_is_retried() -> None:
    http, rec, _, _ = make_http(scripted(httpx.ReadTimeout("lost"), answer(204)))
    assert await http.post("/v1/builds/1/relationships/betaGroups", {"data": []}, idempotent=True) is None
    assert len(rec.requests) == 2


async def test_patch_is_retried_after_a_5xx() -> None:
    http, rec, _, _ = make_http(scripted(error(500, "X"), answer(200, OK)))
    assert await http.patch("/v1/builds/1", {"data": {}}) == OK
    assert len(rec.requests) == 2


async def test_create_once_reads_back_instead_of_posting_twice() -> None:
    http, _rec, _, _ = make_http(scripted(httpx.ReadTimeout("lost answer")))
    posted, looked_up = [], []

    async def post() -> str:
        posted.append(1)
        await http.post("/v1/reviewSubmissions", {"data": {}})
        return "created"

    async def find() -> str | None:
        looked_up.append(1)
        return "found"  # the lost POST did land

    assert await http.create_once(post, find, what="thing") == "found"
    assert posted == [1] and looked_up == [1]


async def test_create_once_posts_again_when_the_read_back_finds_nothing() -> None:
    http, rec, sleeps, _ = make_http(scripted(error(500, "X"), answer(201, OK)))

    async def post() -> dict:
        return await http.post("/v1/reviewSubmissions", {"data": {}}) or {}

    async def find() -> None:
        return None

    assert await http.create_once(post, find, what="thing") == OK
    assert len(rec.requests) == 2 and len(sleeps.calls) == 1


async def test_429_waits_retry_after_then_succeeds() -> None:
    limited = error(429, "RATE_LIMIT_EXCEEDED")
    limited.headers["Retry-After"] = "7"
    http, _rec, sleeps, _ = make_http(scripted(limited, answer(200, OK)))
    assert await http.get("/v1/apps/1") == OK
    assert sleeps.calls == [7.0]


async def test_429_without_retry_after_backs_off_and_post_is_repeated() -> None:
    http, rec, sleeps, _ = make_http(scripted(error(429, "RATE_LIMIT_EXCEEDED"), answer(201, OK)))
    assert await http.post("/v1/reviewSubmissions", {"data": {}}) == OK
    assert len(rec.requests) == 2 and len(sleeps.calls) == 1 and sleeps.calls[0] > 0


async def test_persistent_429_raises_rate_limited_after_several_tries() -> None:
    http, rec, sleeps, _ = make_http(scripted(error(429, "RATE_LIMIT_EXCEEDED")))
    with pytest.raises(AscRateLimited):
        await http.get("/v1/apps/1")
    assert len(rec.requests) == http.policy.rate_limit_attempts
    assert sum(sleeps.calls) <= http.policy.rate_limit_max_wait


async def test_429_with_a_retry_after_beyond_the_wait_budget_is_raised_with_it() -> None:
    limited = error(429, "RATE_LIMIT_EXCEEDED")
    limited.headers["Retry-After"] = "3600"
    http, _rec, sleeps, _ = make_http(scripted(limited))
    with pytest.raises(AscRateLimited) as caught:
        await http.get("/v1/apps/1")
    assert caught.value.retry_after == 3600.0
    assert sleeps.calls == []


async def test_401_is_retried_once_with_a_fresh_token() -> None:
    http, rec, _, _ = make_http(scripted(error(401, "NOT_AUTHORIZED"), answer(200, OK)))
    assert await http.get("/v1/apps/1") == OK
    assert len(rec.requests) == 2
    http2, rec2, _, _ = make_http(scripted(error(401, "NOT_AUTHORIZED")))
    with pytest.raises(AscUnauthorized):
        await http2.get("/v1/apps/1")
    assert len(rec2.requests) == 2


def test_parse_rate_limit_header() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_rate_limit("user-hour-lim:3600;user-hour-rem:3412;", now) == RateLimit(3600, 3412, now)
    assert parse_rate_limit("user-hour-rem:10; user-hour-lim:3500", now) == RateLimit(3500, 10, now)
    assert parse_rate_limit("garbage", now) is None
    assert parse_rate_limit(None, now) is None


async def test_rate_limit_is_exposed_and_others_using_the_key_slow_the_bot_down() -> None:
    remaining = iter([3000, 2990, 100, 2000])

    def handler(request: httpx.Request) -> httpx.Response:
        return answer(200, OK, {"X-Rate-Limit": f"user-hour-lim:3600;user-hour-rem:{next(remaining)};"})

    http, _, sleeps, clock = make_http(handler)
    await http.get("/v1/apps/1")
    assert http.rate_limit == RateLimit(3600, 3000, clock.now())
    await http.get("/v1/apps/1")
    assert sleeps.calls == []  # 2990 left: far from the 20 % reserve
    await http.get("/v1/apps/1")  # the answer says other tools used 3,500 of the key's hour
    assert sleeps.calls == []
    await http.get("/v1/apps/1")  # so the next request waits until enough of theirs aged out
    waited = sum(sleeps.calls)
    assert 600 <= waited <= 1200, waited
    snap = await http.budget.snapshot()
    assert snap.limit == 3600 and snap.usable == 2880


async def test_get_all_follows_absolute_next_links() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        if cursor is None:
            assert request.url.params["limit"] == "200"
            return answer(
                200,
                {
                    "data": [{"type": "betaGroups", "id": "1"}],
                    "links": {
                        "self": str(request.url),
                        "next": f"{BASE_URL}/v1/betaGroups?limit=200&cursor=Mg",
                    },
                },
            )
        if cursor == "Mg":
            # A paging link on another host is followed on the configured host, token and all.
            return answer(
                200,
                {
                    "data": [{"type": "betaGroups", "id": "2"}],
                    "included": [{"type": "apps", "id": "a"}],
                    "links": {"self": "x", "next": "https://evil.example/v1/betaGroups?cursor=Mw"},
                },
            )
        return answer(200, {"data": [{"type": "betaGroups", "id": "3"}], "links": {"self": "x"}})

    http, rec, _, _ = make_http(handler)
    doc = await http.get_all("/v1/betaGroups", {"filter[app]": "1", "limit": 200})
    assert [r["id"] for r in doc["data"]] == ["1", "2", "3"]
    assert doc["included"] == [{"type": "apps", "id": "a"}]
    assert {r.url.host for r in rec.requests} == {"asc.test"}


async def test_writes_send_json_content_type_and_bearer_token_never_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    http, rec, _, _ = make_http(scripted(error(500, "X"), answer(200, OK)))
    caplog.set_level(logging.DEBUG)
    await http.get("/v1/apps/1", {"filter[bundleId]": "a"})
    await http.patch("/v1/builds/1", {"data": {"type": "builds", "id": "1"}})
    get, patch = rec.requests[-2], rec.requests[-1]
    assert "content-type" not in get.headers
    assert patch.headers["content-type"] == "application/json"
    assert body_of(patch) == {"data": {"type": "builds", "id": "1"}}
    token = patch.headers["authorization"].removeprefix("Bearer ")
    assert token.count(".") == 2
    assert token not in caplog.text


async def test_non_json_success_body_is_an_error() -> None:
    http, _, _, _ = make_http(scripted(httpx.Response(200, text="<html>")))
    with pytest.raises(Exception, match="not a JSON object"):
        await http.get("/v1/apps/1")
