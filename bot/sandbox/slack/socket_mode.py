"""Socket Mode: apps.connections.open hands out a websocket URL; envelopes go down it, acks come back."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from bot.sandbox.slack.models import BotResponse
from bot.sandbox.slack.registry import method
from bot.sandbox.slack.workspace import Workspace

if TYPE_CHECKING:
    from bot.sandbox.slack.interactions import BotCaller
    from bot.sandbox.slack.server import ApiServer

ACK_TIMEOUT = 10.0  # seconds; Slack gives 3, but a loaded test machine deserves slack


@method("apps.connections.open", wants="app")
def connections_open(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    ticket = secrets.token_hex(8)
    return {"ok": True, "url": f"{ws.base_url.replace('http', 'ws', 1)}/link/?ticket={ticket}"}


class SocketModeLink:
    """The websocket side: greets each connection with `hello`, sends envelopes, matches acks to them."""

    def __init__(self, server: ApiServer, caller: BotCaller) -> None:
        self.ws = server.ws
        self.sockets: list[web.WebSocketResponse] = []
        self.acks: list[dict[str, Any]] = []
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._connected = asyncio.Event()
        server.app.router.add_get("/link/", self.handle_link)
        caller.socket = self

    @property
    def connected(self) -> bool:
        return bool(self.sockets)

    async def wait_connected(self, within: float = 5.0) -> None:
        await asyncio.wait_for(self._connected.wait(), within)

    async def handle_link(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        hello = {
            "type": "hello",
            "num_connections": len(self.sockets),
            "debug_info": {"host": "applink-sim", "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.ws.app_id},
        }
        await socket.send_json(hello)
        self._connected.set()
        try:
            async for frame in socket:
                if frame.type == WSMsgType.TEXT:
                    self._on_ack(json.loads(frame.data))
        finally:
            self.sockets.remove(socket)
            if not self.sockets:
                self._connected.clear()
        return socket

    def _on_ack(self, ack: dict[str, Any]) -> None:
        self.acks.append(ack)
        future = self._pending.pop(str(ack.get("envelope_id")), None)
        if future is not None and not future.done():
            future.set_result(ack)

    async def send_envelope(self, envelope: dict[str, Any], within: float = ACK_TIMEOUT) -> dict[str, Any]:
        """Send a raw envelope on the newest connection and wait for its ack."""
        if not self.sockets:
            raise RuntimeError("no Socket Mode connection is open")
        envelope.setdefault("envelope_id", secrets.token_hex(12))
        future = asyncio.get_running_loop().create_future()
        self._pending[envelope["envelope_id"]] = future
        await self.sockets[-1].send_json(envelope)
        try:
            return await asyncio.wait_for(future, within)
        finally:
            self._pending.pop(envelope["envelope_id"], None)

    async def deliver(self, kind: str, payload: dict[str, Any]) -> BotResponse:
        """Deliver like HTTP delivery would, reporting the ack's payload as the response body."""
        envelope = {
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
        }
        started = time.perf_counter()
        try:
            ack = await self.send_envelope(envelope)
        except TimeoutError:
            return BotResponse(504, "", None, time.perf_counter() - started)
        body = ack.get("payload")
        text = json.dumps(body) if body else ""
        return BotResponse(200, text, body or None, time.perf_counter() - started)

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask connected clients to reconnect, as Slack does now and then."""
        for socket in list(self.sockets):
            await socket.send_json(
                {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-sim"}}
            )

    async def close(self) -> None:
        for socket in list(self.sockets):
            await socket.close()
