"""Sending requests to the bot the way Slack does: form-encoded and signed with the v0 scheme."""

from __future__ import annotations

import json
import time
from typing import Any, Protocol
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.slack.models import BotResponse

FORM = "application/x-www-form-urlencoded"
SOCKET_MODE = "socket-mode:"  # a bot_url that means "deliver over the Socket Mode connection"


class EnvelopeSender(Protocol):
    """Delivers a payload as a Socket Mode envelope and returns the bot's ack."""

    async def deliver(self, kind: str, payload: dict[str, Any]) -> BotResponse: ...


class BotCaller:
    """Signs and posts interaction payloads and slash commands to the bot's request URL."""

    def __init__(self, signing_secret: str) -> None:
        self.verifier = SignatureVerifier(signing_secret)
        self.socket: EnvelopeSender | None = None
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        # No connection cap: benchmarks fire hundreds of clicks at once.
        connector = aiohttp.TCPConnector(limit=0)
        self._session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def sign(self, body: bytes, timestamp: str) -> str:
        """`v0=` + HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret, as Slack signs."""
        return self.verifier.generate_signature(timestamp=timestamp, body=body) or ""

    async def send_signed(
        self,
        bot_url: str,
        body: bytes,
        content_type: str = FORM,
        timestamp: int | str | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> BotResponse:
        """POST `body` with Slack's headers; pass `timestamp`/`signature` to forge stale or bad requests."""
        if self._session is None:
            raise RuntimeError("the simulator is not started")
        # Wall-clock time even under a fake clock: the bot's verifier checks against real time.
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": self.sign(body, stamp) if signature is None else signature,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(headers or {}),
        }
        started = time.perf_counter()
        async with self._session.post(bot_url, data=body, headers=sent) as response:
            text = await response.text()
            status, reply_headers = response.status, dict(response.headers)
        return BotResponse(status, text, parse_json(text), time.perf_counter() - started, reply_headers)

    async def deliver(self, bot_url: str, kind: str, payload: dict[str, Any]) -> BotResponse:
        """Send an `interactive` or `events_api` payload, or `slash_commands` fields (HTTP or Socket Mode)."""
        if bot_url == SOCKET_MODE:
            if self.socket is None:
                raise RuntimeError("no Socket Mode connection is open")
            return await self.socket.deliver(kind, payload)
        if kind == "events_api":  # the Events API posts JSON, signed the same way
            return await self.send_signed(bot_url, json.dumps(payload).encode(), "application/json")
        form = {"payload": json.dumps(payload)} if kind == "interactive" else payload
        return await self.send_signed(bot_url, urlencode(form).encode())


def parse_json(text: str) -> Any:
    if not text or text[0] not in "{[":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
