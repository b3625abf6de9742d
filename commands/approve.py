"""*Approve and run it*: the button under a held step (a gated step from the app's defaults)."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.engine.actions import title_of
from bot.engine.engine import Engine
from commands.approvers import Approvers
from commands.common import answer, tell
from commands.origin import acting_click

ACTION_ID = re.compile("^" + re.escape(blocks.APPROVE) + r"[a-z_]+$")


def register(app: AsyncApp, engine: Engine, approvers: Approvers) -> None:
    @app.action(ACTION_ID)
    async def approve(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        click = await acting_click(engine, client, body)
        if click is None:
            return
        kind = click.action_id.removeprefix(blocks.APPROVE)
        title = title_of(kind)
        result = await engine.approve(click.publication_id, kind, click.user)
        if await answer(client, click.where, click.user, title, result) and result.publication:
            await tell(client, click.where, click.user, blocks.requested(title, result.publication))
