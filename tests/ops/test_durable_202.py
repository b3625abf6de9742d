"""Every 202 is durable: a real `asc-bot serve` killed (SIGKILL) in the middle of a burst of webhooks
has every publication it answered for in its database, with its steps and its delivery id.

The intakes commit in groups (storage/database.py, `Store.call_grouped`); an answer sent before its
group's commit would name a publication the killed process never stored.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import httpx
import pytest

from bench.processes import bot_env
from bot.clock import SystemClock
from bot.sandbox.world import World
from bot.signatures import sign_ci
from tests.ops.test_sigterm import sims, start

__all__ = ["sims"]  # the simulators' fixture, shared with the SIGTERM test
BUNDLE = "com.example.app"


async def test_a_killed_bot_stored_every_publication_it_answered_for(sims: World, tmp_path: Path) -> None:
    db_path, log = str(tmp_path / "bot.db"), tmp_path / "bot.log"
    sims.asc.add_app(BUNDLE, name="Example")
    proc, url = await start(bot_env(sims, db_path, poll_interval=600), log)
    answered: dict[str, str] = {}  # publication id -> delivery id
    refused: list[str] = []
    enough = asyncio.Event()
    gate = asyncio.Semaphore(32)  # in flight at a time; the rest wait here, not in httpx's pool

    async def send(http: httpx.AsyncClient, n: int) -> None:
        payload = sims.upload_payload(
            BUNDLE, "7.0.0", str(n), publishing={"submit_to_testflight": True, "beta_groups": ["QA"]}
        )
        payload["delivery_id"] = f"burst-{n}"
        body = json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            **sign_ci(sims.webhook_secret, body, int(SystemClock().now().timestamp())),
        }
        if enough.is_set():
            return
        try:
            async with gate:
                reply = await http.post(url + "/webhooks/build-uploaded", content=body, headers=headers)
        except httpx.HTTPError:
            return  # in flight when the process died: never answered, so nothing was promised
        if reply.status_code != 202:
            refused.append(f"{reply.status_code} {reply.text}")
            enough.set()
            return
        answered[reply.json()["publication_id"]] = payload["delivery_id"]
        if len(answered) >= 150:
            enough.set()

    try:
        limits = httpx.Limits(max_connections=32)
        async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(60, pool=None)) as http:
            burst = asyncio.gather(*(send(http, n) for n in range(1, 1001)))
            await asyncio.wait_for(enough.wait(), 600)  # a loaded machine is slow, never this slow
            proc.kill()  # no shutdown, no flush: only what was committed survives
            await proc.wait()
            await burst
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert refused == []
    assert 150 <= len(answered) < 1000  # killed in the middle of the burst
    with sqlite3.connect(db_path) as db:
        stored = {row[0] for row in db.execute("select id from publications")}
        steps = dict(db.execute("select publication_id, count(*) from actions group by publication_id"))
        deliveries = dict(db.execute("select delivery_id, publication_id from deliveries where source = 'ci'"))
    missing = set(answered) - stored
    assert not missing, f"{len(missing)} of {len(answered)} answered publications were not stored"
    assert all(steps.get(pub) == 2 for pub in answered)
    assert all(deliveries.get(delivery) == pub for pub, delivery in answered.items())


async def test_each_answer_comes_after_its_commit(world: World) -> None:
    """Read from another connection the moment each 202 arrives: it sees only committed data."""
    if world.db_path.startswith(("postgresql://", "postgres://")):
        pytest.skip("reads the SQLite file from a second connection")
    unseen: list[str] = []

    async def send(n: int) -> None:
        reply = await world.send_upload(world.upload_payload(BUNDLE, "8.0.0", str(n)))
        assert reply.status_code == 202, reply.text
        pub = reply.json()["publication_id"]
        with sqlite3.connect(f"file:{world.db_path}?mode=ro", uri=True) as db:
            if db.execute("select 1 from publications where id = ?", [pub]).fetchone() is None:
                unseen.append(pub)

    for burst in range(5):  # bursts: the groups of each end while nothing else is waiting
        await asyncio.gather(*(send(n) for n in range(burst * 40, burst * 40 + 40)))
    assert unseen == []
