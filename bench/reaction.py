"""Benchmark 3: reaction time, from a build turning VALID to its TestFlight beta review submission.

- Polling: 50 publications whose builds finish processing at instants spread evenly over one poll
  interval (30 s), so they land at every phase of the bot's polling. The simulated clock moves in
  steps of the scheduler's tick (5 s) with a sweep after each; the reaction is the simulated time
  from VALID to the `POST /v1/betaAppReviewSubmissions`. (The sweep's own compute time, a few ms of
  real time, is not in it.)
- App Store Connect webhook: the simulator delivers its signed `BUILD_UPLOAD_STATE_UPDATED` event to
  the bot's `/webhooks/app-store-connect` at the instant processing completes; the bot runs with its
  real scheduler and a one-hour poll interval, so only the webhook can wake it. One publication at a
  time; the reaction is real time (perf_counter) from the simulator marking the build VALID to the
  simulator receiving the submission.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench.common import Result, SharedClock, Table, cli, percentile
from bot.sandbox.asc.records import Webhook
from bot.sandbox.world import World

BETA_POST = ("POST", "/v1/betaAppReviewSubmissions")
PROCESSING, APPEAR, TICK, INTERVAL = 600.0, 30.0, 5.0, 30.0
APPLE_PATH = "/webhooks/app-store-connect"
EVENTS = ["BUILD_UPLOAD_STATE_UPDATED", "BUILD_BETA_DETAIL_EXTERNAL_BUILD_STATE_UPDATED"]


class TimedExchanges(list):  # type: ignore[type-arg]
    """The simulator's exchange log, also noting the real time each exchange was recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.real: list[float] = []

    def append(self, item: Any) -> None:
        self.real.append(time.perf_counter())
        super().append(item)


def payload(world: World, bundle: str, build: str) -> dict[str, Any]:
    return world.upload_payload(bundle, "2.1.0", build, publishing={"submit_to_testflight": True})


async def polling(count: int) -> list[float]:
    """Simulated seconds from VALID to the beta review submission, for `count` staggered builds."""
    clock = SharedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    world = await World(clock, scheduler=False, processing_time=PROCESSING, build_appear_delay=APPEAR).start()
    world.asc.record_bodies = False
    try:
        assert world.bot is not None
        valid_at: dict[str, datetime] = {}  # by build id
        step = INTERVAL / count
        for n in range(count):
            bundle = f"com.example.poll{n}"  # Apple reviews one build of an app at a time
            world.asc.add_app(bundle, name=f"Poll {n}")
            answer = await world.send_upload(payload(world, bundle, "1"))
            assert answer.status_code == 202, answer.text
            world.asc.upload_build(bundle, "2.1.0", "1", processing_time=PROCESSING + n * step)
            build_id = world.asc.build_id_for(bundle, "2.1.0", "1")
            assert build_id is not None
            valid_at[build_id] = clock.now() + timedelta(seconds=PROCESSING + n * step)
        end = clock.now() + timedelta(seconds=PROCESSING + INTERVAL + 120)
        while clock.now() < end:
            await world.bot.engine.sweep()
            clock.advance(TICK)
        return [
            (s.submitted_at - valid_at[s.build_id]).total_seconds()
            for s in world.asc.beta_review_submissions.values()
        ]
    finally:
        await world.stop()


async def has_route(url: str) -> bool:
    async with httpx.AsyncClient() as http:
        answer = await http.post(url, content=b"{}", headers={"Content-Type": "application/json"})
    return answer.status_code != 404


async def webhook(count: int) -> list[float] | None:
    """Real seconds from VALID to the beta review submission with Apple's webhook; None without the route."""
    clock = SharedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    world = await World(
        clock, scheduler=True, poll_interval=3600.0, processing_time=PROCESSING, build_appear_delay=APPEAR
    ).start()
    world.asc.record_bodies = False
    log = TimedExchanges()
    world.asc._server.exchanges = log  # noting real arrival times; nothing else changes
    try:
        assert world.bot is not None and world.config is not None
        if not await has_route(world.bot.url + APPLE_PATH):
            return None
        store, reactions = world.asc.store, []
        for n in range(count):
            bundle, build = f"com.example.hook{n}", "1"
            app_id = world.asc.add_app(bundle, name=f"Hook {n}")
            hook = Webhook(store.new_id(), app_id, "asc-bot", world.bot.url + APPLE_PATH,
                           world.config.apple_webhook_secret or "", True, list(EVENTS))  # fmt: skip
            store.webhooks[hook.id] = hook  # registered as `POST /v1/webhooks` would
            answer = await world.send_upload(payload(world, bundle, build))
            assert answer.status_code == 202, answer.text
            world.asc.upload_build(bundle, "2.1.0", build)
            valid = clock.now() + timedelta(seconds=PROCESSING)
            await world.bot.engine.sweep()
            clock.advance(APPEAR + 1)
            await world.bot.engine.sweep()  # found: processing, next poll an hour away
            await world.asc.drain_webhooks()
            await asyncio.sleep(0.3)  # let any kick the webhooks above caused finish
            posts = world.asc.count(*BETA_POST)
            clock.set(valid)
            world.asc.settle()  # the build is VALID now, and the simulator sends its webhook
            started = time.perf_counter()
            for _ in range(2000):
                if world.asc.count(*BETA_POST) > posts:
                    break
                await asyncio.sleep(0.001)
            else:
                raise RuntimeError(f"no beta review submission within 2 s of VALID (build {build})")
            index = max(i for i, e in enumerate(log) if (e.method, e.path) == BETA_POST)
            reactions.append(log.real[index] - started)
            clock.advance(60)
        return reactions
    finally:
        await world.stop()


async def run(args: argparse.Namespace) -> Result:
    polled = await polling(args.polled)
    hooked = await webhook(args.webhooks)
    table = Table(
        "From the build turning VALID to the TestFlight beta review submission",
        ["how the bot learns of it", "samples", "p50", "p99", "max"],
    )
    table.add(
        f"polling every {INTERVAL:.0f} s (simulated time)",
        len(polled),
        f"{percentile(polled, 50):.1f} s",
        f"{percentile(polled, 99):.1f} s",
        f"{max(polled):.1f} s",
    )
    ratios = {}
    notes = [f"The scheduler ticks every {TICK:.0f} s and each publication is polled every {INTERVAL:.0f} s."]
    if hooked is None:
        table.add("App Store Connect webhook", 0, "-", "-", "-")
        notes.append(f"Webhook variant not measured: this version of the bot has no {APPLE_PATH} route.")
    else:
        table.add(
            "App Store Connect webhook (real time)",
            len(hooked),
            f"{percentile(hooked, 50) * 1000:.0f} ms",
            f"{percentile(hooked, 99) * 1000:.0f} ms",
            f"{max(hooked) * 1000:.0f} ms",
        )
        ratios["p50, polling / webhook"] = f"{percentile(polled, 50) / percentile(hooked, 50):,.0f}x"
    return Result(
        "reaction",
        "3. Reaction time",
        [table],
        ratios=ratios,
        notes=notes,
        data={"polling": polled, "webhook": hooked},
    )


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--polled", type=int, default=50, help="publications in the polling run (50)")
    parser.add_argument("--webhooks", type=int, default=30, help="publications in the webhook run (30)")


if __name__ == "__main__":
    cli(run, __doc__ or "", options)
