"""aiohttp routes: Slack's events endpoint, the build-uploaded webhook and the health check."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.clock import Clock
from bot.engine.engine import Engine
from bot.engine.intake import InvalidNotice, parse_notice
from bot.signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_ci

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)


async def read_limited(request: web.Request, limit: int = MAX_BODY) -> bytes | None:
    """The raw body, or None when it is over `limit` (never buffers more than limit + one chunk)."""
    if request.content_length is not None and request.content_length > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def build_upload_handler(engine: Engine, secret: str | None, clock: Clock) -> Handler:
    async def build_uploaded(request: web.Request) -> web.StreamResponse:
        body = await read_limited(request)
        if body is None:
            return error(413, "the body is larger than 1 MiB")
        if not secret or not verify_ci(
            secret,
            body,
            request.headers.get(SIGNATURE_HEADER),
            request.headers.get(TIMESTAMP_HEADER),
            clock.now().timestamp(),
        ):
            return error(401, "invalid signature")
        if request.content_type != "application/json":
            return error(415, "send the payload as Content-Type: application/json")
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return web.json_response(
                {"errors": [{"field": "$", "message": "the body is not valid JSON"}]}, status=400
            )
        try:
            notice = parse_notice(payload, now=clock.now())
            intake = await engine.intake(notice, actor="webhook", source="ci")
        except InvalidNotice as exc:
            return web.json_response({"errors": [p.as_dict() for p in exc.problems]}, status=400)
        return web.json_response(intake.body, status=intake.status)

    return build_uploaded


def slack_handler(bolt: AsyncApp) -> Handler:
    async def slack_events(request: web.Request) -> web.StreamResponse:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    return slack_events


def health_handler(engine: Engine) -> Handler:
    async def healthz(request: web.Request) -> web.StreamResponse:
        try:
            active = len(await engine.storage.list(active_only=True, limit=10_000))
        except Exception as exc:
            log.error("health check: database unavailable: %s", exc)
            return web.json_response({"ok": False, "database": "unavailable"}, status=503)
        return web.json_response({"ok": True, "active_publications": active})

    return healthz


@web.middleware
async def errors_as_json(request: web.Request, handler: Handler) -> web.StreamResponse:
    """No stack trace ever reaches a caller: unexpected failures are logged and answered with 500."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        return error(500, "internal error; the bot's log has the details")


def build_web_app(
    engine: Engine, bolt: AsyncApp, *, webhook_secret: str | None, clock: Clock
) -> web.Application:
    app = web.Application(middlewares=[errors_as_json], client_max_size=MAX_BODY)
    app.router.add_post("/slack/events", slack_handler(bolt))
    app.router.add_post("/webhooks/build-uploaded", build_upload_handler(engine, webhook_secret, clock))
    app.router.add_get("/healthz", health_handler(engine))
    return app
