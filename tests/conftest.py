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

    w = await World(clock, build_appear_delay=60, processing_time=600).start()
    try:
        yield w
    finally:
        await w.stop()
