"""Polling that follows how long Apple takes, and rests while App Store Connect's webhooks arrive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.apple_webhooks import EVENT_TYPES, PATH
from bot.engine.profile import DEFAULT_PROFILE, next_processing_poll, parse_profile
from bot.sandbox.asc.records import Webhook
from bot.sandbox.clock import FakeClock
from bot.sandbox.world import World

APP = "com.example.profile"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_profile_is_sparse_first_and_never_skips_a_denser_step() -> None:
    polls, now = [], T0 + timedelta(seconds=30)
    while now < T0 + timedelta(seconds=1500):
        now = next_processing_poll(DEFAULT_PROFILE, T0, now)
        polls.append((now - T0).total_seconds())
    assert polls[:3] == [300, 360, 420]  # nothing until 5 min, then every minute
    assert 1200 in polls and polls[polls.index(1200) + 1] == 1320  # every 2 min after 20 min
    assert parse_profile("0:300, 300:60") == ((0, 300), (300, 60))
    for bad in ("", "10:30", "0:30,0:60", "0:0", "0:x"):
        with pytest.raises(ValueError):
            parse_profile(bad)


async def run(hooked: bool) -> tuple[World, str]:
    clock = FakeClock(T0)
    world = await World(
        clock, scheduler=False, build_appear_delay=30, processing_time=600, poll_profile=DEFAULT_PROFILE
    ).start()
    assert world.bot is not None and world.config is not None
    app_id = world.asc.add_app(APP, name="Profile")
    if hooked:
        store = world.asc.store
        hook = Webhook(store.new_id(), app_id, "asc-bot", world.bot.url + PATH,
                       world.config.apple_webhook_secret or "", True, list(EVENT_TYPES))  # fmt: skip
        store.webhooks[hook.id] = hook
    world.asc.upload_build(APP, version="1.0.0", build_number="1")
    answer = await world.send_upload(world.upload_payload(APP, "1.0.0", "1"))
    pub_id = answer.json()["publication_id"]
    for _ in range(int(700 / 5)):
        await world.bot.engine.sweep()
        clock.advance(5)
        await world.asc.drain_webhooks()
    return world, pub_id


def build_reads(world: World) -> list[str]:
    return [e.path for e in world.asc.exchanges if e.path.startswith(("/v1/builds", "/v1/buildUploads"))]


async def test_polling_follows_the_profile_and_a_registered_webhook_leaves_only_the_safety_net() -> None:
    world, pub_id = await run(hooked=False)
    try:
        pub = await world.bot.storage.get(pub_id)  # type: ignore[union-attr]
        assert pub is not None and pub.state == "ready"
        assert len(build_reads(world)) == 1 + 6  # found at 30 s; polled at 5, 6, 7, 8, 9, 10 min
    finally:
        await world.stop()
    world, pub_id = await run(hooked=True)
    try:
        pub = await world.bot.storage.get(pub_id)  # type: ignore[union-attr]
        assert pub is not None and pub.state == "ready"
        # No search and no polls: the COMPLETE event names the upload, its build is read once.
        reads = build_reads(world)
        assert len(reads) == 2 and reads[0].startswith("/v1/buildUploads/") and reads[1] == "/v1/builds"
        assert [e.path for e in world.asc.exchanges].count(f"/v1/apps/{pub.app_id}/webhooks") == 1
    finally:
        await world.stop()
