"""Benchmark 2: 10, 100 and 500 concurrent publications on one App Store Connect key.

Each publication is benchmark 1's scenario for its own app (an app can have only one App Store
version in preparation): What to Test, the beta group, TestFlight and App Store review submission
with phased release; every build is uploaded at t=0, listed 30 s later and processed 10 minutes
after upload. The simulator allows the key 3,600 requests per rolling hour and answers 429 beyond.

The simulated clock moves in steps of the scheduler's tick (5 s) with a sweep after each, for at
least one hour and until every publication's steps have finished (at most 8 simulated hours); the
App Store Connect client's own waits (pacing to the budget, backoff) also move it, concurrent waits
overlapping as they would in real time. Reported: requests per publication until all were done, the
busiest rolling hour against the 3,600 budget (after they are done, the bot keeps following each
App Store review), 429 answers, the simulated time until every step had finished, and the real time
the first simulated hour took.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta

from bench.common import Result, SharedClock, Table, cli
from bot.engine.profile import DEFAULT_PROFILE
from bot.sandbox.world import World

APPEAR, PROCESSING, TICK, HOUR, LIMIT = 30.0, 600.0, 5.0, 3600.0, 8 * 3600.0
BUDGET = 3600
RESERVE = 0.20  # the bot's default: a fifth of the key's hour is left to the team's other tools
USABLE = int(BUDGET * (1 - RESERVE))
OPTIONS = {
    "submit_to_testflight": True,
    "beta_groups": ["QA"],
    "submit_to_app_store": True,
    "phased_release": True,
    "release_type": "MANUAL",
}
FINISHED = ("succeeded", "failed", "skipped")


def busiest_hour(times: list[datetime]) -> int:
    """The most requests in any rolling hour."""
    ordered, best, first = sorted(times), 0, 0
    for last, moment in enumerate(ordered):
        while moment - ordered[first] >= timedelta(seconds=HOUR):
            first += 1
        best = max(best, last - first + 1)
    return best


async def all_done(engine: object, ids: list[str]) -> int:
    """How many publications have every step finished."""
    done = 0
    for pub_id in ids:
        view = await engine.view(pub_id)  # type: ignore[attr-defined]
        if view is not None and view.actions and all(a.status in FINISHED for a in view.actions):
            done += 1
    return done


async def publish_all(count: int) -> dict[str, float]:
    """Run `count` publications until every step has finished; returns the measurements."""
    clock = SharedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    world = await World(
        clock,
        scheduler=False,
        build_appear_delay=APPEAR,
        processing_time=PROCESSING,
        hourly_limit=BUDGET,
        poll_profile=DEFAULT_PROFILE,
        rate_reserve=RESERVE,
    ).start()
    world.asc.record_bodies = False
    try:
        assert world.bot is not None
        engine = world.bot.engine
        start = clock.now()
        ids: list[str] = []
        for n in range(count):
            bundle = f"com.example.scale{n}"
            app_id = world.asc.add_app(bundle, name=f"Scale {n}")
            world.asc.add_beta_group(app_id, "QA", internal=True)
            world.asc.upload_build(bundle, version="1.0.1", build_number="1")
        for first in range(0, count, 50):
            answers = await asyncio.gather(
                *(
                    world.send_upload(
                        world.upload_payload(
                            f"com.example.scale{n}",
                            "1.0.1",
                            "1",
                            publishing=OPTIONS,
                            release_notes=[{"language": "en-US", "text": "What to test"}],
                        )
                    )
                    for n in range(first, min(count, first + 50))
                )
            )
            ids += [a.json()["publication_id"] for a in answers]
        wall = time.perf_counter()
        finished, checked_at, done_at, hour_wall = 0, start, None, None
        while clock.now() - start < timedelta(seconds=LIMIT):
            await engine.sweep()
            if hour_wall is None and clock.now() - start >= timedelta(seconds=HOUR):
                hour_wall = time.perf_counter() - wall
            if done_at is None and clock.now() - checked_at >= timedelta(seconds=60):
                checked_at = clock.now()  # reading every step costs; once a simulated minute
                finished = await all_done(engine, ids)
                if finished == count:
                    done_at = clock.now()
            if done_at is not None and hour_wall is not None:
                break
            clock.advance(TICK)
        wall = time.perf_counter() - wall
        exchanges = world.asc.exchanges
        until_done = [e for e in exchanges if done_at is None or e.at <= done_at]
        return {
            "requests": len(until_done),
            "per_publication": len(until_done) / count,
            "busiest_hour": busiest_hour([e.at for e in exchanges if e.status != 429]),
            "rate_limited": sum(1 for e in exchanges if e.status == 429),
            "finished": finished,
            "done_minutes": ((done_at or clock.now()) - start).total_seconds() / 60,
            "first_hour_wall": hour_wall or wall,
            "wall": wall,
        }
    finally:
        await world.stop()


async def run(args: argparse.Namespace) -> Result:
    table = Table(
        "One App Store Connect key (3,600 requests per rolling hour), every publication at once",
        [
            "publications",
            "requests until all done",
            "per publication",
            f"busiest hour (of {USABLE:,} = 3,600 less the reserve)",
            "429s",
            "all steps finished",
            "after (simulated)",
            "real time of the first simulated hour",
        ],
    )
    data = {}
    for count in args.counts:
        m = await publish_all(count)
        data[str(count)] = m
        table.add(
            count,
            int(m["requests"]),
            m["per_publication"],
            f"{int(m['busiest_hour']):,} ({m['busiest_hour'] / USABLE:.0%})",
            int(m["rate_limited"]),
            f"{int(m['finished'])} of {count}",
            f"{m['done_minutes']:.0f} min",
            f"{m['first_hour_wall']:.1f} s",
        )
    return Result(
        "scale",
        "2. Scale on one key",
        [table],
        notes=[
            "Each publication: What to Test, a beta group, TestFlight and App Store review with phased "
            "release, each for its own app; benchmark 1 measures one alone.",
            "Requests until all done include following the App Store reviews already submitted; the "
            "busiest hour also counts the following after that, up to the end of the first hour.",
            "'busiest hour' counts the requests the key's budget accepted in any rolling hour; 429s "
            "are the ones it refused.",
            "'all steps finished' is checked once a simulated minute, so 'after' is rounded up to it.",
        ],
        data=data,
    )


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--counts",
        type=int,
        nargs="+",
        default=[10, 100, 500, 1000],
        help="publications per run (10 100 500 1000)",
    )


if __name__ == "__main__":
    cli(run, __doc__ or "", options)
