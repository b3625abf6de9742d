"""Fixtures for the App Store Connect simulator tests: a started simulator, a signed client, the spec check.

Every test that uses `asc_sim` has its exchanges checked against Apple's OpenAPI spec when it ends.
Tests that send bad requests on purpose carry `@pytest.mark.asc_rejections`: the requests the
simulator refused are excused, everything else (including the refusals' ErrorResponse) is checked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from typing import Any

import httpx
import jwt
import pytest

from bot.appstore.auth import ApiKey, generate_private_key_pem
from bot.sandbox.asc import AscSimulator
from bot.sandbox.clock import FakeClock
from tests.support.openapi_conformance import check_exchanges

ISSUER_ID = "57246542-96fe-1a63-e053-0824d011072a"
KEY_ID = "2X9R4HXF34"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "asc_rejections: the test sends requests the ASC simulator must refuse"
    )


def make_token(
    key: ApiKey, clock: FakeClock, *, lifetime: int = 1200, headers: Any = None, **claims: Any
) -> str:
    """An App Store Connect token as Apple documents it, timed by the fake clock; claims may be overridden."""
    now = int(clock.now().timestamp())
    payload = {"iss": key.issuer_id, "iat": now, "exp": now + lifetime, "aud": "appstoreconnect-v1", **claims}
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(
        payload, key.private_key, algorithm="ES256", headers={"kid": key.key_id, **(headers or {})}
    )


class ClockAuth(httpx.Auth):
    """Signs each request with a token made at the fake clock's current time."""

    def __init__(self, key: ApiKey, clock: FakeClock) -> None:
        self.key, self.clock = key, clock

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {make_token(self.key, self.clock)}"
        yield request


@pytest.fixture
def asc_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def asc_key() -> ApiKey:
    return ApiKey("test", ISSUER_ID, KEY_ID, generate_private_key_pem())


@pytest.fixture
async def asc_sim(
    request: pytest.FixtureRequest, asc_clock: FakeClock, asc_key: ApiKey
) -> AsyncIterator[AscSimulator]:
    sim = AscSimulator(clock=asc_clock, build_appear_delay=30, processing_time=300)
    sim.register_api_key(asc_key)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()
    allow = request.node.get_closest_marker("asc_rejections") is not None
    problems = check_exchanges(sim.exchanges, allow_rejected=allow)
    assert problems == [], "\n".join(problems)


@pytest.fixture
async def asc(
    asc_sim: AscSimulator, asc_clock: FakeClock, asc_key: ApiKey
) -> AsyncIterator[httpx.AsyncClient]:
    """A raw HTTP client for the simulator, authenticated like a real App Store Connect client."""
    async with httpx.AsyncClient(base_url=asc_sim.base_url, auth=ClockAuth(asc_key, asc_clock)) as client:
        yield client
