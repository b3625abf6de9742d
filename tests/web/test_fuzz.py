"""Property-based fuzzing of both webhooks over real HTTP: thousands of generated and malformed requests.

Each Hypothesis example draws one body (valid, broken in named fields, arbitrary JSON or raw bytes)
and sends it in several framings at once: signed, wrongly signed, stale, mistyped, truncated,
bit-flipped and now and then oversized. Every answer must be one the contract allows (never a 5xx),
and at the end the database must hold exactly the rows of the accepted requests.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.intake import parse_notice
from bot.sandbox.asc.webhooks import sign_apple
from bot.sandbox.clock import FakeClock
from bot.sandbox.world import World
from bot.signatures import sign_ci
from bot.web import APPLE_SOURCE, MAX_BODY
from tests.web.conftest import apple_endpoint
from tests.web.strategies import NOW, Mutation, broken_payloads, names, valid_payloads

UPLOAD_EXAMPLES = 450
APPLE_EXAMPLES = 150
FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
ANY_BODY = frozenset({200, 202, 400})
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["app", "version", "build_number", "publishing", "data", "type", "id"])
            | st.text(max_size=8),
            inner,
            max_size=5,
        )
    ),
    max_leaves=12,
)
header_junk = st.binary(max_size=80).map(lambda b: bytes(c for c in b if c > 0x20 and c != 0x7F))
content_types = st.sampled_from(
    [
        "text/plain",
        "application/xml",
        "application/x-json",
        "multipart/form-data; boundary=x",
        "json",
        "text/json",
        ";0*",  # once made aiohttp's Content-Type parser raise
        "a/b; c*=d",
        'text/plain; charset="',
    ]
) | st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=30).filter(
    lambda t: "json" not in t
)


@dataclass(frozen=True)
class Case:
    """One drawn body: what it is, and which fields were broken on purpose."""

    kind: str  # valid | broken | json | bytes
    body: bytes
    mutations: tuple[Mutation, ...] = ()


@st.composite
def cases(draw: st.DrawFn) -> Case:
    kind = draw(st.sampled_from(["valid", "valid", "broken", "broken", "json", "bytes"]))
    if kind == "valid":
        return Case(kind, json.dumps(draw(valid_payloads())).encode())
    if kind == "broken":
        payload, mutations = draw(broken_payloads())
        return Case(kind, json.dumps(payload).encode(), tuple(mutations))
    if kind == "json":
        return Case(kind, json.dumps(draw(json_values)).encode())
    return Case(kind, draw(st.binary(max_size=300)))


@dataclass
class Ledger:
    """Every answer, and what the accepted ones should have left in the database."""

    sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    created: set[str] = field(default_factory=set)
    answered: set[str] = field(default_factory=set)
    delivery_keys: set[str] = field(default_factory=set)

    def count(self, status: int) -> None:
        self.sent += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1


@dataclass(frozen=True)
class Framing:
    body: bytes
    headers: list[tuple[bytes, bytes]]
    allowed: frozenset[int]
    name: str


def framings(
    case: Case, secret: str, now: int, draw_junk: bytes, ctype: str, cut: int, oversize: bool
) -> Iterator[Framing]:
    """The same body sent several ways; each with the answers the contract allows for it."""
    json_type = (b"Content-Type", b"application/json")
    body = case.body
    as_is = (
        ANY_BODY
        if case.kind in ("json", "bytes")
        else frozenset({200, 202, 400} if case.kind == "valid" else {400})
    )

    def signed(data: bytes, ts: int | None = None, key: str = secret) -> list[tuple[bytes, bytes]]:
        return [(k.encode(), v.encode()) for k, v in sign_ci(key, data, ts).items()]

    yield Framing(body, [json_type, *signed(body, now)], as_is, "signed")
    yield Framing(
        body, [json_type, *signed(body, None, "not-the-secret-at-all")], frozenset({401}), "wrong key"
    )
    yield Framing(body, [json_type, *signed(body, now - 3600)], frozenset({401}), "stale")
    yield Framing(body, [json_type, (b"X-Signature-256", b"sha256=" + draw_junk)], frozenset({401}), "junk")
    yield Framing(body + b" ", [json_type, *signed(body, now)], frozenset({401}), "tampered")
    yield Framing(body, [json_type, *signed(body)], frozenset({401}), "untimestamped")
    yield Framing(
        body, [(b"Content-Type", ctype.encode()), *signed(body, now)], frozenset({415}), "not json"
    )
    truncated = body[: cut % max(1, len(body))]
    yield Framing(
        truncated,
        [json_type, *signed(truncated, now)],
        ANY_BODY if case.kind == "bytes" else frozenset({400}),
        "cut",
    )
    flipped = bytearray(body or b"?")
    flipped[cut % len(flipped)] ^= 0x20
    yield Framing(bytes(flipped), [json_type, *signed(bytes(flipped), now)], ANY_BODY, "flipped")
    if oversize:
        big = body + b" " * (MAX_BODY + 1 - len(body))
        yield Framing(big, [json_type, *signed(big, now)], frozenset({413}), "oversize")


async def send(http: httpx.AsyncClient, url: str, framing: Framing) -> httpx.Response:
    return await http.post(url, content=framing.body, headers=framing.headers)


async def check_answer(framing: Framing, case: Case, response: httpx.Response, ledger: Ledger) -> None:
    status = response.status_code
    ledger.count(status)
    assert status in framing.allowed, (framing.name, case, status, response.text)
    answer = response.json()
    if status == 401:
        assert answer == {"error": "invalid signature"}
    if status == 400:
        fields = {e["field"] for e in answer["errors"]}
        if case.kind == "valid" and framing.name == "signed":
            assert fields == {"delivery_id"}, answer  # only a delivery_id reused for another build
        if framing.name == "signed":
            for mutation in case.mutations:
                assert names(mutation.field, fields), (mutation.field, answer)
    if status in (200, 202):
        ledger.answered.add(answer["publication_id"])
        if status == 202:
            assert answer["publication_id"] not in ledger.created
            ledger.created.add(answer["publication_id"])
        notice = parse_notice(json.loads(framing.body), now=NOW)
        ledger.delivery_keys.add(notice.delivery_id or notice.natural_key)


def declare_channel(world: World, body: bytes) -> None:
    """The channel a case names exists, with the bot in it, as a CI's configured channel would."""
    try:
        channel = json.loads(body).get("channel")
    except (ValueError, AttributeError):
        return
    if isinstance(channel, str) and channel[:1] in ("C", "G") and len(channel) > 1:
        world.slack.add_channel(channel, "fuzz")


