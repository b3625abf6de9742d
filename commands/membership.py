"""The bot was invited to a channel (`member_joined_channel` for the bot user): posts held there go out.

Slack sends the event to apps subscribed to it (manifest.yml `bot_events`) for channels the bot is
in, including the bot's own joining; Bolt keeps it although it is about the bot itself. Other
members joining are ignored.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.engine.engine import Engine

log = logging.getLogger(__name__)


def register(app: AsyncApp, engine: Engine) -> None:
    @app.event("member_joined_channel")
    async def bot_joined(event: dict[str, Any], context: AsyncBoltContext) -> None:
        channel, user = event.get("channel"), event.get("user")
        if not isinstance(channel, str) or not user or user != context.bot_user_id:
            return
        released = await engine.channel_fixed(channel)
        log.info("asc-bot was added to %s; %d held publication(s) go out now", channel, released)
        if released:
            engine.wake()
