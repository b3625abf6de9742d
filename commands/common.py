"""What every chat verb shares: Slack payloads as small values, private answers, engine replies."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot import blocks
from bot.engine.engine import Engine, RequestResult
from bot.engine.notifier import PublicationView
from bot.publishing_options import parse_release_date
from storage.records import Action

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Where:
    """Where a private answer goes: the channel, and the thread when the click came from one.

    `response_url` (a click's): the way back when chat.postEphemeral fails, e.g. rate-limited."""

    channel: str | None
    thread_ts: str | None = None
    response_url: str | None = None


@dataclass(frozen=True)
class ButtonClick:
    """A click on a button of a bot message (the publication message or a thread reply)."""

    action_id: str
    publication_id: str
    user: str
    channel: str | None
    message_ts: str | None
    trigger_id: str | None
    thread_ts: str | None = None
    message_text: str = ""
    response_url: str | None = None

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> ButtonClick:
        action = (body.get("actions") or [{}])[0]
        container = body.get("container") or {}
        message = body.get("message") or {}
        return cls(
            action_id=blocks.current_action_id(str(action.get("action_id", ""))),
            publication_id=str(action.get("value", "")),
            user=str((body.get("user") or {}).get("id", "")),
            channel=(body.get("channel") or {}).get("id") or container.get("channel_id"),
            message_ts=message.get("ts") or container.get("message_ts"),
            trigger_id=body.get("trigger_id"),
            thread_ts=container.get("thread_ts"),
            message_text=str(message.get("text") or ""),
            response_url=body.get("response_url") if isinstance(body.get("response_url"), str) else None,
        )

    @property
    def where(self) -> Where:
        # An answer to a click on the channel message belongs in the channel, where the user looks.
        return Where(self.channel, self.thread_ts, self.response_url)

    def modal_context(self) -> str:
        return blocks.metadata(p=self.publication_id, c=self.channel, t=self.message_ts)


@dataclass(frozen=True)
class Submission:
    """A submitted modal: who, its input values by block id, and the context it was opened with."""

    user: str
    publication_id: str
    channel: str | None
    message_ts: str | None
    values: dict[str, dict[str, Any]]

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> Submission:
        view = body.get("view") or {}
        try:
            context = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            context = {}
        context = context if isinstance(context, dict) else {}
        state = (view.get("state") or {}).get("values") or {}
        # Each input block holds one element whose action id equals the block id (see bot/blocks.py);
        # a form opened before a block was renamed is read under the id it became.
        values = {
            blocks.current_block_id(block_id): (entry.get(block_id) or {})
            for block_id, entry in state.items()
        }
        return cls(
            user=str((body.get("user") or {}).get("id", "")),
            publication_id=str(context.get("p", "")),
            channel=context.get("c"),
            message_ts=context.get("t"),
            values=values,
        )

    @property
    def where(self) -> Where:
        return Where(self.channel)

    def text(self, block_id: str) -> str:
        return str(self.values.get(block_id, {}).get("value") or "").strip()

    def choice(self, block_id: str) -> str | None:
        option = self.values.get(block_id, {}).get("selected_option") or {}
        return option.get("value")

    def choices(self, block_id: str) -> list[str]:
        return [str(o.get("value")) for o in self.values.get(block_id, {}).get("selected_options") or []]

    def moment(self, block_id: str) -> datetime | None:
        stamp = self.values.get(block_id, {}).get("selected_date_time")
        return datetime.fromtimestamp(int(stamp), UTC) if stamp is not None else None


def slash_text(command: dict[str, Any]) -> str:
    """A slash command's text as typed: Slack HTML-escapes `&`, `<` and `>`, and this undoes it, once."""
    text = str(command.get("text") or "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def tell(client: AsyncWebClient, where: Where, user: str, text: str) -> None:
    """An ephemeral answer only `user` sees; a failure to send it is logged, never raised at Slack.

    When chat.postEphemeral fails (rate-limited, say) and the click left a response_url, the answer
    goes that way instead: it is not subject to the Web API's tiers."""
    if not where.channel:
        return
    try:
        await client.chat_postEphemeral(
            channel=where.channel, user=user, text=text, thread_ts=where.thread_ts
        )
        return
    except Exception as exc:
        error, _ = slack_error(exc)
        log.warning("could not send an ephemeral answer to %s in %s: %s", user, where.channel, error)
    if where.response_url:
        try:
            sent = await AsyncWebhookClient(where.response_url).send(
                text=text, response_type="ephemeral", replace_original=False
            )
            if sent.status_code == 200:
                return
            log.warning("response_url refused the answer to %s: %s %s", user, sent.status_code, sent.body)
        except Exception as exc:
            log.warning("could not answer %s through the response_url: %s", user, exc)


async def answer(client: AsyncWebClient, where: Where, user: str, title: str, result: RequestResult) -> bool:
    """Tell the user privately when the engine did not take the request; True when it did."""
    if result.status == "requested":
        return True
    if result.status == "not_approver" and result.verdict is not None:
        verdict = result.verdict
        await tell(client, where, user, blocks.not_an_approver(title, verdict.bundle_id, verdict.approvers))
    elif result.status == "already" and result.action is not None:
        await tell(client, where, user, blocks.already_requested(title, result.action))
    elif result.publication is None:
        await tell(client, where, user, blocks.gone())
    else:
        await tell(client, where, user, blocks.refused(title, result.reason))
    return False


async def open_view(
    client: AsyncWebClient, click: ButtonClick, view: dict[str, Any]
) -> dict[str, Any] | None:
    """views.open for a click; the opened view (id, hash), or None after telling the clicker why not."""
    try:
        response = await client.views_open(trigger_id=click.trigger_id or "", view=view)
    except Exception as exc:
        error, detail = slack_error(exc)
        log.warning(
            "could not open modal %s for %s: %s %s", view.get("callback_id"), click.user, error, detail
        )
        title = str((view.get("title") or {}).get("text") or "requested")
        await tell(client, click.where, click.user, blocks.modal_not_opened(title, error, detail))
        return None
    return response.get("view")


def slack_error(exc: Exception) -> tuple[str, str]:
    """(Slack's error code, its first detail message) for a failed Web API call; a non-Slack failure
    (network, timeout) is named by its exception type."""
    response = getattr(exc, "response", None)
    if isinstance(exc, SlackApiError) and response is not None:
        data = response.data if isinstance(response.data, dict) else {}
        messages = (data.get("response_metadata") or {}).get("messages") or []
        error = data.get("error") or ("ratelimited" if response.status_code == 429 else "unknown_error")
        return str(error), str(messages[0]) if messages else ""
    return type(exc).__name__, str(exc)


async def load(
    engine: Engine, client: AsyncWebClient, user: str, where: Where, publication_id: str
) -> PublicationView | None:
    """The publication and its steps, or None after telling the user it is gone."""
    view = await engine.view(publication_id)
    if view is None:
        await tell(client, where, user, blocks.gone())
    return view


def release_date_error(picked: datetime | None, now: datetime) -> str | None:
    """Why a picked release time cannot be used (the engine's rule, in the modal's words)."""
    problem = blocks.release_date_problem(picked, now)
    if problem is None and picked is not None:
        checked = parse_release_date(picked.isoformat(), now)
        if isinstance(checked, str):
            problem = f"The release date {checked}."
    return problem


def already_open(view: PublicationView, kind: str) -> Action | None:
    """The step when it is already asked for or done, so a second modal is not even opened."""
    action = view.action(kind)
    return action if action is not None and action.status in ("requested", "running", "succeeded") else None
