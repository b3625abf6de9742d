"""Acks before after-ack work: a click's answer to Slack is not kept waiting by other clicks' work.

Bolt answers a request only once its listener has called `ack()` and Bolt's dispatcher next looks
(every 10 ms). A listener that acks and goes on (stores the request, opens a modal) shares the event
loop with the dispatchers of every other click in flight; in a burst, later acks wait for earlier
clicks' after-ack work. `AckFirst` counts the requests on `/slack/events` not yet answered and hands
each request an `ack` that, once it has set the answer, waits until none is left (at most
`max_wait`: a modal must open within the 3 s a trigger id lives) before the listener goes on. Work
is not dropped, only ordered: every answer first, then the work in the order the clicks came.

Socket Mode requests do not pass through `/slack/events`; their `ack` is Bolt's own.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.response import BoltResponse

MAX_WAIT = 0.5  # seconds an acked listener waits for other answers before it goes on anyway


class AckFirst:
    """How many Slack requests are still unanswered, and a way to wait until none is."""

    def __init__(self, max_wait: float = MAX_WAIT) -> None:
        self.max_wait = max_wait
        self.unanswered = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def arrived(self) -> None:
        self.unanswered += 1
        self._idle.clear()

    def answered(self) -> None:
        self.unanswered -= 1
        if self.unanswered <= 0:
            self.unanswered = 0
            self._idle.set()

    async def wait(self) -> None:
        """Return once no Slack request is waiting for its answer, or after `max_wait`."""
        if self.unanswered:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), self.max_wait)

    def ack(self) -> AsyncAck:
        """An `ack` for one request: Bolt's, then a wait for the answers still to go out."""
        return _YieldingAck(self)


class _YieldingAck(AsyncAck):
    def __init__(self, gate: AckFirst) -> None:
        super().__init__()
        self._gate = gate

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        response = await super().__call__(*args, **kwargs)
        await self._gate.wait()
        return response
