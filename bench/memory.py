"""Benchmark 6: resident memory of the bot process with 10,000 stored publications and 1,000 in flight.

The simulators run in this process; the bot runs alone in its own (`python -m bot.cli serve`), so
its resident set is measured from /proc without the simulators in it. Steps:

1. Measure a bare Bolt app process (the baseline) and the bot idle on an empty database.
2. Fill a database through the bot's own intake and repository: 9,000 publications that are over
   (state done, Slack message and thread replies already delivered, as after weeks of use) and
   1,000 whose builds are uploaded to the simulator over 10 apps and stay in processing.
3. Start the bot on that database and sample VmRSS every 0.2 s while it works through it: it draws
   1,000 Slack messages, finds the 1,000 builds and polls them in batches, until two batched polls
   have run after the last message was drawn.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
from pathlib import Path

from bench.common import ROOT, Result, Table, cli, free_port, memory_kib, ratio
from bot.clock import SystemClock
from bot.engine.intake import parse_notice
from bot.sandbox.world import DEMO_CHANNEL, World

PAST = "com.example.past"


def bot_env(world: World, db_path: str) -> dict[str, str]:
    """The environment `asc-bot serve` needs to run against the world's simulators."""
    assert world.config is not None
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ASC_", "APP_STORE_"))},
        "SLACK_BOT_TOKEN": world.config.slack_bot_token or "",
        "SLACK_SIGNING_SECRET": world.signing_secret,
        "SLACK_API_URL": world.slack.api_url,
        "SLACK_CHANNEL": DEMO_CHANNEL,
        "APP_STORE_CONNECT_API_KEY_ISSUER_ID": world.key.issuer_id or "",
        "APP_STORE_CONNECT_API_KEY_KEY_ID": world.key.key_id,
        "APP_STORE_CONNECT_API_KEY_KEY": world.key.private_key,
        "ASC_API_URL": world.asc.base_url,
        "ASC_BOT_WEBHOOK_SECRET": world.webhook_secret,
        "ASC_BOT_DB": db_path,
        "ASC_BOT_POLL_INTERVAL": "5",
        "NO_PROXY": "127.0.0.1",
    }


