"""The engine's shared parts: `EngineParts.build` puts one storage, one set of clients, one clock, one
guard over the configured approvers and one outbox posting as this replica; each `EnginePart` reads the
same ones. Built as the engine builds them, over real storage and the Slack simulator."""

from __future__ import annotations

from datetime import timedelta

from bot.engine.guard import Authority
from bot.engine.parts import EnginePart, EngineParts
from bot.sandbox.clock import FakeClock
from storage.repository import NewEvent, Storage
from tests.support.engine_rig import BUNDLE, CHANNEL, Approvers, Rig, engine_rig
from tests.support.publications import fields

REPLICA = "replica-a"


class Probe(EnginePart):
    """A module of the engine, as uploads or the sweep are."""

    def seen(self) -> tuple[object, ...]:
        return (
            self._storage,
            self._clients,
            self._clock,
            self._settings,
            self._guard,
            self._outbox,
            self._notifier,
        )


async def to_post(rig: Rig) -> str:
    """A publication whose message is still to be drawn in the rig's channel."""
    made = await rig.storage.create_publication(
        fields(app_bundle_id=BUNDLE, channel=CHANNEL, message_dirty=1),
        [],
        delivery=None,
        now=rig.clock.now(),
        event=NewEvent("created"),
    )
    return made.publication.id


async def test_every_part_reads_the_same_shared_parts(storage: Storage, clock: FakeClock) -> None:
    async with engine_rig(storage, clock) as rig:
        p = rig.parts
        one, two = Probe(p), Probe(p)
        assert (
            one.seen()
            == two.seen()
            == (p.storage, p.clients, p.clock, p.settings, p.guard, p.outbox, p.notifier)
        )
        assert one.seen()[0] is storage and one.seen()[2] is clock


async def test_the_guard_asks_the_given_authority(storage: Storage, clock: FakeClock) -> None:
    authority: Authority = Approvers(("U1",))
    async with engine_rig(storage, clock, authority=authority) as rig:
        guard = rig.parts.guard
        assert guard.approvers(BUNDLE) == ("U1",)
        assert await guard.may("U1", BUNDLE) and not await guard.may("U2", BUNDLE)
    async with engine_rig(storage, clock) as rig:  # no authority: nobody is an approver
        assert rig.parts.guard.approvers(BUNDLE) == ()


async def test_the_outbox_posts_as_this_replica(storage: Storage, clock: FakeClock) -> None:
    async with engine_rig(storage, clock, replica=REPLICA) as rig:
        await to_post(rig)
        # This replica already holds the channel's lane (e.g. from its last pass): its outbox goes on.
        assert await storage.claim_lease(f"outbox:{CHANNEL}", REPLICA, clock.now(), timedelta(seconds=60))
        await rig.parts.outbox.flush()
        posted = rig.slack.top_level(CHANNEL)
    assert len(posted) == 1


async def test_the_outbox_leaves_a_lane_another_replica_holds(storage: Storage, clock: FakeClock) -> None:
    async with engine_rig(storage, clock, replica=REPLICA) as rig:
        await to_post(rig)
        assert await storage.claim_lease(f"outbox:{CHANNEL}", "replica-b", clock.now(), timedelta(seconds=60))
        await rig.parts.outbox.flush()
        held = rig.slack.top_level(CHANNEL)
        clock.advance(61)  # the other replica's lease ran out
        await rig.parts.outbox.flush()
        posted = rig.slack.top_level(CHANNEL)
    assert held == [] and len(posted) == 1


async def refused_elsewhere(rig: Rig, fallback: str | None) -> list[str]:
    """What the rig's channel heard after a publication's own channel refused its message."""
    p = rig.parts
    parts = EngineParts.build(
        rig.storage, p.clients, p.notifier, rig.clock, p.settings, fallback_channel=fallback
    )
    await rig.storage.create_publication(
        fields(app_bundle_id=BUNDLE, channel="C0GONE", message_dirty=1),
        [],
        delivery=None,
        now=rig.clock.now(),
        event=NewEvent("created"),
    )
    for _ in range(3):
        await parts.outbox.flush()
        rig.clock.advance(120)
    return [m.text or "" for m in rig.slack.top_level(CHANNEL)]


async def test_the_outbox_tells_the_fallback_channel_when_a_publications_own_refuses(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        told = await refused_elsewhere(rig, CHANNEL)
    assert len(told) == 1 and "C0GONE" in told[0], told


async def test_without_a_fallback_channel_nobody_else_is_told(storage: Storage, clock: FakeClock) -> None:
    async with engine_rig(storage, clock) as rig:
        told = await refused_elsewhere(rig, None)
    assert told == []
