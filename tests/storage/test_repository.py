"""Storage: idempotent intake, one winner per claim, WAL, migrations, dirty-message counter."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.sandbox.clock import FakeClock
from storage.database import applied_migrations, dialect, make_store
from storage.repository import DIRTY, NewAction, NewEvent, Storage
from tests.support.publications import fields


async def create(storage: Storage, clock: FakeClock, delivery: str | None = "d1", **over: object):
    return await storage.create_publication(
        fields(**over),
        [NewAction("submit_to_testflight", "webhook")],
        delivery=("ci", delivery) if delivery else None,
        now=clock.now(),
        event=NewEvent("created"),
    )


async def test_wal_mode_and_migrations_recorded(storage: Storage) -> None:
    if await storage.store.call(dialect) == "sqlite":
        assert await storage.store.call(lambda db: db.journal_mode) == "wal"
    assert await storage.store.call(applied_migrations) == [
        "m001_initial",
        "m002_app_store_following",
        "m003_asc_outage",
        "m004_slack_delivery",
        "m005_slack_parked_channels",
        "m006_feedback",
        "m007_leases",
        "m008_phased_day",
        "m009_unknown_since",
        "m010_asc_budget",
        "m011_step_kinds",
    ]


async def test_concurrent_duplicate_deliveries_create_one(storage: Storage, clock: FakeClock) -> None:
    results = await asyncio.gather(*(create(storage, clock) for _ in range(30)))
    assert [r.created for r in results].count(True) == 1
    assert {r.publication.id for r in results} == {results[0].publication.id}
    assert await storage.counts() == {"publications": 1, "actions": 1, "events": 1, "deliveries": 1}


async def test_new_delivery_for_same_build_returns_existing(storage: Storage, clock: FakeClock) -> None:
    first = await create(storage, clock, delivery="a")
    second = await create(storage, clock, delivery="b")
    assert (first.created, second.created) == (True, False)
    assert second.publication_id == first.publication_id
    replay = await create(storage, clock, delivery="b")
    assert not replay.created and (replay.publication_id, replay.state) == (second.publication_id, second.state)


async def test_claim_has_one_winner_and_expired_lease_is_reclaimable(
    storage: Storage, clock: FakeClock
) -> None:
    pub = (await create(storage, clock)).publication
    action = (await storage.actions(pub.id))[0]
    claims = await asyncio.gather(
        *(storage.claim_action(action.id, clock.now(), timedelta(minutes=5)) for _ in range(10))
    )
    assert sum(1 for c in claims if c is not None) == 1
    assert await storage.claim_action(action.id, clock.now(), timedelta(minutes=5)) is None
    clock.advance(301)  # the runner died: its lease runs out
    again = await storage.claim_action(action.id, clock.now(), timedelta(minutes=5))
    assert again is not None and again.attempts == 2


async def test_compare_and_set_update(storage: Storage, clock: FakeClock) -> None:
    pub = (await create(storage, clock)).publication
    assert await storage.update(pub.id, clock.now(), expect_state="processing", state="ready") is None
    moved = await storage.update(
        pub.id,
        clock.now(),
        expect_state="waiting_for_build",
        state="processing",
        event=NewEvent("found", announce="thread", message="hi"),
    )
    assert moved is not None and moved.state == "processing"
    assert [e.kind for e in await storage.undelivered()] == ["found"]


async def test_request_action_once_then_again_after_failure(storage: Storage, clock: FakeClock) -> None:
    pub = (await create(storage, clock)).publication
    first = await storage.request_action(pub.id, NewAction("submit_to_testflight", "U1"), clock.now())
    assert not first.created and first.action.requested_by == "webhook"
    await storage.finish_action(first.action.id, "failed", clock.now(), error="nope")
    retry = await storage.request_action(pub.id, NewAction("submit_to_testflight", "U2"), clock.now())
    assert retry.created and retry.action.status == "requested" and retry.action.requested_by == "U2"


async def test_redraw_during_change_stays_dirty(storage: Storage, clock: FakeClock) -> None:
    pub = (await create(storage, clock)).publication
    [dirty] = await storage.dirty_messages()
    seen = dirty.message_dirty
    await storage.update(pub.id, clock.now(), message_dirty=DIRTY)  # changed while Slack was drawing
    await storage.message_drawn(pub.id, seen, ts="111.222")
    [still] = await storage.dirty_messages()
    assert still.message_ts == "111.222" and still.message_dirty > 0
    await storage.message_drawn(pub.id, still.message_dirty)
    assert await storage.dirty_messages() == []


async def test_state_survives_reopen(tmp_path: Path, clock: FakeClock, db_url: str | None) -> None:
    path = db_url or str(tmp_path / "p.db")
    first = Storage(make_store(path))
    await first.store.open()
    pub = (await create(first, clock)).publication
    await first.store.close()
    second = Storage(make_store(path))
    await second.store.open()
    assert (await second.get(pub.id)) == pub
    await second.store.close()
