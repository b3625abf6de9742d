"""*Submit to TestFlight*: one click asks for beta review; a modal then offers What to Test text."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.engine.actions import title_of
from bot.engine.engine import Engine
from bot.engine.notifier import PublicationView
from commands.approvers import Approvers
from commands.common import Submission, answer, open_view
from commands.origin import acting_click

ACTION_ID = blocks.SUBMIT_TO_TESTFLIGHT
CALLBACK_ID = blocks.WHAT_TO_TEST_VIEW
KIND, NOTES_KIND = blocks.STEP_BUTTONS[ACTION_ID], "what_to_test"
TITLE, NOTES_TITLE = title_of(KIND), title_of(NOTES_KIND)


def wants_what_to_test(view: PublicationView | None) -> bool:
    """Ask for What to Test only when neither CI nor anyone in Slack gave it yet."""
    return view is not None and not view.publication.release_notes and view.action("what_to_test") is None


def register(app: AsyncApp, engine: Engine, approvers: Approvers) -> None:
    @app.action(blocks.accepted(ACTION_ID))
    async def submit_to_testflight(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        click = await acting_click(engine, client, body)
        if click is None:
            return
        # The request comes first: a click alone is enough; the What to Test modal is optional.
        result = await engine.request(click.publication_id, KIND, click.user)
        if not await answer(client, click.where, click.user, TITLE, result):
            return
        view = await engine.view(click.publication_id)
        if view is not None and wants_what_to_test(view):
            await open_view(client, click, blocks.what_to_test_modal(view.publication, click.modal_context()))

    @app.view(CALLBACK_ID)
    async def save_what_to_test(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        form = Submission.from_body(body)
        text = form.text(blocks.WHATS_NEW)
        if not text:
            await ack(
                response_action="errors",
                errors={blocks.WHATS_NEW: "Type what testers should try, or press Skip."},
            )
            return
        await ack()
        note = {"language": form.choice(blocks.LOCALE) or "en-US", "text": text}
        result = await engine.request(form.publication_id, NOTES_KIND, form.user, {"notes": [note]})
        await answer(client, form.where, form.user, NOTES_TITLE, result)
