"""300 publications on one API key: all finish inside the key's hourly budget, with no 429."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from bot.sandbox.clock import FakeClock
from bot.sandbox.world import World
from tests.conftest import ENGINES
from tests.support.flow import distinct_shapes
from tests.support.openapi_conformance import check_exchanges

APPS, BUILDS_PER_APP = 30, 10


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Minutes long: on SQLite by default, on every engine of ASC_BOT_TEST_ENGINES when asked."""
    return str(request.param)


def peak_hourly(times: list) -> int:
    """The most requests in any rolling hour."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= timedelta(hours=1):
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_300_publications_fit_one_keys_budget(clock: FakeClock, db_url: str | None) -> None:
    rng = random.Random(7)
    world = World(clock, db_path=db_url, scheduler=False, hourly_limit=3600, build_appear_delay=60)
    await world.start()
    try:
        world.asc.record_bodies = False
        world.asc.beta_review_time = 1800
        for a in range(APPS):
            bundle = f"com.example.scale{a}"
            world.asc.add_app(bundle, name=f"Scale {a}")
            for b in range(BUILDS_PER_APP):
                build = str(1000 + b)
                payload = world.upload_payload(
                    bundle,
                    "3.0.0",
                    build,
                    publishing={"submit_to_testflight": True, "expire_build_submitted_for_review": True},
                )
                assert (await world.send_upload(payload)).status_code == 202
                world.asc.upload_build(
                    bundle,
                    version="3.0.0",
                    build_number=build,
                    platform="IOS",
                    processing_time=rng.uniform(600, 1800),
                    appear_delay=rng.uniform(30, 300),
                )
        total = APPS * BUILDS_PER_APP
        for _ in range(400):
            clock.advance(30)
            await world.bot.engine.sweep()
            counts = {p.state for p in await world.bot.storage.list(active_only=True, limit=1000)}
            if not counts:
                break
        pubs = await world.bot.storage.list(active_only=False, limit=1000)
        assert len(pubs) == total
        failed = [
            a.error
            for p in pubs
            if p.state != "done"
            for a in await world.bot.storage.actions(p.id)
            if a.error
        ]
        assert {p.state for p in pubs} == {"done"}, failed[:3]
        statuses = [e.status for e in world.asc.exchanges]
        assert 429 not in statuses
        peak = peak_hourly([e.at for e in world.asc.exchanges])
        assert peak <= 3600, peak
        assert world.asc.count("POST", r"^/v1/betaAppReviewSubmissions$") == total  # each build once
        assert check_exchanges(distinct_shapes(world.asc.exchanges)) == []
        assert len(world.asc.exchanges) / total < 25  # requests per publication, polling included
    finally:
        await world.stop()
