"""The sweep: one pass polls what is due, runs the ready publications' steps and posts to Slack; it
claims what it sweeps (another replica's claim is left alone), resumes steps a dead process left
running, and moves the schedule back when the clock did. Over real storage and both simulators."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.engine.feedback import FeedbackRelay
from bot.engine.lifecycle import State
from bot.engine.sweep import Sweep
from bot.engine.uploads import Uploads
from bot.sandbox.clock import FakeClock
from storage.records import Publication
from storage.repository import Storage
from tests.support.engine_rig import BUNDLE, CHANNEL, Rig, engine_rig, notice

BETA = {"submit_to_testflight": True}
PROCESSING = 60  # the rig's simulated processing time, seconds


def sweep_of(rig: Rig) -> Sweep:
    return Sweep(rig.parts, FeedbackRelay(rig.parts))


async def uploaded(rig: Rig, build_number: str = "7") -> Publication:
    rig.asc.upload_build(BUNDLE, version="1.0", build_number=build_number)
    intake = await Uploads(rig.parts).intake(
        notice(build_number, publishing=BETA), actor="webhook", source="ci"
    )
    return intake.publication


async def current(storage: Storage, pub: Publication) -> Publication:
    now = await storage.get(pub.id)
    assert now is not None
    return now


async def test_passes_take_an_upload_from_its_build_to_its_steps_and_post_each_change(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock, poll_interval=30) as rig:
        pub = await uploaded(rig)
        sweep = sweep_of(rig)
        await sweep.run()
        found = await current(storage, pub)
        clock.advance(PROCESSING + 1)
        await sweep.run()  # processed: the build is ready and its step runs in the same pass
        ready = await current(storage, pub)
        [step] = await storage.actions(pub.id)
        posts = rig.slack.top_level(CHANNEL)
    assert found.build_id is not None and found.state == State.PROCESSING
    assert ready.processing_state == "VALID" and step.status == "succeeded"
    # One message for the publication, redrawn in place; its thread tells what happened.
    assert [m.ts for m in posts] == [ready.message_ts]
    assert len(rig.slack.thread(CHANNEL, posts[0].ts)) >= 2


async def test_a_publication_another_replica_holds_is_left_to_it_until_its_lease_ends(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock, sweep_lease=60) as rig:
        pub = await uploaded(rig)
        [claimed] = await storage.claim_due(clock.now(), "other-replica", timedelta(seconds=60))
        await sweep_of(rig).run()
        asked_while_held = len(rig.asc.exchanges)
        clock.advance(61)
        await sweep_of(rig).run()
        after = await current(storage, pub)
    assert claimed.id == pub.id and asked_while_held == 0
    assert after.build_id is not None and len(rig.asc.exchanges) > 0


async def test_recover_resumes_the_steps_a_dead_process_left_running(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock, action_lease=600) as rig:
        pub = await uploaded(rig)
        [step] = await storage.actions(pub.id)
        assert await storage.claim_action(step.id, clock.now(), timedelta(seconds=600), "dead") is not None
        clock.advance(601)  # the dead owner's lease has run out (other replicas' live ones stand)
        resumed = await sweep_of(rig).recover()
        [again] = await storage.actions(pub.id)
        nothing_left = await sweep_of(rig).recover()
    assert (resumed, again.status, nothing_left) == (1, "requested", 0)


async def test_a_clock_that_went_back_moves_the_schedule_back_with_it(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock, poll_interval=30) as rig:
        pub = await uploaded(rig)
        sweep = sweep_of(rig)
        await sweep.run()
        before = await current(storage, pub)
        assert before.next_poll_at is not None and before.process_deadline is not None
        clock.set(clock.now() - timedelta(hours=1))
        await sweep.run()
        after = await current(storage, pub)
    assert after.process_deadline is not None
    assert before.process_deadline - after.process_deadline == timedelta(hours=1)


async def test_a_call_during_a_pass_waits_for_it_and_the_sweep_goes_idle(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        pubs = [await uploaded(rig, str(n)) for n in range(3)]
        sweep = sweep_of(rig)
        assert await sweep.wait_idle(0.01)
        await asyncio.gather(sweep.run(), sweep.run(), sweep.run())
        assert await sweep.wait_idle(0.01)
        swept = [await current(storage, p) for p in pubs]
    assert all(p.build_id is not None for p in swept)
    # One pass looked for the three builds (one request for the app); the other calls waited for it
    # and their pass found nothing due, instead of racing it with requests of their own.
    looks = [e for e in rig.asc.exchanges if e.method == "GET" and e.path == "/v1/builds"]
    assert len(looks) == 1
