"""`asc-bot demo`: the whole flow offline, printed the way a Slack user would see it."""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from typing import Any

from bot import logsetup
from bot.blocks import SUBMIT_TO_TESTFLIGHT
from bot.clock import SystemClock
from bot.sandbox.slack.models import Message
from bot.sandbox.world import DEMO_CHANNEL, World

BUNDLE_ID = "com.example.demo"
_LINK = re.compile(r"<([^|>]+)\|([^>]+)>")
_MENTION = re.compile(r"<@([A-Z0-9]+)>")
PEOPLE = {"U0ALICE": "alice"}


def plain(text: str) -> str:
    """Slack mrkdwn as a terminal shows it: links as 'text (url)', mentions as @user, no asterisks."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = _MENTION.sub(lambda m: "@" + PEOPLE.get(m.group(1), m.group(1)), text)
    return (
        text.replace("*", "").replace("`", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )


def render(message: Message) -> list[str]:
    lines: list[str] = []
    for block in message.blocks or []:
        kind = block.get("type")
        if kind == "header":
            lines.append(block["text"]["text"])
        elif kind == "section" and block.get("text"):
            lines += plain(block["text"]["text"]).splitlines()
        elif kind == "context":
            lines.append("  ".join(plain(e.get("text", "")) for e in block.get("elements", [])))
        elif kind == "actions":
            lines.append(
                " ".join(
                    f"[ {e['text']['text']} ]" for e in block.get("elements", []) if e.get("type") == "button"
                )
            )
    return lines or plain(message.text).splitlines()


class Terminal:
    """Prints messages, edits and thread replies as they reach the simulated Slack."""

    def __init__(self, out: Any = sys.stdout) -> None:
        self.out = out

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def posted(self, message: Message) -> None:
        if message.ephemeral_to:
            self.say(f"   (only @{message.ephemeral_to} sees) {plain(message.text)}")
        elif message.thread_ts and message.thread_ts != message.ts:
            where = " (also sent to #releases)" if message.reply_broadcast else ""
            self.say(f"   ↳ thread{where}: {plain(message.text)}")
        else:
            self.say("\n#releases · asc-bot posted:")
            for line in render(message):
                self.say(f"│ {line}")

    def updated(self, message: Message) -> None:
        if message.thread_ts and message.thread_ts != message.ts:
            return
        self.say("#releases · the message was updated:")
        for line in render(message):
            self.say(f"│ {line}")


async def run_demo(*, port: int = 0, processing: float = 8.0, once: bool = False) -> int:
    term = Terminal()
    logsetup.configure(logging.WARNING)
    world = World(
        SystemClock(), poll_interval=2.0, build_appear_delay=3.0, processing_time=processing, tick=1.0
    )
    await world.start()
    bot = world.bot
    assert bot is not None, "World.start() starts the bot"
    try:
        world.slack.workspace.on_post = term.posted
        world.slack.workspace.on_update = term.updated
        world.asc.beta_review_time = 4.0  # Apple's beta review, compressed into seconds
        world.asc.add_app(BUNDLE_ID, name="Demo App")
        world.asc.add_beta_group(world.asc.app_id_for(BUNDLE_ID), "QA", internal=True)
        term.say("asc-bot demo: a simulated App Store Connect and Slack on this machine; nothing leaves it.")
        term.say(f"bot listening on {bot.url} (Ctrl-C to stop)\n")
        payload = world.upload_payload(BUNDLE_ID, "1.0.0", "1")
        term.say("CI uploads build 1.0.0 (1) and calls POST /webhooks/build-uploaded …")
        world.asc.upload_build(BUNDLE_ID, version="1.0.0", build_number="1", platform="IOS")
        response = await world.send_upload(payload)
        term.say(f"  ← {response.status_code} {response.text}")
        publication_id = response.json()["publication_id"]
        await wait_for_state(world, publication_id, ("ready",), within=processing + 120)
        message = next(m for m in world.slack.messages[DEMO_CHANNEL] if not m.thread_ts)
        term.say("\n👤 @alice clicks [ Submit to TestFlight ]")
        answer = await world.slack.click_button(world.events_url, message, SUBMIT_TO_TESTFLIGHT, user="U0ALICE")
        term.say(f"  ← Slack got the bot's ack in {answer.elapsed_seconds * 1000:.0f} ms")
        await wait_for_state(world, publication_id, ("done", "failed"), within=60)
        await bot.engine.sweep()  # delivers the last thread replies before the summary
        term.say(
            "\nThe simulated App Store Connect now has "
            f"{world.asc.count('POST', r'^/v1/betaAppReviewSubmissions$')} beta review submission(s) "
            f"after {len(world.asc.exchanges)} API requests."
        )
        if not once:
            term.say("Demo finished; the bot keeps running. Press Ctrl-C to stop.")
            await asyncio.Event().wait()
        return 0
    finally:
        await world.stop()


async def wait_for_state(world: World, publication_id: str, states: tuple[str, ...], within: float) -> None:
    async with asyncio.timeout(within):
        while True:
            assert world.bot is not None
            pub = await world.bot.storage.get(publication_id)
            if pub is not None and pub.state in states:
                return
            await asyncio.sleep(0.25)
