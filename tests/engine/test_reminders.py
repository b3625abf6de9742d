"""Approval reminders, one sweep at a time over real storage: a held step pings the app's approvers once
it has waited the interval and again every interval, each step on its own, never twice within one
interval (a new `Reminders` reads the last one from the database), and not once the step is acted on."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.engine.reminders import Reminders
from bot.sandbox.clock import FakeClock
from storage.records import Event, Publication
from storage.reminders import REMINDER
from storage.repository import NewAction, NewEvent, Storage
from tests.support.engine_rig import BUNDLE, CHANNEL, Approvers, Rig, engine_rig
from tests.support.publications import fields

HOUR = 3600.0
APPROVERS = Approvers(("U0BOSS", "S0RELEASE"))


async def held(storage: Storage, clock: FakeClock, *kinds: str, build_number: str = "1") -> Publication:
    made = await storage.create_publication(
        fields(app_bundle_id=BUNDLE, channel=CHANNEL, build_number=build_number, state="processing"),
        [NewAction(kind, "U0MALLORY", status="held") for kind in kinds],
        delivery=None,
        now=clock.now(),
        event=NewEvent("created"),
    )
    return made.publication


async def reminders(storage: Storage, pub: Publication) -> list[Event]:
    return [e for e in await storage.events(pub.id) if e.kind == REMINDER]


async def sweep_at(rig: Rig, seconds_from_start: float, start: datetime) -> int:
    rig.clock.set(start + timedelta(seconds=seconds_from_start))
    return await Reminders(rig.parts).sweep(rig.clock.now())


async def test_a_held_step_pings_its_approvers_once_per_interval(storage: Storage, clock: FakeClock) -> None:
    start = clock.now()
    async with engine_rig(storage, clock, authority=APPROVERS, approval_reminder=HOUR) as rig:
        pub = await held(storage, clock, "submit_to_app_store")
        early = await sweep_at(rig, HOUR - 1, start)
        first = await sweep_at(rig, HOUR, start)  # exactly one interval: due
        within = [await sweep_at(rig, HOUR + s, start) for s in (1, HOUR / 2, HOUR - 1)]
        second = await sweep_at(rig, 2 * HOUR, start)
        told = await reminders(storage, pub)
    assert (early, first, within, second) == (0, 1, [0, 0, 0], 1)
    assert [e.message for e in told] == [
        "⏰ *Submit for review* has waited 60 min for an approver.",
        "⏰ *Submit for review* has waited 2 h for an approver.",
    ]
    assert all(e.announce == "thread" and e.actor == "bot" for e in told)
    assert told[0].data == {"kind": "submit_to_app_store", "approvers": ["U0BOSS", "S0RELEASE"]}


async def test_each_held_step_is_reminded_of_on_its_own(storage: Storage, clock: FakeClock) -> None:
    start = clock.now()
    async with engine_rig(storage, clock, authority=APPROVERS, approval_reminder=HOUR) as rig:
        pub = await held(storage, clock, "submit_to_app_store", "release_now")
        both = await sweep_at(rig, HOUR, start)
        again = await sweep_at(rig, HOUR + 60, start)
        told = await reminders(storage, pub)
    assert (both, again) == (2, 0)
    assert sorted(e.data["kind"] for e in told) == ["release_now", "submit_to_app_store"]
    assert {e.message for e in told} == {
        "⏰ *Submit for review* has waited 60 min for an approver.",
        "⏰ *Release now* has waited 60 min for an approver.",
    }


async def test_a_step_an_approver_acted_on_is_no_longer_reminded_of(
    storage: Storage, clock: FakeClock
) -> None:
    start = clock.now()
    async with engine_rig(storage, clock, authority=APPROVERS, approval_reminder=HOUR) as rig:
        pub = await held(storage, clock, "submit_to_app_store")
        assert await sweep_at(rig, HOUR, start) == 1
        [step] = await storage.actions(pub.id)
        await storage.finish_action(step.id, "skipped", clock.now(), error="an approver declined it")
        later = [await sweep_at(rig, n * HOUR, start) for n in (2, 3, 10)]
        told = await reminders(storage, pub)
    assert later == [0, 0, 0] and len(told) == 1


async def test_reminders_of_a_cancelled_publication_stop(storage: Storage, clock: FakeClock) -> None:
    start = clock.now()
    async with engine_rig(storage, clock, authority=APPROVERS, approval_reminder=HOUR) as rig:
        pub = await held(storage, clock, "submit_to_app_store")
        other = await held(storage, clock, "submit_to_app_store", build_number="2")
        await storage.update(pub.id, clock.now(), state="cancelled")
        sent = await sweep_at(rig, HOUR, start)
        told, told_other = await reminders(storage, pub), await reminders(storage, other)
    assert sent == 1 and told == [] and len(told_other) == 1


async def test_no_reminders_when_they_are_turned_off(storage: Storage, clock: FakeClock) -> None:
    start = clock.now()
    async with engine_rig(storage, clock, authority=APPROVERS, approval_reminder=0) as rig:
        pub = await held(storage, clock, "submit_to_app_store")
        sent = [await sweep_at(rig, n * HOUR, start) for n in (1, 4, 100)]
        told = await reminders(storage, pub)
    assert sent == [0, 0, 0] and told == []


async def test_an_app_without_approvers_is_still_reminded_with_nobody_named(
    storage: Storage, clock: FakeClock
) -> None:
    start = clock.now()
    async with engine_rig(storage, clock, approval_reminder=HOUR) as rig:
        pub = await held(storage, clock, "submit_to_app_store")
        sent = await sweep_at(rig, HOUR, start)
        [told] = await reminders(storage, pub)
    assert sent == 1 and told.data == {"kind": "submit_to_app_store", "approvers": []}
