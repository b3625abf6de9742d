"""Changing an export compliance answer, over signed HTTP: approvers only, confirmed in a modal, one
PATCH at most, and Apple's refusal (one answer per build) told in the thread and to the clicker."""

from __future__ import annotations

import json
from dataclasses import replace
from types import MappingProxyType

from bot import blocks
from bot.config import AppSettings
from bot.sandbox.asc.faults import Faults
from bot.sandbox.clock import FakeClock
from bot.sandbox.slack import Message
from bot.sandbox.world import DEMO_CHANNEL, World
from tests.commands.conftest import action, buttons, ephemerals_to, eventually, open_views
from tests.support.flow import later, pub, upload

APP = "com.example.app"
BOSS, MALLORY = "U0BOSS", "U0MALLORY"
CHANGE = "Change export compliance"


async def guarded(world: World) -> None:
    world.asc.add_app(APP, name="Example")
    await world.stop_bot()
    await world.start_bot(apps=MappingProxyType({APP: AppSettings(APP, approvers=(BOSS,))}))


def compliance_patches(world: World) -> list[dict]:
    """The usesNonExemptEncryption PATCHes App Store Connect received (refused ones too)."""
    sent = []
    for e in world.asc.exchanges:
        if e.method == "PATCH" and e.path.startswith("/v1/builds/") and e.request_body:
            attributes = json.loads(e.request_body)["data"].get("attributes") or {}
            if "usesNonExemptEncryption" in attributes:
                sent.append({"value": attributes["usesNonExemptEncryption"], "status": e.status})
    return sent


async def message_of(world: World, pub_id: str) -> Message:
    publication = await pub(world, pub_id)
    found = world.slack.find_message(DEMO_CHANNEL, publication.message_ts or "")
    assert found is not None
    return found


async def confirm(world: World, message: Message, user: str) -> str:
    """Click *Change export compliance*; the confirmation modal's id once it is open."""
    before = {v["id"] for v in open_views(world, blocks.CHANGE_COMPLIANCE_VIEW)}
    await world.slack.click_button(world.events_url, message, blocks.CHANGE_COMPLIANCE, user=user)
    [view] = await eventually(
        lambda: [v for v in open_views(world, blocks.CHANGE_COMPLIANCE_VIEW) if v["id"] not in before]
    )
    return view["id"]


def modal_text(world: World, view_id: str) -> str:
    view = world.slack.views[view_id]
    return json.dumps(view["blocks"])


async def test_an_approver_changes_an_answer_not_yet_sent_with_one_patch(
    world: World, clock: FakeClock
) -> None:
    await guarded(world)
    # CI answered "no"; the build is still on its way, so nothing has reached Apple yet.
    pub_id = await upload(world, APP, "1.4.0", "412", publishing={"uses_non_exempt_encryption": False})
    world.asc.upload_build(APP, "1.4.0", "412", uses_non_exempt_encryption=None)
    await later(world, clock, 1)
    message = await message_of(world, pub_id)
    assert CHANGE in buttons(message)

    # A non-approver: refused privately, no modal, nothing stored.
    await world.slack.click_button(world.events_url, message, blocks.CHANGE_COMPLIANCE, user=MALLORY)
    [told] = await eventually(lambda: ephemerals_to(world, MALLORY))
    assert told.startswith("🔒 Only approvers may *change the export compliance answer* for com.example.app")
    assert open_views(world, blocks.CHANGE_COMPLIANCE_VIEW) == []

    # Two approver clicks open two identical confirmations (two tabs, or a double click).
    first, second = await confirm(world, message, BOSS), await confirm(world, message, BOSS)
    text = modal_text(world, first)
    assert "Current answer: the app *does not use* non-exempt encryption" in text and "CI" in text
    assert "New answer: the app *uses* non-exempt encryption" in text
    await world.slack.submit_view(world.events_url, first, user=BOSS)
    await eventually(lambda: ephemerals_to(world, BOSS))
    await world.slack.submit_view(world.events_url, second, user=BOSS)
    [_, again] = await eventually(lambda: ephemerals_to(world, BOSS)[1:] and ephemerals_to(world, BOSS))
    assert again.startswith("🔐 Nothing to change: the export compliance answer is already that the app uses")

    await later(world, clock, 61)
    await later(world, clock, 600)
    await later(world, clock, 30)
    build = world.asc.build(world.asc.build_id_for(APP, "1.4.0", "412"))
    assert build.uses_encryption is True
    assert compliance_patches(world) == [{"value": True, "status": 200}]  # CI's "no" was never sent
    steps = {a.kind: (a.status, a.requested_by) for a in await world.bot.storage.actions(pub_id)}
    assert steps["export_compliance"] == ("skipped", "webhook")
    assert steps["change_export_compliance"] == ("succeeded", BOSS)
    texts = [m.text for m in world.slack.thread(DEMO_CHANNEL, (await pub(world, pub_id)).message_ts)]
    assert f"🔐 <@{BOSS}> changed the export compliance answer: the app uses non-exempt encryption." in texts
    checks = [
        (e.kind, e.actor) for e in await world.bot.storage.events(pub_id) if e.kind.startswith("approver_")
    ]
    assert ("approver_refused", MALLORY) in checks and ("approver_allowed", BOSS) in checks


