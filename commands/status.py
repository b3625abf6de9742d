"""`/asc status [bundle-id]`: the publications in flight and their states, privately."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck

from bot import blocks
from bot.engine.engine import Engine

USAGE = "/asc status [bundle-id]"


async def run(text: str, ack: AsyncAck, engine: Engine) -> None:
    words = text.split()
    if len(words) > 1:
        await ack(blocks.usage_problem(USAGE, f"status takes at most one bundle id; got {len(words)} words."))
        return
    bundle_id = words[0] if words else None
    message, payload = blocks.status(await engine.status(bundle_id), bundle_id)
    await ack(text=message, blocks=payload)
