"""Which Slack errors are worth trying again, in one place; the outbox acts on the answer.

`permanent` errors never get better by waiting: the outbox records them on the publication,
tells someone and moves on. Their `scope` says what they spoil: one post ("post"), every post
in the channel ("channel") or every call the bot makes ("token"). Anything else (HTTP 429,
5xx, timeouts, lost connections, unknown codes) is temporary: back off and try again in order.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.engine.notifier import DeliveryError

# error code -> (scope, what to do about it, said to a person)
PERMANENT: dict[str, tuple[str, str]] = {
    "not_in_channel": ("channel", "invite @asc-bot to {channel} (/invite @asc-bot)"),
    "channel_not_found": (
        "channel",
        "check the channel id {channel}; for a private channel, invite @asc-bot",
    ),
    "is_archived": ("channel", "{channel} is archived: unarchive it or configure another channel"),
    "is_inactive": ("channel", "{channel} is archived or frozen: configure another channel"),
    "restricted_action": ("channel", "posting in {channel} is restricted: ask an admin to allow @asc-bot"),
    "missing_scope": ("token", "reinstall the app with the scopes in manifest.yml"),
    "token_revoked": ("token", "the Slack token was revoked: reinstall the app and update SLACK_BOT_TOKEN"),
    "invalid_auth": ("token", "SLACK_BOT_TOKEN is not accepted: check it"),
    "account_inactive": ("token", "the bot's Slack account is deactivated: reinstall the app"),
    "not_authed": ("token", "no Slack token was sent: set SLACK_BOT_TOKEN"),
    "invalid_blocks": ("post", "the message was refused as malformed (a bug: please report it)"),
    "invalid_blocks_format": ("post", "the message was refused as malformed (a bug: please report it)"),
    "msg_too_long": ("post", "the message was too long for Slack"),
    "msg_blocks_too_long": ("post", "the message was too long for Slack"),
    "no_text": ("post", "the message was empty (a bug: please report it)"),
    "invalid_metadata_format": ("post", "the message's metadata was refused (a bug: please report it)"),
    "invalid_metadata_schema": ("post", "the message's metadata was refused (a bug: please report it)"),
    "message_not_found": ("post", "the message was deleted in Slack"),
    "cant_update_message": ("post", "the message cannot be edited by the bot"),
    "edit_window_closed": ("post", "the message can no longer be edited"),
    "thread_not_found": ("post", "the thread was deleted in Slack"),
}


def classify(exc: BaseException, channel: str | None = None) -> DeliveryError:
    """The engine-facing DeliveryError for anything a Slack Web API call raised."""
    where = f"<#{channel}>" if channel else "the channel"
    if isinstance(exc, SlackApiError):
        response: Any = exc.response
        status = getattr(response, "status_code", 200)
        code = str(response.get("error") or f"HTTP {status}") if status < 500 else f"HTTP {status}"
        if status == 429:
            retry_after = _seconds(response.headers.get("Retry-After") or response.headers.get("retry-after"))
            return DeliveryError("ratelimited", permanent=False, retry_after=retry_after or 1.0)
        if code in PERMANENT and status < 500:
            scope, hint = PERMANENT[code]
            detail = _details(response)
            return DeliveryError(code, permanent=True, scope=scope, hint=hint.format(channel=where) + detail)
        return DeliveryError(code, permanent=False)
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ClientError | OSError):
        return DeliveryError(type(exc).__name__, permanent=False, in_doubt=True)
    return DeliveryError(f"{type(exc).__name__}: {exc}", permanent=False, in_doubt=True)


def _seconds(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _details(response: Any) -> str:
    """Slack's own words for invalid_blocks (response_metadata.messages), shortened."""
    messages = (response.get("response_metadata") or {}).get("messages") or response.get("errors") or []
    return f" ({'; '.join(str(m) for m in messages[:3])[:300]})" if messages else ""
