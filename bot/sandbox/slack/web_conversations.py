"""Web API methods that read conversations: conversations.info, .history, .replies, and .open for DMs.

The bot reads its own posts back (by their message metadata) to learn whether a post whose answer
was lost did happen; these methods answer as Slack does, including pagination and metadata only
on request (`include_all_metadata`).
"""

from __future__ import annotations

import base64
from typing import Any

from bot.sandbox.slack.models import Message, Refusal
from bot.sandbox.slack.registry import flag, method
from bot.sandbox.slack.workspace import USER_PREFIXES, Workspace

DEFAULT_LIMIT, MAX_LIMIT = 100, 999


def _read_scopes(info: dict[str, Any], kind: str) -> tuple[str, ...]:
    if info["is_im"]:
        return (f"im:{kind}",)
    return (f"groups:{kind}",) if info["is_private"] else (f"channels:{kind}",)


def _readable(ws: Workspace, channel: Any, kind: str) -> dict[str, Any]:
    """A conversation whose messages the bot may read: it must see it, have the scope, and be in it."""
    info = ws.conversation(channel)
    ws.require_scope(*_read_scopes(info, kind))
    if not info["is_member"]:
        raise Refusal("not_in_channel")
    return info


@method("conversations.info", errors=("channel_not_found", "missing_scope"))
def conversations_info(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    info = ws.conversation(args.get("channel"))
    if not info["is_im"]:
        ws.require_scope(*_read_scopes(info, "read"))
    return {"ok": True, "channel": dict(info)}


@method(
    "conversations.history",
    errors=(
        "channel_not_found",
        "missing_scope",
        "not_in_channel",
        "invalid_ts_latest",
        "invalid_ts_oldest",
        "invalid_cursor",
    ),
)
def conversations_history(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """The channel's top-level messages (and replies also sent to it), newest first."""
    channel = _readable(ws, args.get("channel"), "history")["id"]
    shown = [m for m in reversed(ws.top_level(channel)) if not m.deleted]
    shown = [m for m in shown if _in_window(m, args)]
    return _page(ws, shown, args, channel)


@method(
    "conversations.replies",
    errors=("channel_not_found", "missing_scope", "not_in_channel", "thread_not_found", "invalid_cursor"),
)
def conversations_replies(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """A thread: its parent first, then the replies oldest first (the `ts` of any message in it works)."""
    channel = _readable(ws, args.get("channel"), "history")["id"]
    message = ws.find(channel, str(args.get("ts") or ""))
    if message is None or message.ephemeral_to:
        raise Refusal("thread_not_found")
    parent_ts = message.thread_ts or message.ts
    parent = ws.find(channel, parent_ts)
    if parent is None or parent.deleted:
        raise Refusal("thread_not_found")
    shown = [parent, *(m for m in ws.thread(channel, parent_ts) if not m.deleted)]
    return _page(ws, [m for m in shown if _in_window(m, args, strict=False)], args, channel)


@method("conversations.open", errors=("user_not_found", "users_list_not_supplied", "missing_scope"))
def conversations_open(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """The DM channel between the bot and one user (the only use the bot has for it)."""
    ws.require_scope("im:write")
    users = [u for u in str(args.get("users") or "").split(",") if u]
    if not users:
        raise Refusal("users_list_not_supplied")
    if len(users) != 1 or not users[0].startswith(USER_PREFIXES):
        raise Refusal("user_not_found")
    ws.user_info(users[0])
    info = ws.open_im(users[0])
    return {"ok": True, "channel": {"id": info["id"]} if not flag(args, "return_im") else dict(info)}


def _in_window(message: Message, args: dict[str, Any], *, strict: bool = True) -> bool:
    """oldest/latest bounds (exclusive unless `inclusive`); a bad bound is refused only when `strict`."""
    ts = float(message.ts)
    inclusive = flag(args, "inclusive")
    for name, keep in (("oldest", lambda b: ts > b), ("latest", lambda b: ts < b)):
        bound = args.get(name)
        if bound in (None, ""):
            continue
        try:
            value = float(bound)
        except ValueError:
            if not strict:
                continue
            raise Refusal(f"invalid_ts_{name}") from None
        if not (keep(value) or (inclusive and ts == value)):
            return False
    return True


def _page(ws: Workspace, shown: list[Message], args: dict[str, Any], channel: str) -> dict[str, Any]:
    try:
        limit = min(MAX_LIMIT, max(1, int(args.get("limit") or DEFAULT_LIMIT)))
    except ValueError:
        limit = DEFAULT_LIMIT
    start = _offset(args.get("cursor"))
    page = shown[start : start + limit]
    more = start + limit < len(shown)
    with_metadata = flag(args, "include_all_metadata")
    messages = []
    for message in page:
        out = message.to_slack(ws.team_id, ws.app_id, with_metadata=with_metadata)
        replies = ws.thread(channel, message.ts)
        if replies and not message.is_reply:
            out.update(thread_ts=message.ts, reply_count=len(replies), latest_reply=replies[-1].ts)
        messages.append(out)
    cursor = base64.b64encode(f"next:{start + limit}".encode()).decode() if more else ""
    return {"ok": True, "messages": messages, "has_more": more, "response_metadata": {"next_cursor": cursor}}


def _offset(cursor: Any) -> int:
    if not cursor:
        return 0
    try:
        kind, _, number = base64.b64decode(str(cursor)).decode().partition(":")
        if kind == "next":
            return int(number)
    except ValueError:
        pass
    raise Refusal("invalid_cursor")
