"""What every chat verb shares: turning Slack payloads into small values, and private answers."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ButtonClick:
    """A click on one of the publication message's buttons."""

    action_id: str
    publication_id: str
    user: str
    channel: str | None
    message_ts: str | None
    trigger_id: str | None

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> ButtonClick:
        action = (body.get("actions") or [{}])[0]
        container = body.get("container") or {}
        return cls(
            action_id=str(action.get("action_id", "")),
            publication_id=str(action.get("value", "")),
            user=str((body.get("user") or {}).get("id", "")),
            channel=(body.get("channel") or {}).get("id") or container.get("channel_id"),
            message_ts=(body.get("message") or {}).get("ts") or container.get("message_ts"),
            trigger_id=body.get("trigger_id"),
        )


async def tell(
    client: AsyncWebClient, channel: str | None, user: str, text: str, thread_ts: str | None = None
) -> None:
    """An ephemeral answer only `user` sees; a failure to send it is logged, never raised at Slack."""
    if not channel:
        return
    try:
        await client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)
    except Exception as exc:
        log.warning("could not send an ephemeral answer to %s in %s: %s", user, channel, exc)
