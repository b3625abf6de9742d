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
from pathlib import Path

from bench.common import Result, Table, cli, memory_kib, ratio
from bench.processes import Servers
from bot.clock import SystemClock
from bot.engine.intake import parse_notice
from bot.sandbox.world import World

PAST = "com.example.past"


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
    try:
        async with Servers(tmp) as servers:
            assert world.bot is not None
            for n in range(apps):
                world.asc.add_app(f"com.example.app{n}", name=f"App {n}")

            proc, _ = await servers.bare_bolt(world)
            bare_kib = await settle_rss(proc.pid)
            await servers.stop(proc)

            proc, _ = await servers.bot(world, str(tmp / "empty.db"), poll_interval=5)
            idle_kib = await settle_rss(proc.pid)
            await servers.stop(proc)

            await fill(world, stored, in_flight, apps)
            await world.stop_bot()
            db_size = sum(f.stat().st_size for f in tmp.glob("asc-bot.db*"))
            posted_before = len(world.slack.calls_to("chat.postMessage"))
            world.asc.reset_log()

            proc, _ = await servers.bot(world, world.db_path, poll_interval=5)
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
    finally:
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
