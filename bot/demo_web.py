"""`asc-bot demo --web`: the offline demo in a browser, with the bot's Block Kit messages, threads and
modals drawn from the simulated Slack and every button clickable (on 127.0.0.1 only).

The page polls `GET /api/state`; a click is `POST /api/click`, a modal's submit `POST /api/submit`.
The server turns them into the signed interaction payloads Slack would send, so the real bot answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from bot import logsetup
from bot.clock import SystemClock
from bot.demo_page import PAGE
from bot.sandbox.slack.models import Message
from bot.sandbox.world import DEMO_CHANNEL, World

log = logging.getLogger(__name__)
BUNDLE_ID = "com.example.demo"
USER = "U0ALICE"  # who clicks in the browser
PEOPLE = {USER: "alice"}
HOST = "127.0.0.1"  # never another interface: the page drives the bot without any sign-in


def _message(m: Message) -> dict[str, Any]:
    return {"ts": m.ts, "text": m.text, "blocks": m.blocks, "broadcast": m.reply_broadcast}


class WebDemo:
    """The page and its small JSON API over one started World."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.app = web.Application(client_max_size=64 * 1024)
        self.app.router.add_get("/", self.page)
        self.app.router.add_get("/api/state", self.state)
        self.app.router.add_post("/api/click", self.click)
        self.app.router.add_post("/api/submit", self.submit)
        self.app.router.add_post("/api/close", self.close)

    async def page(self, request: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html")

    async def state(self, request: web.Request) -> web.Response:
        slack = self.world.slack
        messages = [
            {
                **_message(m),
                "thread": [_message(r) for r in slack.thread(DEMO_CHANNEL, m.ts) if not r.deleted],
            }
            for m in slack.top_level(DEMO_CHANNEL)
            if not m.deleted
        ]
        ephemerals = [m.text for m in slack.ephemerals if m.ephemeral_to == USER]
        views = [{"id": vid, **view} for vid, view in slack.workspace.views.items()]
        return web.json_response(
            {
                "channel": DEMO_CHANNEL,
                "messages": messages,
                "ephemerals": ephemerals,
                "views": views,
                "people": PEOPLE,
            }
        )

    async def _json(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="send JSON") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="send a JSON object")
        return body

    async def click(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        action_id = str(body.get("action_id") or "")
        slack, url = self.world.slack, self.world.events_url
        try:
            if body.get("view_id"):
                answer = await slack.click_view_button(url, str(body["view_id"]), action_id, user=USER)
            else:
                message = slack.find_message(DEMO_CHANNEL, str(body.get("ts") or ""))
                if message is None:
                    raise web.HTTPNotFound(text="no such message")
                answer = await slack.click_button(url, message, action_id, user=USER)
        except LookupError as exc:
            raise web.HTTPNotFound(text=str(exc)) from None
        return web.json_response({"status": answer.status})

    async def submit(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        values = body.get("values") if isinstance(body.get("values"), dict) else {}
        try:
            answer = await self.world.slack.submit_view(
                self.world.events_url, str(body.get("view_id") or ""), values, user=USER
            )
        except LookupError as exc:
            raise web.HTTPNotFound(text=str(exc)) from None
        return web.json_response({"status": answer.status, "answer": answer.json})

    async def close(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        view_id = str(body.get("view_id") or "")
        if view_id not in self.world.slack.workspace.views:
            raise web.HTTPNotFound(text="no such view")
        await self.world.slack.close_view(self.world.events_url, view_id, user=USER)
        return web.json_response({"status": 200})


async def sample_world(processing: float = 8.0, appear: float = 2.0) -> World:
    """The demo's world: an app with an internal and an external group (with a public link), and a
    build on its way, as `asc-bot demo` has it."""
    world = World(
        SystemClock(), poll_interval=2.0, build_appear_delay=appear, processing_time=processing, tick=1.0
    )
    await world.start()
    world.asc.beta_review_time = 6.0  # Apple's beta review, compressed into seconds
    app_id = world.asc.add_app(BUNDLE_ID, name="Demo App")
    world.asc.add_beta_group(app_id, "QA", internal=True)
    world.asc.add_beta_group(app_id, "Friends", internal=False, public_link_enabled=True)
    world.asc.upload_build(BUNDLE_ID, version="1.0.0", build_number="1", platform="IOS")
    response = await world.send_upload(world.upload_payload(BUNDLE_ID, "1.0.0", "1"))
    response.raise_for_status()
    return world


@contextlib.asynccontextmanager
async def serving(world: World, port: int = 0) -> AsyncIterator[str]:
    """Serve the page for `world` on 127.0.0.1 (0: any free port); yields its URL."""
    runner = web.AppRunner(WebDemo(world).app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, HOST, port)
    await site.start()
    try:
        host, bound = runner.addresses[0][:2]
        yield f"http://{host}:{bound}/"
    finally:
        await runner.cleanup()


async def run_web_demo(*, port: int = 8080, processing: float = 8.0, out: Any = None) -> int:
    """`asc-bot demo --web`: serve until Ctrl-C."""
    logsetup.configure(logging.WARNING)
    world = await sample_world(processing)
    try:
        async with serving(world, port) as url:
            if out is not None:
                print(
                    f"asc-bot demo: open {url} in a browser (Ctrl-C to stop); nothing leaves this machine.",
                    file=out,
                    flush=True,
                )
            await asyncio.Event().wait()
    finally:
        await world.stop()
    return 0
