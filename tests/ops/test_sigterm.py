"""Issue 16: a real `asc-bot serve` process stops on SIGTERM with exit 0, and the next start resumes."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bench.common import free_port
from bench.processes import bot_env
from bot.clock import SystemClock
from bot.sandbox.world import DEMO_CHANNEL, World
from bot.signatures import sign_ci

ROOT = Path(__file__).resolve().parents[2]
BETA_POSTS = r"^/v1/betaAppReviewSubmissions$"


async def start(env: dict[str, str], log: Path) -> tuple[asyncio.subprocess.Process, str]:
    port = free_port()
    argv = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("ab") as sink:
        proc = await asyncio.create_subprocess_exec(*argv, cwd=ROOT, env=env, stderr=sink)
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            assert proc.returncode is None, log.read_text()
            try:
                if (await http.get(url + "/healthz")).status_code == 200:
                    return proc, url
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"the bot did not start: {log.read_text()}")


async def until(check, what: str, rounds: int = 300) -> None:
    for _ in range(rounds):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never happened: {what}")


async def sigterm(proc: asyncio.subprocess.Process) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(proc.wait(), 30)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise


@pytest.fixture
async def sims() -> AsyncIterator[World]:
    w = await World(SystemClock(), build_appear_delay=0.2, processing_time=0.5, scheduler=False).start()
    await w.stop_bot()  # only the simulators: the bot runs in its own process
    try:
        yield w
    finally:
        await w.stop()


async def test_sigterm_exits_0_and_the_next_start_finishes_the_work(sims: World, tmp_path: Path) -> None:
    db_path, log = str(tmp_path / "bot.db"), tmp_path / "bot.log"
    env = {**bot_env(sims, db_path, poll_interval=1), "ASC_BOT_LOG_FORMAT": "json"}
    sims.asc.add_app("com.example.app", name="Example")
    proc, url = await start(env, log)
    try:
        payload = sims.upload_payload(
            "com.example.app", "3.0.0", "30", publishing={"submit_to_testflight": True}
        )
        body = json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            **sign_ci(sims.webhook_secret, body, int(SystemClock().now().timestamp())),
        }
        async with httpx.AsyncClient() as http:
            created = await http.post(url + "/webhooks/build-uploaded", content=body, headers=headers)
        assert created.status_code == 202, created.text

        async def posted() -> bool:
            return bool(sims.slack.messages.get(DEMO_CHANNEL))

        await until(posted, "the publication message is posted")
        assert await sigterm(proc) == 0, log.read_text()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert any(line["message"] == "stopping" for line in lines)
    with sqlite3.connect(db_path) as db:
        (state,) = db.execute("select state from publications").fetchone()
    assert state == "waiting_for_build"

    # While the bot is down the build is uploaded; the next start picks the publication up.
    sims.asc.upload_build("com.example.app", version="3.0.0", build_number="30", platform="IOS")
    proc, url = await start(env, log)
    try:

        async def submitted() -> bool:
            with sqlite3.connect(db_path) as db:
                row = db.execute("select status from actions where kind = 'submit_to_testflight'").fetchone()
            return row is not None and row[0] == "succeeded"

        await until(submitted, "the TestFlight step succeeds after the restart", rounds=600)
        assert await sigterm(proc) == 0, log.read_text()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert sims.asc.count("POST", BETA_POSTS) == 1
    root = next(m for m in sims.slack.messages[DEMO_CHANNEL] if not m.thread_ts)
    replies = [m.text for m in sims.slack.thread(DEMO_CHANNEL, root.ts)]
    assert any("Submitted to TestFlight" in t for t in replies), replies  # flushed before exit
