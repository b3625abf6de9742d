"""Export compliance: the Yes/No buttons under the thread's question ask for the `export_compliance` step."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.engine.engine import Engine
from commands.approvers import Approvers
from commands.common import ButtonClick, answer

log = logging.getLogger(__name__)
ANSWERS = {blocks.COMPLIANCE_YES: True, blocks.COMPLIANCE_NO: False}
TITLE = "Export compliance"


def register(app: AsyncApp, engine: Engine, approvers: Approvers) -> None:
    for action_id, uses_encryption in ANSWERS.items():
        _register_answer(app, engine, action_id, uses_encryption)


def _register_answer(app: AsyncApp, engine: Engine, action_id: str, uses_encryption: bool) -> None:
    @app.action(action_id)
    async def answer_compliance(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        click = ButtonClick.from_body(body)
        params = {"uses_non_exempt_encryption": uses_encryption}
        result = await engine.request(click.publication_id, "export_compliance", click.user, params)
        if not await answer(client, click.where, click.user, TITLE, result):
            return
        if click.channel and click.message_ts:
            # The buttons give way to the answer, so nobody answers twice.
            text, payload = blocks.compliance_answered(click.message_text, uses_encryption, click.user)
            try:
                await client.chat_update(
                    channel=click.channel, ts=click.message_ts, text=text, blocks=payload
                )
            except Exception as exc:
                log.warning("could not mark the compliance question %s answered: %s", click.message_ts, exc)
