"""Where a request comes from: the bot's own workspace, and, for a click, the publication's message.

People of another workspace or Enterprise Grid org (Slack Connect channels) drive nothing: their
clicks, forms and `/asc` commands are refused and logged, approver ids or not (an id configured as
an approver means that person in the bot's own workspace); a Bolt middleware, since it needs only
the payload. And every button acts only on the publication whose message it is on: the publication
named by the button must have been posted in the channel the click came from, and the clicked
message must be its message or a reply in its thread. Anything else (a copied payload, a value from
another publication) is refused. That check reads the database, so each button's listener makes it
after its ack (`acting_click`), never before.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.engine.engine import Engine
from bot.engine.notifier import PublicationView
from commands.common import ButtonClick, Where, load, tell
from storage.records import Publication

log = logging.getLogger(__name__)
PREFIX = "asc_"  # every action id of the bot's buttons (bot/blocks/base.py)
_pending: set[asyncio.Task[None]] = set()


def belongs(pub: Publication, click: ButtonClick, body: dict[str, Any]) -> bool:
    thread = click.thread_ts or (body.get("message") or {}).get("thread_ts")
    return (
        pub.message_ts is not None
        and click.channel == pub.channel
        and pub.message_ts in (click.message_ts, thread)
    )


def home(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """(team id, enterprise id) of the person acting, as Slack sent them."""
    user, team, org = (_mapping(body.get(key)) for key in ("user", "team", "enterprise"))
    return (
        user.get("team_id") or team.get("id") or body.get("team_id"),
        org.get("id") or body.get("enterprise_id"),
    )


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def foreign(body: dict[str, Any], context: AsyncBoltContext) -> bool:
    """Whether the person acting is of another workspace or org than the one the bot is installed in."""
    own = context.authorize_result
    if own is None:
        return False  # cannot tell (no auth.test answer): the signature was checked, let it through
    team, org = home(body)
    if own.enterprise_id and org:
        return org != own.enterprise_id
    return bool(team and own.team_id and team != own.team_id)


def _publication_of(body: dict[str, Any]) -> tuple[str, Where]:
    """The publication a click or form is about (may be ""), and where to answer the person."""
    if body.get("type") == "view_submission":
        try:
            context = json.loads((body.get("view") or {}).get("private_metadata") or "{}")
        except ValueError:
            context = {}
        context = context if isinstance(context, dict) else {}
        return str(context.get("p") or ""), Where(context.get("c"))
    click = ButtonClick.from_body(body)
    return click.publication_id, click.where


def register(app: AsyncApp, engine: Engine) -> None:
    @app.middleware
    async def people_of_this_workspace_only(
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        next: Callable[[], Awaitable[Any]],
    ) -> Any:
        kind = body.get("type") or ("slash_command" if body.get("command") else None)
        if kind not in ("block_actions", "view_submission", "slash_command") or not foreign(body, context):
            return await next()
        team, org = home(body)
        user = str((body.get("user") or {}).get("id", "") if kind != "slash_command" else body.get("user_id", ""))
        what = body.get("command") or (body.get("actions") or [{}])[0].get("action_id") or (
            (body.get("view") or {}).get("callback_id")
        )
        log.warning("refused %s by %s of team %s (org %s): not this workspace", what, user, team, org)
        text = blocks.foreign_refused()
        pub_id, where = ("", Where(body.get("channel_id"))) if kind == "slash_command" else _publication_of(body)
        task = asyncio.create_task(refuse_foreign(engine, client, pub_id, user, where, str(what), team, org))
        _pending.add(task)
        task.add_done_callback(_pending.discard)
        if kind == "slash_command":  # the ack is the private answer
            return BoltResponse(
                status=200,
                body=json.dumps({"response_type": "ephemeral", "text": text}),
                headers={"content-type": "application/json"},
            )
        return BoltResponse(status=200, body="")  # acked (a form closes): nothing happens


async def acting_click(engine: Engine, client: AsyncWebClient, body: dict[str, Any]) -> ButtonClick | None:
    """The click a button's listener may act on, checked once it has acked; None when refused.

    A button on a message acts only on the publication whose message (or thread) it is on; any
    other click is refused here: audited, and the clicker told. The check reads the publication,
    so it runs after the ack rather than as a middleware: Bolt runs every middleware before the
    listener, and a database read there would hold up every ack behind the steps being stored.
    A gone publication is the listener's to explain.
    """
    click = ButtonClick.from_body(body)
    container = body.get("container") or {}
    if container.get("type") != "message" or not click.action_id.startswith(PREFIX):
        return click
    view = await engine.view(click.publication_id)
    if view is None or belongs(view.publication, click, body):
        return click
    pub = view.publication
    log.warning(
        "refused %s by %s on publication %s: clicked in %s on message %s, not its message",
        click.action_id,
        click.user,
        pub.id,
        click.channel,
        click.message_ts,
    )
    await refuse(engine, client, pub, click)
    return None


async def acting_view(
    engine: Engine, client: AsyncWebClient, body: dict[str, Any]
) -> tuple[ButtonClick, PublicationView] | None:
    """The click and its publication, for the listeners that need both; None when the click was
    refused or the publication is gone (the clicker was told either way)."""
    click = await acting_click(engine, client, body)
    if click is None:
        return None
    view = await load(engine, client, click.user, click.where, click.publication_id)
    return None if view is None else (click, view)


async def refuse(engine: Engine, client: AsyncWebClient, pub: Publication, click: ButtonClick) -> None:
    await engine.audit(
        pub.id,
        click.user,
        "click_refused",
        "{actor} clicked a button that does not belong to the message it was on (refused).",
        {
            "action_id": click.action_id,
            "bundle_id": pub.app_bundle_id,
            "channel": click.channel,
            "message_ts": click.message_ts,
            "expected_channel": pub.channel,
            "expected_message_ts": pub.message_ts,
        },
    )
    await tell(client, click.where, click.user, blocks.click_refused())


async def refuse_foreign(
    engine: Engine,
    client: AsyncWebClient,
    publication_id: str,
    user: str,
    where: Where,
    what: str,
    team: str | None,
    org: str | None,
) -> None:
    view = await engine.view(publication_id) if publication_id else None
    pub = view.publication if view is not None else None
    await engine.audit(
        pub.id if pub is not None else None,
        user,
        "click_refused",
        "{actor} of another workspace or organisation was refused (only people of this workspace "
        "may drive asc-bot).",
        {
            "what": what,
            "bundle_id": pub.app_bundle_id if pub is not None else "",
            "team": team,
            "enterprise": org,
        },
    )
    if where.channel:
        await tell(client, where, user, blocks.foreign_refused())
