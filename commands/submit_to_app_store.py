"""*Submit for review*: confirmed on the button, then release type, date, copyright and phased release."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.engine.actions import title_of
from bot.engine.engine import Engine
from commands.approvers import Approvers
from commands.common import (
    Submission,
    already_open,
    answer,
    open_view,
    release_date_error,
    tell,
)
from commands.origin import acting_view

ACTION_ID = blocks.SUBMIT_TO_APP_STORE
CALLBACK_ID = blocks.SUBMIT_TO_APP_STORE_VIEW
KIND = blocks.STEP_BUTTONS[ACTION_ID]
TITLE = title_of(KIND)


def submit_to_app_store_params(form: Submission, now: datetime) -> tuple[dict[str, Any], dict[str, str]]:
    """The submit_to_app_store step's params from the modal, and the errors to show under its inputs."""
    release_type = form.choice(blocks.RELEASE_TYPE) or "MANUAL"
    picked = form.moment(blocks.RELEASE_DATE)
    ticked = form.choices(blocks.SUBMIT_TO_APP_STORE_OPTIONS)
    params: dict[str, Any] = {
        "release_type": release_type,
        "phased_release": "phased_release" in ticked,
        "cancel_previous_submissions": "cancel_previous_submissions" in ticked,
    }
    if form.text(blocks.COPYRIGHT):
        params["copyright"] = form.text(blocks.COPYRIGHT)
    errors: dict[str, str] = {}
    if release_type == "SCHEDULED":
        problem = release_date_error(picked, now)
        if problem:
            errors[blocks.RELEASE_DATE] = problem
        elif picked is not None:
            params["earliest_release_date"] = picked.isoformat()
    elif picked is not None:
        errors[blocks.RELEASE_DATE] = (
            "A date only applies to a scheduled release: pick that, or clear the date."
        )
    return params, errors


def register(app: AsyncApp, engine: Engine, approvers: Approvers) -> None:
    @app.action(blocks.accepted(ACTION_ID))
    async def ask_submit_to_app_store_options(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        clicked = await acting_view(engine, client, body)
        if clicked is None:
            return
        click, view = clicked
        pub = view.publication
        if not await answer(
            client, click.where, click.user, TITLE, await engine.check(pub.id, KIND, click.user)
        ):
            return
        existing = already_open(view, KIND)
        if existing is not None:
            await tell(client, click.where, click.user, blocks.already_requested(TITLE, existing))
            return
        modal = blocks.submit_to_app_store_modal(pub, click.modal_context(), engine.now())
        await open_view(client, click, modal)

    @app.view(blocks.accepted(CALLBACK_ID, blocks.LEGACY_CALLBACK_IDS))
    async def submit_to_app_store(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        form = Submission.from_body(body)
        params, errors = submit_to_app_store_params(form, engine.now())
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        # The engine checks the approver again: the modal may have changed hands or approvers changed.
        result = await engine.request(form.publication_id, KIND, form.user, params)
        await answer(client, form.where, form.user, TITLE, result)
