"""Every Slack answer of a burst goes out before any click's after-ack work (`bot.ack_first`)."""

from __future__ import annotations

import asyncio
from typing import Any

from bot import blocks
from bot.ack_first import AckFirst
from bot.sandbox.world import World
from bot.web import ACK_FIRST
from tests.commands.conftest import eventually, open_views, publish


async def test_an_acked_listener_waits_for_every_unanswered_request() -> None:
    gate = AckFirst(max_wait=30)
    gate.arrived()
    gate.arrived()
    ack = gate.ack()
    listener = asyncio.ensure_future(ack())
    for _ in range(5):
        await asyncio.sleep(0)
    assert ack.response is not None and ack.response.status == 200  # the answer is ready for Bolt
    assert not listener.done()  # ...but the listener does not go on yet
    gate.answered()
    for _ in range(5):
        await asyncio.sleep(0)
    assert not listener.done()  # one request is still waiting for its answer
    gate.answered()
    await asyncio.wait_for(listener, 1)
    assert gate.unanswered == 0


async def test_nothing_waits_when_every_request_is_answered() -> None:
    gate = AckFirst(max_wait=30)
    await asyncio.wait_for(gate.ack()(), 1)  # Socket Mode, or a request already answered


async def test_a_listener_waits_at_most_max_wait() -> None:
    gate = AckFirst(max_wait=0.01)
    gate.arrived()  # an answer that never goes out must not hold the work back past a trigger id's life
    await asyncio.wait_for(gate.ack()(), 1)
    assert gate.unanswered == 1
    assert not gate._waiters  # a wait that timed out is not kept while requests stay unanswered


async def test_a_cancelled_wait_leaves_the_others_waiting_and_released() -> None:
    gate = AckFirst(max_wait=30)
    gate.arrived()
    gone = asyncio.ensure_future(gate.wait())  # its request was cancelled while it waited
    kept = asyncio.ensure_future(gate.wait())
    await asyncio.sleep(0.01)
    gone.cancel()
    await asyncio.sleep(0.01)
    assert gone.cancelled() and not kept.done()
    gate.answered()
    await asyncio.wait_for(kept, 1)
    assert gate.unanswered == 0


class _Observed(list[Any]):
    """The Slack simulator's call log, noting how many clicks were unanswered at each call."""

    def __init__(self, gate: AckFirst, seen: list[tuple[str, int]]) -> None:
        super().__init__()
        self.gate, self.seen = gate, seen

    def append(self, call: Any) -> None:
        self.seen.append((call.method, self.gate.unanswered))
        super().append(call)


async def test_a_burst_of_clicks_is_answered_before_any_modal_opens(world: World) -> None:
    assert world.bot is not None
    clicks = []
    for n in range(8):
        clicks.append(await publish(world, build=str(500 + n)))
    gate = world.bot.web[ACK_FIRST]
    seen: list[tuple[str, int]] = []
    world.slack.server.calls = _Observed(gate, seen)
    answers = await asyncio.gather(
        *(
            world.slack.click_button(world.events_url, message, blocks.SUBMIT_TO_TESTFLIGHT, user="U0ALICE")
            for _, message in clicks
        )
    )
    assert [a.status for a in answers] == [200] * len(clicks)
    await eventually(lambda: len(open_views(world, blocks.WHAT_TO_TEST_VIEW)) == len(clicks))
    opened = [unanswered for method, unanswered in seen if method == "views.open"]
    assert len(opened) == len(clicks) and set(opened) == {0}, seen
