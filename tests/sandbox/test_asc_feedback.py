"""TestFlight feedback in the App Store Connect simulator: resources, lists, crash logs, webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
from aiohttp import web

from bot.sandbox.asc import AscSimulator
from bot.sandbox.clock import FakeClock

BUNDLE = "com.example.feedback"


async def _build(sim: AscSimulator, clock: FakeClock, number: str = "412") -> str:
    sim.upload_build(BUNDLE, "1.4.0", number)
    clock.advance(301)
    build_id = sim.build_id_for(BUNDLE, "1.4.0", number, listed_only=True)
    assert build_id is not None
    return build_id


async def test_feedback_lists_filter_sort_and_include_the_build(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    app_id = asc_sim.add_app(BUNDLE)
    first, second = await _build(asc_sim, asc_clock, "1"), await _build(asc_sim, asc_clock, "2")
    shot = asc_sim.send_feedback(first, "The login button is cut off", screenshots=((1179, 2556), (10, 20)))
    asc_clock.advance(60)
    crash = asc_sim.send_feedback(
        second, "It closed when I tapped Pay", crash_log="Thread 0 Crashed:\n0 libswiftCore"
    )
    later = asc_sim.send_feedback(second, None)

    path = f"/v1/apps/{app_id}/betaFeedbackScreenshotSubmissions"
    listed = (await asc.get(path, params={"sort": "-createdDate", "include": "build"})).json()
    assert [r["id"] for r in listed["data"]] == [later, shot]
    one = listed["data"][1]
    assert one["attributes"]["comment"] == "The login button is cut off"
    assert one["attributes"]["deviceModel"] == "iPhone15,2" and one["attributes"]["osVersion"] == "18.1"
    assert [s["width"] for s in one["attributes"]["screenshots"]] == [1179, 10]
    assert one["attributes"]["screenshots"][0]["url"].startswith("https://")
    assert one["relationships"]["build"]["data"] == {"type": "builds", "id": first}
    assert {r["id"] for r in listed["included"]} == {first, second}
    only = (await asc.get(path, params={"filter[build]": first})).json()["data"]
    assert [r["id"] for r in only] == [shot]

    crashes = (await asc.get(f"/v1/apps/{app_id}/betaFeedbackCrashSubmissions")).json()["data"]
    assert [r["id"] for r in crashes] == [crash]
    assert "links" in crashes[0]["relationships"]["crashLog"]
    log = (await asc.get(f"/v1/betaFeedbackCrashSubmissions/{crash}/crashLog")).json()
    assert log["data"]["type"] == "betaCrashLogs" and log["data"]["attributes"]["logText"].startswith(
        "Thread 0"
    )
    assert (await asc.get(f"/v1/betaFeedbackScreenshotSubmissions/{shot}")).json()["data"]["id"] == shot
    assert (await asc.get(f"/v1/betaFeedbackCrashSubmissions/{shot}")).status_code == 404


async def test_feedback_is_announced_by_a_signed_webhook(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    received: list[tuple[bytes, str]] = []

    async def receive(request: web.Request) -> web.Response:
        received.append((await request.read(), request.headers["x-apple-signature"]))
        return web.Response(status=200)

    receiver = web.Application()
    receiver.router.add_post("/asc", receive)
    runner = web.AppRunner(receiver, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/asc"
    secret = "feedback secret 0123456789"
    try:
        app_id = asc_sim.add_app(BUNDLE)
        build_id = await _build(asc_sim, asc_clock)
        hook = {
            "data": {
                "type": "webhooks",
                "attributes": {
                    "enabled": True,
                    "eventTypes": [
                        "BETA_FEEDBACK_SCREENSHOT_SUBMISSION_CREATED",
                        "BETA_FEEDBACK_CRASH_SUBMISSION_CREATED",
                    ],
                    "name": "asc-bot",
                    "secret": secret,
                    "url": url,
                },
                "relationships": {"app": {"data": {"type": "apps", "id": app_id}}},
            }
        }
        assert (await asc.post("/v1/webhooks", json=hook)).status_code == 201
        shot = asc_sim.send_feedback(build_id, "Looks great")
        crash = asc_sim.send_feedback(build_id, "Crashed", crash_log="boom")
        await asc_sim.drain_webhooks()
    finally:
        await runner.cleanup()
    events = [json.loads(raw)["data"] for raw, _ in received]
    assert [(e["type"], e["relationships"]["instance"]["data"]) for e in events] == [
        (
            "betaFeedbackScreenshotSubmissionCreated",
            {"type": "betaFeedbackScreenshotSubmissions", "id": shot},
        ),
        ("betaFeedbackCrashSubmissionCreated", {"type": "betaFeedbackCrashSubmissions", "id": crash}),
    ]
    for raw, signature in received:
        assert signature == "hmacsha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
