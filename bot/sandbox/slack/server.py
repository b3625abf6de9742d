"""The simulator's HTTP side: `/api/{method}` like slack.com/api, and the response URLs it hands out."""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

from aiohttp import web

# Imported for their @method registrations.
from bot.sandbox.slack import web_chat, web_conversations, web_views  # noqa: F401
from bot.sandbox.slack.limits_rate import RateLimits
from bot.sandbox.slack.models import InjectedError, Refusal, SlackCall
from bot.sandbox.slack.registry import METHODS, normalized
from bot.sandbox.slack.responses import post_to_response_url
from bot.sandbox.slack.workspace import Workspace

RESPONSE_URL = "response_url"  # pseudo method name for recorded response_url posts and faults


class ApiServer:
    """Answers Web API calls against a Workspace, records each one and plays injected faults."""

    def __init__(self, ws: Workspace, *, bot_token: str, app_token: str) -> None:
        self.ws = ws
        self.tokens = {"bot": bot_token, "app": app_token}
        self.calls: list[SlackCall] = []
        self.faults: dict[str, list[InjectedError]] = {}
        # Seconds (by the workspace's clock) a method takes to answer, as a slow Slack would.
        self.delays: dict[str, float] = {}
        self.revoked: set[str] = set()
        # chat.postMessage pacing per channel: (burst, messages per second), None: off.
        self.post_rate: tuple[int, float] | None = None
        self.buckets: dict[str, tuple[float, float]] = {}
        # Method tiers, per workspace, over a sliding minute (on by default, at Slack's quotas).
        self.rate_limits = RateLimits(ws.now)
        self.app = web.Application()
        self.app.router.add_route("*", "/api/{method}", self.handle_api)
        self.app.router.add_post("/response_url/{serial}/{key}", self.handle_response_url)

    def inject(self, method: str, fault: InjectedError) -> None:
        self.faults.setdefault(method, []).append(fault)

    def _take_fault(self, method: str, args: dict[str, Any] | None = None) -> InjectedError | None:
        queue = self.faults.get(method)
        channel = str((args or {}).get("channel") or "")
        fault = next((f for f in queue or [] if f.channel in (None, channel)), None)
        if fault is None or queue is None:
            return None
        if fault.times is not None:
            fault.times -= 1
            if fault.times <= 0:
                queue.remove(fault)
        return fault

    async def handle_api(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        headers: dict[str, str] = {}
        args: dict[str, Any] = {}
        fault = None
        try:
            args = await _read_args(request)
            if self.delays.get(name):
                await _wait(self.ws, self.delays[name])
            token = _token(request, args)
            spec = METHODS.get(name)
            if spec is None:
                raise Refusal("unknown_method", extra={"req_method": name})
            fault = self._take_fault(name, args)
            if fault is not None and not fault.after:
                headers = _fault_headers(fault)
                raise Refusal(fault.error, status=fault.status)
            if not token:
                raise Refusal("not_authed")
            if token in self.revoked:
                raise Refusal("token_revoked")
            if token != self.tokens[spec.wants]:
                wrong_kind = token in self.tokens.values()
                raise Refusal("not_allowed_token_type" if wrong_kind else "invalid_auth")
            if spec.name == "chat.postMessage":
                self._pace(str(args.get("channel") or ""))
            wait = self.rate_limits.take(spec.name)
            if wait is not None:
                raise Refusal("ratelimited", status=429, extra={"retry_after": wait})
            response, status = spec.handler(self.ws, normalized(args)), 200
            if fault is not None:  # it happened; the answer is lost
                headers = _fault_headers(fault)
                raise Refusal(fault.error, status=fault.status)
        except Refusal as refusal:
            response, status = {"ok": False, "error": refusal.error, **refusal.extra}, refusal.status
            if status == 429 and "Retry-After" not in headers:
                headers = {"Retry-After": str(refusal.extra.pop("retry_after", 1))}
                response.pop("retry_after", None)
        self._record(name, args, response, status, injected=fault is not None, headers=headers)
        if status >= 500:
            return web.Response(status=status, text="<html><body>Internal Server Error</body></html>")
        return web.json_response(response, status=status, headers=headers)

    def _pace(self, channel: str) -> None:
        """chat.postMessage: about one message per second per channel, after a short burst (HTTP 429)."""
        if self.post_rate is None:
            return
        burst, per_second = self.post_rate
        now = self.ws.now().timestamp()
        tokens, last = self.buckets.get(channel, (float(burst), now))
        tokens = min(float(burst), tokens + (now - last) * per_second)
        if tokens < 1:
            self.buckets[channel] = (tokens, now)
            wait = max(1, math.ceil((1 - tokens) / per_second))
            raise Refusal("ratelimited", status=429, extra={"retry_after": wait})
        self.buckets[channel] = (tokens - 1, now)

    async def handle_response_url(self, request: web.Request) -> web.Response:
        url_id = f"{request.match_info['serial']}/{request.match_info['key']}"
        headers: dict[str, str] = {}
        payload: Any = None
        fault = None
        try:
            payload = await request.json()
            fault = self._take_fault(RESPONSE_URL)
            if fault is not None:
                headers = _fault_headers(fault)
                raise Refusal(fault.error, status=fault.status)
            response, status = post_to_response_url(self.ws, url_id, payload), 200
        except ValueError:
            response, status = {"ok": False, "error": "invalid_payload"}, 400
        except Refusal as refusal:
            response, status = {"ok": False, "error": refusal.error, **refusal.extra}, refusal.status
        args = payload if isinstance(payload, dict) else {"payload": payload}
        self._record(RESPONSE_URL, {**args, "response_url_id": url_id}, response, status, fault is not None)
        return web.json_response(response, status=status, headers=headers)

    def _record(
        self,
        method: str,
        args: dict[str, Any],
        response: dict[str, Any],
        status: int,
        injected: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        metadata = response.get("response_metadata") or {}
        retry_after = (headers or {}).get("Retry-After")
        self.calls.append(
            SlackCall(
                method=method,
                args=args,
                ok=bool(response.get("ok")),
                error=response.get("error"),
                response=response,
                at=self.ws.now(),
                status=status,
                warnings=list(metadata.get("warnings", [])),
                injected=injected,
                retry_after=int(retry_after) if retry_after and retry_after.isdigit() else None,
            )
        )


async def _read_args(request: web.Request) -> dict[str, Any]:
    """Query arguments plus a JSON or form body, as Slack accepts both on every method."""
    args: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.can_read_body:
        return args
    if request.content_type == "application/json":
        try:
            body = json.loads(await request.text())
        except ValueError:
            raise Refusal("invalid_json") from None
        if not isinstance(body, dict):
            raise Refusal("json_not_object")
        args.update(body)
    else:
        args.update(await request.post())
    return args


def _token(request: web.Request, args: dict[str, Any]) -> str | None:
    """The token from `Authorization: Bearer` (slack_sdk) or a `token` argument; never kept in records."""
    token = args.pop("token", None)
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value:
        return value
    return str(token) if token else None


async def _wait(ws: Workspace, seconds: float) -> None:
    """Pass `seconds` on the workspace's clock: a fake clock moves at once, the real one is waited for."""
    sleep = getattr(ws.clock, "sleep", None)
    await (sleep(seconds) if sleep is not None else asyncio.sleep(seconds))


def _fault_headers(fault: InjectedError) -> dict[str, str]:
    if fault.status == 429:
        return {"Retry-After": str(fault.retry_after if fault.retry_after is not None else 1)}
    if fault.retry_after is not None:
        return {"Retry-After": str(fault.retry_after)}
    return {}
