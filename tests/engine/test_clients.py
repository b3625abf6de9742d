"""Clients: one App Store Connect client per configured key, made on first use and shared; an unknown
key is refused naming the configured ones. The clients talk to the App Store Connect simulator."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from bot.appstore.auth import ApiKey, generate_private_key_pem
from bot.appstore.client import AppStoreConnect
from bot.engine.clients import Clients, UnknownKey
from bot.errors import AscBotError
from bot.sandbox.asc import AscSimulator
from bot.sandbox.clock import FakeClock

BUNDLE = "com.example.app"


def key(name: str) -> ApiKey:
    return ApiKey(name, str(uuid.uuid4()), f"KEY{name.upper():0>7}"[:10], generate_private_key_pem())


class Made:
    """The factory the bot passes: a real client per key, and a list of what it made."""

    def __init__(self, url: str, clock: FakeClock) -> None:
        self.url, self.clock = url, clock
        self.clients: list[AppStoreConnect] = []

    def __call__(self, api_key: ApiKey) -> AppStoreConnect:
        client = AppStoreConnect(api_key, self.url, clock=self.clock, sleep=self.clock.sleep)
        self.clients.append(client)
        return client


@pytest.fixture
async def asc(clock: FakeClock) -> AsyncIterator[AscSimulator]:
    sim = AscSimulator(clock=clock)
    await sim.start()
    sim.add_app(BUNDLE)
    yield sim
    await sim.stop()


def unused(api_key: ApiKey) -> AppStoreConnect:
    raise AssertionError(f"no client is made to name or resolve key {api_key.name}")


def clients_of(asc: AscSimulator, clock: FakeClock, default: str | None = "team") -> tuple[Clients, Made]:
    keys = {"team": key("team"), "agency": key("agency")}
    for k in keys.values():
        asc.register_api_key(k)
    made = Made(asc.base_url, clock)
    return Clients(keys, default, made), made


def test_names_are_the_configured_keys() -> None:
    clients = Clients({"team": key("team"), "agency": key("agency")}, "team", unused)
    assert clients.names() == ["team", "agency"]
    assert Clients({}, None, unused).names() == []


def test_no_name_resolves_to_the_default_and_a_name_to_itself() -> None:
    clients = Clients({"team": key("team"), "agency": key("agency")}, "team", unused)
    assert clients.resolve(None) == "team"
    assert clients.resolve("") == "team"
    assert clients.resolve("agency") == "agency"


def test_an_unknown_key_is_refused_naming_the_configured_ones() -> None:
    clients = Clients({"team": key("team"), "agency": key("agency")}, "team", unused)
    with pytest.raises(UnknownKey) as raised:
        clients.resolve("other")
    assert str(raised.value) == "unknown App Store Connect key 'other' (configured: agency, team)"
    assert isinstance(raised.value, AscBotError)  # told to the person, not a crash


def test_without_a_default_a_publication_must_name_its_key() -> None:
    clients = Clients({"team": key("team")}, None, unused)
    with pytest.raises(UnknownKey, match=r"key None \(configured: team\)"):
        clients.resolve(None)
    with pytest.raises(UnknownKey, match=r"\(configured: none\)"):
        Clients({}, None, unused).resolve("team")


def test_a_default_that_is_not_configured_is_refused() -> None:
    clients = Clients({"team": key("team")}, "gone", unused)
    with pytest.raises(UnknownKey, match="'gone'"):
        clients.get(None)


async def test_one_client_per_key_made_on_first_use_and_shared(asc: AscSimulator, clock: FakeClock) -> None:
    clients, made = clients_of(asc, clock)
    assert made.clients == []  # nothing made before it is needed
    team = clients.get(None)
    assert clients.get("team") is team and clients.get(None) is team
    agency = clients.get("agency")
    assert agency is not team and made.clients == [team, agency]
    with pytest.raises(UnknownKey):
        clients.get("other")
    assert len(made.clients) == 2
    apps = [await team.find_app(BUNDLE), await agency.find_app(BUNDLE)]
    assert [app.bundle_id for app in apps if app] == [BUNDLE, BUNDLE]
    assert (team.key_name, agency.key_name) == ("team", "agency")
    await clients.aclose()


async def test_aclose_closes_every_client_and_the_next_use_makes_a_new_one(
    asc: AscSimulator, clock: FakeClock
) -> None:
    clients, made = clients_of(asc, clock)
    first = clients.get("team")
    assert await first.find_app(BUNDLE) is not None
    await clients.aclose()
    with pytest.raises(RuntimeError):  # the closed client's connection pool is gone
        await first.find_app(BUNDLE)
    again = clients.get("team")
    assert again is not first and made.clients == [first, again]
    assert await again.find_app(BUNDLE) is not None
    await clients.aclose()