async def rows(world: World, sql: str) -> list[dict[str, Any]]:
    assert world.bot is not None
    return await world.bot.store.call(lambda db: list(db.query(sql)))


def run_world(test: Any) -> None:
    """Run `test(world, loop)` against a world on a loop of its own (Hypothesis drives it from sync code)."""
    loop = asyncio.new_event_loop()
    world = loop.run_until_complete(
        World(FakeClock(), scheduler=False, hourly_limit=10**7, build_appear_delay=60).start()
    )
    try:
        test(world, loop)
    finally:
        loop.run_until_complete(world.stop())
        loop.close()


def test_fuzz_build_uploaded() -> None:
    def body(world: World, loop: asyncio.AbstractEventLoop) -> None:
        assert world.bot is not None
        ledger, url = Ledger(), world.bot.url + "/webhooks/build-uploaded"
        http = httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=20))
        examples = [0]
        now = int(world.clock.now().timestamp())

        @settings(FUZZ, max_examples=UPLOAD_EXAMPLES)
        @given(cases(), header_junk, content_types, st.integers(0, 10**6))
        def batch(case: Case, junk: bytes, ctype: str, cut: int) -> None:
            examples[0] += 1
            declare_channel(world, case.body)
            sent = list(framings(case, world.webhook_secret, now, junk, ctype, cut, examples[0] % 15 == 0))

            async def go() -> None:
                answers = await asyncio.gather(*(send(http, url, f) for f in sent))
                for framing, response in zip(sent, answers, strict=True):
                    await check_answer(framing, case, response, ledger)

            loop.run_until_complete(go())

        try:
            batch()
            loop.run_until_complete(verify(world, ledger))
        finally:
            loop.run_until_complete(http.aclose())
        assert ledger.sent >= 3000, ledger
        assert all(status < 500 for status in ledger.statuses), ledger.statuses

    run_world(body)


