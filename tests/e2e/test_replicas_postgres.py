"""Issue 15: three real `asc-bot serve` replicas on one PostgreSQL; one is SIGKILLed again and again.

40 publications with every step (What to Test, beta review, beta groups, App Store version with
phased release, review submission, followed to the end). While they run, a random replica is
killed at a random moment at least 20 times and started again. Every publication must finish, each
App Store Connect create or submit must be accepted exactly once, and each Slack post appear once:
the leases (a dead replica's run out and are taken over) and the reads before writes make it so.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.processes import Process, Servers
from bot.clock import SystemClock
from bot.engine.phased import follows_phased
from bot.sandbox.postgres import PostgresServer
from bot.sandbox.slack import Message
from bot.sandbox.world import World
from bot.signatures import sign_ci
from storage.database import make_store
from storage.records import Publication
from storage.repository import Storage
from tests.engine.test_crash import EVERY_STEP, accepted

PUBLICATIONS = 40
REPLICAS = 3
KILLS = 20
CHANNELS = [f"C0HA{n:04d}" for n in range(10)]  # Slack paces posts per channel (about one a second)
LEASE = "5"  # seconds: a dead replica's work is taken over this long after it died


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> Iterator[str]:
    url = pg_server.new_database()
    yield url
    pg_server.drop_database(url)


def outbox_id(message: Message) -> str | None:
    return ((message.metadata or {}).get("event_payload") or {}).get("outbox_id")


async def over(storage: Storage, pub: Publication) -> bool:
    """Done, or every step over and only the live version's phased release followed (once a day)."""
    if pub.state == "done":
        return True
    return follows_phased(pub) and not any(a.is_open for a in await storage.actions(pub.id))


async def finished(storage: Storage) -> bool:
    pubs = await storage.list(active_only=False, limit=1000)
    return (
        len(pubs) == PUBLICATIONS
        and all(p.message_ts for p in pubs)
        and all([await over(storage, p) for p in pubs])
        and not await storage.undelivered()
        and not await storage.dirty_messages()
    )


async def test_replicas_on_postgres_survive_sigkills_and_do_everything_once(
    tmp_path: Path, pg_url: str
) -> None:
    rng = random.Random(15)
    began = time.monotonic()
    world = World(
        SystemClock(),
        db_path=pg_url,
        build_appear_delay=0.3,
        processing_time=0.6,
        poll_interval=1.0,
        hourly_limit=1_000_000,
    )
    await world.start()
    await world.stop_bot()  # the bots run as their own processes below
    for channel in CHANNELS:
        world.slack.add_channel(channel, channel.lower())
    # Slack's per-method tiers (chat.update: 50 a minute) would stretch 40 publications' posts over
    # ten minutes; what is tested here is once-only across replicas, which they do not change.
    world.slack.rate_limits.enabled = False
    world.asc.beta_review_time = 1.0
    world.asc.app_review_time = 1.0
    storage = Storage(make_store(pg_url))
    await storage.store.open()
    env = {"ASC_BOT_LEASE_SECONDS": LEASE, "ASC_BOT_FOLLOW_INTERVAL": "1"}
    kills = 0
    try:
        async with Servers(tmp_path) as servers, httpx.AsyncClient(timeout=10) as http:
            replicas: list[tuple[Process, str]] = [
                await servers.bot(world, pg_url, 1.0, env, f"bot{n}.log") for n in range(REPLICAS)
            ]
            for i in range(PUBLICATIONS):
                bundle = f"com.example.ha{i}"
                # Store text in both locales the notes name: App Review refuses a locale without it.
                app_id = world.asc.add_app(bundle, name=f"HA {i}", other_locales=("de-DE",))
                world.asc.add_beta_group(app_id, "QA", internal=True)
                world.asc.add_beta_group(app_id, "Beta", internal=False)
                payload = world.upload_payload(
                    bundle,
                    "3.0.0",
                    str(i + 1),
                    publishing=EVERY_STEP,
                    channel=CHANNELS[i % len(CHANNELS)],
                    release_notes=[
                        {"language": "en-US", "text": f"Build {i}"},
                        {"language": "de-DE", "text": "Neu"},
                    ],
                )
                body = json.dumps(payload).encode()
                headers = {
                    "Content-Type": "application/json",
                    **sign_ci(world.webhook_secret, body, int(time.time())),
                }
                _, url = replicas[i % REPLICAS]  # spread over the replicas: all of them take webhooks
                answer = await http.post(f"{url}/webhooks/build-uploaded", content=body, headers=headers)
                assert answer.status_code == 202, answer.text
                world.asc.upload_build(bundle, version="3.0.0", build_number=str(i + 1), platform="IOS")

            deadline = time.monotonic() + 150
            while not (kills >= KILLS and await finished(storage)):
                assert time.monotonic() < deadline, f"not finished after {kills} kills"
                await asyncio.sleep(rng.uniform(0.1, 0.8) if kills < KILLS else 0.3)
                if kills >= KILLS:
                    continue
                n = rng.randrange(REPLICAS)
                victim, _ = replicas[n]
                victim.send_signal(signal.SIGKILL)  # at a random moment: mid-step, mid-post, mid-poll
                await victim.wait()
                assert victim.returncode == -signal.SIGKILL
                kills += 1
                replicas[n] = await servers.bot(world, pg_url, 1.0, env, f"bot{n}.log")
            for proc, _ in replicas:
                assert proc.returncode is None  # nobody died on their own
    finally:
        await storage.store.close()
        await world.stop()

    assert kills >= KILLS
    # Each create and submit accepted by App Store Connect exactly once per build.
    assert accepted(world, "POST", r"^/v1/betaAppReviewSubmissions$") == PUBLICATIONS
    assert accepted(world, "POST", r"^/v1/betaBuildLocalizations$") == PUBLICATIONS  # de-DE; en-US updated
    assert accepted(world, "POST", r"^/v1/builds/[^/]+/relationships/betaGroups$") == PUBLICATIONS
    assert accepted(world, "POST", r"^/v1/appStoreVersions$") == PUBLICATIONS
    assert accepted(world, "POST", r"^/v1/appStoreVersionPhasedReleases$") == PUBLICATIONS
    assert accepted(world, "POST", r"^/v1/reviewSubmissions$") == PUBLICATIONS
    assert accepted(world, "POST", r"^/v1/reviewSubmissionItems$") == PUBLICATIONS
    submitted = accepted(world, "PATCH", r"^/v1/reviewSubmissions/", '"submitted": true') + accepted(
        world, "PATCH", r"^/v1/reviewSubmissions/", '"submitted":true'
    )
    assert submitted == PUBLICATIONS
    # Each Slack post once: one message per publication, each thread reply once.
    posts = [m for c in CHANNELS for m in world.slack.messages[c] if m.via == "chat.postMessage"]
    tags = Counter(outbox_id(m) for m in posts)
    assert None not in tags
    assert {tag: n for tag, n in tags.items() if n > 1} == {}
    assert len([m for m in posts if not m.is_reply]) == PUBLICATIONS
    logging.getLogger(__name__).warning(
        "kills=%d posts=%d seconds=%.1f", kills, len(posts), time.monotonic() - began
    )
