"""Export compliance: the Yes/No buttons under the thread's question ask for the `export_compliance` step."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.engine.engine import Engine
from commands.approvers import Approvers
from commands.common import ButtonClick, answer, slack_error, tell

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
        given = result.action if result.status == "already" else None
        if given is not None:
            # Answers are final: a stale click is told who answered, and the buttons give way to it.
            await tell(client, click.where, click.user, blocks.already_answered(given))
            await show_answer(client, click, given.params.get("uses_non_exempt_encryption"), given.requested_by)
            return
        if await answer(client, click.where, click.user, TITLE, result):
            await show_answer(client, click, uses_encryption, click.user)


async def show_answer(client: AsyncWebClient, click: ButtonClick, uses_encryption: object, who: str) -> None:
    """The question's buttons give way to the answer, so nobody answers twice."""
    if not (click.channel and click.message_ts and isinstance(uses_encryption, bool)):
        return
    text, payload = blocks.compliance_answered(click.message_text, uses_encryption, who)
    try:
        await client.chat_update(channel=click.channel, ts=click.message_ts, text=text, blocks=payload)
    except Exception as exc:
        error, _ = slack_error(exc)
        log.warning("could not mark the compliance question %s answered: %s", click.message_ts, error)
        await tell(client, click.where, click.user, blocks.question_not_updated(error))
