"""Requests: what people ask of a publication is checked against the approver rule, stored once, and wakes
the sweep; cancel stops a publication and skips its open steps. Over real storage."""

from __future__ import annotations

from typing import Any

from bot.engine.actions import ACTIONS
from bot.engine.guard import ALLOWED, HELD, REFUSED
from bot.engine.lifecycle import State
from bot.engine.requests import GONE, Requests
from bot.engine.uploads import Uploads
from bot.sandbox.clock import FakeClock
from storage.records import Publication
from storage.repository import Storage
from tests.support.engine_rig import Approvers, Rig, engine_rig, notice

BOSS, DEV = "U0BOSS", "U0DEV"
OPEN = next(kind for kind, spec in ACTIONS.items() if not spec.gated and kind != "change_export_compliance")
GATED = next(kind for kind, spec in ACTIONS.items() if spec.gated and kind != "change_export_compliance")
REVIEW = {"submit_to_app_store": True}


async def published(rig: Rig, actor: str = "webhook", **payload: Any) -> Publication:
    source = "ci" if actor == "webhook" else "slash"
    return (await Uploads(rig.parts).intake(notice(**payload), actor=actor, source=source)).publication


async def test_a_step_is_stored_once_however_often_it_is_asked_for(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        pub = await published(rig)
        requests = Requests(rig.parts, rig.wake)
        first = await requests.request(pub.id, OPEN, DEV)
        again = await requests.request(pub.id, OPEN, BOSS)
    assert (first.status, again.status) == ("requested", "already")
    assert first.action is not None and again.action is not None and again.action.id == first.action.id
    assert again.action.requested_by == DEV
    assert [a.kind for a in await storage.actions(pub.id)] == [OPEN]
    assert len(rig.woken) == 1  # the sweep is woken for the new step, not for the repeat


async def test_unknown_publications_and_steps_are_refused_saying_why(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        pub = await published(rig)
        requests = Requests(rig.parts, rig.wake)
        gone = await requests.request("no-such-id", OPEN, DEV)
        unknown = await requests.request(pub.id, "make_coffee", DEV)
        cancel_gone = await requests.cancel("no-such-id", DEV)
    assert (gone.status, gone.reason, cancel_gone.reason) == ("refused", GONE, GONE)
    assert unknown.status == "refused" and unknown.reason is not None and "make_coffee" in unknown.reason
    assert await storage.actions(pub.id) == [] and rig.woken == []


async def test_a_gated_step_is_the_approvers_and_each_check_is_audited(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock, authority=Approvers((BOSS,))) as rig:
        pub = await published(rig)
        requests = Requests(rig.parts, rig.wake)
        refused = await requests.request(pub.id, GATED, DEV)
        allowed = await requests.request(pub.id, GATED, BOSS)
        anyone = await requests.request(pub.id, OPEN, DEV)
    assert refused.status == "not_approver" and refused.verdict is not None
    assert refused.verdict.approvers == (BOSS,)
    assert (allowed.status, anyone.status) == ("requested", "requested")
    audit = [(e.kind, e.actor) for e in await storage.events(pub.id) if e.kind in (ALLOWED, REFUSED)]
    assert audit == [(REFUSED, DEV), (ALLOWED, BOSS)]


async def test_an_approver_lets_a_held_step_run_with_its_stored_params(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock, authority=Approvers((BOSS,)), publishing=REVIEW) as rig:
        pub = await published(rig, DEV, publishing={"release_type": "MANUAL"})
        [held] = await storage.actions(pub.id)
        requests = Requests(rig.parts, rig.wake)
        not_yet = await requests.approve(pub.id, held.kind, DEV)
        approved = await requests.approve(pub.id, held.kind, BOSS)
        twice = await requests.approve(pub.id, held.kind, BOSS)
    assert held.status == HELD and held.params == {"release_type": "MANUAL"}
    assert not_yet.status == "not_approver"
    assert approved.status == "requested" and approved.action is not None
    assert (approved.action.status, approved.action.params) == ("requested", held.params)
    assert twice.status == "already"


async def test_cancel_finishes_the_publication_and_skips_its_open_steps(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        pub = await published(rig, publishing={"submit_to_testflight": True})
        requests = Requests(rig.parts, rig.wake)
        clock.advance(5)
        cancelled = await requests.cancel(pub.id, DEV)
        again = await requests.cancel(pub.id, DEV)
        after = await requests.request(pub.id, OPEN, DEV)
    assert cancelled.status == "requested" and cancelled.publication is not None
    done = await storage.get(pub.id)
    assert done is not None and done.state == State.CANCELLED and done.finished_at == clock.now()
    assert [(a.status, a.error) for a in await storage.actions(pub.id)] == [("skipped", "cancelled")]
    assert again.status == "refused" and after.status == "refused"
    assert len(rig.woken) == 1


async def test_check_again_needs_a_step_under_a_checklist(storage: Storage, clock: FakeClock) -> None:
    async with engine_rig(storage, clock) as rig:
        pub = await published(rig, publishing={"submit_to_testflight": True})
        bare = await published(rig, build_number="8")
        requests = Requests(rig.parts, rig.wake)
        clock.advance(60)
        looked = await requests.check_again(pub.id, DEV)
        nothing = await requests.check_again(bare.id, DEV)
    assert looked.status == "requested" and nothing.status == "refused"
    again = await storage.get(pub.id)
    assert again is not None and again.next_poll_at == clock.now()
