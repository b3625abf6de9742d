"""Can the bot post in a channel? Asked of Slack (conversations.info) before a publication is taken.

Only a definite "cannot" refuses: an unknown or archived channel, or one the bot is not in that it
could not post in. Trouble asking (rate limits, outages, a token without channels:read) answers None,
so a Slack outage never refuses publications. Answers are kept briefly, and checks of one channel
made while its call is in flight wait for that call, so a burst of webhooks for one channel is one
call (and a failure of it is every waiter's answer).
"""

from __future__ import annotations

import asyncio
import logging
import time

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack_errors import classify

log = logging.getLogger(__name__)
TTL = 30.0  # seconds an answer is trusted


class ChannelCheck:
    """Why the bot cannot post in a channel, or None; cached for TTL seconds per channel."""

    def __init__(self, client: AsyncWebClient, ttl: float = TTL) -> None:
        self._client = client
        self._ttl = ttl
        self._answers: dict[str, tuple[float, tuple[str, str]]] = {}
        self._asking: dict[str, asyncio.Task[tuple[str, str]]] = {}

    async def problem(self, channel: str) -> str | None:
        verdict, said = await self.check(channel)
        return said if verdict == "cannot" else None

    async def check(self, channel: str) -> tuple[str, str]:
        """("ok" | "cannot" | "unknown", what to tell a person); only "ok"/"cannot" are kept."""
        cached = self._answers.get(channel)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        asking = self._asking.get(channel)
        if asking is None:
            asking = asyncio.ensure_future(self._ask(channel))
            self._asking[channel] = asking
            asking.add_done_callback(lambda _: self._asking.pop(channel, None))
        # shielded: a caller cancelled (its request gone) does not cancel the call the others await
        return await asyncio.shield(asking)

    async def _ask(self, channel: str) -> tuple[str, str]:
        try:
            response = await self._client.conversations_info(channel=channel)
        except SlackApiError as exc:
            error = classify(exc, channel)
            if not (error.permanent and error.scope == "channel"):
                log.info("could not check channel %s (%s); not refusing for it", channel, error.code)
                return "unknown", f"could not check <#{channel}>: Slack answered {error.code}"
            answer = ("cannot", f"asc-bot cannot post in <#{channel}>: {error.hint}")
        except Exception as exc:
            log.info("could not check channel %s (%s); not refusing for it", channel, exc)
            return "unknown", f"could not check <#{channel}>: {type(exc).__name__}"
        else:
            info = response.get("channel") or {}
            problem = _problem(channel, info)
            name = f"#{info.get('name')}" if info.get("name") else f"<#{channel}>"
            answer = ("cannot", problem) if problem else ("ok", f"asc-bot can post in {name} ({channel})")
        self._answers[channel] = (time.monotonic() + self._ttl, answer)
        return answer


def _problem(channel: str, info: dict) -> str | None:
    name = f"<#{channel}>"
    if info.get("is_archived"):
        return f"asc-bot cannot post in {name}: it is archived; unarchive it or configure another channel"
    if info.get("is_private") and not info.get("is_member"):
        return f"asc-bot cannot post in {name}: invite @asc-bot to {name} (/invite @asc-bot)"
    return None
