"""The baselines the bot is measured against, in the same run on the same machine.

- a bare Bolt app that only acks every button click (same Bolt version, same aiohttp adapter
  functions and the same signature check as the bot);
- a bare aiohttp handler that answers 202 to a webhook without doing any work.

`python -m bench.baselines bolt|aiohttp PORT SECRET SLACK_API_URL` serves one of them alone in a
process (the memory benchmark measures that process).
"""

from __future__ import annotations

import asyncio
import re
import sys
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def bare_bolt(signing_secret: str, slack_api_url: str, token: str) -> web.Application:
    """Bolt with one listener that acks any button and does nothing else.

    Like the bot's, its client talks to the Slack simulator (Bolt checks the token once, with
    `auth.test`, before the first listener runs).
    """
    bolt = AsyncApp(
        client=AsyncWebClient(token=token, base_url=slack_api_url),
        signing_secret=signing_secret,
        process_before_response=False,
    )

    @bolt.action(re.compile(".*"))
    async def only_ack(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()

    async def events(request: web.Request) -> web.StreamResponse:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", events)
    return app


def bare_aiohttp() -> web.Application:
    """A handler that answers 202 and does nothing (no signature check, no parsing, no storage)."""

    async def accepted(request: web.Request) -> web.StreamResponse:
        return web.Response(status=202)

    app = web.Application()
    app.router.add_post("/webhooks/build-uploaded", accepted)
    return app


async def _serve(kind: str, port: int, secret: str, slack_api_url: str) -> None:
    app = bare_bolt(secret, slack_api_url, "xoxb-sandbox") if kind == "bolt" else bare_aiohttp()
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]))
