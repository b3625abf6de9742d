"""Benchmark 7: the same bot on SQLite and on PostgreSQL, in one run: webhook ingest and sweep throughput.

Ingest: `--webhooks` signed build-uploaded webhooks, `--concurrency` at a time from a separate
load-generator process, each committed (publication, steps, audit event, delivery id) before its
202. Sweep: every one of those publications is then due with its build uploaded; the time of one
sweep that polls them all (one batched read per key, one compare-and-set per publication, claims
and leases included) gives publications swept per second. SQLite is the baseline; PostgreSQL is a
throwaway local server (bot/sandbox/postgres.py), REPEATABLE READ, fsync on, over TCP on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import time

from bench.common import Result, Table, cli, ms, percentile, ratio
from bench.harness import LoadGen, ci_webhook
from bot.clock import SystemClock
from bot.sandbox.postgres import PostgresServer
from bot.sandbox.world import World

BUNDLE = "com.example.engines"


async def measure(db: str | None, args: argparse.Namespace) -> dict[str, float]:
    world = await World(
        SystemClock(), db_path=db, scheduler=False, build_appear_delay=0, processing_time=3600
    ).start()
    try:
        assert world.bot is not None
        world.asc.add_app(BUNDLE, name="Engines")
        total, warmup = args.webhooks, args.warmup
        payloads = [
            world.upload_payload(BUNDLE, "7.0.0", str(n), publishing={"submit_to_testflight": True})
            for n in range(1, warmup + total + 1)
        ]
        url = f"{world.bot.url}/webhooks/build-uploaded"
        async with LoadGen(args.concurrency) as load:
            await load.fire([ci_webhook(url, p, world.webhook_secret) for p in payloads[:warmup]])
            fired = await load.fire([ci_webhook(url, p, world.webhook_secret) for p in payloads[warmup:]])
        for n in range(1, warmup + total + 1):
            world.asc.upload_build(BUNDLE, version="7.0.0", build_number=str(n), platform="IOS")
        due = len(await world.bot.storage.due(world.clock.now()))
        started = time.perf_counter()
        await world.bot.engine.sweep()
        swept = time.perf_counter() - started
        processing = [p for p in await world.bot.storage.list(limit=100_000) if p.state == "processing"]
        return {
            "ingest_per_s": total / fired["wall"],
            "p50": ms(percentile(fired["latencies"], 50)),
            "p99": ms(percentile(fired["latencies"], 99)),
            "ok": sum(n for s, n in fired["statuses"].items() if int(s) == 202),
            "due": due,
            "moved": len(processing),
            "sweep_s": swept,
            "sweep_per_s": due / swept if swept else 0.0,
        }
    finally:
        await world.stop()


async def run(args: argparse.Namespace) -> Result:
    server = PostgresServer().start()
    try:
        pg_url = server.new_database()
        results = {"SQLite": await measure(None, args), "PostgreSQL": await measure(pg_url, args)}
    finally:
        server.stop()
    table = Table(
        f"Storage engines, {args.webhooks:,} webhooks ({args.concurrency} at a time), then one sweep over all",
        ["engine", "webhooks/s", "p50 ms", "p99 ms", "202s", "sweep: publications/s", "moved to processing"],
    )
    for name, r in results.items():
        table.add(name, r["ingest_per_s"], r["p50"], r["p99"], r["ok"], r["sweep_per_s"], f"{r['moved']}/{r['due']}")
    sq, pg = results["SQLite"], results["PostgreSQL"]
    return Result(
        "storage_engines",
        "7. SQLite vs PostgreSQL",
        [table],
        ratios={
            "ingest throughput, PostgreSQL / SQLite": ratio(pg["ingest_per_s"], sq["ingest_per_s"]),
            "sweep throughput, PostgreSQL / SQLite": ratio(pg["sweep_per_s"], sq["sweep_per_s"]),
        },
        notes=[
            "SQLite: one writer thread, WAL, synchronous=FULL. PostgreSQL: a pool of 4 connections,"
            " REPEATABLE READ transactions retried when aborted, fsync on, local server over TCP.",
            "The sweep claims every due publication with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL).",
        ],
        data=results,
    )


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--webhooks", type=int, default=1000, help="measured webhooks (1000)")
    parser.add_argument("--warmup", type=int, default=100, help="warm-up webhooks, not counted (100)")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight (32)")


if __name__ == "__main__":
    cli(run, __doc__ or "", options)
