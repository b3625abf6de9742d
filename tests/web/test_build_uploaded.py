"""POST /webhooks/build-uploaded: every answer of the contract, in the order the checks run."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.sandbox.clock import FakeClock
from bot.sandbox.world import World
from bot.signatures import sign_ci
from bot.web import MAX_BODY, read_limited
from tests.web.conftest import NOTHING, stored

URL_PATH = "/webhooks/build-uploaded"


def payload(world: World, build: str = "412", **extra: Any) -> dict[str, Any]:
    return world.upload_payload("com.example.app", "1.4.0", build, **extra)


async def post_raw(world: World, body: bytes, headers: dict[str, str]) -> httpx.Response:
    assert world.bot is not None
    async with httpx.AsyncClient(timeout=30) as http:
        return await http.post(world.bot.url + URL_PATH, content=body, headers=headers)


async def assert_nothing_kept(world: World) -> None:
    """A rejected request stores no row and, even after a sweep, posts nothing to Slack."""
    assert world.bot is not None
    assert await stored(world) == NOTHING
    await world.bot.engine.sweep()
    assert await stored(world) == NOTHING
    assert world.slack.calls_to("chat.postMessage") == []


# -- 202 / 200: new publication, redelivery, CI re-run ------------------------------------------


async def test_new_publication_then_redelivery_gets_the_first_answer(world: World, clock: FakeClock) -> None:
    first = await world.send_upload(payload(world, delivery_id="run-1"))
    assert first.status_code == 202, first.text
    assert set(first.json()) == {"publication_id", "state"}
    assert first.json()["state"] == "waiting_for_build"
    world.asc.add_app("com.example.app")
    world.asc.upload_build("com.example.app", version="1.4.0", build_number="412", platform="IOS")
    clock.advance(61)
    await world.bot.engine.sweep()  # the publication has moved on since the first answer...
    assert (await world.bot.storage.get(first.json()["publication_id"])).state == "processing"
    again = await world.send_upload(payload(world, delivery_id="run-1"))
    assert again.status_code == 200
    assert again.json() == first.json()  # ...but a redelivery gets the first answer, unchanged


async def test_without_delivery_id_the_build_is_the_key(world: World) -> None:
    first = await world.send_upload(payload(world))
    rerun = await world.send_upload(payload(world, tests_passed=False))  # the same build from a re-run
    other = await world.send_upload(payload(world, build="413"))
    assert (first.status_code, rerun.status_code, other.status_code) == (202, 200, 202)
    assert rerun.json() == first.json()
    assert other.json()["publication_id"] != first.json()["publication_id"]
    assert (await stored(world))["publications"] == 2
    # Ids in time order (ULIDs): the later publication's sorts after the first one's.
    ids = [answer.json()["publication_id"] for answer in (first, other)]
    assert all(re.fullmatch(r"[0-7][0-9A-HJKMNP-TV-Z]{25}", i) for i in ids), ids
    assert ids[0] < ids[1]


async def test_fifty_concurrent_duplicates_make_one_publication(world: World) -> None:
    body = json.dumps(payload(world, delivery_id="burst-1")).encode()
    answers = await asyncio.gather(*(world.send_upload(body) for _ in range(50)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 49 + [202]
    assert len({a.text for a in answers}) == 1
    # 50 re-runs with 50 different delivery ids: still that one publication.
    reruns = await asyncio.gather(
        *(world.send_upload(payload(world, delivery_id=f"rerun-{i}")) for i in range(50))
    )
    assert {a.status_code for a in reruns} == {200}
    assert {a.json()["publication_id"] for a in reruns} == {answers[0].json()["publication_id"]}
    counts = await stored(world)
    assert counts["publications"] == 1
    assert counts["deliveries"] == 51
    events = await world.bot.storage.events(answers[0].json()["publication_id"])
    assert [e.kind for e in events].count("created") == 1


async def test_apple_id_alone_is_enough(world: World) -> None:
    apple_id = world.asc.add_app("com.example.app", name="Example")
    body = payload(world)
    body["app"] = {"apple_id": int(apple_id)}
    answer = await world.send_upload(body)
    assert answer.status_code == 202, answer.text
    pub = await world.bot.storage.get(answer.json()["publication_id"])
    assert (pub.app_bundle_id, pub.app_id) == ("com.example.app", apple_id)


# -- 400: every problem at once -----------------------------------------------------------------


async def test_every_problem_is_listed_in_one_answer(world: World) -> None:
    bad = {
        "app": {"bundle_id": "com example", "colour": "red"},
        "platform": "ANDROID",
        "version": 1.4,
        "channel": "#releases",
        "tests_passed": "yes",
        "source": {"name": "x" * 81},
        "publishing": {
            "release_type": "SOON",
            "earliest_release_date": "2020-01-01T10:00:00+00:00",
            "beta_groups": ["QA", ""],
            "autopilot": True,
        },
        "release_notes": [{"language": "english", "text": ""}],
        "surprise": 1,
    }
    answer = await world.send_upload(bad)
    assert answer.status_code == 400
    fields = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert set(fields) == {
        "app.bundle_id",
        "app.colour",
        "platform",
        "version",
        "build_number",
        "channel",
        "tests_passed",
        "source.name",
        "publishing.release_type",
        "publishing.earliest_release_date",
        "publishing.beta_groups[1]",
        "publishing.autopilot",
        "release_notes[0].language",
        "release_notes[0].text",
        "surprise",
    }
    assert fields["build_number"] == "is required"
    assert "future" in fields["publishing.earliest_release_date"]
    assert "at most 80" in fields["source.name"]
    await assert_nothing_kept(world)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "$"),
        (b"\xff\xfe\x00garbage", "$"),
        (b"[" * 100_000 + b"]" * 100_000, "$"),  # deep enough to make a recursive parser give up
        (b"[1, 2]", "$"),
        (b'"just a string"', "$"),
    ],
)
async def test_not_a_json_object_is_400(world: World, body: bytes, field: str) -> None:
    answer = await world.send_upload(body)
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert await stored(world) == NOTHING


async def test_unknown_apple_id_is_400(world: World) -> None:
    answer = await world.send_upload({**payload(world), "app": {"apple_id": "999999"}})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "app.apple_id"
    await assert_nothing_kept(world)


async def test_unknown_api_key_and_missing_channel_are_400(world: World) -> None:
    answer = await world.send_upload(payload(world, api_key="nope"))
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "api_key"
    await assert_nothing_kept(world)


async def test_a_delivery_id_reused_for_another_build_is_refused(world: World) -> None:
    first = await world.send_upload(payload(world, delivery_id="run-5"))
    assert first.status_code == 202
    await world.bot.engine.sweep()  # whatever the new publication does first is done
    before = await stored(world)
    other = await world.send_upload(payload(world, build="999", delivery_id="run-5"))
    assert other.status_code == 400
    assert other.json()["errors"][0]["field"] == "delivery_id"
    assert "1.4.0 (412)" in other.json()["errors"][0]["message"]
    assert await stored(world) == before


# -- 401 -----------------------------------------------------------------------------------------


async def test_wrong_or_missing_signature_is_401_without_details(world: World) -> None:
    body = json.dumps(payload(world)).encode()
    cases = [
        {"X-Signature-256": sign_ci("not-the-secret-at-all", body)["X-Signature-256"]},
        {},
        {"X-Signature-256": ""},
        {"X-Signature-256": "sha256="},
        {"X-Signature-256": "sha1=" + "0" * 40},
        {"X-Signature-256": "sha256=" + "zz" * 32},
        {"X-Signature-256": sign_ci(world.webhook_secret, body + b" ")["X-Signature-256"]},
    ]
    for headers in cases:
        answer = await post_raw(world, body, {"Content-Type": "application/json", **headers})
        assert answer.status_code == 401, headers
        assert answer.json() == {"error": "invalid signature"}
    # Non-ASCII bytes in the header must be refused, not crash the comparison.
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            world.bot.url + URL_PATH,
            content=body,
            headers=[(b"Content-Type", b"application/json"), (b"X-Signature-256", b"sha256=\xff\xfe")],
        )
    assert answer.status_code == 401
    await assert_nothing_kept(world)


async def test_timestamp_is_bound_into_the_signature_with_a_five_minute_window(
    world: World, clock: FakeClock
) -> None:
    now = int(clock.now().timestamp())
    body = json.dumps(payload(world)).encode()
    json_type = {"Content-Type": "application/json"}
    stale = sign_ci(world.webhook_secret, body, now - 301)
    early = sign_ci(world.webhook_secret, body, now + 301)
    moved = {**sign_ci(world.webhook_secret, body, now), "X-Signature-Timestamp": str(now + 1)}
    added = {**sign_ci(world.webhook_secret, body), "X-Signature-Timestamp": str(now)}
    odd = [
        {**sign_ci(world.webhook_secret, body, now), "X-Signature-Timestamp": value}
        for value in ("²".encode(), "-5", "1e9", f"{now}.0", "")
    ]
    for headers in (stale, early, moved, added, *odd):
        answer = await post_raw(world, body, {**json_type, **headers})
        assert answer.status_code == 401
        assert answer.json() == {"error": "invalid signature"}
    assert await stored(world) == NOTHING
    fresh = await post_raw(world, body, {**json_type, **sign_ci(world.webhook_secret, body, now - 299)})
    assert fresh.status_code == 202


# -- 413 -----------------------------------------------------------------------------------------


async def test_over_one_mebibyte_is_413(world: World) -> None:
    small = json.dumps(payload(world)).encode()
    big = small[:-1] + b', "pad": "' + b"x" * MAX_BODY + b'"}'
    # Signed correctly: size is checked before anything else.
    answer = await world.send_upload(big)
    assert answer.status_code == 413
    # Without a Content-Length (chunked): the bot stops reading past the limit.

    async def stream() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 100_000):
            yield big[start : start + 100_000]

    headers = {"Content-Type": "application/json", **sign_ci(world.webhook_secret, big)}
    async with httpx.AsyncClient(timeout=30) as http:
        chunked = await http.post(world.bot.url + URL_PATH, content=stream(), headers=headers)
    assert chunked.status_code == 413
    # Exactly at the limit is fine as far as size goes (then it is just JSON with an unknown key).
    exact = small[:-1] + b', "pad": "' + b"x" * (MAX_BODY - len(small) - 11) + b'"}'
    assert len(exact) == MAX_BODY
    assert (await world.send_upload(exact)).status_code == 400
    await assert_nothing_kept(world)


async def test_a_compressed_body_is_read_and_limited_inflated(world: World) -> None:
    # aiohttp inflates a gzip body: its Content-Length is the compressed size, not what is read.
    body = json.dumps(payload(world, build="77", release_notes=[{"language": "en-US", "text": "x" * 3000}]))
    raw = body.encode()
    now = int(world.clock.now().timestamp())
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip", **sign_ci(world.webhook_secret, raw, now)}
    packed = gzip.compress(raw)
    assert len(packed) < len(raw) // 4
    assert (await post_raw(world, packed, headers)).status_code == 202
    bomb = raw[:-1] + b', "pad": "' + b"x" * MAX_BODY + b'"}'
    headers = {**headers, **sign_ci(world.webhook_secret, bomb, now)}
    assert (await post_raw(world, gzip.compress(bomb), headers)).status_code == 413


class _Stream:
    def __init__(self, chunks: int, size: int) -> None:
        self.pulled = 0
        self._chunks, self._size = chunks, size

    async def iter_chunked(self, n: int) -> AsyncIterator[bytes]:
        for _ in range(self._chunks):
            self.pulled += 1
            yield b"x" * min(n, self._size)


class _Request:
    def __init__(self, stream: _Stream, length: int | None) -> None:
        self.content, self.content_length = stream, length


async def test_read_limited_stops_after_the_limit() -> None:
    endless = _Stream(chunks=10_000, size=64 * 1024)  # 640 MiB if read to the end
    assert await read_limited(_Request(endless, None)) is None  # type: ignore[arg-type]
    assert endless.pulled == MAX_BODY // (64 * 1024) + 1
    announced = _Stream(chunks=10_000, size=64 * 1024)
    assert await read_limited(_Request(announced, 10 * MAX_BODY)) is None  # type: ignore[arg-type]
    assert announced.pulled == 0  # a too-large Content-Length is refused before reading a byte


# -- 415 -----------------------------------------------------------------------------------------


# ";0*" made aiohttp's own Content-Type parser raise (found by the fuzz test): a 500 before the fix.
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", ";0*", "=", None]
)
async def test_not_json_is_415_after_the_signature(world: World, content_type: str | None) -> None:
    body = json.dumps(payload(world)).encode()
    headers = sign_ci(world.webhook_secret, body, int(world.clock.now().timestamp()))
    if content_type:
        headers["Content-Type"] = content_type
    answer = await post_raw(world, body, headers)
    assert answer.status_code == 415
    unsigned = await post_raw(world, body, {"Content-Type": content_type or "text/plain"})
    assert unsigned.status_code == 401  # the signature is checked first: nothing leaks to strangers
    await assert_nothing_kept(world)


async def test_json_with_a_charset_is_json(world: World) -> None:
    answer = await world.send_upload(
        payload(world), headers={"Content-Type": "application/json; charset=utf-8"}
    )
    assert answer.status_code == 202
