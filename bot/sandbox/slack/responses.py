"""What Slack does with the bot's answers outside the Web API: response_url posts and ack bodies."""

from __future__ import annotations

from typing import Any

from bot.sandbox.slack.limits import check_message, check_view
from bot.sandbox.slack.models import Refusal
from bot.sandbox.slack.registry import flag, invalid_blocks
from bot.sandbox.slack.web_views import close_view, replace_view, store_view
from bot.sandbox.slack.workspace import RESPONSE_URL_LIFETIME, RESPONSE_URL_USES, Workspace


def post_to_response_url(ws: Workspace, url_id: str, payload: Any) -> dict[str, Any]:
    """Apply one response_url post (new ephemeral / in_channel message, replace or delete the original)."""
    target = ws.response_targets.get(url_id)
    if target is None:
        raise Refusal("invalid_url", status=404)
    if not isinstance(payload, dict):
        raise Refusal("invalid_payload", status=400)
    errors = check_message(payload)
    if errors:
        refusal = invalid_blocks(errors)
        refusal.status = 400
        raise refusal
    if ws.now() - target.issued_at > RESPONSE_URL_LIFETIME:
        raise Refusal("expired_url", status=404)
    if target.uses >= RESPONSE_URL_USES:
        raise Refusal("used_url", status=404)
    target.uses += 1
    original = ws.find(target.channel, target.message_ts) if target.channel and target.message_ts else None
    if flag(payload, "delete_original"):
        if original is None:
            raise Refusal("message_not_found", status=404)
        ws.delete(original)
        return {"ok": True}
    text, blocks = str(payload.get("text") or ""), payload.get("blocks") or []
    if not text and not blocks:
        raise Refusal("no_text", status=400)
    if flag(payload, "replace_original") and original is not None:
        # A replacement is a whole new message body: blocks left out are gone.
        ws.edit(original, text, blocks)
        return {"ok": True}
    thread_ts = payload.get("thread_ts") or target.thread_ts
    if target.channel is None:
        raise Refusal("channel_not_found", status=404)
    if payload.get("response_type") == "in_channel":
        ws.post(target.channel, text, blocks, thread_ts=thread_ts, via="response_url")
    else:
        ws.post(
            target.channel, text, blocks, thread_ts=thread_ts, ephemeral_to=target.user, via="response_url"
        )
    return {"ok": True}


def show_command_ack(ws: Workspace, channel: str, user: str, body: Any) -> list[str]:
    """A slash command's ack body is shown to the user (or the channel); returns problems Slack would see."""
    if isinstance(body, str):
        body = {"text": body} if body.strip() else {}
    if not isinstance(body, dict) or not (body.get("text") or body.get("blocks")):
        return []
    errors = check_message(body)
    if errors:
        return [f"slash command ack: {error}" for error in errors]
    text, blocks = str(body.get("text") or ""), body.get("blocks") or []
    if body.get("response_type") == "in_channel":
        ws.post(channel, text, blocks, via="ack")
    else:
        ws.post(channel, text, blocks, ephemeral_to=user, via="ack")
    return []


def apply_view_ack(ws: Workspace, view_id: str, user: str, body: Any) -> list[str]:
    """Act on a view_submission ack: close, show errors, update, push or clear; returns problems."""
    body = body if isinstance(body, dict) else {}
    action = body.get("response_action")
    if action is None:
        close_view(ws, view_id)
    elif action == "clear":
        close_view(ws, view_id, clear=True)
    elif action == "errors":
        return _check_error_keys(ws, view_id, body.get("errors"))
    elif action in ("update", "push"):
        errors = check_view(body.get("view"))
        if errors:
            return [f"response_action {action}: {error}" for error in errors]
        if action == "update":
            replace_view(ws, view_id, body["view"])
        else:
            store_view(ws, body["view"], user, previous=view_id)
    else:
        return [f"unknown response_action {action!r}"]
    return []


def _check_error_keys(ws: Workspace, view_id: str, errors: Any) -> list[str]:
    ws.view_errors[view_id] = errors if isinstance(errors, dict) else {}
    if not isinstance(errors, dict) or not errors:
        return ["response_action errors needs a non-empty `errors` object"]
    inputs = {b.get("block_id") for b in ws.views[view_id].get("blocks", []) if b.get("type") == "input"}
    # Slack shows the user a generic failure when a key is not an input block's block_id.
    return [f"errors key {key!r} is not an input block_id" for key in errors if key not in inputs]
