"""Issue 13: the step kinds took the publishing options' names; m011 renames what older releases stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.engine.actions import ACTIONS
from bot.sandbox.clock import FakeClock
from bot.sandbox.world import World
from storage.database import applied_migrations, make_store
from storage.m011_step_kinds import RENAMED_KINDS
from storage.repository import NewAction, NewEvent, Storage
from tests.support.flow import later, pub, upload
from tests.support.old_database import forget_step_kinds_migration, store_kinds_as_before_m011
from tests.support.publications import fields

APP = "com.example.app"


@pytest.fixture
async def target(tmp_path: Path, db_url: str | None) -> AsyncIterator[str]:
    yield db_url or str(tmp_path / "t.db")


async def opened(target: str) -> Storage:
    storage = Storage(make_store(target))
    await storage.store.open()
    return storage


async def test_the_kinds_an_older_release_stored_are_renamed_on_start(target: str, clock: FakeClock) -> None:
    older = await opened(target)
    made = await older.create_publication(
        fields(state="ready"),
        [NewAction(kind, "webhook") for kind in (*RENAMED_KINDS, "beta_groups")],
        delivery=None,
        now=clock.now(),
        event=NewEvent("created"),
    )
    pub_id = made.publication.id
    # What those releases wrote about their steps: outcomes, requests, a held step, a checklist.
    for event in (
        NewEvent("expire_previous_succeeded", message="Expired."),
        NewEvent("testflight_failed", message="Apple said no."),
        NewEvent("action_requested", actor="U1", data={"kind": "testflight", "params": {}}),
        NewEvent("needs_approver", announce="thread", data={"kind": "app_store", "approvers": ["U0BOSS"]}),
        NewEvent("preflight_checklist", data={"step": "app_store", "review": "App Store review", "gaps": []}),
        # Not step kinds: the approver check names the step by its title, feedback by its own kind.
        NewEvent("approver_refused", data={"kind": "app_store", "step": "Submit for review"}),
        NewEvent("feedback", data={"kind": "crash", "feedback_id": "f1"}),
        NewEvent("beta_review_waiting_for_review"),
    ):
        await older.add_event(pub_id, event, clock.now())
    await older.store.call(forget_step_kinds_migration)
    await older.store.close()

    storage = await opened(target)
    try:
        assert "m011_step_kinds" in await storage.store.call(applied_migrations)
        kinds = {a.kind for a in await storage.actions(pub_id)}
        assert kinds == {
            "submit_to_testflight",
            "submit_to_app_store",
            "expire_build_submitted_for_review",
            "beta_groups",
        }
        assert kinds <= set(ACTIONS)  # every stored step has a runner again
        events = [(e.kind, e.data) for e in await storage.events(pub_id)]
        assert events == [
            ("created", {}),
            ("expire_build_submitted_for_review_succeeded", {}),
            ("submit_to_testflight_failed", {}),
            ("action_requested", {"kind": "submit_to_testflight", "params": {}}),
            ("needs_approver", {"kind": "submit_to_app_store", "approvers": ["U0BOSS"]}),
            (
                "preflight_checklist",
                {"step": "submit_to_app_store", "review": "App Store review", "gaps": []},
            ),
            ("approver_refused", {"kind": "submit_to_app_store", "step": "Submit for review"}),
            ("feedback", {"kind": "crash", "feedback_id": "f1"}),
            ("beta_review_waiting_for_review", {}),
        ]
    finally:
        await storage.store.close()


async def test_a_database_with_the_new_kinds_is_left_as_it_is(target: str, clock: FakeClock) -> None:
    """m011 changes only the old kinds: applied to a database that holds today's, it leaves them."""
    storage = await opened(target)
    made = await storage.create_publication(
        fields(),
        [NewAction("submit_to_testflight", "webhook")],
        delivery=None,
        now=clock.now(),
        event=NewEvent("created"),
    )
    await storage.store.call(forget_step_kinds_migration)
    await storage.store.close()
    storage = await opened(target)
    try:
        assert [a.kind for a in await storage.actions(made.publication.id)] == ["submit_to_testflight"]
    finally:
        await storage.store.close()


async def test_a_publication_in_flight_at_the_upgrade_runs_its_steps(world: World, clock: FakeClock) -> None:
    """Made by a release before m011 (its steps under the old kinds), then the bot is upgraded."""
    world.asc.add_app(APP, name="Example")
    notes = [{"language": "en-US", "text": "Try the new login"}]
    options = {"submit_to_testflight": True, "submit_to_app_store": True}
    pub_id = await upload(world, APP, "1.4.0", "41", publishing=options, release_notes=notes)
    await world.stop_bot()
    older = await opened(world.db_path)
    await older.store.call(store_kinds_as_before_m011)
    assert {a.kind for a in await older.actions(pub_id)} == {"testflight", "app_store", "what_to_test"}
    await older.store.close()

    await world.start_bot()
    world.asc.upload_build(APP, version="1.4.0", build_number="41", platform="IOS")
    await later(world, clock, 61)
    await later(world, clock, 600)
    steps = {a.kind: a.status for a in await world.bot.storage.actions(pub_id)}
    assert steps == {
        "what_to_test": "succeeded",
        "submit_to_testflight": "succeeded",
        "submit_to_app_store": "succeeded",
    }
    build_id = world.asc.build_id_for(APP, "1.4.0", "41")
    assert [s for s in world.asc.beta_review_submissions.values() if s.build_id == build_id]
    assert (await pub(world, pub_id)).version_state == "WAITING_FOR_REVIEW"
