"""Crash anywhere, restart on the same database: every publication finishes, every write happens once.

A transport between the bot and the App Store Connect simulator kills the "process" right after
(or right before) its N-th write request, for N moving through every write of the run; a new bot
is then started on the same database, as a supervisor would restart a crashed process.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Awaitable, Callable

import httpx
import pytest

from bot.engine.phased import follows_phased
from bot.sandbox.clock import FakeClock
from bot.sandbox.world import World
from storage.records import Publication
from tests.conftest import ENGINES
from tests.support.flow import distinct_shapes
from tests.support.openapi_conformance import check_exchanges

PUBLICATIONS = 20


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Minutes long: on SQLite by default, on every engine of ASC_BOT_TEST_ENGINES when asked."""
    return str(request.param)


# Every step a publication can run, for the tests that crash or kill the bot through all of them.
EVERY_STEP = {
    "submit_to_testflight": True,
    "expire_build_submitted_for_review": True,
    "beta_groups": ["QA", "Beta"],
    "submit_to_app_store": True,
    "cancel_previous_submissions": True,
    "release_type": "AFTER_APPROVAL",
    "copyright": "2026 Example",
    "phased_release": True,
}


class Crash(BaseException):
    """The process died (not an Exception: nothing in the bot may catch it)."""


class CrashPlan:
    def __init__(self) -> None:
        self.writes = 0
        self.crash_at = 1
        self.before = False
        self.dead = False
        self.crashes = 0


class CrashingTransport(httpx.AsyncBaseTransport):
    def __init__(self, plan: CrashPlan) -> None:
        self.plan = plan
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        plan = self.plan
        if plan.dead:
            raise Crash
        is_write = request.method != "GET"
        if is_write and plan.before and plan.writes + 1 >= plan.crash_at:
            plan.dead = True  # dies before the request leaves: Apple never sees it
            raise Crash
        response = await self.inner.handle_async_request(request)
        if is_write:
            plan.writes += 1
            if plan.writes >= plan.crash_at:
                plan.dead = True  # dies after Apple applied it, before the bot recorded anything
                await response.aread()
                raise Crash
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def accepted(world: World, method: str, path: str, body_has: str | None = None) -> int:
    pattern = re.compile(path)
    return sum(
        1
        for e in world.asc.exchanges
        if e.method == method
        and pattern.search(e.path)
        and e.status is not None
        and 200 <= e.status < 300
        and (body_has is None or body_has in (e.request_body or b"").decode())
    )


async def settle_tasks() -> None:
    """Let the dead process's other coroutines run into the dead transport and end."""
    for _ in range(10):
        await asyncio.sleep(0.005)


async def sweep_with_crashes(
    world: World,
    clock: FakeClock,
    plan: CrashPlan,
    gaps: list[int],
    rounds: int,
    over: Callable[[], Awaitable[bool]],
) -> None:
    """Sweep every 30 s until `over()`; at each crash (after the next gap of writes) restart the bot.

    Crashes fall before and after a write in turn: Apple never saw it, or applied it unrecorded.
    """
    cycle = itertools.cycle(gaps)
    plan.crash_at = next(cycle)
    for _ in range(rounds):
        try:
            clock.advance(30)
            await world.bot.engine.sweep()
        except Crash:
            plan.crashes += 1
            await settle_tasks()
            await world.stop_bot()
            plan.dead = False
            plan.before = not plan.before
            plan.crash_at = plan.writes + next(cycle)
            await world.start_bot()
            continue
        if await over():
            return


async def finished(world: World, pub: Publication) -> bool:
    """Done, or every step over and only a live version's phased release still followed (daily)."""
    if pub.state == "done":
        return True
    return follows_phased(pub) and not any(a.is_open for a in await world.bot.storage.actions(pub.id))


async def test_crash_after_every_step_finishes_everything_exactly_once(
    clock: FakeClock, db_url: str | None
) -> None:
    plan = CrashPlan()
    world = World(
        clock,
        db_path=db_url,
        build_appear_delay=60,
        processing_time=600,
        scheduler=False,
        asc_transport=lambda: CrashingTransport(plan),
    )
    await world.start()
    if db_url:
        # On PostgreSQL a restarted process is a new lease owner and waits out the dead one's step
        # leases (600 s by default): shorter leases keep 30+ crashes inside the simulated run.
        await world.start_bot(lease_seconds=60.0)
    try:
        world.asc.beta_review_time = 300
        world.asc.app_review_time = 300
        for i in range(PUBLICATIONS):
            bundle = f"com.example.app{i}"
            app_id = world.asc.add_app(bundle, name=f"App {i}", other_locales=("de-DE",))
            world.asc.add_beta_group(app_id, "QA", internal=True)
            world.asc.add_beta_group(app_id, "Beta", internal=False)
            payload = world.upload_payload(
                bundle,
                "2.0.0",
                str(100 + i),
                publishing=EVERY_STEP,
                release_notes=[
                    {"language": "en-US", "text": f"Build {i}"},
                    {"language": "de-DE", "text": "Neu"},
                ],
            )
            assert (await world.send_upload(payload)).status_code == 202
            # Uploads arrive over ten minutes, so crashes hit publications at different steps.
            world.asc.upload_build(
                bundle, version="2.0.0", build_number=str(100 + i), platform="IOS", appear_delay=60 + 30 * i
            )

        async def all_finished() -> bool:
            pubs = await world.bot.storage.list(active_only=False, limit=100)
            return len(pubs) == PUBLICATIONS and all([await finished(world, p) for p in pubs])

        await sweep_with_crashes(world, clock, plan, [1, 2, 3, 5, 8, 13, 4, 7], 400, all_finished)
        pubs = await world.bot.storage.list(active_only=False, limit=100)
        assert all([await finished(world, p) for p in pubs]), [
            (p.label, p.state, p.version_state, p.phased_state, p.last_error) for p in pubs
        ]
        assert plan.crashes >= 30, plan.crashes

        # Every create and submit was accepted by App Store Connect exactly once per build.
        assert accepted(world, "POST", r"^/v1/betaAppReviewSubmissions$") == PUBLICATIONS
        assert (
            accepted(world, "POST", r"^/v1/betaBuildLocalizations$") == PUBLICATIONS
        )  # de-DE; en-US updated
        assert accepted(world, "POST", r"^/v1/builds/[^/]+/relationships/betaGroups$") == PUBLICATIONS
        assert accepted(world, "POST", r"^/v1/appStoreVersions$") == PUBLICATIONS
        assert accepted(world, "POST", r"^/v1/appStoreVersionPhasedReleases$") == PUBLICATIONS
        assert accepted(world, "POST", r"^/v1/reviewSubmissions$") == PUBLICATIONS
        assert accepted(world, "POST", r"^/v1/reviewSubmissionItems$") == PUBLICATIONS
        assert (
            accepted(world, "PATCH", r"^/v1/reviewSubmissions/", '"submitted": true')
            + accepted(world, "PATCH", r"^/v1/reviewSubmissions/", '"submitted":true')
            == PUBLICATIONS
        )
        for p in pubs:
            assert (
                len([s for s in world.asc.beta_review_submissions.values() if s.build_id == p.build_id]) == 1
            )
        one_message_each = [m for m in world.slack.messages["C0RELEASES"] if not m.thread_ts]
        assert len(one_message_each) >= PUBLICATIONS
        assert check_exchanges(distinct_shapes(world.asc.exchanges)) == []
    finally:
        await world.stop()
