"""POST /webhooks/app-store-connect: Apple's signature, pings, dedupe, and a refresh before the next poll."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import httpx
import pytest
from aiohttp import web

from bot.apple_webhooks import PATH, parse_event
from bot.cli import webhooks_register
from bot.sandbox.asc.webhooks import sign_apple
from bot.sandbox.clock import FakeClock
from bot.sandbox.world import World
from bot.web import APPLE_SOURCE, MAX_BODY, build_web_app
from tests.web.conftest import NOTHING, AppleEndpoint, apple_endpoint, apple_event, stored


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}{PATH}"


async def test_apples_test_vector_is_accepted_by_the_endpoint(world: World) -> None:
    assert world.bot is not None
    app = build_web_app(
        world.bot.engine,
        world.bot.bolt,
        webhook_secret=None,
        clock=world.clock,
        apple_webhook_secret="This is my secret",
    )
    runner, url = await serve(app)
    vector = "hmacsha256=7f062172b01cb00b53ca068614674a3d982a34062a0f5d37687d5e3377e54657"
    try:
        async with httpx.AsyncClient() as http:
            signed = await http.post(url, content=b"Hello, World!", headers={"x-apple-signature": vector})
            forged = await http.post(url, content=b"Hello, World?", headers={"x-apple-signature": vector})
    finally:
        await runner.cleanup()
    assert signed.status_code == 400  # the signature passed; "Hello, World!" is just not an event
    assert forged.status_code == 401
    assert await stored(world) == NOTHING


async def test_ping_is_answered_and_stores_nothing(world: World, apple: AppleEndpoint) -> None:
    answer = await apple.send(apple_event("webhookPingCreated", None, None))
    assert answer.status_code == 200
    assert answer.json() == {"ok": True, "event": "webhookPingCreated", "result": "ping"}
    assert await stored(world) == NOTHING


async def test_wrong_signature_is_401_and_stores_nothing(world: World, apple: AppleEndpoint) -> None:
    event = apple_event("buildUploadStateUpdated", "buildUploads", "u1", newState="COMPLETE")
    answer = await apple.send(event, secret="not-the-secret")
    assert (answer.status_code, answer.json()) == (401, {"error": "invalid signature"})
    unsigned = await apple.http.post(apple.url, json=event)
    assert unsigned.status_code == 401
    assert await stored(world) == NOTHING


async def test_without_a_configured_secret_every_event_is_refused(world: World) -> None:
    assert world.bot is not None
    app = build_web_app(world.bot.engine, world.bot.bolt, webhook_secret=None, clock=world.clock)
    runner, url = await serve(app)
    try:
        async with httpx.AsyncClient() as http:
            body = b'{"data": {"type": "webhookPingCreated", "id": "p1"}}'
            answer = await http.post(url, content=body, headers={"x-apple-signature": sign_apple("", body)})
    finally:
        await runner.cleanup()
    assert answer.status_code == 401


async def test_oversized_and_malformed_events(world: World, apple: AppleEndpoint) -> None:
    big = b'{"data": {"type": "webhookPingCreated", "id": "p1", "pad": "' + b"x" * MAX_BODY + b'"}}'
    assert (await apple.send(big)).status_code == 413
    for body in (b"not json", b"[]", b'{"data": {"type": "x y", "id": "1"}}', b'{"data": {"type": "a"}}'):
        answer = await apple.send(body)
        assert answer.status_code == 400, body
        assert answer.json()["errors"][0]["field"] == "data"
    assert await stored(world) == NOTHING


async def test_redelivered_event_is_handled_once(
    world: World, apple: AppleEndpoint, caplog: pytest.LogCaptureFixture
) -> None:
    event = apple_event("buildBetaDetailExternalBuildStateUpdated", "buildBetaDetails", "no-such-build")
    with caplog.at_level(logging.INFO, logger="bot.web"):
        first = await apple.send(event)
        again = await apple.send(event)
    assert first.json()["result"] == "unknown_resource"  # logged and ignored...
    assert again.json()["result"] == "duplicate"  # ...once
    assert "no publication follows it" in caplog.text
    assert await stored(world) == {**NOTHING, "deliveries": 1}


async def test_events_the_bot_does_not_follow_are_ignored(world: World, apple: AppleEndpoint) -> None:
    answer = await apple.send(
        apple_event("backgroundAssetVersionStateUpdated", "backgroundAssetVersions", "c1")
    )
    assert answer.json()["result"] == "ignored"
    no_instance = await apple.send(apple_event("buildUploadStateUpdated", None, None))
    assert no_instance.json()["result"] == "ignored"


async def test_a_version_event_makes_its_publication_due_now(
    world: World, apple: AppleEndpoint, clock: FakeClock
) -> None:
    assert world.bot is not None
    world.asc.add_app("com.example.app")
    created = await world.send_upload(world.upload_payload("com.example.app", "2.0", "9"))
    pub_id = created.json()["publication_id"]
    await world.bot.engine.sweep()
    later = clock.now() + timedelta(hours=1)
    await world.bot.storage.update(pub_id, clock.now(), version_id="v-123", next_poll_at=later)
    answer = await apple.send(
        apple_event(
            "appStoreVersionAppVersionStateUpdated",
            "appStoreVersions",
            "v-123",
            oldValue="WAITING_FOR_REVIEW",
            newValue="IN_REVIEW",
        )
    )
    assert answer.json() == {
        "ok": True,
        "event": "appStoreVersionAppVersionStateUpdated",
        "result": "refreshed",
    }
    pub = await world.bot.storage.get(pub_id)
    assert pub.next_poll_at is not None and pub.next_poll_at <= clock.now()
    events = [e for e in await world.bot.storage.events(pub_id) if e.kind == "apple_event"]
    assert len(events) == 1


async def test_an_app_store_connect_event_finishes_a_publication_before_the_next_poll() -> None:
    clock = FakeClock()
    world = await World(
        clock, poll_interval=3600, build_appear_delay=60, processing_time=600, scheduler=False
    ).start()
    try:
        assert world.bot is not None and world.config is not None
        world.asc.add_app("com.example.app", name="Example")
        async with apple_endpoint(world) as apple:
            # Registered as a user would: `asc-bot webhooks register`, with the bot's configured secret.
            assert (
                await webhooks_register(
                    ["com.example.app"], apple.url, keep_secret=True, config=world.config, clock=clock
                )
                == 0
            )
            created = await world.send_upload(world.upload_payload("com.example.app", "3.0", "30"))
            pub_id = created.json()["publication_id"]
            world.asc.upload_build("com.example.app", version="3.0", build_number="30", platform="IOS")
            clock.advance(61)
            # The upload's own state events arrive now (the simulator delivers them in the background);
            # let them land first, so that what follows measures only the build finishing.
            await world.asc.drain_webhooks()
            await world.bot.engine.sweep()
            pub = await world.bot.storage.get(pub_id)
            assert pub.state == "processing", pub
            next_poll = pub.next_poll_at
            assert next_poll is not None and next_poll >= clock.now() + timedelta(minutes=59)

            clock.advance(600)  # Apple finishes processing; the bot's next poll is ~50 minutes away
            await world.bot.engine.sweep()
            assert (await world.bot.storage.get(pub_id)).state == "processing"  # nothing due yet
            await world.asc.drain_webhooks()  # Apple tells the bot, signed with the registered secret
            await world.bot.engine.sweep()

        pub = await world.bot.storage.get(pub_id)
        assert pub.state in ("ready", "done"), pub
        assert pub.processing_state == "VALID"
        assert clock.now() < next_poll
        deliveries = world.asc.webhook_deliveries
        assert deliveries and {d.status for d in deliveries} == {200}
        kinds = {parse_event(json.loads(d.body)).type for d in deliveries}
        assert {"buildUploadStateUpdated", "buildBetaDetailExternalBuildStateUpdated"} <= kinds
        remembered = await world.bot.store.call(
            lambda db: db.execute(
                "select count(*) from deliveries where source = ?", [APPLE_SOURCE]
            ).fetchone()[0]
        )
        assert remembered == len(deliveries)
    finally:
        await world.stop()
