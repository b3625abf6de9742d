"""The Slack simulator's method tiers: per workspace, per method, over a sliding minute, HTTP 429."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.clock import FakeClock
from bot.sandbox.slack import SlackSimulator
from bot.sandbox.slack.limits_rate import METHOD_TIERS, TIER_PER_MINUTE, default_limits
from bot.sandbox.slack.registry import METHODS

TOKEN = "xoxb-test"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def sim(clock: FakeClock) -> AsyncIterator[SlackSimulator]:
    simulator = SlackSimulator(bot_token=TOKEN, clock=clock)
    simulator.add_channel("C1", "releases")
    simulator.add_channel("C2", "ios")
    await simulator.start()
    try:
        yield simulator
    finally:
        await simulator.stop()


@pytest.fixture
def client(sim: SlackSimulator) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=sim.api_url)  # no retry handler: 429s reach the test


def test_every_served_method_has_its_documented_tier() -> None:
    assert set(METHODS) - {"views.publish"} <= set(METHOD_TIERS)
    assert METHOD_TIERS["chat.update"] == 3 and METHOD_TIERS["conversations.replies"] == 3
    assert METHOD_TIERS["conversations.info"] == 3 and METHOD_TIERS["conversations.open"] == 3
    assert METHOD_TIERS["chat.postEphemeral"] == 4 and METHOD_TIERS["views.open"] == 4
    assert METHOD_TIERS["users.info"] == 4 and METHOD_TIERS["chat.postMessage"] == "special"
    assert default_limits()["chat.update"] == TIER_PER_MINUTE[3] == 50


async def test_a_burst_over_the_tier_gets_429_with_retry_after_and_the_window_slides(
    sim: SlackSimulator, client: AsyncWebClient, clock: FakeClock
) -> None:
    posted = [(await client.chat_postMessage(channel="C1", text=f"m{i}"))["ts"] for i in range(3)]
    for i in range(50):  # Tier 3: 50 a minute, on by default
        await client.chat_update(channel="C1", ts=posted[i % 3], text=f"v{i}")
        clock.advance(0.5)  # 50 calls in 25 s
    with pytest.raises(SlackApiError) as caught:
        await client.chat_update(channel="C1", ts=posted[0], text="one too many")
    response = caught.value.response
    assert response.status_code == 429 and response.data == {"ok": False, "error": "ratelimited"}
    assert response.headers["Retry-After"] == "35"  # the first of the 50 leaves the window in 35 s
    assert sim.find_message("C1", posted[0]).text == "v48"  # type: ignore[union-attr]  # refused: unchanged
    # Per method: posting, and reading the thread, are not held back by chat.update's limit.
    await client.chat_postMessage(channel="C2", text="another channel, another method")
    await client.conversations_replies(channel="C1", ts=posted[0])
    clock.advance(35)
    await client.chat_update(channel="C1", ts=posted[0], text="after Retry-After")
    assert sim.find_message("C1", posted[0]).text == "after Retry-After"  # type: ignore[union-attr]


async def test_tests_can_tighten_a_method_and_refused_calls_do_not_count(
    sim: SlackSimulator, client: AsyncWebClient, clock: FakeClock
) -> None:
    sim.limit_rate("conversations.info", 2)
    for _ in range(2):
        await client.conversations_info(channel="C1")
    for _ in range(5):  # hammering while limited does not extend the wait
        with pytest.raises(SlackApiError) as caught:
            await client.conversations_info(channel="C1")
        assert caught.value.response.headers["Retry-After"] == "60"
    clock.advance(60)
    await client.conversations_info(channel="C1")
    assert [c.status for c in sim.calls_to("conversations.info")] == [200, 200, *[429] * 5, 200]
    sim.limit_rate("conversations.info", None)
    for _ in range(60):
        await client.conversations_info(channel="C1")


async def test_inviting_the_bot_makes_it_a_member(sim: SlackSimulator, client: AsyncWebClient) -> None:
    sim.add_channel("G9", "ios-private", member=False)
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel="G9", text="not yet")
    assert await sim.invite_bot("G9") is None  # no events URL: only the membership changes
    assert (await client.conversations_info(channel="G9"))["channel"]["is_member"] is True
    await client.chat_postMessage(channel="G9", text="invited")
