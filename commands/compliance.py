"""Export compliance: the Yes/No buttons under the thread's question ask for the `export_compliance` step;
*Change export compliance* lets approvers ask for another answer, confirmed in a modal."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.engine.actions import title_of
from bot.engine.compliance import ANSWER, CHANGE, KEY, change_problem, current_answer
from bot.engine.engine import Engine
from commands.approvers import Approvers
from commands.common import ButtonClick, Submission, answer, open_view, slack_error, tell
from commands.origin import acting_click, acting_view

log = logging.getLogger(__name__)
ANSWERS = {blocks.COMPLIANCE_YES: True, blocks.COMPLIANCE_NO: False}
TITLE, CHANGE_TITLE = title_of(ANSWER), title_of(CHANGE)
VALUES = {"yes": True, "no": False}


def register(app: AsyncApp, engine: Engine, approvers: Approvers) -> None:
    for action_id, uses_encryption in ANSWERS.items():
        _register_answer(app, engine, action_id, uses_encryption)
    _register_change(app, engine)


def _register_change(app: AsyncApp, engine: Engine) -> None:
    @app.action(blocks.CHANGE_COMPLIANCE)
    async def confirm_change(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        clicked = await acting_view(engine, client, body)
        if clicked is None:
            return
        click, view = clicked
        checked = await engine.check(click.publication_id, CHANGE, click.user)
        if not await answer(client, click.where, click.user, CHANGE_TITLE, checked):
            return
        given, current = current_answer(list(view.actions))
        wanted = None if current is None else not current
        problem = change_problem(view.publication, list(view.actions), wanted)
        if problem is not None or given is None or current is None:
            await tell(client, click.where, click.user, blocks.refused(CHANGE_TITLE, problem))
            return
        meta = blocks.metadata(
            p=click.publication_id, c=click.channel, t=click.message_ts, v="yes" if wanted else "no"
        )
        await open_view(client, click, blocks.change_compliance_modal(view.publication, given, current, meta))

    @app.view(blocks.CHANGE_COMPLIANCE_VIEW)
    async def change(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        form = Submission.from_body(body)
        params = {KEY: VALUES.get(str(_context(body).get("v")))}
        # The engine checks the approver again: the modal may have changed hands or approvers changed.
        result = await engine.request(form.publication_id, CHANGE, form.user, params)
        if result.status == "already" and result.action is not None:
            await tell(client, form.where, form.user, blocks.compliance_unchanged(result.action))
        elif await answer(client, form.where, form.user, CHANGE_TITLE, result) and result.publication:
            await tell(client, form.where, form.user, blocks.requested(CHANGE_TITLE, result.publication))


def _context(body: dict[str, Any]) -> dict[str, Any]:
    try:
        context = json.loads((body.get("view") or {}).get("private_metadata") or "{}")
    except ValueError:
        return {}
    return context if isinstance(context, dict) else {}


def _register_answer(app: AsyncApp, engine: Engine, action_id: str, uses_encryption: bool) -> None:
    @app.action(action_id)
    async def answer_compliance(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        click = await acting_click(engine, client, body)
        if click is None:
            return
        params = {"uses_non_exempt_encryption": uses_encryption}
        result = await engine.request(click.publication_id, ANSWER, click.user, params)
        given = result.action if result.status == "already" else None
        view = await engine.view(click.publication_id) if given is not None else None
        if view is not None:  # the answer that stands: an approver's change, else the first answer
            given = current_answer(list(view.actions))[0] or given
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
