"""Slack requests the bot cannot use (bad JSON, missing fields) get a 400 and a log line, never a 500.

Two places, because Bolt can fail in two: building its request (parsing the body, before the signature
is checked) and matching listeners (which index fields like `view.type` blindly). `bolt_request` never
raises: an unparsable body becomes an empty request that still carries the raw body, so Bolt checks
its signature as usual (401 when forged); then `RefuseMalformed`, a global middleware that runs after
that check, answers 400 for it and for payloads missing what Slack always sends. Socket Mode requests
pass the same middleware.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_bolt_request
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

log = logging.getLogger(__name__)
UNREADABLE = "asc_bot_unreadable"  # context key: why the body could not be read at all
_INTERACTIONS = ("block_actions", "view_submission", "view_closed", "block_suggestion", "shortcut")


async def bolt_request(request: web.Request) -> AsyncBoltRequest:
    """Bolt's request for an aiohttp one; a body Bolt cannot parse is kept raw and marked unreadable."""
    try:
        return await to_bolt_request(request)
    except Exception as exc:  # Bolt parses JSON and indexes it as an object, both unchecked
        raw = await request.text()
        headers: dict[str, str | Sequence[str]] = {k.lower(): v for k, v in request.headers.items()}
        headers["content-type"] = "text/plain"
        bolt = AsyncBoltRequest(
            body="",
            query=request.query_string,
            headers=headers,
            context={
                UNREADABLE: "the payload is not JSON"
                if isinstance(exc, ValueError)
                else "the payload is not an object"
            },
        )
        bolt.raw_body = raw  # what Slack signed: the signature check must see these bytes
        return bolt


def problem(body: Any) -> str | None:
    """What is missing or malformed in a Slack payload that claims to be something the bot handles."""
    if not isinstance(body, dict):
        return "the payload is not a JSON object"
    if "command" in body:
        return _missing(body, "command", "user_id", "channel_id")
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        return "the payload has no type"
    if kind in _INTERACTIONS:
        user = body.get("user")
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            return f"{kind} has no user.id"
        for name in ("container", "channel", "message", "team", "view", "state"):
            if body.get(name) is not None and not isinstance(body[name], dict):
                return f"{kind}.{name} is not an object"
    if kind == "block_actions":
        return _actions_problem(body.get("actions"))
    if kind in ("view_submission", "view_closed"):
        return _view_problem(kind, body.get("view"))
    return None


def _missing(body: dict[str, Any], *names: str) -> str | None:
    absent = [n for n in names if not isinstance(body.get(n), str) or not body[n]]
    return f"the slash command has no {', '.join(absent)}" if absent else None


def _actions_problem(actions: Any) -> str | None:
    if not isinstance(actions, list) or not actions:
        return "block_actions has no actions"
    for i, action in enumerate(actions):
        if not isinstance(action, dict) or not isinstance(action.get("action_id"), str):
            return f"block_actions.actions[{i}] has no action_id"
    return None


def _view_problem(kind: str, view: Any) -> str | None:
    if not isinstance(view, dict):
        return f"{kind} has no view"
    for name in ("type", "callback_id"):
        if not isinstance(view.get(name), str):
            return f"{kind}.view has no {name}"
    if view.get("private_metadata") is not None and not isinstance(view["private_metadata"], str):
        return f"{kind}.view.private_metadata is not a string"
    state = view.get("state")
    if state is None:
        return None
    values = state.get("values") if isinstance(state, dict) else None
    if not isinstance(values, dict) or not all(
        isinstance(block, dict) and all(isinstance(v, dict) for v in block.values())
        for block in values.values()
    ):
        return f"{kind}.view.state.values is not an object of objects"
    return None


class RefuseMalformed(AsyncMiddleware):
    """Bolt global middleware: 400 and a log line for an unusable payload; the rest goes on.

    A class rather than a decorated function: Bolt builds a function middleware's arguments from the
    payload, which is exactly what fails on a malformed one.
    """

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        reason = req.context.get(UNREADABLE) or problem(req.body)
        if reason is None:
            return await next()
        log.warning("refused a malformed Slack request: %s", reason)
        return BoltResponse(
            status=400,
            body=json.dumps({"error": f"malformed Slack request: {reason}"}),
            headers={"content-type": "application/json"},
        )
