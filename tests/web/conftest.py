"""Helpers for the webhook tests: signed senders and App Store Connect's endpoint on a running world."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bot.apple_webhooks import PATH as APPLE_PATH
from bot.sandbox.asc.webhooks import sign_apple
from bot.sandbox.world import World


@dataclass
class AppleEndpoint:
    """Where App Store Connect's events go, and the secret they are signed with."""

    url: str
    secret: str
    http: httpx.AsyncClient

    async def send(self, payload: dict[str, Any] | bytes, *, secret: str | None = None) -> httpx.Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            "x-apple-signature": sign_apple(secret or self.secret, body),
        }
        return await self.http.post(self.url, content=body, headers=headers)


def apple_event(
    kind: str, resource_type: str | None, resource_id: str | None, **attributes: Any
) -> dict[str, Any]:
    """A delivered App Store Connect event, shaped as Apple documents it."""
    data: dict[str, Any] = {
        "type": kind,
        "id": str(uuid.uuid4()),
        "version": 1,
        "attributes": {"timestamp": "2026-01-05T09:00:00Z", **attributes},
    }
    if resource_type is not None:
        data["relationships"] = {"instance": {"data": {"type": resource_type, "id": resource_id}}}
    return {"data": data}


@contextlib.asynccontextmanager
async def apple_endpoint(world: World) -> AsyncIterator[AppleEndpoint]:
    """The world's own `/webhooks/app-store-connect`, signed with the configured Apple secret."""
    assert world.bot is not None and world.config is not None
    secret = world.config.apple_webhook_secret or ""
    async with httpx.AsyncClient(timeout=30) as http:
        endpoint = AppleEndpoint(world.bot.url + APPLE_PATH, secret, http)
        ping = await endpoint.send(apple_event("webhookPingCreated", None, None))
        assert ping.status_code == 200, ping.text
        yield endpoint


@pytest.fixture
async def apple(world: World) -> AsyncIterator[AppleEndpoint]:
    async with apple_endpoint(world) as endpoint:
        yield endpoint


async def stored(world: World) -> dict[str, int]:
    assert world.bot is not None
    return await world.bot.storage.counts()


NOTHING = {"publications": 0, "actions": 0, "events": 0, "deliveries": 0}
