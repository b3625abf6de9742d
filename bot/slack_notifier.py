"""The engine's Notifier, spoken to Slack: the publication message and its thread.

Every call raises on failure (slack_sdk raises SlackApiError for `ok: false`), so the engine's
outbox keeps the post and tries again later; 429s are first retried by the client's retry handler.
"""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.engine.notifier import PublicationView
from storage.records import Event

# Outcomes a channel should see even if an event forgot to ask for it: done, failed, timed out.
BROADCAST_KINDS = frozenset({"finished", "failed", "timed_out"})


class SlackNotifier:
    """Posts and redraws the publication message; replies in its thread."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def post_publication(self, view: PublicationView) -> str:
        text, payload = blocks.publication_message(view)
        response = await self._client.chat_postMessage(
            channel=view.publication.channel, text=text, blocks=payload, unfurl_links=False
        )
        return str(response["ts"])

    async def update_publication(self, view: PublicationView) -> None:
        text, payload = blocks.publication_message(view)
        await self._client.chat_update(
            channel=view.publication.channel, ts=view.publication.message_ts, text=text, blocks=payload
        )

    async def reply(self, view: PublicationView, event: Event) -> None:
        text, payload = blocks.reply(view, event)
        await self._client.chat_postMessage(
            channel=view.publication.channel,
            thread_ts=view.publication.message_ts,
            text=text,
            blocks=payload,
            reply_broadcast=event.announce == "broadcast" or event.kind in BROADCAST_KINDS,
            unfurl_links=False,
        )
