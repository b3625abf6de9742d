"""SIGKILL the real `asc-bot serve` process during Slack calls, over and over: no post appears twice.

The Slack simulator kills the bot process from inside chat.postMessage, after the message was
stored and before the answer goes out (the post happened, the bot never learns its ts). A new
process on the same database must find its own post by message metadata instead of posting again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import time
from collections import Counter
from pathlib import Path

import httpx

from bench.processes import Servers
from bot.clock import SystemClock
from bot.sandbox.slack import Message
from bot.sandbox.world import DEMO_CHANNEL, World
from bot.signatures import sign_ci
from storage.database import Store
from storage.repository import Storage

PUBLICATIONS = 30
KILLS = 40


def outbox_id(message: Message) -> str | None:
    return ((message.metadata or {}).get("event_payload") or {}).get("outbox_id")


async def settled(storage: Storage) -> bool:
    pubs = await storage.list(active_only=False, limit=1000)
    return (
        len(pubs) == PUBLICATIONS
        and all(p.message_ts for p in pubs)
        and not await storage.undelivered()
        and not await storage.dirty_messages()
    )


async def test_sigkill_during_posts_never_duplicates_a_message(tmp_path: Path) -> None:
    world = await World(SystemClock(), build_appear_delay=0.3, processing_time=0.6, poll_interval=1.0).start()
    await world.stop_bot()  # the bot runs as its own process below
    storage = Storage(Store(world.db_path))
    await storage.store.open()
    killed: set[int] = set()
    kills = 0
    armed = False  # not while the webhooks go in: their answers are what the test reads
    servers = Servers(tmp_path)

    def kill_mid_post(message: Message) -> None:
        # The newest process is the victim from the moment it exists: a restarted bot posts before
        # the test loop sees it listening, and a post it made unharmed would be a kill missed.
        nonlocal kills
        if not armed or message.via != "chat.postMessage" or kills >= KILLS or not servers.started:
            return
        pid = servers.started[-1].pid
        if pid not in killed:
            killed.add(pid)
            os.kill(pid, signal.SIGKILL)  # the message is stored; its answer is never read
            kills += 1

    world.slack.on_post = kill_mid_post
    try:
        async with servers, httpx.AsyncClient(timeout=10) as http:
            proc, url = await servers.bot(world, world.db_path, poll_interval=1.0)
            world.asc.add_app("com.example.kill", name="Kill")
            for n in range(PUBLICATIONS):
                payload = world.upload_payload(
                    "com.example.kill", "2.0", str(n + 1), publishing={"submit_to_testflight": True}
                )
                body = json.dumps(payload).encode()
                headers = {
                    "Content-Type": "application/json",
                    **sign_ci(world.webhook_secret, body, int(time.time())),
                }
                answer = await http.post(f"{url}/webhooks/build-uploaded", content=body, headers=headers)
                assert answer.status_code == 202, answer.text
                world.asc.upload_build(
                    "com.example.kill", version="2.0", build_number=str(n + 1), platform="IOS"
                )
            restarts = idle = 0
            armed = True
            while True:
                try:
                    await asyncio.wait_for(proc.wait(), 1.0)
                except TimeoutError:
                    if kills >= KILLS and await settled(storage):
                        break
                    idle += 1
                    assert idle < 30, f"nothing more to post after {kills} kills"
                    continue
                idle = 0
                assert proc.returncode == -signal.SIGKILL
                proc, url = await servers.bot(world, world.db_path, poll_interval=1.0)
                restarts += 1
    finally:
        await storage.store.close()
        await world.stop()

    messages = [m for m in world.slack.messages[DEMO_CHANNEL] if m.via == "chat.postMessage"]
    tags = Counter(outbox_id(m) for m in messages)
    duplicates = {tag: n for tag, n in tags.items() if n > 1}
    top_level = [m for m in messages if not m.is_reply]
    replies = [m for m in messages if m.is_reply]
    logging.getLogger(__name__).warning(
        "kills=%d posts=%d top-level=%d replies=%d", kills, len(messages), len(top_level), len(replies)
    )
    assert kills == KILLS
    assert None not in tags  # every post is tagged with its outbox id
    assert duplicates == {}
    assert len(top_level) == PUBLICATIONS
