"""Web API methods for messages and the directory: auth.test, chat.*, conversations, users, user groups."""

from __future__ import annotations

from typing import Any

from bot.sandbox.slack.models import Refusal
from bot.sandbox.slack.registry import content, flag, method, with_warnings
from bot.sandbox.slack.workspace import USER_PREFIXES, Workspace

_BLOCK_ERRORS = ("no_text", "invalid_blocks", "invalid_blocks_format")


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


@method("chat.postMessage", errors=("channel_not_found", *_BLOCK_ERRORS))
def post_message(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.channel_info(args.get("channel"))["id"]
    text, blocks, warnings = content(args)
    # Slack accepts a thread_ts whose parent it cannot find and posts the reply anyway.
    thread_ts = str(args["thread_ts"]) if args.get("thread_ts") else None
    broadcast = thread_ts is not None and flag(args, "reply_broadcast")
    message = ws.post(channel, text or "", blocks, thread_ts=thread_ts, reply_broadcast=broadcast)
    reply = {"ok": True, "channel": channel, "ts": message.ts, "message": message.to_slack(ws.team_id)}
    return with_warnings(reply, warnings)


@method(
    "chat.update", errors=("channel_not_found", "message_not_found", "cant_update_message", *_BLOCK_ERRORS)
)
def update_message(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.channel_info(args.get("channel"))["id"]
    message = ws.find(channel, str(args.get("ts") or ""))
    if message is None or message.deleted or message.ephemeral_to:
        raise Refusal("message_not_found")
    if message.user != ws.bot_user_id:
        raise Refusal("cant_update_message")
    text, blocks, warnings = content(args, keep_missing=True)
    ws.edit(message, text, blocks)
    reply = {
        "ok": True,
        "channel": channel,
        "ts": message.ts,
        "text": message.text,
        "message": message.to_slack(ws.team_id),
    }
    return with_warnings(reply, warnings)


@method("chat.postEphemeral", errors=("channel_not_found", "user_not_in_channel", *_BLOCK_ERRORS))
def post_ephemeral(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.channel_info(args.get("channel"))["id"]
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
    channel = ws.channel_info(args.get("channel"))["id"]
    message = ws.find(channel, str(args.get("message_ts") or ""))
    if message is None or message.ephemeral_to:
        raise Refusal("message_not_found")
    return {"ok": True, "channel": channel, "permalink": ws.permalink(channel, message)}


@method("conversations.info", errors=("channel_not_found",))
def conversations_info(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True, "channel": ws.channel_info(args.get("channel"))}


@method("users.info", errors=("user_not_found",))
def users_info(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True, "user": ws.user_info(args.get("user"))}


@method("usergroups.users.list", errors=("no_such_subteam",))
def usergroup_users(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    members = ws.usergroups.get(str(args.get("usergroup") or ""))
    if members is None:
        raise Refusal("no_such_subteam")
    return {"ok": True, "users": list(members)}
