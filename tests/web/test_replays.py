"""Replays: a body signed without its timestamp is refused unless the legacy setting allows it, and a
body naming a key twice is refused with 400 (parsers disagree on which value counts)."""

from __future__ import annotations

import json

import httpx

from bot.sandbox.clock import FakeClock
from bot.sandbox.world import World
from bot.signatures import sign_ci
from tests.web.conftest import NOTHING, stored


async def post(world: World, body: bytes, headers: dict[str, str]) -> httpx.Response:
    assert world.bot is not None
    async with httpx.AsyncClient(timeout=30) as http:
        return await http.post(
            world.bot.url + "/webhooks/build-uploaded",
            content=body,
            headers={"Content-Type": "application/json", **headers},
        )


async def test_a_body_only_signature_is_refused_by_default(world: World) -> None:
    body = json.dumps(world.upload_payload("com.example.app", "1.4.0", "412")).encode()
    captured = sign_ci(world.webhook_secret, body)  # right secret, but no timestamp in it
    answer = await post(world, body, captured)
    assert (answer.status_code, answer.json()) == (401, {"error": "invalid signature"})
    assert await stored(world) == NOTHING


async def test_the_legacy_setting_lets_body_only_signatures_in(world: World, clock: FakeClock) -> None:
    await world.stop_bot()
    await world.start_bot(allow_untimestamped_signatures=True)
    body = json.dumps(world.upload_payload("com.example.app", "1.4.0", "412")).encode()
    assert (await post(world, body, sign_ci(world.webhook_secret, body))).status_code == 202
    # A timestamp, when sent, is still checked.
    stale = sign_ci(world.webhook_secret, body, int(clock.now().timestamp()) - 301)
    assert (await post(world, body, stale)).status_code == 401


async def test_duplicate_json_keys_are_refused_with_400(world: World, clock: FakeClock) -> None:
    now = int(clock.now().timestamp())
    # The second submit_to_app_store would win in Python, the first in some other parsers.
    text = json.dumps(world.upload_payload("com.example.app", "1.4.0", "412"))[:-1]
    for body in (
        (text + ', "publishing": {"submit_to_app_store": false, "submit_to_app_store": true}}').encode(),
        (text + ', "channel": "C0OTHER"}').encode(),
    ):
        answer = await post(world, body, sign_ci(world.webhook_secret, body, now))
        assert answer.status_code == 400, answer.text
        [problem] = answer.json()["errors"]
        assert problem["field"] == "$" and "appears twice" in problem["message"]
    assert await stored(world) == NOTHING
