"""Webhook resources and their delivery: signed POSTs of state-change events to the registered url."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass

import aiohttp
from aiohttp import web

from bot.sandbox.asc.body import Body, related
from bot.sandbox.asc.context import Ctx, Route, lookup
from bot.sandbox.asc.errors import conflict
from bot.sandbox.asc.params import WEBHOOK_EVENT_TYPES
from bot.sandbox.asc.records import Webhook
from bot.sandbox.asc.store import Event, Store

log = logging.getLogger(__name__)
MAX_PER_APP = 10
_ATTRIBUTES = ("enabled", "eventTypes", "name", "secret", "url")


def _event_types(body: Body, required: bool) -> list[str] | None:
    value = body.attr("eventTypes", list, required=required, nullable=not required)
    if value is None:
        return None
    for i, item in enumerate(value):
        if item not in WEBHOOK_EVENT_TYPES:
            raise conflict(
                "ENTITY_ERROR.ATTRIBUTE.INVALID",
                f"'{item}' is not a webhook event type",
                f"/data/attributes/eventTypes/{i}",
            )
    return list(value)


def _url(body: Body, required: bool) -> str | None:
    url = body.attr("url", str, required=required, nullable=not required)
    if url is not None and not url.startswith(("https://", "http://")):
        raise conflict(
            "ENTITY_ERROR.ATTRIBUTE.INVALID", f"'{url}' is not a valid URL", "/data/attributes/url"
        )
    return url


def list_webhooks(ctx: Ctx) -> web.Response:
    app = lookup(ctx.store.apps, "apps", ctx.id)
    return ctx.page([w for w in ctx.store.webhooks.values() if w.app_id == app.id])


def get_webhook(ctx: Ctx) -> web.Response:
    return ctx.single(lookup(ctx.store.webhooks, "webhooks", ctx.id))


def create_webhook(ctx: Ctx) -> web.Response:
    body = Body(ctx.body, "webhooks", attributes=_ATTRIBUTES, relationships=("app",))
    enabled = body.attr("enabled", bool, required=True)
    event_types = _event_types(body, required=True) or []
    name = body.attr("name", str, required=True)
    secret = body.attr("secret", str, required=True)
    url = _url(body, required=True) or ""
    app_id = related(body, "app", "apps", ctx.store.apps, "app").id
    if sum(w.app_id == app_id for w in ctx.store.webhooks.values()) >= MAX_PER_APP:
        raise conflict(
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            f"An app can have at most {MAX_PER_APP} webhooks",
            "/data/relationships/app",
        )
    hook = Webhook(ctx.store.new_id(), app_id, name, url, secret, enabled, event_types)
    ctx.store.webhooks[hook.id] = hook
    return ctx.single(hook, 201)


def patch_webhook(ctx: Ctx) -> web.Response:
    hook = lookup(ctx.store.webhooks, "webhooks", ctx.id)
    body = Body(ctx.body, "webhooks", id_=hook.id, attributes=_ATTRIBUTES)
    enabled, name, secret = body.attr("enabled", bool), body.attr("name", str), body.attr("secret", str)
    event_types, url = _event_types(body, required=False), _url(body, required=False)
    hook.enabled = hook.enabled if enabled is None else enabled
    hook.name, hook.secret, hook.url = name or hook.name, secret or hook.secret, url or hook.url
    hook.event_types = hook.event_types if event_types is None else event_types
    return ctx.single(hook)


def delete_webhook(ctx: Ctx) -> web.Response:
    hook = lookup(ctx.store.webhooks, "webhooks", ctx.id)
    del ctx.store.webhooks[hook.id]
    return ctx.no_content()


ROUTES: list[Route] = [
    ("GET", "/v1/apps/{id}/webhooks", list_webhooks),
    ("POST", "/v1/webhooks", create_webhook),
    ("GET", "/v1/webhooks/{id}", get_webhook),
    ("PATCH", "/v1/webhooks/{id}", patch_webhook),
    ("DELETE", "/v1/webhooks/{id}", delete_webhook),
]


@dataclass(frozen=True)
class Delivery:
    """One webhook POST the simulator made, and how it went."""

    webhook_id: str
    url: str
    body: bytes
    signature: str
    status: int | None  # None: the receiver could not be reached
    error: str | None = None


def _camel(event_type: str) -> str:
    first, *rest = event_type.lower().split("_")
    return first + "".join(part.title() for part in rest)


def sign_apple(secret: str, body: bytes) -> str:
    """The `x-apple-signature` value App Store Connect sends: hmacsha256=<hex HMAC-SHA256 of the raw body>."""
    return "hmacsha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSender:
    """Listens to store events and POSTs them, signed, to every enabled webhook that wants them."""

    def __init__(self, store: Store, base_url: str = "") -> None:
        self.store = store
        self.base_url = base_url
        self.deliveries: list[Delivery] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        store.listeners.append(self.on_event)

    def on_event(self, event: Event) -> None:
        hooks = [
            h
            for h in self.store.webhooks.values()
            if h.app_id == event.app_id and h.enabled and event.event_type in h.event_types
        ]
        if not hooks:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no server running: nobody could receive it anyway
        payload = {
            "data": {
                "type": _camel(event.event_type),
                "id": self.store.new_id(),
                "version": 1,
                "attributes": {"timestamp": event.at.isoformat() if event.at else None, **event.attributes},
                "relationships": {
                    "instance": {
                        "data": {"type": event.instance_type, "id": event.instance_id},
                        "links": {"self": f"{self.base_url}/v1/{event.instance_type}/{event.instance_id}"},
                    }
                },
            }
        }
        body = json.dumps(payload, separators=(",", ":")).encode()
        for hook in hooks:
            task = loop.create_task(self._post(hook, body))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _post(self, hook: Webhook, body: bytes) -> None:
        signature = sign_apple(hook.secret, body)
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        try:
            headers = {"Content-Type": "application/json", "x-apple-signature": signature}
            async with self._session.post(hook.url, data=body, headers=headers) as resp:
                await resp.read()
                self.deliveries.append(Delivery(hook.id, hook.url, body, signature, resp.status))
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.info("webhook %s delivery to %s failed: %s", hook.id, hook.url, exc)
            self.deliveries.append(Delivery(hook.id, hook.url, body, signature, None, str(exc)))

    async def drain(self) -> None:
        """Wait until every delivery under way has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
