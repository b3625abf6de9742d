"""Issue 2: upload webhook → Slack message with buttons → TestFlight, end to end over real HTTP."""

from __future__ import annotations

import asyncio
import time

from bot.blocks import BUTTONS, SUBMIT_TO_TESTFLIGHT
from bot.sandbox.clock import FakeClock
from bot.sandbox.world import DEMO_CHANNEL, World
from tests.support.openapi_conformance import check_exchanges

BETA_POSTS = r"^/v1/betaAppReviewSubmissions$"


async def settle(world: World) -> None:
    """Run the engine until nothing more is due now (what the scheduler's ticks would do)."""
    assert world.bot is not None
    await world.bot.engine.sweep()


def root_message(world: World):
    posts = [m for m in world.slack.messages.get(DEMO_CHANNEL, []) if not m.thread_ts]
    assert len(posts) == 1, f"expected one publication message, got {len(posts)}"
    return posts[0]


def thread_texts(world: World, ts: str) -> list[str]:
    return [m.text for m in world.slack.thread(DEMO_CHANNEL, ts)]


def button_texts(message) -> list[str]:
    return [e["text"]["text"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


async def test_upload_to_testflight_end_to_end(world: World, clock: FakeClock) -> None:
    app_id = world.asc.add_app("com.example.app", name="Example")
    response = await world.send_upload(world.upload_payload("com.example.app", "1.4.0", "412"))
    assert response.status_code == 202, response.text
    publication_id = response.json()["publication_id"]
    assert response.json()["state"] == "waiting_for_build"

    await settle(world)
    message = root_message(world)
    assert button_texts(message) == [label for _, label in BUTTONS]

    world.asc.upload_build("com.example.app", version="1.4.0", build_number="412", platform="IOS")
    clock.advance(61)  # the build is listed after a minute...
    await settle(world)
    clock.advance(600)  # ...and processed ten minutes later
    await settle(world)
    pub = await world.bot.storage.get(publication_id)
    assert pub.state == "ready", pub

    started = time.perf_counter()
    click = await world.slack.click_button(world.events_url, root_message(world), SUBMIT_TO_TESTFLIGHT, user="U0ALICE")
    assert click.status == 200
    assert time.perf_counter() - started < 3.0
    await settle(world)

    assert world.asc.count("POST", BETA_POSTS) == 1
    build_id = world.asc.build_id_for("com.example.app", "1.4.0", "412", "IOS")
    submissions = [s for s in world.asc.beta_review_submissions.values() if s.build_id == build_id]
    assert len(submissions) == 1
    replies = thread_texts(world, message.ts)
    assert any("<@U0ALICE> asked to submit to TestFlight" in t for t in replies), replies
    assert any("Submitted to TestFlight beta review" in t for t in replies), replies
    pub = await world.bot.storage.get(publication_id)
    assert pub.state == "ready" and pub.beta_review_state == "WAITING_FOR_REVIEW"  # following Apple's verdict

    world.asc.approve_beta_review(build_id)
    clock.advance(30)
    await settle(world)
    pub = await world.bot.storage.get(publication_id)
    assert pub.state == "done", pub
    assert any("beta review approved" in t for t in thread_texts(world, message.ts))
    assert app_id
    assert check_exchanges(world.asc.exchanges) == []


async def test_same_webhook_twice_is_one_publication(world: World) -> None:
    world.asc.add_app("com.example.app", name="Example")
    payload = world.upload_payload("com.example.app", "1.4.0", "413", delivery_id="run-77")
    first = await world.send_upload(payload)
    second = await world.send_upload(payload)
    assert (first.status_code, second.status_code) == (202, 200)
    assert first.json() == second.json()
    again = await world.send_upload({**payload, "delivery_id": "run-78"})  # a CI re-run: same build
    assert again.status_code == 200
    assert again.json()["publication_id"] == first.json()["publication_id"]
    counts = await world.bot.storage.counts()
    assert counts["publications"] == 1


async def test_bad_signature_is_401_and_stores_nothing(world: World) -> None:
    payload = world.upload_payload("com.example.app", "1.4.0", "414")
    response = await world.send_upload(payload, secret="not-the-secret-at-all")
    assert response.status_code == 401
    unsigned = await world.send_upload(payload, headers={"X-Signature-256": ""})
    assert unsigned.status_code == 401
    counts = await world.bot.storage.counts()
    assert counts == {"publications": 0, "actions": 0, "events": 0, "deliveries": 0}
    await asyncio.sleep(0)
    assert world.slack.calls_to("chat.postMessage") == []


async def test_restart_finishes_the_flow_without_duplicates(world: World, clock: FakeClock) -> None:
    world.asc.add_app("com.example.app", name="Example")
    payload = world.upload_payload("com.example.app", "2.0.0", "7", publishing={"submit_to_testflight": True})
    created = await world.send_upload(payload)
    assert created.status_code == 202
    publication_id = created.json()["publication_id"]
    await settle(world)
    await world.stop_bot()  # the process dies with the publication waiting for its build

    world.asc.upload_build("com.example.app", version="2.0.0", build_number="7", platform="IOS")
    clock.advance(700)
    await world.start_bot()
    await settle(world)
    await world.stop_bot()  # and again, after the build is ready
    await world.start_bot()
    await settle(world)
    world.asc.approve_beta_review(world.asc.build_id_for("com.example.app", "2.0.0", "7", "IOS"))
    clock.advance(30)
    await settle(world)

    pub = await world.bot.storage.get(publication_id)
    assert pub.state == "done", pub
    assert world.asc.count("POST", BETA_POSTS) == 1
    assert len([m for m in world.slack.messages[DEMO_CHANNEL] if not m.thread_ts]) == 1
    assert check_exchanges(world.asc.exchanges) == []
