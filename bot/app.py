"""The one composition root: builds every part of the bot from a Config and a clock."""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import aiohttp
import httpx
from aiohttp import web
from aiohttp.web import AppRunner
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

import commands
from bot.appstore.auth import ApiKey
from bot.appstore.client import AppStoreConnect
from bot.appstore.scheduler import Budgets
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.engine.budget_state import DatabaseBudgetState
from bot.engine.clients import Clients
from bot.engine.engine import Engine
from bot.engine.parts import EngineParts
from bot.engine.profile import FIRST_FIND
from bot.engine.settings import AppDefaults, EngineSettings
from bot.metrics import MeteredTransport, MeteredWebClient, Metrics
from bot.ops_web import add_ops_routes, metered
from bot.scheduler import Ticker
from bot.slack_notifier import SlackNotifier
from bot.slack_requests import RefuseMalformed
from bot.slack_retry import PersonRateLimitRetryHandler
from bot.web import build_web_app
from storage.database import StorageEngine, make_store
from storage.pg import is_postgres_url
from storage.repository import Storage

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]


@dataclass
class BotApp:
    """Everything the bot is made of, wired; `start`/`serve`/`stop` run it."""

    config: Config
    clock: Clock
    store: StorageEngine
    storage: Storage
    clients: Clients
    engine: Engine
    bolt: AsyncApp
    slack_client: AsyncWebClient
    web: web.Application
    ticker: Ticker
    metrics: Metrics
    runner: AppRunner | None = None  # `web` in this class body is the field above, not aiohttp.web
    socket_handler: Any = None
    port: int | None = None
    outbox_client: AsyncWebClient | None = None
    _started: bool = field(default=False, repr=False)

    async def start(self, *, scheduler: bool = True) -> None:
        """Open the database (migrating it), then start the clock and, if configured, Socket Mode."""
        await self.store.open()
        # One connection pool for both Slack clients: without a session slack_sdk opens a new one,
        # and a new TCP connection, for every call (benchmark 5: 4,000 posts, 12,000 connects).
        session = aiohttp.ClientSession()
        for client in (self.slack_client, self.outbox_client):
            if client is not None:
                client.session = session
        await self.engine.recover()
        if scheduler:
            self.ticker.start()
        if self.config.slack_app_token:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            self.socket_handler = AsyncSocketModeHandler(
                self.bolt, self.config.slack_app_token, web_client=self.slack_client
            )
            await self.socket_handler.connect_async()
            log.info("connected to Slack in Socket Mode")
        # What start-up built (modules, the app, its routes, clients, schema) lives as long as the
        # process; frozen, the collector stops walking it on every full collection. Measured on
        # benchmark 5: full collections took 80-140 ms per 4,000 webhooks, <1 ms once frozen. `stop`
        # thaws it, so a process that starts bots again (the tests, `World.start_bot`) collects them.
        gc.collect()
        gc.freeze()
        self._started = True

    async def serve(self, host: str = "127.0.0.1", port: int = 3000) -> int:
        """Listen for HTTP (Slack events, webhooks, health) and return the bound port."""
        self.runner = web.AppRunner(self.web, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, host, port)
        await site.start()
        addresses = self.runner.addresses  # the real port when port=0
        self.port = addresses[0][1] if addresses else port
        log.info("listening on http://%s:%s", host, self.port)
        return self.port

    async def stop(self, grace: float = 10.0) -> None:
        """Stop taking work (HTTP, Socket Mode, the clock), let running steps finish, flush the outbox.

        A step still running after `grace` seconds is cancelled; its lease makes the next start
        resume it (`Engine.recover`). Slack posts not sent within the grace stay in the outbox.
        """
        if self.socket_handler is not None:
            await self.socket_handler.close_async()
            self.socket_handler = None
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
        await self.ticker.shutdown(grace)
        if self._started:
            try:
                async with asyncio.timeout(grace):
                    await self.engine.flush_outbox()
            except TimeoutError:
                log.warning("Slack posts still unsent after %.0f s stay queued for the next start", grace)
            except Exception as exc:
                log.warning("the outbox could not be flushed before stopping: %s", exc)
        await self.clients.aclose()
        session = self.slack_client.session
        if session is not None:
            for client in (self.slack_client, self.outbox_client):
                if client is not None:
                    client.session = None
            await session.close()
        await self.store.close()
        if self._started:
            gc.unfreeze()
        self._started = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def build_app(
    config: Config,
    *,
    clock: Clock | None = None,
    asc_sleep: Sleep | None = None,
    tick: float | None = None,
    asc_transport: Callable[[], httpx.AsyncBaseTransport] | None = None,
) -> BotApp:
    """Wire the bot. Nothing here does I/O; `BotApp.start` does."""
    clock = clock or SystemClock()
    store = make_store(config.db_path, exclusive=True)
    storage = Storage(store)
    metrics = Metrics(clock.now)

    # One budget per key (issuer + key id) for every client of it: steps, polls, following, modals.
    # With PostgreSQL several replicas may send with one key: its hour is counted in the database.
    shared = DatabaseBudgetState(storage) if is_postgres_url(config.db_path) else None
    budgets = Budgets(clock, reserve=config.rate_reserve, state=shared, sleep=asc_sleep or asyncio.sleep)

    def make_client(key: ApiKey) -> AppStoreConnect:
        inner = asc_transport() if asc_transport else httpx.AsyncHTTPTransport()  # tests inject faults here
        transport = MeteredTransport(inner, metrics, key.name, clock.now)
        return AppStoreConnect(
            key,
            config.asc_api_url,
            clock=clock,
            sleep=asc_sleep or asyncio.sleep,
            transport=transport,
            budget=budgets.for_key(key),
        )

    clients = Clients(config.api_keys, config.default_api_key, make_client)
    slack_client = MeteredWebClient(
        token=config.slack_bot_token,
        base_url=config.slack_api_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            PersonRateLimitRetryHandler(metrics, max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )
    slack_client.metrics = metrics
    # Without a signing secret (Socket Mode) nobody can sign for us: a random secret makes
    # every HTTP request to /slack/events fail verification instead of skipping it.
    bolt = AsyncApp(
        client=slack_client,
        signing_secret=config.slack_signing_secret or secrets.token_hex(32),
        process_before_response=False,
        name="asc-bot",  # without a name Bolt walks inspect.stack(), ~50 ms per start
    )
    bolt.use(RefuseMalformed())  # after Bolt's signature check: unusable payloads get a 400, not a 500
    settings = EngineSettings(
        poll_interval=config.poll_interval,
        find_timeout=config.find_timeout,
        processing_timeout=config.processing_timeout,
        poll_profile=config.poll_profile,
        first_find=FIRST_FIND if config.poll_profile else 0.0,
        # The safety net belongs to the profile: a flat poll interval (the tests') polls as set.
        apple_webhooks=bool(config.apple_webhook_secret and config.poll_profile),
        feedback_poll_interval=config.feedback_poll_interval,
        feedback_digest_threshold=config.feedback_digest_threshold,
        approval_reminder=config.approval_reminder,
        # The config is frozen: an app's defaults are worked out once, not on every webhook.
        defaults_for=functools.lru_cache(maxsize=1024)(lambda bundle_id: _app_defaults(config, bundle_id)),
        sweep_lease=config.lease_seconds or 60.0,
        action_lease=config.lease_seconds or 600.0,
        follow_interval=config.follow_interval,
    )
    approvers = commands.Approvers(config.approvers_for, slack_client)
    # The outbox's own client: no retry handlers, since a retried post whose answer was lost would
    # appear twice; the outbox looks it up first, and paces per channel without stalling the sweep.
    outbox_client = MeteredWebClient(
        token=config.slack_bot_token, base_url=config.slack_api_url, retry_handlers=[]
    )
    outbox_client.metrics = metrics
    engine = Engine(
        EngineParts.build(
            storage,
            clients,
            SlackNotifier(outbox_client, clock),
            clock,
            settings,
            authority=approvers,
            fallback_channel=config.slack_channel,
        )
    )
    commands.register_all(bolt, engine, approvers)
    web_app = build_web_app(
        engine,
        bolt,
        webhook_secret=config.webhook_secret,
        apple_webhook_secret=config.apple_webhook_secret,
        allow_untimestamped_signatures=config.allow_untimestamped_signatures,
        clock=clock,
    )
    tick = tick if tick is not None else max(0.5, min(5.0, config.poll_interval))
    ticker = Ticker(engine, tick, on_sweep=metrics.sweep_done)
    web_app.middlewares.insert(0, metered(metrics))  # outermost: sees the 500s too

    async def slack_auth() -> bool:
        await slack_client.auth_test()
        return True

    add_ops_routes(
        web_app, store=store, metrics=metrics, tick=tick, slack_auth=slack_auth, token=config.metrics_token
    )
    return BotApp(
        config, clock, store, storage, clients, engine, bolt, slack_client, web_app, ticker, metrics,
        outbox_client=outbox_client,
    )


def _app_defaults(config: Config, bundle_id: str) -> AppDefaults:
    app = config.app(bundle_id)
    return AppDefaults(
        bundle_id=app.bundle_id,
        channel=config.channel_for(bundle_id),
        api_key=app.api_key,
        publishing=MappingProxyType({**config.publishing_defaults, **app.publishing}),
    )
