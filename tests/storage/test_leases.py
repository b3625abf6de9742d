"""Leases on both engines: two replicas split the due publications, a dead one's claims are taken over."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.sandbox.clock import FakeClock
from storage.database import dialect
from storage.migrations import migration_names
from storage.pg_schema import PG_MIGRATIONS
from storage.repository import NewAction, NewEvent, Storage
from tests.support.publications import fields

LEASE = timedelta(seconds=30)


async def due_publications(storage: Storage, clock: FakeClock, count: int) -> list[str]:
    ids = []
    for n in range(count):
        row = fields(build_number=str(n), next_poll_at=clock.now())
        made = await storage.create_publication(
            row, [NewAction("submit_to_testflight", "webhook")], delivery=None, now=clock.now(), event=NewEvent("created")
        )
        ids.append(made.publication.id)
    return ids


def test_every_migration_has_its_postgresql_form() -> None:
    assert list(PG_MIGRATIONS) == migration_names()


async def test_two_owners_split_the_due_publications_and_expired_claims_are_taken_over(
    storage: Storage, clock: FakeClock
) -> None:
    ids = await due_publications(storage, clock, 6)
    now = clock.now()
    a, b = await asyncio.gather(storage.claim_due(now, "a", LEASE), storage.claim_due(now, "b", LEASE))
    mine, theirs = {p.id for p in a}, {p.id for p in b}
    assert mine | theirs == set(ids) and not mine & theirs  # each publication claimed once
    assert {p.id for p in await storage.held_due(now, "a")} == mine
    # b dies: its claims stand until they run out, then a takes them over.
    assert {p.id for p in await storage.claim_due(now + timedelta(seconds=10), "a", LEASE)} == mine
    later = now + LEASE + timedelta(seconds=1)
    assert {p.id for p in await storage.claim_due(later, "a", LEASE)} == set(ids)
    await storage.release_due("a", ids)
    assert {p.id for p in await storage.claim_due(later, "b", LEASE)} == set(ids)


async def test_a_step_lease_is_renewed_by_its_owner_only_and_taken_over_when_it_runs_out(
    storage: Storage, clock: FakeClock
) -> None:
    [pub_id] = await due_publications(storage, clock, 1)
    [action] = await storage.actions(pub_id)
    now = clock.now()
    assert await storage.claim_action(action.id, now, LEASE, "a") is not None
    assert await storage.claim_action(action.id, now, LEASE, "b") is None
    assert await storage.renew_action(action.id, "a", now + 2 * LEASE)
    assert await storage.claim_action(action.id, now + LEASE + timedelta(seconds=1), LEASE, "b") is None
    taken = await storage.claim_action(action.id, now + 3 * LEASE, LEASE, "b")
    assert taken is not None and taken.attempts == 2
    assert not await storage.renew_action(action.id, "a", now + 4 * LEASE)  # not a's any more


async def test_start_up_recovery_keeps_a_live_replicas_step_on_postgresql(
    storage: Storage, clock: FakeClock
) -> None:
    [pub_id] = await due_publications(storage, clock, 1)
    [action] = await storage.actions(pub_id)
    assert await storage.claim_action(action.id, clock.now(), LEASE, "other-replica") is not None
    recovered = await storage.recover_running(clock.now())
    [after] = await storage.actions(pub_id)
    if await storage.store.call(dialect) == "postgresql":
        assert recovered == 0 and after.status == "running"  # its owner may be alive: it runs out first
        assert await storage.recover_running(clock.now() + 2 * LEASE) == 1
    else:
        assert recovered == 1 and after.status == "requested"  # one process per SQLite file: it died


async def test_a_named_lease_has_one_holder_until_it_runs_out_or_is_released(
    storage: Storage, clock: FakeClock
) -> None:
    now = clock.now()
    assert await storage.claim_lease("outbox:C1", "a", now, LEASE)
    assert not await storage.claim_lease("outbox:C1", "b", now, LEASE)
    assert await storage.claim_lease("outbox:C1", "a", now, LEASE)  # renewed by its holder
    assert await storage.claim_lease("outbox:C2", "b", now, LEASE)  # another lane
    assert await storage.claim_lease("outbox:C1", "b", now + LEASE + timedelta(seconds=1), LEASE)
    await storage.release_lease("outbox:C1", "a")  # not a's: nothing changes
    assert not await storage.claim_lease("outbox:C1", "a", now + LEASE + timedelta(seconds=2), LEASE)
    await storage.release_lease("outbox:C1", "b")
    assert await storage.claim_lease("outbox:C1", "a", now + LEASE + timedelta(seconds=2), LEASE)
