"""Serving apps on loopback, preparing signed requests, and driving the load generator process."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bench.common import ROOT
from bot.sandbox.slack import payloads
from bot.sandbox.slack.models import Message
from bot.sandbox.slack.simulator import SlackSimulator
from bot.sandbox.slack.workspace import ResponseTarget
from bot.signatures import sign_ci

Spec = dict[str, Any]


class Served:
    """An aiohttp application listening on a free loopback port."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.url = ""
        self._runner = web.AppRunner(app, access_log=None)

    async def start(self) -> Served:
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self

    async def stop(self) -> None:
        await self._runner.cleanup()


class LoadGen:
    """The load generator process (bench.loadgen); this process keeps serving while it sends."""

    def __init__(self, concurrency: int) -> None:
        self.concurrency = concurrency
        self._proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> LoadGen:
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.loadgen",
            str(self.concurrency),
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=64 * 1024 * 1024,
        )
        return self

    async def fire(self, requests: list[Spec]) -> dict[str, Any]:
        """Send one round; returns its latencies, status counts and wall time."""
        assert self._proc is not None and self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps(requests).encode() + b"\n")
        await self._proc.stdin.drain()
        line = await self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the load generator stopped")
        return dict(json.loads(line))

    async def __aexit__(self, *exc: object) -> None:
        if self._proc is not None and self._proc.stdin is not None:
            self._proc.stdin.close()
            await self._proc.wait()


def slack_click(
    slack: SlackSimulator, url: str, message: Message, action_id: str, user: str, secret: str
) -> Spec:
    """A button click on `message`, form-encoded and signed exactly as Slack sends it."""
    block_id, button = payloads.find_element(message.blocks, action_id, "button")
    target = ResponseTarget(message.channel, user, slack.workspace.now(), message.ts, message.thread_ts)
    payload = payloads.block_actions(
        slack.workspace, message, block_id, button, user, slack.workspace.issue_response_url(target)
    )
    body = urlencode({"payload": json.dumps(payload)})
    stamp = str(int(time.time()))  # Slack signs with wall-clock time; the bot checks against it
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature or "",
    }
    return {"url": url, "headers": headers, "body": body}


def ci_webhook(url: str, payload: dict[str, Any], secret: str) -> Spec:
    """A build-uploaded webhook signed as CI signs it (with a timestamp, so it cannot be replayed)."""
    body = json.dumps(payload)
    headers = {"Content-Type": "application/json", **sign_ci(secret, body.encode(), int(time.time()))}
    return {"url": url, "headers": headers, "body": body}