async def verify(world: World, ledger: Ledger) -> None:
    """The database holds the accepted requests' rows and nothing from any rejected one."""
    publications = {r["id"] for r in await rows(world, "select id from publications")}
    assert publications == ledger.created
    assert ledger.answered <= publications
    events = await rows(world, "select publication_id, kind from events")
    assert sorted(e["publication_id"] for e in events) == sorted(publications)  # one "created" each
    actions = await rows(world, "select publication_id from actions")
    assert {a["publication_id"] for a in actions} <= publications
    deliveries = await rows(world, "select source, delivery_id from deliveries")
    assert {(d["source"], d["delivery_id"]) for d in deliveries} == {("ci", k) for k in ledger.delivery_keys}
    assert world.slack.calls_to("chat.postMessage") == []


@st.composite
def apple_bodies(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["event", "event", "json", "bytes"]))
    if kind == "event":
        data: dict[str, Any] = {
            "type": draw(
                st.sampled_from(
                    [
                        "buildUploadStateUpdated",
                        "appStoreVersionAppVersionStateUpdated",
                        "buildBetaDetailExternalBuildStateUpdated",
                        "webhookPingCreated",
                        "betaFeedbackCrashSubmissionCreated",
                    ]
                )
            ),
            "id": draw(st.uuids()).hex[: draw(st.integers(1, 32))],  # short ids repeat: redeliveries
            "version": 1,
            "attributes": draw(st.dictionaries(st.text(max_size=8), json_values, max_size=3)),
        }
        if draw(st.booleans()):
            rtype = draw(
                st.sampled_from(["builds", "buildUploads", "appStoreVersions", "buildBetaDetails", "x y"])
            )
            data["relationships"] = {"instance": {"data": {"type": rtype, "id": draw(st.text(max_size=12))}}}
        return kind, json.dumps({"data": data}).encode()
    if kind == "json":
        return kind, json.dumps(draw(json_values)).encode()
    return kind, draw(st.binary(max_size=200))


def test_fuzz_app_store_connect() -> None:
    def body(world: World, loop: asyncio.AbstractEventLoop) -> None:
        statuses: dict[int, int] = {}
        remembered: set[str] = set()
        endpoint = apple_endpoint(world)
        apple = loop.run_until_complete(endpoint.__aenter__())

        async def one(kind: str, data: bytes, junk: bytes) -> None:
            sends = [
                (sign_apple(apple.secret, data).encode(), ANY_BODY if kind != "event" else {200}),
                (sign_apple("not-the-secret", data).encode(), {401}),
                (b"hmacsha256=" + junk, {401}),
            ]
            answers = await asyncio.gather(
                *(
                    apple.http.post(apple.url, content=data, headers=[(b"x-apple-signature", s)])
                    for s, _ in sends
                )
            )
            for (_, allowed), response in zip(sends, answers, strict=True):
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                assert response.status_code in allowed, (data, response.text)
                if response.status_code == 200 and response.json()["result"] != "ping":
                    remembered.add(json.loads(data)["data"]["id"])

        @settings(FUZZ, max_examples=APPLE_EXAMPLES)
        @given(apple_bodies(), header_junk)
        def batch(drawn: tuple[str, bytes], junk: bytes) -> None:
            loop.run_until_complete(one(*drawn, junk))

        try:
            batch()
        finally:
            loop.run_until_complete(endpoint.__aexit__(None, None, None))
        deliveries = loop.run_until_complete(rows(world, "select source, delivery_id from deliveries"))
        assert {(d["source"], d["delivery_id"]) for d in deliveries} == {
            (APPLE_SOURCE, i) for i in remembered
        }
        assert loop.run_until_complete(rows(world, "select id from publications")) == []
        assert loop.run_until_complete(rows(world, "select id from events")) == []
        assert sum(statuses.values()) >= 3 * APPLE_EXAMPLES
        assert all(status < 500 for status in statuses), statuses

    run_world(body)
