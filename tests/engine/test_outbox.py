"""The outbox's backoff: a lane that Slack refused for now waits 2, 4, 8 … s (at most 5 min), or
as long as Slack asked; one post that goes through resets it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.engine.notifier import DeliveryError
from bot.engine.outbox import MAX_BACKOFF, Outbox, backoff
from bot.sandbox.clock import FakeClock


@pytest.mark.parametrize(("failures", "delay"), [(1, 2.0), (2, 4.0), (3, 8.0), (8, 256.0), (9, 300.0), (30, 300.0)])
def test_backoff_doubles_up_to_five_minutes(failures: int, delay: float) -> None:
    assert backoff(failures, None) == delay <= MAX_BACKOFF


def test_slacks_retry_after_wins() -> None:
    assert backoff(1, 30.0) == 30.0
    assert backoff(20, 1.0) == 1.0


async def test_a_lane_waits_after_a_temporary_refusal_and_resets_after_a_post() -> None:
    clock = FakeClock()
    outbox = Outbox(None, None, clock, owner="test")  # type: ignore[arg-type]  # a lane needs neither
    posted: list[str] = []
    refusals = iter([DeliveryError("ratelimited", permanent=False), DeliveryError("timeout", permanent=False)])

    async def refused() -> None:
        raise next(refusals)

    async def post() -> None:
        posted.append("ok")

    await outbox._run_lane("C1", [refused, post])
    assert posted == []  # what comes after waits, in order
    assert outbox._backing_off("C1", clock.now())
    clock.advance(timedelta(seconds=1.9))
    assert outbox._backing_off("C1", clock.now())
    clock.advance(timedelta(seconds=0.2))
    assert not outbox._backing_off("C1", clock.now())
    await outbox._run_lane("C1", [refused, post])
    clock.advance(timedelta(seconds=3.9))
    assert outbox._backing_off("C1", clock.now())  # the second refusal in a row waits 4 s
    clock.advance(timedelta(seconds=0.2))
    await outbox._run_lane("C1", [post])
    assert posted == ["ok"] and not outbox._backing_off("C1", clock.now())
    assert not outbox._backing_off("C2", clock.now())  # other channels never waited
