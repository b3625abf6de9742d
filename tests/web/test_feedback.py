"""TestFlight feedback reaches the build's thread once: App Store Connect's webhook, the poll, a digest."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.apple_webhooks import parse_event
from bot.cli import webhooks_register
from bot.sandbox.clock import FakeClock
from bot.sandbox.world import DEMO_CHANNEL, World
from tests.support.flow import distinct_shapes
from tests.support.openapi_conformance import check_exchanges
from tests.web.conftest import apple_endpoint, apple_event

BUNDLE = "com.example.app"


@pytest.fixture
async def world() -> AsyncIterator[World]:
    clock = FakeClock()
    world = await World(
        clock, poll_interval=30, build_appear_delay=30, processing_time=60, scheduler=False
    ).start()
    try:
        world.asc.add_app(BUNDLE, name="Example")
        yield world
    finally:
        await world.stop()
    assert check_exchanges(distinct_shapes(world.asc.exchanges)) == []  # every kind of call, spec-checked


async def publish(world: World, build_number: str = "412") -> tuple[str, str]:
    """A publication whose build App Store Connect has processed; returns (publication id, build id)."""
    assert world.bot is not None
    created = await world.send_upload(world.upload_payload(BUNDLE, "1.4.0", build_number))
    pub_id = created.json()["publication_id"]
    world.asc.upload_build(BUNDLE, "1.4.0", build_number)
    for _ in range(4):
        assert isinstance(world.clock, FakeClock)
        world.clock.advance(31)
        await world.bot.engine.sweep()
    pub = await world.bot.storage.get(pub_id)
    assert pub is not None and pub.build_id is not None and pub.message_ts is not None, pub
    return pub_id, pub.build_id


async def feedback_replies(world: World, pub_id: str) -> list[str]:
    assert world.bot is not None
    await world.bot.engine.sweep()
    pub = await world.bot.storage.get(pub_id)
    assert pub is not None and pub.message_ts is not None
    thread = world.slack.thread(DEMO_CHANNEL, pub.message_ts)
    return [m.text for m in thread if "TestFlight" in m.text]


async def register(world: World) -> None:
    assert world.config is not None
    async with apple_endpoint(world) as apple:
        code = await webhooks_register(
            [BUNDLE], apple.url, keep_secret=True, config=world.config, clock=world.clock
        )
    assert code == 0


async def test_a_screenshot_webhook_posts_one_reply_in_the_builds_thread(world: World) -> None:
    assert world.bot is not None
    await register(world)
    hooks = list(world.asc.store.webhooks.values())
    assert {"BETA_FEEDBACK_SCREENSHOT_SUBMISSION_CREATED", "BETA_FEEDBACK_CRASH_SUBMISSION_CREATED"} <= set(
        hooks[0].event_types
    )
    pub_id, build_id = await publish(world)
    other_id, _ = await publish(world, "413")
    feedback_id = world.asc.send_feedback(build_id, "The <Pay> button is cut off", os_version="18.2")
    await world.asc.drain_webhooks()
    replies = await feedback_replies(world, pub_id)
    assert len(replies) == 1, replies
    (reply,) = replies
    assert "The &lt;Pay&gt; button is cut off" in reply  # the tester's words, never Slack markup
    assert "tester@example.com" in reply and "iPhone15,2, iOS 18.2" in reply
    assert f"/eimg/{feedback_id}/1.jpg" in reply and "|Screenshot 1>" in reply
    assert await feedback_replies(world, other_id) == []  # matched by build id: only its own thread
    delivery = world.asc.webhook_deliveries[-1]
    assert parse_event(json.loads(delivery.body)).type == "betaFeedbackScreenshotSubmissionCreated"

    # Apple redelivers, another event names the same submission, the poll sees it, the bot restarts.
    async with apple_endpoint(world) as apple:
        again = await apple.http.post(
            apple.url, content=delivery.body, headers={"x-apple-signature": delivery.signature}
        )
        assert again.json()["result"] == "duplicate"
        other = apple_event(
            "betaFeedbackScreenshotSubmissionCreated", "betaFeedbackScreenshotSubmissions", feedback_id
        )
        assert (await apple.send(other)).json()["result"] == "duplicate"
    assert isinstance(world.clock, FakeClock)
    world.clock.advance(world.bot.engine.settings.feedback_poll_interval + 1)
    assert await world.bot.engine.feedback.poll(world.clock.now()) == 0
    await world.stop_bot()
    await world.start_bot()
    assert world.bot is not None
    await world.bot.engine.sweep()
    assert len(await feedback_replies(world, pub_id)) == 1


async def test_a_crash_report_shows_the_log_and_where_to_read_it(world: World) -> None:
    await register(world)
    pub_id, build_id = await publish(world)
    log = "Incident Identifier: 1\n" + "\n".join(f"{n} Example 0x{n:04x} frame" for n in range(40))
    world.asc.send_feedback(build_id, "Crashed when I tapped Pay", crash_log=log)
    await world.asc.drain_webhooks()
    (reply,) = await feedback_replies(world, pub_id)
    assert reply.startswith("💥 *TestFlight crash* in 1.4.0 (412)")
    assert "> Crashed when I tapped Pay" in reply
    assert "```Incident Identifier: 1\n0 Example 0x0000 frame" in reply and "39 Example" not in reply
    app_id = world.asc.app_id_for(BUNDLE)
    assert f"https://appstoreconnect.apple.com/apps/{app_id}/testflight/ios|" in reply


async def test_without_webhooks_the_slow_poll_finds_feedback(world: World) -> None:
    assert world.bot is not None
    pub_id, build_id = await publish(world)  # the first sweeps polled already: nothing to find
    world.asc.send_feedback(build_id, "Found it by polling")
    world.asc.send_feedback(build_id, None, crash_log="boom")
    assert await feedback_replies(world, pub_id) == []  # the safety net is slow on purpose
    assert isinstance(world.clock, FakeClock)
    world.clock.advance(world.bot.engine.settings.feedback_poll_interval)
    replies = await feedback_replies(world, pub_id)
    assert len(replies) == 2 and "Found it by polling" in replies[0] and "_(no comment)_" in replies[1]
    world.clock.advance(world.bot.engine.settings.feedback_poll_interval)
    assert len(await feedback_replies(world, pub_id)) == 2


async def test_past_the_threshold_feedback_waits_for_one_daily_digest(world: World) -> None:
    await world.stop_bot()
    await world.start_bot(feedback_digest_threshold=2, feedback_poll_interval=0)
    assert world.bot is not None
    await register(world)
    pub_id, build_id = await publish(world)
    for n in range(5):
        world.asc.send_feedback(build_id, f"note {n}")
    await world.asc.drain_webhooks()
    replies = await feedback_replies(world, pub_id)
    # Webhooks arrive in any order: whichever two came first were posted, the other three wait.
    posted = {r.split("\n")[1].removeprefix("> ") for r in replies}
    assert len(replies) == 2 and posted <= {f"note {n}" for n in range(5)}
    assert isinstance(world.clock, FakeClock)
    now = world.clock.now()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    world.clock.advance((midnight - now).total_seconds() + 1)
    replies = await feedback_replies(world, pub_id)
    assert len(replies) == 3
    digest = replies[2]
    day = now.date().isoformat()
    assert digest.startswith(f"📋 *TestFlight feedback digest* for {BUNDLE}, {day} (UTC): 3 more")
    lines = [line for line in digest.split("\n") if line.startswith("• ")]
    held = sorted({f"note {n}" for n in range(5)} - posted)
    assert sorted(line.split("“")[1].split("”")[0] for line in lines) == held
    assert all("1.4.0 (412), tester@example.com (iPhone15,2, iOS 18.1)" in line for line in lines)
    world.clock.advance(86400)
    assert len(await feedback_replies(world, pub_id)) == 3  # once
    pub = await world.bot.storage.get(pub_id)
    assert pub is not None
    broadcast = [m for m in world.slack.thread(DEMO_CHANNEL, pub.message_ts or "") if "digest" in m.text]
    assert len(broadcast) == 1
