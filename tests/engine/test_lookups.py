"""Lookups: the reads a person waits for. The beta group picker lists the app's groups from the App Store
Connect simulator, finds the app by bundle id when the publication does not know it yet, goes ahead of
polls in the key's budget, and turns every failure into a sentence for the person."""

from __future__ import annotations

import pytest

from bot.appstore.scheduler import Priority
from bot.engine import messages
from bot.engine.lookups import beta_groups
from bot.errors import AscBotError
from bot.sandbox.asc.faults import Faults
from bot.sandbox.clock import FakeClock
from storage.repository import NewEvent, Storage
from tests.support.engine_rig import BUNDLE, Rig, engine_rig
from tests.support.publications import fields


async def publication(rig: Rig, **over: object) -> str:
    made = await rig.storage.create_publication(
        fields(**{"app_bundle_id": BUNDLE, **over}),
        [],
        delivery=None,
        now=rig.clock.now(),
        event=NewEvent("created"),
    )
    return made.publication.id


def app_searches(rig: Rig) -> int:
    return rig.asc.count("GET", r"^/v1/apps$")


async def test_lists_the_apps_groups_finding_the_app_by_its_bundle_id(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        rig.asc.add_beta_group(rig.app_id, "Team", internal=True)
        rig.asc.add_beta_group(rig.app_id, "Public", internal=False, public_link_enabled=True)
        groups = await beta_groups(storage, rig.parts.clients, await publication(rig))
        searched = app_searches(rig)
    assert sorted((g.name, g.is_internal) for g in groups) == [("Public", False), ("Team", True)]
    assert searched == 1


async def test_a_known_app_id_is_used_without_searching(storage: Storage, clock: FakeClock) -> None:
    async with engine_rig(storage, clock) as rig:
        rig.asc.add_beta_group(rig.app_id, "Team", internal=True)
        groups = await beta_groups(storage, rig.parts.clients, await publication(rig, app_id=rig.app_id))
        searched = app_searches(rig)
    assert [g.name for g in groups] == ["Team"] and searched == 0


async def test_a_publication_that_is_gone_says_so(storage: Storage, clock: FakeClock) -> None:
    async with engine_rig(storage, clock) as rig:
        with pytest.raises(AscBotError, match="no longer exists"):
            await beta_groups(storage, rig.parts.clients, "no-such-publication")
        sent = len(rig.asc.exchanges)
    assert sent == 0


async def test_an_app_the_key_cannot_see_is_named_with_the_key(storage: Storage, clock: FakeClock) -> None:
    async with engine_rig(storage, clock) as rig:
        pub_id = await publication(rig, app_bundle_id="com.example.other")
        with pytest.raises(AscBotError) as raised:
            await beta_groups(storage, rig.parts.clients, pub_id)
    assert str(raised.value) == messages.app_not_found("com.example.other", "default")


async def test_an_app_store_connect_error_becomes_a_sentence(storage: Storage, clock: FakeClock) -> None:
    async with engine_rig(storage, clock) as rig:
        pub_id = await publication(rig, app_id=rig.app_id)
        rig.asc.faults = Faults(error_rate=1.0, error_statuses=(500,), paths=r"^/v1/betaGroups$")
        with pytest.raises(AscBotError) as raised:
            await beta_groups(storage, rig.parts.clients, pub_id)
        answers = {e.status for e in rig.asc.exchanges if e.path == "/v1/betaGroups"}
    assert str(raised.value).startswith("Could not read the beta groups: ")
    assert answers == {500}
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


async def test_the_picker_goes_ahead_when_the_steps_share_of_the_hour_is_used(
    storage: Storage, clock: FakeClock
) -> None:
    """Someone waits for the modal: its reads go as a person's, not as a step's (the default) or a poll's."""
    async with engine_rig(storage, clock) as rig:
        rig.asc.add_beta_group(rig.app_id, "Team", internal=True)
        budget = rig.parts.clients.get(None).budget
        while (await budget.snapshot()).used < await budget.allowed(Priority.STEP):
            await budget.acquire(Priority.STEP)
        before = clock.now()
        groups = await beta_groups(storage, rig.parts.clients, await publication(rig, app_id=rig.app_id))
        waited, after = budget.waited[Priority.PERSON], clock.now()
        await budget.acquire(Priority.STEP)  # a step now waits for the hour's first slot to age out
    assert [g.name for g in groups] == ["Team"]
    assert waited == 0 and after == before
    assert budget.waited[Priority.STEP] > 0
