"""*Add beta groups*: answered honestly until this step is built (it is tracked as an open issue)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.engine.engine import Engine
from commands.common import ButtonClick, tell

ACTION_ID = blocks.BETA_GROUPS
TITLE = "Add beta groups"


def register(app: AsyncApp, engine: Engine) -> None:
    @app.action(ACTION_ID)
    async def not_yet(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        click = ButtonClick.from_body(body)
        await tell(client, click.channel, click.user, blocks.not_available(TITLE), click.message_ts)
