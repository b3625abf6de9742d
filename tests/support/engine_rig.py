"""One engine module's surroundings, for its own tests: the shared parts over real storage, the App Store
Connect simulator and the Slack simulator on loopback ports, with no bot, web app or scheduler."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.appstore.auth import ApiKey, generate_private_key_pem
from bot.appstore.client import AppStoreConnect
from bot.engine.clients import Clients
from bot.engine.guard import Authority
from bot.engine.intake import UploadNotice, parse_notice
from bot.engine.parts import EngineParts
from bot.engine.settings import AppDefaults, EngineSettings
from bot.sandbox.asc import AscSimulator
from bot.sandbox.clock import FakeClock
from bot.sandbox.slack import SlackSimulator
from bot.slack_notifier import SlackNotifier
from storage.repository import Storage

CHANNEL = "C0RELEASES"
BUNDLE = "com.example.app"
TOKEN = "xoxb-rig"  # the Slack simulator's bot token


@dataclass
class Approvers:
    """An authority with fixed approvers for every app (the guard's real rule reads them)."""

    users: tuple[str, ...] = ()

    def approvers(self, bundle_id: str) -> tuple[str, ...]:
        return self.users

    async def is_one_of(self, user: str, approvers: tuple[str, ...]) -> bool:
        return user in approvers


@dataclass
class Rig:
    parts: EngineParts
    asc: AscSimulator
    slack: SlackSimulator
    clock: FakeClock
    app_id: str
    woken: list[int] = field(default_factory=list)

    def wake(self) -> None:
        self.woken.append(1)

    @property
    def storage(self) -> Storage:
        return self.parts.storage


def notice(build_number: str = "7", version: str = "1.0", **payload: Any) -> UploadNotice:
    """A build-uploaded notification for the rig's app, parsed as the webhook parses it."""
    body = {"app": {"bundle_id": BUNDLE}, "version": version, "build_number": build_number, **payload}
    return parse_notice(body, now=FakeClock().now())


@asynccontextmanager
async def engine_rig(
    storage: Storage,
    clock: FakeClock,
    *,
    authority: Authority | None = None,
    publishing: dict[str, Any] | None = None,
    **settings: Any,
) -> AsyncIterator[Rig]:
    """The parts as `Engine` builds them; `publishing` are the app's configured defaults."""
    asc = AscSimulator(clock=clock, build_appear_delay=0, processing_time=60)
    slack = SlackSimulator(signing_secret=uuid.uuid4().hex, bot_token=TOKEN)
    asc_url, slack_url = await asc.start(), await slack.start()
    slack.rate_limits.now = clock.now
    slack.add_channel(CHANNEL, "releases")
    key = ApiKey("default", str(uuid.uuid4()), "RIGKEY0001", generate_private_key_pem())
    asc.register_key(key.issuer_id, key.key_id, key.public_key_pem())
    app_id = asc.add_app(BUNDLE, name="Example")
    defaults = AppDefaults(channel=CHANNEL, publishing=publishing or {})
    clients = Clients(
        {"default": key}, "default", lambda k: AppStoreConnect(k, asc_url, clock=clock, sleep=clock.sleep)
    )
    notifier = SlackNotifier(AsyncWebClient(token=TOKEN, base_url=slack_url), clock)
    parts = EngineParts.build(
        storage,
        clients,
        notifier,
        clock,
        EngineSettings(defaults_for=lambda bundle_id: defaults, **settings),
        authority,
    )
    try:
        yield Rig(parts, asc, slack, clock, app_id)
    finally:
        await clients.aclose()
        await asc.stop()
        await slack.stop()
