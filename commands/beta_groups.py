"""*Add beta groups*: a modal listing the app's groups from App Store Connect, loaded after the ack."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.engine.actions import title_of
from bot.engine.engine import Engine
from bot.errors import AscBotError
from commands.approvers import Approvers
from commands.common import Submission, answer, open_view, slack_error, tell
from commands.origin import acting_view

log = logging.getLogger(__name__)
ACTION_ID = blocks.BETA_GROUPS
CALLBACK_ID = blocks.BETA_GROUPS_VIEW
KIND = "beta_groups"
TITLE = title_of(KIND)


def register(app: AsyncApp, engine: Engine, approvers: Approvers) -> None:
    @app.action(ACTION_ID)
    async def pick_groups(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        clicked = await acting_view(engine, client, body)
        if clicked is None:
            return
        click, view = clicked
        meta = click.modal_context()
        # The trigger id lives 3 s and App Store Connect may be slower: open first, fill in after.
        opened = await open_view(
            client, click, blocks.loading_modal(CALLBACK_ID, TITLE, view.publication, meta)
        )
        if opened is None:
            return
        try:
            groups = await engine.beta_groups(click.publication_id)
            modal = blocks.beta_groups_modal(view.publication, groups, meta)
        except AscBotError as exc:
            modal = blocks.message_modal(CALLBACK_ID, TITLE, f"⚠️ {exc.user_message}", meta)
        try:
            await client.views_update(view_id=opened["id"], hash=opened.get("hash"), view=modal)
        except Exception as exc:
            error, _ = slack_error(exc)
            log.info("could not show the beta groups of %s: %s", click.publication_id, error)
            if error in ("ratelimited", "rate_limited"):  # else closed meanwhile, or changed: nothing to say
                await tell(client, click.where, click.user, blocks.modal_not_filled(TITLE, error))

    @app.view(CALLBACK_ID)
    async def add_groups(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        form = Submission.from_body(body)
        groups = form.choices(blocks.GROUPS)
        if not groups:
            await ack(response_action="errors", errors={blocks.GROUPS: "Pick at least one group."})
            return
        await ack()
        result = await engine.request(form.publication_id, KIND, form.user, {"groups": groups})
        await answer(client, form.where, form.user, TITLE, result)