async def test_apple_refuses_a_change_once_the_answer_is_set_and_the_bot_says_so(
    world: World, clock: FakeClock
) -> None:
    await guarded(world)
    pub_id = await upload(world, APP, "1.4.0", "412", publishing={"uses_non_exempt_encryption": False})
    world.asc.upload_build(APP, "1.4.0", "412", uses_non_exempt_encryption=None)
    await later(world, clock, 61)
    await later(world, clock, 600)
    await later(world, clock, 30)
    assert compliance_patches(world) == [{"value": False, "status": 200}]  # CI's answer, sent
    message = await message_of(world, pub_id)
    assert CHANGE in buttons(message)  # not in any review yet

    view_id = await confirm(world, message, BOSS)
    # The modal changed hands (or was forged): the engine checks the submitter again.
    await world.slack.submit_view(world.events_url, view_id, user=MALLORY)
    [told] = await eventually(lambda: ephemerals_to(world, MALLORY))
    assert told.startswith("🔒 Only approvers may")
    await later(world, clock, 30)
    assert len(compliance_patches(world)) == 1

    view_id = await confirm(world, message, BOSS)
    await world.slack.submit_view(world.events_url, view_id, user=BOSS)
    await eventually(lambda: ephemerals_to(world, BOSS))
    await later(world, clock, 30)
    assert compliance_patches(world) == [{"value": False, "status": 200}, {"value": True, "status": 409}]
    build = world.asc.build(world.asc.build_id_for(APP, "1.4.0", "412"))
    assert build.uses_encryption is False
    publication = await pub(world, pub_id)
    [explained] = [m for m in world.slack.thread(DEMO_CHANNEL, publication.message_ts) if "refused" in m.text]
    assert explained.text.startswith(f"⚠️ <@{BOSS}> asked to change the export compliance answer")
    assert "one answer per build" in explained.text and "upload a new build" in explained.text
    assert explained.reply_broadcast  # the clicker is mentioned, and the channel hears it too

    # Asking again changes nothing at Apple: the bot knows the answer is set once.
    await world.slack.click_button(
        world.events_url, await message_of(world, pub_id), blocks.CHANGE_COMPLIANCE, user=BOSS
    )
    last = await eventually(lambda: [t for t in ephemerals_to(world, BOSS) if "already refused" in t])
    assert "upload a new build" in last[0]
    await later(world, clock, 30)
    assert len(compliance_patches(world)) == 2


async def test_no_change_control_once_the_build_is_in_beta_review(world: World, clock: FakeClock) -> None:
    await guarded(world)
    publishing = {"uses_non_exempt_encryption": False, "submit_to_testflight": True}
    pub_id = await upload(world, APP, "1.4.0", "412", publishing=publishing)
    world.asc.upload_build(APP, "1.4.0", "412", uses_non_exempt_encryption=None)
    await later(world, clock, 61)
    await later(world, clock, 600)
    for _ in range(3):
        await later(world, clock, 30)
    assert (await pub(world, pub_id)).beta_review_state is not None
    assert CHANGE not in buttons(await message_of(world, pub_id))


async def test_a_stale_answer_click_after_a_change_is_told_the_answer_that_stands(
    world: World, clock: FakeClock
) -> None:
    await guarded(world)
    pub_id = await upload(world, APP, "1.4.0", "412", publishing={"submit_to_testflight": True})
    world.asc.upload_build(APP, "1.4.0", "412", uses_non_exempt_encryption=None)
    await later(world, clock, 61)
    await later(world, clock, 600)
    await later(world, clock, 30)
    publication = await pub(world, pub_id)
    [asked] = [m for m in world.slack.thread(DEMO_CHANNEL, publication.message_ts) if buttons(m)]
    stale = replace(asked, blocks=list(asked.blocks))  # Bob's client still shows the buttons
    # App Store Connect is down for the build for a while, so Alice's answer waits to be sent.
    # (refused before anything is applied: with the build read cached, the PATCH itself meets it)
    world.asc.faults = Faults(
        error_rate=1.0, error_statuses=(503,), after_share=0.0, paths=r"^/v1/builds/[^/]+$"
    )
    await world.slack.click_button(world.events_url, asked, blocks.COMPLIANCE_NO, user="U0ALICE")
    await eventually(lambda: asked.edits)
    await later(world, clock, 1)
    assert (await action(world, pub_id, "export_compliance")).status == "requested"
    view_id = await confirm(world, await message_of(world, pub_id), BOSS)
    assert "answered by <@U0ALICE>" in modal_text(world, view_id)
    await world.slack.submit_view(world.events_url, view_id, user=BOSS)
    await eventually(lambda: ephemerals_to(world, BOSS))

    world.asc.faults = Faults()
    await world.slack.click_button(world.events_url, stale, blocks.COMPLIANCE_YES, user="U0BOB")
    [told] = await eventually(lambda: ephemerals_to(world, "U0BOB"))
    assert f"already answered by <@{BOSS}>" in told and "the app uses non-exempt encryption" in told
    await later(world, clock, 30)
    await later(world, clock, 30)
    # Alice's "no" met the outage (refused, nothing applied) and was dropped for the change: only
    # the change reached Apple.
    patches = compliance_patches(world)
    assert [p for p in patches if p["status"] == 200] == [{"value": True, "status": 200}]
    assert all(p["status"] == 503 for p in patches if p["value"] is False)
