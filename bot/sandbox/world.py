"""A whole offline world: App Store Connect and Slack simulators plus a real bot wired to them.

Used by `asc-bot demo`, the test suite and the benchmarks, so all three run the same wiring.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from bot.app import BotApp, build_app
from bot.appstore.auth import ApiKey, generate_private_key_pem
from bot.clock import Clock
from bot.config import Config
from bot.sandbox.asc import AscSimulator
from bot.sandbox.clock import FakeClock
from bot.sandbox.slack import SlackSimulator
from bot.signatures import sign_ci

DEMO_CHANNEL = "C0RELEASES"


class World:
    """Simulators + bot on 127.0.0.1 random ports, sharing one clock and one database file."""

    def __init__(
        self,
        clock: Clock,
        *,
        db_path: str | None = None,
        poll_interval: float = 30.0,
        find_timeout: float = 900.0,
        processing_timeout: float = 7200.0,
        build_appear_delay: float = 30.0,
        processing_time: float = 300.0,
        hourly_limit: int = 3600,
        scheduler: bool = True,
        tick: float | None = None,
        asc_transport: Callable[[], httpx.AsyncBaseTransport] | None = None,
        poll_profile: tuple[tuple[float, float], ...] = (),
        rate_reserve: float = 0.20,
    ) -> None:
        self.clock = clock
        # A throwaway world's database lives in memory-backed /dev/shm when there is one: the bot still
        # fsyncs every commit (synchronous=FULL), which costs nothing there and adds up on a disk.
        shm_dir = Path("/dev/shm")  # noqa: S108 - a private TemporaryDirectory is made inside it
        shm = str(shm_dir) if shm_dir.is_dir() and os.access(shm_dir, os.W_OK) else None
        self._tmp = None if db_path else tempfile.TemporaryDirectory(prefix="asc-bot-", dir=shm)
        self.db_path = db_path or str(Path(self._tmp.name) / "asc-bot.db")  # type: ignore[union-attr]
        self.webhook_secret = secrets.token_hex(16)
        self.signing_secret = secrets.token_hex(16)
        self.key = ApiKey("default", str(uuid.uuid4()), "SIMKEY0001", generate_private_key_pem())
        self.asc = AscSimulator(
            clock=clock,
            hourly_limit=hourly_limit,
            build_appear_delay=build_appear_delay,
            processing_time=processing_time,
        )
        self.slack = SlackSimulator(signing_secret=self.signing_secret, bot_token="xoxb-sandbox")
        # Slack's per-minute limits count in the bot's time: with a fake clock a sweep every fake
        # 30 s happens in milliseconds, and a real-time minute would read as a burst Slack never sees.
        self.slack.rate_limits.now = clock.now
        self._settings = dict(
            poll_interval=poll_interval,
            find_timeout=find_timeout,
            processing_timeout=processing_timeout,
            # Tests time their polls by poll_interval; the benchmarks pass the production profile.
            poll_profile=poll_profile,
            rate_reserve=rate_reserve,
        )
        self._scheduler = scheduler
        self._tick = tick
        self.asc_transport = asc_transport
        self.config: Config | None = None
        self.bot: BotApp | None = None
        self._http = httpx.AsyncClient(timeout=30)

    async def start(self) -> World:
        asc_url = await self.asc.start()
        slack_url = await self.slack.start()
        self.slack.add_channel(DEMO_CHANNEL, "releases")
        self.asc.register_key(self.key.issuer_id, self.key.key_id, self.key.public_key_pem())
        self.config = Config(
            slack_bot_token="xoxb-sandbox",
            slack_signing_secret=self.signing_secret,
            slack_app_token=None,
            slack_api_url=slack_url,
            slack_channel=DEMO_CHANNEL,
            api_keys={"default": self.key},
            default_api_key="default",
            asc_api_url=asc_url,
            webhook_secret=self.webhook_secret,
            apple_webhook_secret=secrets.token_hex(16),
            db_path=self.db_path,
            apps={},
            **self._settings,  # type: ignore[arg-type]
        )
        await self.start_bot()
        return self

    async def start_bot(self, **config_changes: Any) -> BotApp:
        """(Re)start the bot on the same database, as a process restart would."""
        assert self.config is not None
        # A restart stops the running bot first: two bots on one SQLite file refuse to run.
        await self.stop_bot()
        if config_changes:
            self.config = replace(self.config, **config_changes)
        sleep = self.clock.sleep if isinstance(self.clock, FakeClock) else None
        self.bot = build_app(
            self.config, clock=self.clock, asc_sleep=sleep, tick=self._tick, asc_transport=self.asc_transport
        )
        await self.bot.start(scheduler=self._scheduler)
        await self.bot.serve("127.0.0.1", 0)
        return self.bot

    async def stop_bot(self) -> None:
        if self.bot is not None:
            await self.bot.stop()
            self.bot = None

    async def stop(self) -> None:
        await self.stop_bot()
        await self._http.aclose()
        await self.slack.stop()
        await self.asc.stop()
        if self._tmp is not None:
            self._tmp.cleanup()

    @property
    def events_url(self) -> str:
        assert self.bot is not None
        return f"{self.bot.url}/slack/events"

    def upload_payload(self, bundle_id: str, version: str, build_number: str, **extra: Any) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "app": {"bundle_id": bundle_id},
            "platform": "IOS",
            "version": version,
            "build_number": build_number,
            "channel": DEMO_CHANNEL,
            "tests_passed": True,
            "source": {"name": "GitHub Actions", "url": "https://ci.example.com/runs/1"},
        }
        payload.update(extra)
        return payload

    async def send_upload(
        self,
        payload: dict[str, Any] | bytes,
        *,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
    ) -> httpx.Response:
        """POST a build-uploaded webhook to the bot, signed as CI would sign it."""
        assert self.bot is not None
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        # Signed as CI signs it: with a timestamp of now (the bot's clock), unless one is given.
        stamp = int(self.clock.now().timestamp()) if timestamp is None else timestamp
        sent = {
            "Content-Type": "application/json",
            **sign_ci(secret or self.webhook_secret, body, stamp),
            **(headers or {}),
        }
        return await self._http.post(f"{self.bot.url}/webhooks/build-uploaded", content=body, headers=sent)
