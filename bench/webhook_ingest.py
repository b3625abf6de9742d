"""Benchmark 5: build-uploaded webhook ingest, against a bare aiohttp handler that answers 202.

The bot checks each webhook's HMAC signature and timestamp, validates it field by field and commits
the publication, its steps, an audit event and the delivery id to SQLite (WAL, synchronous=FULL)
before answering 202. Its scheduler is off, so the numbers are ingest alone (no polling or Slack
posts running beside it). The same signed requests then go to a handler that answers 202 and does
nothing. Requests come from a separate load-generator process, `--concurrency` at a time, after a
discarded warm-up round.
"""

from __future__ import annotations

import argparse

from bench.baselines import bare_aiohttp
from bench.common import Result, Table, cli, ms, percentile, ratio
from bench.harness import LoadGen, Served, ci_webhook
from bot.clock import SystemClock
from bot.sandbox.world import World

BUNDLE = "com.example.ingest"


async def run(args: argparse.Namespace) -> Result:
    total, warmup, concurrency = args.webhooks, args.warmup, args.concurrency
    world = await World(SystemClock(), scheduler=False).start()
    baseline = await Served(bare_aiohttp()).start()
    results = {}
    try:
        assert world.bot is not None
        options = {"submit_to_testflight": True, "beta_groups": ["QA"]}
        notes = [{"language": "en-US", "text": "What to test in this build"}]
        payloads = [
            world.upload_payload(BUNDLE, "5.0.0", str(n), publishing=options, release_notes=notes)
            for n in range(1, warmup + total + 1)
        ]
        for name, url in (
            ("asc-bot", f"{world.bot.url}/webhooks/build-uploaded"),
            ("bare aiohttp", f"{baseline.url}/webhooks/build-uploaded"),
        ):
            async with LoadGen(concurrency) as load:
                await load.fire([ci_webhook(url, p, world.webhook_secret) for p in payloads[:warmup]])
                signed = [ci_webhook(url, p, world.webhook_secret) for p in payloads[warmup:]]
                results[name] = await load.fire(signed)
        stored = (await world.bot.storage.counts())["publications"]
    finally:
        await baseline.stop()
        await world.stop()

    bot, base = results["asc-bot"], results["bare aiohttp"]
    table = Table(
        f"Webhook ingest, {total:,} signed webhooks, {concurrency} at a time",
        ["server", "webhooks/s", "p50 ms", "p99 ms", "answers"],
    )
    for name, label in (("asc-bot", "asc-bot (durable)"), ("bare aiohttp", "bare aiohttp 202, no work")):
        r = results[name]
        answers = ", ".join(f"{n}x {s}" for s, n in sorted(r["statuses"].items()))
        table.add(
            label,
            total / r["wall"],
            ms(percentile(r["latencies"], 50)),
            ms(percentile(r["latencies"], 99)),
            answers,
        )
    return Result(
        "webhook_ingest",
        "5. Webhook ingest",
        [table],
        ratios={
            "throughput, asc-bot / bare aiohttp": ratio(base["wall"], bot["wall"]),
            "p50 latency, asc-bot / bare aiohttp": ratio(
                percentile(bot["latencies"], 50), percentile(base["latencies"], 50)
            ),
        },
        notes=[
            f"{stored:,} publications stored by the bot (warm-up included); every 202 was committed first.",
            "asc-bot: signature + timestamp check, validation, one SQLite transaction (WAL, synchronous=FULL).",
        ],
        data={"bot_per_s": total / bot["wall"], "base_per_s": total / base["wall"]},
    )


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--webhooks", type=int, default=2000, help="measured webhooks (2000)")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up webhooks, not counted (200)")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight (32)")


if __name__ == "__main__":
    cli(run, __doc__ or "", options)
