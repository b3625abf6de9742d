"""Issue 13: buttons posted, and modals opened, by a release before the renames still work after the
upgrade (Slack keeps the ids it was given): each old id is taken as the id it became, over signed HTTP,
and the approver rule holds for them as for today's."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from bot import blocks
from bot.config import AppSettings
from bot.sandbox.slack import Message
from bot.sandbox.world import DEMO_CHANNEL, World
from tests.commands.conftest import action, buttons, ephemerals_to, eventually, open_views, publish, requested
from tests.commands.test_submit_to_app_store import form
from tests.support.flow import sweep
from tests.support.trust_paths import product_ids

APP = "com.example.app"
BOSS, MALLORY = "U0BOSS", "U0MALLORY"
OLD_ID = {new: old for old, new in blocks.LEGACY_ACTION_IDS.items()}
OLD_VIEW = {new: old for old, new in blocks.LEGACY_CALLBACK_IDS.items()}
OLD_BLOCK = {new: old for old, new in blocks.LEGACY_BLOCK_IDS.items()}


def as_an_older_release_drew_it(message: Message) -> None:
    """The message in Slack as posted before the renames: its buttons carry the old action ids."""

    def old(block: dict[str, Any]) -> dict[str, Any]:
        elements = [
            {**e, "action_id": OLD_ID.get(e.get("action_id"), e.get("action_id"))}
            for e in block.get("elements") or []
        ]
        return {**block, "elements": elements} if block.get("type") == "actions" else block

    message.blocks[:] = [old(b) for b in message.blocks]


def action_ids(message: Message) -> list[str]:
    return [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


async def with_approvers(world: World, **app: object) -> None:
    await world.stop_bot()
    settings = AppSettings(APP, approvers=(BOSS,), publishing=MappingProxyType(dict(app)))
    await world.start_bot(apps=MappingProxyType({APP: settings}))


def test_every_old_id_became_an_id_of_today_and_none_is_one() -> None:
    buttons_now, views_now = product_ids(suffix_view=False), product_ids(suffix_view=True)
    for old, new in blocks.LEGACY_ACTION_IDS.items():
        assert old not in buttons_now and (new in buttons_now or new.startswith(blocks.APPROVE)), old
    for old, new in blocks.LEGACY_CALLBACK_IDS.items():
        assert old not in views_now and new in views_now, old
    assert blocks.APPROVE + "app_store" in blocks.LEGACY_ACTION_IDS  # the one step held then


async def test_an_old_submit_to_testflight_button_asks_for_testflight(world: World) -> None:
    pub_id, message = await publish(world)
    as_an_older_release_drew_it(message)
    assert "asc_submit_testflight" in action_ids(message)
    click = await world.slack.click_button(world.events_url, message, "asc_submit_testflight", user="U0ALICE")
    assert click.status == 200
    step = await requested(world, pub_id, "submit_to_testflight")
    assert step.requested_by == "U0ALICE"
    await eventually(lambda: open_views(world, blocks.WHAT_TO_TEST_VIEW))  # and offers What to Test, as ever


async def test_an_old_submit_for_review_button_opens_todays_form(world: World) -> None:
    pub_id, message = await publish(world)
    as_an_older_release_drew_it(message)
    await world.slack.click_button(world.events_url, message, "asc_submit_review", user="U0ALICE")
    [modal] = await eventually(lambda: open_views(world, blocks.SUBMIT_TO_APP_STORE_VIEW))
    await world.slack.submit_view(world.events_url, modal["id"], form("MANUAL"))
    step = await requested(world, pub_id, "submit_to_app_store")
    assert (step.requested_by, step.params["release_type"]) == ("U0ALICE", "MANUAL")


async def test_a_form_opened_before_the_upgrade_is_taken_with_its_ticks(world: World) -> None:
    """The form as the release before drew it: callback id `asc_review`, ticks in `review_options`."""
    pub_id, message = await publish(world)
    await world.slack.click_button(world.events_url, message, blocks.SUBMIT_TO_APP_STORE, user="U0ALICE")
    [modal] = await eventually(lambda: open_views(world, blocks.SUBMIT_TO_APP_STORE_VIEW))
    drawn = {b.get("block_id") for b in modal["blocks"]}
    assert all(old not in drawn and new in drawn for old, new in blocks.LEGACY_BLOCK_IDS.items())
    old_view = OLD_VIEW[blocks.SUBMIT_TO_APP_STORE_VIEW]
    old_block = OLD_BLOCK[blocks.SUBMIT_TO_APP_STORE_OPTIONS]
    opened = world.slack.views[modal["id"]]
    opened["callback_id"] = old_view
    for block in opened["blocks"]:
        if block.get("block_id") == blocks.SUBMIT_TO_APP_STORE_OPTIONS:
            block["block_id"] = block["element"]["action_id"] = old_block
    values = form("MANUAL")
    del values[blocks.SUBMIT_TO_APP_STORE_OPTIONS]
    ticks = [{"value": "phased_release"}, {"value": "cancel_previous_submissions"}]
    values[old_block] = {old_block: {"selected_options": ticks}}
    saved = await world.slack.submit_view(world.events_url, modal["id"], values)
    assert saved.status == 200 and modal["id"] in world.slack.closed_views
    step = await requested(world, pub_id, "submit_to_app_store")
    assert step.requested_by == "U0ALICE"
    assert (step.params["phased_release"], step.params["cancel_previous_submissions"]) == (True, True)


async def test_an_old_button_of_a_gated_step_is_still_for_approvers_only(world: World) -> None:
    world.asc.add_app(APP, name="Example")
    await with_approvers(world)
    pub_id, message = await publish(world, APP)
    as_an_older_release_drew_it(message)
    await world.slack.click_button(world.events_url, message, "asc_submit_review", user=MALLORY)
    [told] = await eventually(lambda: ephemerals_to(world, MALLORY))
    assert told.startswith("🔒 Only approvers may *submit for review*")
    assert world.slack.calls_to("views.open") == []
    assert await action(world, pub_id, "submit_to_app_store") is None


async def test_an_old_approve_button_under_a_held_step_runs_it(world: World) -> None:
    """The held step's reply was posted with `asc_approve_app_store`; m011 renamed the step itself."""
    world.asc.add_app(APP, name="Example")
    await with_approvers(world, submit_to_app_store=True)
    said = await world.slack.slash_command(
        world.events_url, "/asc", f"publish {APP} 1.4.0 412", user=MALLORY, channel=DEMO_CHANNEL
    )
    assert said.status == 200
    [started] = await eventually(lambda: ephemerals_to(world, MALLORY))
    assert started.startswith("🚀")
    [pub] = await world.bot.storage.list()
    await sweep(world)
    pub = await world.bot.storage.get(pub.id)
    [waiting] = [m for m in world.slack.thread(DEMO_CHANNEL, pub.message_ts) if m.blocks and buttons(m)]
    as_an_older_release_drew_it(waiting)
    assert action_ids(waiting) == ["asc_approve_app_store"]

    await world.slack.click_button(world.events_url, waiting, "asc_approve_app_store", user=MALLORY)
    [_, told] = await eventually(lambda: ephemerals_to(world, MALLORY)[1:] and ephemerals_to(world, MALLORY))
    assert told.startswith("🔒 Only approvers may *submit for review*")
    assert (await action(world, pub.id, "submit_to_app_store")).status == "held"
    await world.slack.click_button(world.events_url, waiting, "asc_approve_app_store", user=BOSS)
    await eventually(lambda: ephemerals_to(world, BOSS))
    step = await action(world, pub.id, "submit_to_app_store")
    assert (step.status, step.requested_by) == ("requested", BOSS)
