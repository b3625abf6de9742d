"""Events API deliveries the simulator sends the bot: `event_callback` envelopes, as Slack wraps them.

Shape from https://docs.slack.dev/apis/events-api/ (the outer event wrapper) and the
member_joined_channel reference: Slack sends it to the app when the bot user (or anyone, in channels
the bot is in) joins a channel, with `user`, `channel`, `channel_type` ("C" public, "G" private),
`team` and, when invited, `inviter`.
"""

from __future__ import annotations

import secrets
from typing import Any

from bot.sandbox.slack.workspace import Workspace


def event_callback(ws: Workspace, event: dict[str, Any]) -> dict[str, Any]:
    """The outer envelope of one event, as POSTed (JSON, signed) to the bot's Request URL."""
    now = ws.now().timestamp()
    event = {"event_ts": f"{now:.6f}", **event}
    return {
        "token": "sim-verification-token",
        "team_id": ws.team_id,
        "enterprise_id": ws.enterprise_id,
        "api_app_id": ws.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{secrets.token_hex(5).upper()}",
        "event_time": int(now),
        "authorizations": [
            {
                "enterprise_id": ws.enterprise_id,
                "team_id": ws.team_id,
                "user_id": ws.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": ws.org_install,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{secrets.token_hex(12)}",
    }


def member_joined_channel(ws: Workspace, channel: str, user: str, inviter: str | None) -> dict[str, Any]:
    info = ws.channels[channel]
    event: dict[str, Any] = {
        "type": "member_joined_channel",
        "user": user,
        "channel": channel,
        "channel_type": "G" if info["is_private"] else "C",
        "team": ws.team_id,
    }
    if inviter:
        event["inviter"] = inviter
    return event