async def start_process(
    argv: list[str], env: dict[str, str], port: int, log: Path, started: list[asyncio.subprocess.Process]
) -> asyncio.subprocess.Process:
    """Start a server process (its log goes to `log`) and wait until it listens on `port`.

    It is added to `started` at once, so the caller stops it even when it never comes up.
    """
    with log.open("ab") as sink:
        proc = await asyncio.create_subprocess_exec(
            *argv, cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=sink
        )
    started.append(proc)
    for _ in range(600):
        if proc.returncode is not None:
            raise RuntimeError(f"{argv} exited; see {log}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return proc
    raise RuntimeError(f"{argv} did not start within 60 s; see {log}")


def serve(port: int) -> list[str]:
    return [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]


async def stop_process(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def settle_rss(pid: int, seconds: float = 2.0) -> int:
    """Resident KiB after the process has been idle for a moment."""
    await asyncio.sleep(seconds)
    return memory_kib(pid)["VmRSS"]


async def fill(world: World, stored: int, in_flight: int, apps: int) -> None:
    """Publications made by the bot's own intake; the finished ones are marked over and delivered."""
    assert world.bot is not None
    engine, storage, now = world.bot.engine, world.bot.storage, world.clock.now()
    for n in range(stored):
        intake = await engine.intake(parse_notice(world.upload_payload(PAST, "1.0.0", str(n + 1)), now=now))
        await storage.update(
            intake.publication.id,
            now,
            state="done",
            finished_at=now,
            next_poll_at=None,
            message_ts=f"1700000000.{n:06d}",
            message_dirty=0,
        )
    while events := await storage.undelivered(limit=1000):
        for event in events:
            await storage.mark_delivered(event.id, now)
    for n in range(in_flight):
        bundle = f"com.example.app{n % apps}"
        payload = world.upload_payload(bundle, "2.0.0", str(n + 1), publishing={"submit_to_testflight": True})
        await engine.intake(parse_notice(payload, now=now))
        world.asc.upload_build(bundle, version="2.0.0", build_number=str(n + 1), appear_delay=0)


async def run(args: argparse.Namespace) -> Result:
    stored, in_flight, apps = args.stored - args.in_flight, args.in_flight, 10
    world = await World(
        SystemClock(), scheduler=False, processing_time=4 * 3600, build_appear_delay=0
    ).start()
    world.asc.record_bodies = False
    tmp = Path(world.db_path).parent
    samples: list[int] = []
    started: list[asyncio.subprocess.Process] = []
    try:
        assert world.bot is not None
        for n in range(apps):
            world.asc.add_app(f"com.example.app{n}", name=f"App {n}")

        port = free_port()
        bolt = [
            sys.executable,
            "-m",
            "bench.baselines",
            "bolt",
            str(port),
            world.signing_secret,
            world.slack.api_url,
        ]
        proc = await start_process(bolt, dict(os.environ), port, tmp / "bolt.log", started)
        bare_kib = await settle_rss(proc.pid)
        await stop_process(proc)

        port = free_port()
        proc = await start_process(
            serve(port), bot_env(world, str(tmp / "empty.db")), port, tmp / "bot.log", started
        )
        idle_kib = await settle_rss(proc.pid)
        await stop_process(proc)

        await fill(world, stored, in_flight, apps)
        await world.stop_bot()
        db_size = sum(f.stat().st_size for f in tmp.glob("asc-bot.db*"))
        posted_before = len(world.slack.calls_to("chat.postMessage"))
        world.asc.reset_log()

        port = free_port()
        proc = await start_process(serve(port), bot_env(world, world.db_path), port, tmp / "bot.log", started)
        polls_after_drawn, drawn_at = 0, None
        for _ in range(int(args.max_seconds / 0.2)):
            samples.append(memory_kib(proc.pid)["VmRSS"])
            posted = len(world.slack.calls_to("chat.postMessage")) - posted_before
            polls = sum(
                1 for e in world.asc.exchanges if e.path == "/v1/builds" and "filter[id]" in dict(e.query)
            )
            if drawn_at is None and posted >= in_flight:
                drawn_at = polls
            if drawn_at is not None:
                polls_after_drawn = polls - drawn_at
                if polls_after_drawn >= 2 * math.ceil(in_flight / 200):  # two full polling rounds
                    break
            await asyncio.sleep(0.2)
        peak = memory_kib(proc.pid)["VmHWM"]
        await stop_process(proc)
    finally:
        for proc in started:
            await stop_process(proc)
        await world.stop()

    mib = 1024
    table = Table(
        f"Resident memory of the bot process, {args.stored:,} stored publications, {in_flight:,} in flight",
        ["process", "resident MiB"],
    )
    table.add("bare Bolt app (baseline)", bare_kib / mib)
    table.add("asc-bot, empty database", idle_kib / mib)
    table.add(f"asc-bot, {args.stored:,} stored / {in_flight:,} in flight (last sample)", samples[-1] / mib)
    table.add("asc-bot, same, peak (VmHWM)", peak / mib)
    return Result(
        "memory",
        "6. Memory",
        [table],
        ratios={
            "loaded asc-bot / bare Bolt app": ratio(samples[-1], bare_kib),
            "loaded / empty asc-bot": ratio(samples[-1], idle_kib),
        },
        notes=[
            f"database on disk: {db_size / 1024 / 1024:.1f} MiB; {len(samples)} samples over the run; "
            f"{polls_after_drawn} batched build polls (up to 200 builds each) after the {in_flight:,} "
            "messages were drawn.",
        ],
        data={"bare_mib": bare_kib / mib, "idle_mib": idle_kib / mib, "loaded_mib": samples[-1] / mib},
    )


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stored", type=int, default=10_000, help="publications in the database (10000)")
    parser.add_argument("--in-flight", type=int, default=1_000, help="of which in flight (1000)")
    parser.add_argument("--max-seconds", type=float, default=90, help="cap on the measured run (90)")


if __name__ == "__main__":
    cli(run, __doc__ or "", options)
