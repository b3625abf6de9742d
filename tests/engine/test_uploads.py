"""Uploads: a build-uploaded notice becomes one publication, its channel checked and its first steps asked.

The module itself, over real storage and the Slack and App Store Connect simulators on loopback.
"""

from __future__ import annotations

import pytest

from bot.engine.guard import HELD, NEEDS_APPROVER
from bot.engine.intake import InvalidNotice
from bot.engine.lifecycle import State
from bot.engine.uploads import Uploads, initial_actions
from bot.sandbox.clock import FakeClock
from storage.repository import Storage
from tests.support.engine_rig import BUNDLE, CHANNEL, Approvers, engine_rig, notice

BETA = {"submit_to_testflight": True, "beta_groups": ["QA"]}
REVIEW = {"submit_to_app_store": True, "release_type": "MANUAL"}


def kinds(options: dict[str, object]) -> list[str]:
    return [a.kind for a in initial_actions(options, [])]


async def test_an_upload_is_one_publication_with_its_steps_however_often_it_is_delivered(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        uploads = Uploads(rig.parts)
        first = await uploads.intake(
            notice(delivery_id="run-1", publishing=BETA), actor="webhook", source="ci"
        )
        again = await uploads.intake(
            notice(delivery_id="run-1", publishing=BETA), actor="webhook", source="ci"
        )
        # Another delivery of the same build (a re-run of the CI job) finds it by app, version and build.
        rerun = await uploads.intake(
            notice(delivery_id="run-2", publishing=BETA), actor="webhook", source="ci"
        )
    assert first.created and not again.created and not rerun.created
    assert again.publication.id == first.publication.id == rerun.publication.id
    pub = first.publication
    assert (pub.app_bundle_id, pub.channel, pub.api_key) == (BUNDLE, CHANNEL, "default")
    assert pub.state == State.WAITING_FOR_BUILD and pub.next_poll_at == clock.now()
    steps = await storage.actions(pub.id)
    assert [a.kind for a in steps] == kinds(BETA) and all(a.status == "requested" for a in steps)
    assert [p.id for p in await storage.list()] == [pub.id]


async def test_the_apps_defaults_apply_and_the_notice_overrides_them(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock, publishing=BETA) as rig:
        uploads = Uploads(rig.parts)
        by_default = await uploads.intake(notice("1"), actor="webhook", source="ci")
        overridden = await uploads.intake(
            notice("2", publishing={"beta_groups": []}), actor="webhook", source="ci"
        )
    assert [a.kind for a in await storage.actions(by_default.publication.id)] == kinds(BETA)
    only_beta = {**BETA, "beta_groups": []}
    assert [a.kind for a in await storage.actions(overridden.publication.id)] == kinds(only_beta)
    assert overridden.publication.options["beta_groups"] == []


async def test_failed_tests_hold_every_step_unless_the_options_say_publish_anyway(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        uploads = Uploads(rig.parts)
        held = await uploads.intake(
            notice("1", tests_passed=False, publishing=BETA), actor="webhook", source="ci"
        )
        anyway = {**BETA, "publish_even_if_tests_fail": True}
        forced = await uploads.intake(
            notice("2", tests_passed=False, publishing=anyway), actor="webhook", source="ci"
        )
    assert await storage.actions(held.publication.id) == []
    assert [a.kind for a in await storage.actions(forced.publication.id)] == kinds(BETA)


@pytest.mark.parametrize("setup", ["archived", "unknown"])
async def test_a_channel_slack_refuses_is_refused_before_anything_is_stored(
    storage: Storage, clock: FakeClock, setup: str
) -> None:
    async with engine_rig(storage, clock) as rig:
        channel = "C0ARCHIVED" if setup == "archived" else "C0NOSUCH"
        if setup == "archived":
            rig.slack.add_channel(channel, "old", archived=True)
        with pytest.raises(InvalidNotice) as refused:
            await Uploads(rig.parts).intake(notice(channel=channel), actor="webhook", source="ci")
        asked_apple = len(rig.asc.exchanges)
    assert [p.field for p in refused.value.problems] == ["channel"]
    assert await storage.list() == [] and asked_apple == 0


async def test_an_unknown_api_key_is_refused(storage: Storage, clock: FakeClock) -> None:
    async with engine_rig(storage, clock) as rig:
        with pytest.raises(InvalidNotice) as refused:
            await Uploads(rig.parts).intake(notice(api_key="other"), actor="webhook", source="ci")
    assert [p.field for p in refused.value.problems] == ["api_key"]
    assert "default" in refused.value.problems[0].message


async def test_a_person_gets_no_gated_step_from_the_defaults_only_a_note_for_the_approvers(
    storage: Storage, clock: FakeClock
) -> None:
    # CI's signed webhook is trusted with the app's defaults; a person publishing by hand is not.
    async with engine_rig(storage, clock, authority=Approvers(("U0BOSS",)), publishing=REVIEW) as rig:
        uploads = Uploads(rig.parts)
        by_ci = await uploads.intake(notice("1"), actor="webhook", source="ci")
        by_hand = await uploads.intake(notice("2"), actor="U0DEV", source="slash")
    assert [a.status for a in await storage.actions(by_ci.publication.id)] == ["requested"]
    [step] = await storage.actions(by_hand.publication.id)
    assert step.kind == kinds(REVIEW)[0] and step.status == HELD
    notes = [e for e in await storage.events(by_hand.publication.id) if e.kind == NEEDS_APPROVER]
    assert [e.data["approvers"] for e in notes] == [["U0BOSS"]]
