"""*Schedule release*, *Release now* and the phased-release buttons, as the message offers them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import blocks
from bot.sandbox.slack import Message
from bot.sandbox.world import World
from storage.repository import DIRTY
from tests.commands.conftest import action, buttons, ephemerals_to, eventually, open_views, publish, requested


def picked(world: World, **delta: float) -> int:
    base = world.clock.now().replace(minute=0, second=0, microsecond=0)
    return int((base + timedelta(**delta)).timestamp())


async def open_schedule(world: World) -> tuple[str, dict]:
    pub_id, message = await publish(world)
    click = await world.slack.click_button(world.events_url, message, blocks.SCHEDULE, user="U0ALICE")
    assert click.status == 200 and click.elapsed_seconds < 3
    [modal] = await eventually(lambda: open_views(world, blocks.SCHEDULE_VIEW))
    return pub_id, modal


def when(stamp: int | None) -> dict:
    return {blocks.RELEASE_DATE: {blocks.RELEASE_DATE: {"selected_date_time": stamp}}}


async def test_schedule_release_with_a_future_whole_hour(world: World) -> None:
    pub_id, modal = await open_schedule(world)
    picker = next(b for b in modal["blocks"] if b.get("block_id") == blocks.RELEASE_DATE)["element"]
    assert picker["type"] == "datetimepicker"
    assert picker["initial_date_time"] == picked(world, days=1, hours=1)  # a whole hour, tomorrow
    stamp = picked(world, days=3)
    saved = await world.slack.submit_view(world.events_url, modal["id"], when(stamp))
    assert saved.status == 200 and modal["id"] in world.slack.closed_views
    step = await requested(world, pub_id, "schedule_release")
    assert step.requested_by == "U0ALICE"
    assert step.params == {
        "earliest_release_date": (
            world.clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
        ).isoformat()
    }


@pytest.mark.parametrize(
    ("delta", "says"),
    [
        ({"days": 1, "minutes": 30}, "App Store Connect releases on the hour: you picked"),
        ({"hours": -1}, "That time has passed"),
        (None, "Pick a date"),
    ],
)
async def test_a_bad_release_time_is_refused_with_a_clear_message(
    world: World, delta: dict | None, says: str
) -> None:
    pub_id, modal = await open_schedule(world)
    answer = await world.slack.submit_view(
        world.events_url, modal["id"], when(picked(world, **delta) if delta else None)
    )
    assert answer.status == 200 and answer.json["response_action"] == "errors"
    assert says in world.slack.view_errors[modal["id"]][blocks.RELEASE_DATE]
    assert modal["id"] in world.slack.views
    assert await action(world, pub_id, "schedule_release") is None


async def redraw(world: World, pub_id: str, message: Message, **fields: object) -> Message:
    """Record what App Store Connect said (as the engine would) and let the message follow."""
    await world.bot.storage.update(pub_id, world.clock.now(), message_dirty=DIRTY, **fields)
    await world.bot.engine.sweep()
    return message  # edited in place by chat.update


async def test_release_now_appears_when_approved_for_manual_release(world: World) -> None:
    pub_id, message = await publish(world)
    await redraw(world, pub_id, message, version_state="PENDING_DEVELOPER_RELEASE", release_type="MANUAL")
    assert "Release now" in buttons(message) and "Submit for review" not in buttons(message)
    click = await world.slack.click_button(world.events_url, message, blocks.RELEASE_NOW, user="U0ALICE")
    assert click.status == 200
    step = await requested(world, pub_id, "release_now")
    assert (step.requested_by, step.params) == ("U0ALICE", {})


@pytest.mark.parametrize(
    ("phased_state", "action_id", "kind"),
    [
        ("ACTIVE", blocks.PHASED_PAUSE, "phased_pause"),
        ("PAUSED", blocks.PHASED_RESUME, "phased_resume"),
        ("ACTIVE", blocks.PHASED_COMPLETE, "phased_complete"),
    ],
)
async def test_phased_release_controls(world: World, phased_state: str, action_id: str, kind: str) -> None:
    pub_id, message = await publish(world)
    await redraw(world, pub_id, message, version_state="READY_FOR_DISTRIBUTION", phased_state=phased_state)
    assert "Schedule release" not in buttons(message)
    await world.slack.click_button(world.events_url, message, action_id, user="U0ALICE")
    step = await requested(world, pub_id, kind)
    assert step.requested_by == "U0ALICE"


async def test_release_buttons_refuse_non_approvers(world: World) -> None:
    await world.stop_bot()
    await world.start_bot(approvers=("U0BOSS",))
    pub_id, message = await publish(world)
    await world.slack.click_button(world.events_url, message, blocks.SCHEDULE, user="U0MALLORY")
    await eventually(lambda: ephemerals_to(world, "U0MALLORY"))
    await redraw(world, pub_id, message, version_state="PENDING_DEVELOPER_RELEASE", release_type="MANUAL")
    await world.slack.click_button(world.events_url, message, blocks.RELEASE_NOW, user="U0MALLORY")
    told = await eventually(
        lambda: len(ephemerals_to(world, "U0MALLORY")) == 2 and ephemerals_to(world, "U0MALLORY")
    )
    assert "Only approvers may *schedule release*" in told[0]
    assert "Only approvers may *release now*" in told[1]
    assert world.slack.calls_to("views.open") == []
    await world.slack.click_button(world.events_url, message, blocks.RELEASE_NOW, user="U0BOSS")
    await requested(world, pub_id, "release_now")
    assert await action(world, pub_id, "schedule_release") is None
    audit = [
        (e.kind, e.actor, e.data["step"])
        for e in await world.bot.storage.events(pub_id)
        if e.kind.startswith("approver_")
    ]
    assert audit == [
        ("approver_refused", "U0MALLORY", "Schedule release"),
        ("approver_refused", "U0MALLORY", "Release now"),
        ("approver_allowed", "U0BOSS", "Release now"),
    ]
