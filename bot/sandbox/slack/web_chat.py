"""Web API methods for messages and the directory: auth.test, chat.*, conversations, users, user groups."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.slack.models import Refusal
from bot.sandbox.slack.registry import content, flag, json_arg, method, with_warnings
from bot.sandbox.slack.workspace import USER_PREFIXES, Workspace

_BLOCK_ERRORS = ("no_text", "invalid_blocks", "invalid_blocks_format")
_METADATA_ERRORS = ("invalid_metadata_format", "invalid_metadata_schema")
_EVENT_TYPE = re.compile(r"^[a-zA-Z0-9_]{1,255}$")


@method("auth.test")
def auth_test(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "ok": True,
        "url": f"https://{ws.team_domain}.slack.com/",
        "team": "ASC Sim",
        "user": "asc-bot",
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": ws.org_install,
    }


@method(
    "chat.postMessage",
    errors=("channel_not_found", "not_in_channel", "is_archived", *_BLOCK_ERRORS, *_METADATA_ERRORS),
)
def post_message(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.writable(args.get("channel"))["id"]
    text, blocks, warnings = content(args)
    metadata = _metadata(args)
    # Slack accepts a thread_ts whose parent it cannot find and posts the reply anyway.
    thread_ts = str(args["thread_ts"]) if args.get("thread_ts") else None
    broadcast = thread_ts is not None and flag(args, "reply_broadcast")
    message = ws.post(
        channel, text or "", blocks, thread_ts=thread_ts, reply_broadcast=broadcast, metadata=metadata
    )
    reply = {"ok": True, "channel": channel, "ts": message.ts, "message": message.to_slack(ws.team_id)}
    return with_warnings(reply, warnings)


@method(
    "chat.update",
    errors=(
        "channel_not_found",
        "message_not_found",
        "cant_update_message",
        "is_inactive",
        *_BLOCK_ERRORS,
        *_METADATA_ERRORS,
    ),
)
def update_message(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    info = ws.conversation(args.get("channel"))
    channel = info["id"]
    message = ws.find(channel, str(args.get("ts") or ""))
    if message is None or message.deleted or message.ephemeral_to:
        raise Refusal("message_not_found")
    if message.user != ws.bot_user_id:
        raise Refusal("cant_update_message")
    if info["is_archived"]:
        raise Refusal("is_inactive")  # "cannot be edited within a frozen, archived or deleted channel"
    text, blocks, warnings = content(args, keep_missing=True)
    metadata = _metadata(args)
    ws.edit(message, text, blocks)
    if metadata is not None:
        message.metadata = metadata
    reply = {
        "ok": True,
        "channel": channel,
        "ts": message.ts,
        "text": message.text,
        "message": message.to_slack(ws.team_id),
    }
    return with_warnings(reply, warnings)


def _metadata(args: dict[str, Any]) -> dict[str, Any] | None:
    """Message metadata as Slack checks it: an object with an event_type and an object event_payload."""
    if args.get("metadata") in (None, ""):
        return None
    metadata = json_arg(args, "metadata", "invalid_metadata_format")
    if not isinstance(metadata, dict):
        raise Refusal("invalid_metadata_format")
    event_type, payload = metadata.get("event_type"), metadata.get("event_payload")
    if not isinstance(event_type, str) or not _EVENT_TYPE.match(event_type) or not isinstance(payload, dict):
        raise Refusal("invalid_metadata_schema")
    return {"event_type": event_type, "event_payload": payload}


@method(
    "chat.postEphemeral", errors=("channel_not_found", "is_archived", "user_not_in_channel", *_BLOCK_ERRORS)
)
def post_ephemeral(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    info = ws.conversation(args.get("channel"))
    if info["is_archived"]:
        raise Refusal("is_archived")
    channel = info["id"]
    user = args.get("user")
    if not isinstance(user, str) or not user.startswith(USER_PREFIXES):
        raise Refusal("user_not_in_channel")
    text, blocks, warnings = content(args)
    thread_ts = str(args["thread_ts"]) if args.get("thread_ts") else None
    message = ws.post(
        channel, text or "", blocks, thread_ts=thread_ts, ephemeral_to=user, via="chat.postEphemeral"
    )
    return with_warnings({"ok": True, "message_ts": message.ts}, warnings)


@method("chat.getPermalink", errors=("channel_not_found", "message_not_found"))
def get_permalink(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.conversation(args.get("channel"))["id"]
    message = ws.find(channel, str(args.get("message_ts") or ""))
    if message is None or message.ephemeral_to:
        raise Refusal("message_not_found")
    return {"ok": True, "channel": channel, "permalink": ws.permalink(channel, message)}


@method("users.info", errors=("user_not_found",))
def users_info(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True, "user": ws.user_info(args.get("user"))}


@method("usergroups.users.list", errors=("no_such_subteam",))
def usergroup_users(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    members = ws.usergroups.get(str(args.get("usergroup") or ""))
    if members is None:
        raise Refusal("no_such_subteam")
    return {"ok": True, "users": list(members)}
