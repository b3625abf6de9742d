"""*Submit to TestFlight*: ask the engine for a beta review submission of the publication's build."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.engine.engine import Engine
from commands.common import ButtonClick, tell

ACTION_ID = blocks.TESTFLIGHT
TITLE = "Submit to TestFlight"


def register(app: AsyncApp, engine: Engine) -> None:
    @app.action(ACTION_ID)
    async def submit_to_testflight(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        click = ButtonClick.from_body(body)
        result = await engine.request(click.publication_id, "testflight", click.user)
        if result.status == "already" and result.action is not None:
            await tell(
                client,
                click.channel,
                click.user,
                blocks.already_requested(TITLE, result.action),
                click.message_ts,
            )
        elif result.status == "refused":
            await tell(
                client,
                click.channel,
                click.user,
                result.reason or "That cannot be done now.",
                click.message_ts,
            )
