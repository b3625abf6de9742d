"""The approver holes, tried as a non-approver would, over signed HTTP: each one stays closed."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from bot import blocks
from bot.config import AppSettings
from bot.sandbox.clock import FakeClock
from bot.sandbox.world import DEMO_CHANNEL, World
from tests.commands.conftest import action, buttons, ephemerals_to, eventually, publish, requested
from tests.support.flow import later, sweep

APP = "com.example.app"
BOSS, MALLORY = "U0BOSS", "U0MALLORY"


async def with_approvers(world: World, **app: object) -> None:
    """Only the app has approvers (none globally), as a team with one guarded app configures it."""
    await world.stop_bot()
    settings = AppSettings(APP, approvers=(BOSS,), publishing=MappingProxyType(dict(app)))
    await world.start_bot(apps=MappingProxyType({APP: settings}))


async def slash(world: World, text: str, user: str, channel: str = DEMO_CHANNEL) -> str:
    before = len(world.slack.ephemerals)
    reply = await world.slack.slash_command(world.events_url, "/asc", text, user=user, channel=channel)
    assert reply.status == 200
    [said] = await eventually(lambda: [m for m in world.slack.ephemerals[before:] if m.ephemeral_to == user])
    return said.text


async def test_publish_by_apple_id_with_app_store_is_refused_to_a_non_approver(world: World) -> None:
    apple_id = world.asc.add_app(APP, name="Example")
    await with_approvers(world)
    said = await slash(world, f"publish {apple_id} 1.4.0 412 --app-store", MALLORY)
    # Decided on the app the Apple id resolves to, and named as such.
    assert said.startswith(f"🔒 Only approvers may *submit for review* for {APP}: <@{BOSS}>.")
    assert (await world.bot.storage.counts())["publications"] == 0
    assert (await slash(world, f"publish {apple_id} 1.4.0 412 --app-store", BOSS)).startswith("🚀")
    [pub] = await world.bot.storage.list()
    assert pub.app_bundle_id == APP
    assert (await action(world, pub.id, "submit_to_app_store")).requested_by == BOSS


async def test_publish_in_another_letter_case_is_the_same_app(world: World) -> None:
    world.asc.add_app(APP, name="Example")
    await with_approvers(world)
    said = await slash(world, "publish COM.Example.APP 1.4.0 412 --app-store", MALLORY)
    assert said.startswith(f"🔒 Only approvers may *submit for review* for {APP}")
    assert (await world.bot.storage.counts())["publications"] == 0
    assert (await slash(world, "publish COM.Example.APP 1.4.0 412", MALLORY)).startswith("🚀")
    [pub] = await world.bot.storage.list()
    assert pub.app_bundle_id == APP  # stored as configured: the same app, found at Apple as such


async def test_defaults_are_not_a_back_door(world: World) -> None:
    world.asc.add_app(APP, name="Example")
    await with_approvers(world, submit_to_app_store=True, submit_to_testflight=True)
    said = await slash(world, f"publish {APP} 1.4.0 412", MALLORY)
    assert said.startswith("🚀")
    [pub] = await world.bot.storage.list()
    steps = {a.kind: (a.status, a.requested_by) for a in await world.bot.storage.actions(pub.id)}
    assert steps == {
        "submit_to_testflight": ("requested", "webhook"),
        "submit_to_app_store": ("held", MALLORY),
    }

    await sweep(world)
    pub = await world.bot.storage.get(pub.id)
    [waiting] = [m for m in world.slack.thread(DEMO_CHANNEL, pub.message_ts) if m.blocks and buttons(m)]
    assert "not an approver" in waiting.text and f"<@{BOSS}>" in waiting.text
    assert buttons(waiting) == ["Approve and run it"]
    approve = blocks.APPROVE + "submit_to_app_store"

    await world.slack.click_button(world.events_url, waiting, approve, user=MALLORY)
    [told] = await eventually(lambda: ephemerals_to(world, MALLORY)[1:])
    assert told.startswith("🔒 Only approvers may *submit for review*")
    assert (await action(world, pub.id, "submit_to_app_store")).status == "held"

    await world.slack.click_button(world.events_url, waiting, approve, user=BOSS)
    await eventually(lambda: ephemerals_to(world, BOSS))
    step = await action(world, pub.id, "submit_to_app_store")
    assert (step.status, step.requested_by) == ("requested", BOSS)
    kinds = [
        (e.kind, e.actor) for e in await world.bot.storage.events(pub.id) if e.kind.startswith("approver_")
    ]
    assert kinds == [("approver_refused", MALLORY), ("approver_allowed", BOSS)]


async def test_ci_webhooks_stay_trusted_with_the_apps_defaults(world: World) -> None:
    world.asc.add_app(APP, name="Example")
    await with_approvers(world, submit_to_app_store=True)
    pub_id, _ = await publish(world, APP)
    assert (await action(world, pub_id, "submit_to_app_store")).status == "requested"


async def test_an_export_compliance_answer_sent_to_apple_is_final(world: World, clock: FakeClock) -> None:
    world.asc.add_app(APP, name="Example")
    reply = await world.send_upload(
        world.upload_payload(APP, "1.4.0", "412", publishing={"submit_to_testflight": True}),
        timestamp=int(clock.now().timestamp()),
    )
    pub_id = reply.json()["publication_id"]
    world.asc.upload_build(APP, "1.4.0", "412", uses_non_exempt_encryption=None)
    await later(world, clock, 61)
    await later(world, clock, 600)
    await later(world, clock, 30)
    pub = await world.bot.storage.get(pub_id)
    [question] = [m for m in world.slack.thread(DEMO_CHANNEL, pub.message_ts) if buttons(m)]
    stale = replace(question, blocks=list(question.blocks))  # Bob's client still shows the buttons

    await world.slack.click_button(world.events_url, question, blocks.COMPLIANCE_NO, user="U0ALICE")
    await requested(world, pub_id, "export_compliance")
    await eventually(lambda: question.edits)
    await later(world, clock, 30)
    build = world.asc.build(world.asc.build_id_for(APP, "1.4.0", "412"))
    assert build.uses_encryption is False  # sent to Apple

    await world.slack.click_button(world.events_url, stale, blocks.COMPLIANCE_YES, user="U0BOB")
    [told] = await eventually(lambda: ephemerals_to(world, "U0BOB"))
    assert "already answered by <@U0ALICE>" in told and "does not use" in told
    await later(world, clock, 30)
    assert build.uses_encryption is False
    step = await action(world, pub_id, "export_compliance")
    assert (step.requested_by, step.params) == ("U0ALICE", {"uses_non_exempt_encryption": False})


async def test_a_click_must_come_from_its_publications_message(world: World) -> None:
    _, message = await publish(world, APP, "1.4.0", "2")
    world.slack.add_channel("C0OTHER", "other")  # a channel the bot is in: it is not refused early
    elsewhere = await world.send_upload(world.upload_payload(APP, "1.4.0", "1", channel="C0OTHER"))
    other_pub = elsewhere.json()["publication_id"]
    await sweep(world)
    # A button of one publication's message, carrying another publication (posted elsewhere).
    reply = await world.slack.click_button(
        world.events_url, message, blocks.SUBMIT_TO_TESTFLIGHT, user=MALLORY, value=other_pub
    )
    assert reply.status == 200
    [told] = await eventually(lambda: ephemerals_to(world, MALLORY))
    assert "does not belong to the message" in told
    assert await action(world, other_pub, "submit_to_testflight") is None
    [refusal] = [e for e in await world.bot.storage.events(other_pub) if e.kind == "click_refused"]
    assert (refusal.actor, refusal.data["channel"]) == (MALLORY, DEMO_CHANNEL)
