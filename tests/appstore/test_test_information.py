"""TestFlight test information through the app read (`include=`) against the simulator: what the
bundle-id look-up carries is kept for the pre-flight checklist, and whatever it cannot carry is read
the long way."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.appstore.client import AppStoreConnect
from bot.appstore.testinfo import LOCALES_INCLUDED, BetaTestInfo
from bot.sandbox.asc import AscSimulator
from bot.sandbox.asc.records import BetaAppLocalization
from bot.sandbox.clock import FakeClock
from tests.appstore.fakes import make_key
from tests.support.openapi_conformance import check_exchanges

BUNDLE = "com.example.app"


@pytest.fixture
async def sim() -> AsyncIterator[AscSimulator]:
    simulator = AscSimulator(clock=FakeClock())
    await simulator.start()
    try:
        yield simulator
    finally:
        await simulator.stop()


@pytest.fixture
async def client(sim: AscSimulator) -> AsyncIterator[AppStoreConnect]:
    key = make_key()
    sim.register_key(key.issuer_id, key.key_id, key.public_key_pem())
    async with AppStoreConnect(key, sim.base_url, clock=sim.clock) as c:
        yield c


async def long_way(client: AppStoreConnect, app_id: str) -> BetaTestInfo:
    locs = await client.list_beta_app_localizations(app_id)
    return BetaTestInfo(tuple(locs), await client.get_beta_app_review_detail(app_id))


async def test_the_app_read_carries_it_and_the_checklist_takes_it_from_there(
    sim: AscSimulator, client: AppStoreConnect
) -> None:
    app_id = sim.add_app(BUNDLE, name="Example", test_info=True)
    sim.add_app(f"{BUNDLE}.widget", name="Widget", test_info=False)  # a look-alike on the same page
    await client.find_app(BUNDLE)
    sent = len(sim.exchanges)
    kept = await client.test_information(app_id, fresh=False)
    assert len(sim.exchanges) == sent and kept.cached  # nothing sent
    assert kept.localizations[0].description and kept.detail and kept.detail.contact_email
    fresh = await client.test_information(app_id)
    assert len(sim.exchanges) == sent + 1 and not fresh.cached  # one app read, include= both
    assert fresh == await long_way(client, app_id)
    assert (kept.localizations, kept.detail) == (fresh.localizations, fresh.detail)
    assert check_exchanges(sim.exchanges) == []


async def test_more_localizations_than_an_include_shows_are_listed_apart(
    sim: AscSimulator, client: AppStoreConnect
) -> None:
    app_id = sim.add_app(BUNDLE, name="Example", test_info=True)
    for i in range(LOCALES_INCLUDED):
        loc = BetaAppLocalization(sim.store.new_id(), app_id, f"x-{i:02d}", "About", "beta@example.com")
        sim.store.beta_app_localizations[loc.id] = loc
        sim.store.beta_app_localizations_by_app[app_id].append(loc)
    await client.find_app(BUNDLE)  # carries 50 of 51: not kept
    sent = len(sim.exchanges)
    info = await client.test_information(app_id, fresh=False)
    assert len(info.localizations) == LOCALES_INCLUDED + 1
    assert [e.path for e in sim.exchanges[sent:]] == [
        f"/v1/apps/{app_id}",
        f"/v1/apps/{app_id}/betaAppLocalizations",
    ]
    assert info == await long_way(client, app_id)
    assert check_exchanges(sim.exchanges) == []
