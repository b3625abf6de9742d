"""The engine's Notifier, spoken to Slack: the publication message and its thread."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.engine.notifier import PublicationView
from storage.records import Event


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
        await self._client.chat_postMessage(
            channel=view.publication.channel,
            thread_ts=view.publication.message_ts,
            text=blocks.event_text(event),
            reply_broadcast=event.announce == "broadcast",
            unfurl_links=False,
        )
