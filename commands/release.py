"""Release controls: *Schedule release* (a date-time modal), *Release now* and the phased-release buttons.

The step registry (bot/engine/actions.py) gates them all: the engine's guard lets only the app's
approvers ask for them.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.engine.actions import title_of
from bot.engine.engine import Engine
from commands.approvers import Approvers
from commands.common import Submission, answer, open_view, release_date_error
from commands.origin import acting_click

SCHEDULE_ID = blocks.SCHEDULE
CALLBACK_ID = blocks.SCHEDULE_VIEW
SCHEDULE_KIND = blocks.STEP_BUTTONS[SCHEDULE_ID]
SCHEDULE_TITLE = title_of(SCHEDULE_KIND)
# Buttons that ask for a step at once: action id -> step kind.
DIRECT = {
    action_id: blocks.STEP_BUTTONS[action_id]
    for action_id in (blocks.RELEASE_NOW, blocks.PHASED_PAUSE, blocks.PHASED_RESUME, blocks.PHASED_COMPLETE)
}


def register(app: AsyncApp, engine: Engine, approvers: Approvers) -> None:
    @app.action(SCHEDULE_ID)
    async def pick_release_date(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        click = await acting_click(engine, client, body)
        if click is None:
            return
        checked = await engine.check(click.publication_id, SCHEDULE_KIND, click.user)
        if not await answer(client, click.where, click.user, SCHEDULE_TITLE, checked):
            return
        view = await engine.view(click.publication_id)
        if view is not None:
            modal = blocks.schedule_modal(view.publication, click.modal_context(), engine.now())
            await open_view(client, click, modal)

    @app.view(CALLBACK_ID)
    async def schedule(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        form = Submission.from_body(body)
        picked = form.moment(blocks.RELEASE_DATE)
        problem = release_date_error(picked, engine.now())
        if problem or picked is None:
            await ack(response_action="errors", errors={blocks.RELEASE_DATE: problem or "Pick a date."})
            return
        await ack()
        params = {"earliest_release_date": picked.isoformat()}
        result = await engine.request(form.publication_id, SCHEDULE_KIND, form.user, params)
        await answer(client, form.where, form.user, SCHEDULE_TITLE, result)

    for action_id, kind in DIRECT.items():
        _register_direct(app, engine, approvers, action_id, kind, title_of(kind))


def _register_direct(
    app: AsyncApp, engine: Engine, approvers: Approvers, action_id: str, kind: str, title: str
) -> None:
    @app.action(action_id)
    async def ask(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        click = await acting_click(engine, client, body)
        if click is None:
            return
        result = await engine.request(click.publication_id, kind, click.user)
        await answer(client, click.where, click.user, title, result)
