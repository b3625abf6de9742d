"""Benchmark 4: Slack ack latency of 200 concurrent signed button clicks, against a bare Bolt app.

The bot runs alone in its own process (`python -m bot.cli serve`: real Bolt app, engine, scheduler
and SQLite file), talking to the Slack and App Store Connect simulators in this process; the bare
Bolt app that only acks runs alone in another. Each round clicks *Submit to TestFlight* on 200
different publications at once (after its ack the bot stores the request and opens the What to Test
modal); the same clicks then go to the bare Bolt app. Requests come from a separate load-generator
process and are signed just before each round is sent; latency is from sending a request to reading
the whole answer. Each measurement is preceded by a warm-up round (discarded) on the same
connections, and the bot's after-ack work is let finish after every round.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

import httpx

from bench.common import Result, Table, cli, ms, percentile, ratio
from bench.harness import LoadGen, ci_webhook, slack_click
from bench.processes import Servers
from bot.blocks import SUBMIT_TO_TESTFLIGHT
from bot.clock import SystemClock
from bot.sandbox.slack.models import Message
from bot.sandbox.world import DEMO_CHANNEL, World

BUNDLE = "com.example.clicks"


async def publications(world: World, bot_url: str, count: int) -> list[Message]:
    """`count` publications made through the bot's webhook; returns their Slack messages once drawn."""
    async with httpx.AsyncClient(timeout=60) as http:
        for first in range(0, count, 50):
            specs = [
                ci_webhook(
                    f"{bot_url}/webhooks/build-uploaded",
                    world.upload_payload(BUNDLE, "3.0.0", str(n)),
                    world.webhook_secret,
                )
                for n in range(first + 1, min(count, first + 50) + 1)
            ]
            answers = await asyncio.gather(
                *(http.post(s["url"], content=s["body"], headers=s["headers"]) for s in specs)
            )
            assert all(a.status_code == 202 for a in answers), [a.text for a in answers][:3]
    for _ in range(1200):
        messages = world.slack.top_level(DEMO_CHANNEL)
        if len(messages) >= count:
            return messages
        await asyncio.sleep(0.1)
    raise RuntimeError(f"the bot drew {len(world.slack.top_level(DEMO_CHANNEL))} of {count} messages")


async def settled(world: World) -> None:
    """Wait until the bot's after-ack work (storing the request, opening the What to Test modal) is
    over, so that it does not spill into the next round: no Slack call for half a second."""
    calls, quiet_since = -1, time.perf_counter()
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        now_calls = len(world.slack.calls)
        if now_calls != calls:
            calls, quiet_since = now_calls, time.perf_counter()
        elif time.perf_counter() - quiet_since > 0.5:
            return
        await asyncio.sleep(0.05)


async def run(args: argparse.Namespace) -> Result:
    clicks, rounds = args.clicks, args.rounds
    world = await World(SystemClock(), scheduler=False).start()
    await world.stop_bot()  # the bot runs in its own process; the world keeps the simulators
    # What is measured is the ack path; Slack's tiers (chat.update 50 a minute) would only stretch
    # drawing the thousands of messages clicked on, and refuse some of the modals the clicks open.
    world.slack.rate_limits.enabled = False
    bot_lat: list[float] = []
    base_lat: list[float] = []
    statuses: dict[str, dict[str, int]] = {"asc-bot": {}, "bare Bolt": {}}
    try:
        async with Servers(Path(world.db_path).parent) as servers:
            world.asc.add_app(BUNDLE, name="Clicks")
            _, bot_url = await servers.bot(world, world.db_path)
            _, bolt_url = await servers.bare_bolt(world)
            messages = await publications(world, bot_url, clicks * rounds * 2)
            await settled(world)
            opens_before = len(world.slack.calls_to("views.open"))
            for r in range(rounds):
                batch = messages[r * 2 * clicks : (r + 1) * 2 * clicks]
                warm, measured = batch[:clicks], batch[clicks:]
                apps = [
                    ("asc-bot", f"{bot_url}/slack/events", bot_lat),
                    ("bare Bolt", f"{bolt_url}/slack/events", base_lat),
                ]
                for name, url, sink in apps if r % 2 == 0 else apps[::-1]:  # who goes first alternates
                    async with LoadGen(concurrency=clicks) as load:
                        for part in (warm, measured):  # signed just before sending: trigger ids live 3 s
                            result = await load.fire(
                                [
                                    slack_click(
                                        world.slack, url, m, SUBMIT_TO_TESTFLIGHT, "U0CLICK", world.signing_secret
                                    )
                                    for m in part
                                ]
                            )
                            if name == "asc-bot":
                                await settled(world)
                    sink.extend(result["latencies"])
                    for status, n in result["statuses"].items():
                        statuses[name][status] = statuses[name].get(status, 0) + n
            opens = world.slack.calls_to("views.open")[opens_before:]
            opened = sum(1 for call in opens if call.ok)
            expired = sum(1 for call in opens if call.error == "expired_trigger_id")
            # views.open is Tier 4 (100+ a minute per workspace): a burst of clicks meets it, as in Slack.
            limited = sum(1 for call in opens if call.status == 429)
    finally:
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
            "Each app runs alone in its own process; clicks come from a third over loopback. Each round is "
            "preceded by a discarded warm-up round, and the two apps take turns going first.",
            f"After acking, asc-bot stores the request and opens the What to Test modal: {opened:,} of "
            f"{len(opens):,} modals opened, {expired:,} too late for the click's trigger id (Slack allows 3 s), "
            f"{limited:,} refused by views.open's rate limit (Tier 4; the clicker is told).",
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
