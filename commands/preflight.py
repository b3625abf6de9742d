"""*Check again* under a pre-flight checklist: the held step reads App Store Connect again at once."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.preflight import CHECK_AGAIN_BUTTON, checking_again
from bot.engine.engine import Engine
from commands.approvers import Approvers
from commands.common import answer, tell
from commands.origin import acting_click

TITLE = "Check again"


def register(app: AsyncApp, engine: Engine, approvers: Approvers) -> None:
    @app.action(CHECK_AGAIN_BUTTON)
    async def check_again(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        click = await acting_click(engine, client, body)
        if click is None:
            return
        result = await engine.check_again(click.publication_id, click.user)
        if await answer(client, click.where, click.user, TITLE, result):
            await tell(client, click.where, click.user, checking_again())
