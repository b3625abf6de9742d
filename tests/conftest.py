"""Shared fixtures: a fake clock and a whole offline world (simulators + real bot on loopback)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest

from bot.clock import FakeClock

if TYPE_CHECKING:
    from bot.sandbox.world import World


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def world(clock: FakeClock) -> AsyncIterator[World]:
    from bot.sandbox.world import World
    from tests.support.flow import distinct_shapes
    from tests.support.openapi_conformance import check_exchanges

    w = await World(clock, build_appear_delay=60, processing_time=600).start()
    try:
        yield w
        # Every kind of request the bot sent in this test, and every answer, against Apple's spec.
        assert check_exchanges(distinct_shapes(w.asc.exchanges), allow_rejected=True) == []
    finally:
        await w.stop()
