"""Keeping a lease while working: renew it in the background every third of its length."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

log = logging.getLogger(__name__)


def renew_while_working(renew: Callable[[], Awaitable[Any]], lease: timedelta) -> asyncio.Task[None]:
    """Start renewing (real seconds, not the engine's clock); cancel the task when the work is done."""

    async def loop() -> None:
        every = max(0.5, lease.total_seconds() / 3)
        while True:
            await asyncio.sleep(every)
            try:
                await renew()
            except Exception as exc:  # the lease then runs out and another replica takes the work over
                log.warning("could not renew a lease: %s", exc)

    return asyncio.get_running_loop().create_task(loop(), name="asc-bot-lease")
