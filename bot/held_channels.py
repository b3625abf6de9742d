"""`asc-bot check` for channels whose posts the bot holds since Slack refused them.

Each is asked again (conversations.info); a fixed one is released, so the running bot posts what
it held, in order; one still refused is a FAIL line saying what to do.
"""

from __future__ import annotations

from typing import Any

from bot.clock import SystemClock
from bot.config import Config
from bot.engine.outbox import Outbox
from bot.slack_notifier import SlackNotifier
from storage.database import Store
from storage.repository import Storage
from storage.slack_parking import held_channels


async def check_held(config: Config, slack: Any) -> list[tuple[bool, str]]:
    """(fine, what to say) per channel whose posts the bot holds: asked again, released when fixed
    (the running bot then posts them in order)."""
    notifier, lines = SlackNotifier(slack), []
    for channel, code, problem in held_channels(config.db_path):
        if await notifier.channel_ready(channel, code):
            released = await release(config, notifier, channel)
            lines.append((True, f"<#{channel}> takes posts again: {released} held publication(s) go out now"))
        else:
            lines.append((False, f"posts for <#{channel}> are held: {problem}"))
    return lines


async def release(config: Config, notifier: Any, channel: str) -> int:
    store = Store(config.db_path)
    await store.open()
    try:
        return await Outbox(Storage(store), notifier, SystemClock()).channel_fixed(channel)
    finally:
        await store.close()
