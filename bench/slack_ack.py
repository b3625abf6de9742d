"""Benchmark 4: Slack ack latency of 200 concurrent signed button clicks, against a bare Bolt app.

The bot runs in the sandbox world (real Bolt app, real engine and SQLite file; simulated Slack and App
Store Connect on loopback). Each round clicks *Submit to TestFlight* on 200 different publications at
once (after its ack the bot stores the request and opens the What to Test modal); the same clicks
then go to a bare Bolt app that only acks. Requests come from a separate load-generator process and
are signed just before each round is sent; latency is from sending a request to reading the whole
answer. Each measurement is preceded by a warm-up round (discarded) on the same connections.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from bench.baselines import bare_bolt
from bench.common import Result, Table, cli, ms, percentile, ratio
from bench.harness import LoadGen, Served, slack_click
from bot.blocks import TESTFLIGHT
from bot.clock import FakeClock
from bot.sandbox.world import DEMO_CHANNEL, World

BUNDLE = "com.example.clicks"


async def publications(world: World, count: int) -> list:
    """`count` publications with their Slack messages drawn; returns the messages, oldest first."""
    assert world.bot is not None
    for start in range(0, count, 100):
        await asyncio.gather(
            *(
                world.send_upload(world.upload_payload(BUNDLE, "3.0.0", str(n)))
                for n in range(start + 1, min(count, start + 100) + 1)
            )
        )
    await world.bot.engine.sweep()
    return world.slack.top_level(DEMO_CHANNEL)


async def settled(world: World, expected_actions: int) -> None:
    """Wait until the work the bot does after acking (storing the request, opening the What to Test
    modal) is over, so that it does not spill into the next round."""
    assert world.bot is not None
    calls, quiet_since = -1, time.perf_counter()
    deadline = time.perf_counter() + 20
    while time.perf_counter() < deadline:
        now_calls = len(world.slack.calls)
        if now_calls != calls:
            calls, quiet_since = now_calls, time.perf_counter()
        elif (
            time.perf_counter() - quiet_since > 0.3
            and (await world.bot.storage.counts())["actions"] >= expected_actions
        ):
            return
        await asyncio.sleep(0.05)


async def run(args: argparse.Namespace) -> Result:
    clicks, rounds = args.clicks, args.rounds
    world = await World(FakeClock(), scheduler=False).start()
    baseline = await Served(bare_bolt(world.signing_secret, world.slack.api_url, "xoxb-sandbox")).start()
    bot_lat: list[float] = []
    base_lat: list[float] = []
    statuses: dict[str, dict[str, int]] = {"asc-bot": {}, "bare Bolt": {}}
    try:
        world.asc.add_app(BUNDLE, name="Clicks")
        messages = await publications(world, clicks * rounds * 2)
        assert len(messages) == clicks * rounds * 2, len(messages)
        done = 0
        for r in range(rounds):
            batch = messages[r * 2 * clicks : (r + 1) * 2 * clicks]
            warm, measured = batch[:clicks], batch[clicks:]
            apps = [
                ("asc-bot", world.events_url, bot_lat),
                ("bare Bolt", f"{baseline.url}/slack/events", base_lat),
            ]
            for name, url, sink in apps if r % 2 == 0 else apps[::-1]:  # who goes first alternates
                async with LoadGen(concurrency=clicks) as load:
                    for part in (warm, measured):  # signed just before sending: trigger ids live 3 s
                        result = await load.fire(
                            [
                                slack_click(world.slack, url, m, TESTFLIGHT, "U0CLICK", world.signing_secret)
                                for m in part
                            ]
                        )
                        if name == "asc-bot":  # its after-ack work must not spill into the next round
                            done += clicks
                            await settled(world, done)
                sink.extend(result["latencies"])
                for status, n in result["statuses"].items():
                    statuses[name][status] = statuses[name].get(status, 0) + n
        opens = world.slack.calls_to("views.open")
        opened = sum(1 for call in opens if call.ok)
        expired = sum(1 for call in opens if call.error == "expired_trigger_id")
    finally:
        await baseline.stop()
        await world.stop()

    table = Table(
        f"Slack ack latency, {clicks} concurrent signed clicks x {rounds} rounds (ms)",
        ["app", "p50", "p99", "max", "answers"],
    )
    for name, lat in (("asc-bot", bot_lat), ("bare Bolt app (ack only)", base_lat)):
        key = "asc-bot" if name == "asc-bot" else "bare Bolt"
        answers = ", ".join(f"{n}x {s}" for s, n in sorted(statuses[key].items()))
        table.add(name, ms(percentile(lat, 50)), ms(percentile(lat, 99)), ms(max(lat)), answers)
    return Result(
        "slack_ack",
        "4. Slack ack latency",
        [table],
        ratios={
            "ack p50, asc-bot / bare Bolt": ratio(percentile(bot_lat, 50), percentile(base_lat, 50)),
            "ack p99, asc-bot / bare Bolt": ratio(percentile(bot_lat, 99), percentile(base_lat, 99)),
        },
        notes=[
            "Slack needs the ack within 3,000 ms.",
            "Clicks come from a separate process over loopback; each round is preceded by a discarded "
            "warm-up round, and the two apps take turns going first.",
            f"After acking, asc-bot stores the request and opens the What to Test modal: {opened:,} of "
            f"{len(opens):,} modals opened, {expired:,} too late for the click's trigger id (Slack allows 3 s).",
        ],
        data={
            "bot_p50_ms": ms(percentile(bot_lat, 50)),
            "bot_p99_ms": ms(percentile(bot_lat, 99)),
            "base_p50_ms": ms(percentile(base_lat, 50)),
            "base_p99_ms": ms(percentile(base_lat, 99)),
            "modals_opened": opened,
            "modals_expired": expired,
        },
    )


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clicks", type=int, default=200, help="concurrent clicks per round (200)")
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds per app (5)")


if __name__ == "__main__":
    cli(run, __doc__ or "", options)
