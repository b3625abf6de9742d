"""*Submit for review*: a modal with the publication's defaults, checked; approvers only when named."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import blocks
from bot.sandbox.world import World
from tests.commands.conftest import action, ephemerals_to, eventually, open_views, publish, requested

OPTIONS = {"release_type": "AFTER_APPROVAL", "copyright": "2026 Example Ltd", "phased_release": True}


def block(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


async def open_the_form(world: World, user: str = "U0ALICE", **extra: object) -> tuple[str, dict]:
    pub_id, message = await publish(world, **extra)
    click = await world.slack.click_button(world.events_url, message, blocks.SUBMIT_TO_APP_STORE, user=user)
    assert click.status == 200 and click.elapsed_seconds < 3
    [modal] = await eventually(lambda: open_views(world, blocks.SUBMIT_TO_APP_STORE_VIEW))
    return pub_id, modal


def form(release_type: str, when: int | None = None, copyright_text: str | None = None, ticks=()) -> dict:
    return {
        blocks.RELEASE_TYPE: {blocks.RELEASE_TYPE: {"selected_option": {"value": release_type}}},
        blocks.RELEASE_DATE: {blocks.RELEASE_DATE: {"selected_date_time": when}},
        blocks.COPYRIGHT: {blocks.COPYRIGHT: {"value": copyright_text}},
        blocks.SUBMIT_TO_APP_STORE_OPTIONS: {
            blocks.SUBMIT_TO_APP_STORE_OPTIONS: {"selected_options": [{"value": t} for t in ticks]}
        },
    }


async def test_modal_defaults_come_from_the_publishing_options(world: World) -> None:
    pub_id, modal = await open_the_form(world, publishing=OPTIONS)
    kind = block(modal, blocks.RELEASE_TYPE)["element"]["initial_option"]["value"]
    assert kind == "AFTER_APPROVAL"
    assert block(modal, blocks.COPYRIGHT)["element"]["initial_value"] == "2026 Example Ltd"
    ticked = block(modal, blocks.SUBMIT_TO_APP_STORE_OPTIONS)["element"]["initial_options"]
    assert [o["value"] for o in ticked] == ["phased_release"]

    values = form(
        "MANUAL", copyright_text="2026 Example Ltd", ticks=["phased_release", "cancel_previous_submissions"]
    )
    saved = await world.slack.submit_view(world.events_url, modal["id"], values)
    assert saved.status == 200 and modal["id"] in world.slack.closed_views
    step = await requested(world, pub_id, "submit_to_app_store")
    assert step.requested_by == "U0ALICE"
    assert step.params == {
        "release_type": "MANUAL",
        "phased_release": True,
        "cancel_previous_submissions": True,
        "copyright": "2026 Example Ltd",
    }


async def test_a_scheduled_submission_carries_the_date(world: World) -> None:
    pub_id, modal = await open_the_form(world)
    when = world.clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    await world.slack.submit_view(world.events_url, modal["id"], form("SCHEDULED", int(when.timestamp())))
    step = await requested(world, pub_id, "submit_to_app_store")
    assert step.params["release_type"] == "SCHEDULED"
    assert step.params["earliest_release_date"] == when.isoformat()
    assert "copyright" not in step.params


@pytest.mark.parametrize(
    ("release_type", "offset", "says"),
    [
        ("SCHEDULED", None, "Pick a date"),
        ("SCHEDULED", timedelta(hours=-3), "has passed"),
        ("SCHEDULED", timedelta(days=1, minutes=30), "on the hour"),
        ("MANUAL", timedelta(days=1), "only applies to a scheduled release"),
    ],
)
async def test_invalid_forms_are_answered_under_the_date(
    world: World, release_type: str, offset: timedelta | None, says: str
) -> None:
    pub_id, modal = await open_the_form(world)
    base = world.clock.now().replace(minute=0, second=0, microsecond=0)
    when = int((base + offset).timestamp()) if offset is not None else None
    answer = await world.slack.submit_view(world.events_url, modal["id"], form(release_type, when))
    assert answer.json["response_action"] == "errors"
    assert says in world.slack.view_errors[modal["id"]][blocks.RELEASE_DATE]
    assert await action(world, pub_id, "submit_to_app_store") is None


async def test_second_click_after_a_request_gets_no_modal(world: World) -> None:
    pub_id, message = await publish(world)
    await world.bot.engine.request(pub_id, "submit_to_app_store", "U0ALICE", {"release_type": "MANUAL"})
    await world.slack.click_button(world.events_url, message, blocks.SUBMIT_TO_APP_STORE, user="U0BOB")
    [told] = await eventually(lambda: ephemerals_to(world, "U0BOB"))
    assert "already requested by <@U0ALICE>" in told
    assert world.slack.calls_to("views.open") == []


async def test_only_approvers_may_submit_for_review(world: World) -> None:
    await world.stop_bot()
    await world.start_bot(approvers=("U0BOSS", "S0LEADS"))
    world.slack.add_usergroup("S0LEADS", ["U0LEAD"])
    pub_id, message = await publish(world)

    await world.slack.click_button(world.events_url, message, blocks.SUBMIT_TO_APP_STORE, user="U0MALLORY")
    [told] = await eventually(lambda: ephemerals_to(world, "U0MALLORY"))
    assert "Only approvers" in told and "<@U0BOSS>" in told and "<!subteam^S0LEADS>" in told
    assert world.slack.calls_to("views.open") == []

    await world.slack.click_button(world.events_url, message, blocks.SUBMIT_TO_APP_STORE, user="U0LEAD")
    [modal] = await eventually(lambda: open_views(world, blocks.SUBMIT_TO_APP_STORE_VIEW))
    # The modal is passed to someone else's hands: the submission is checked again.
    await world.slack.submit_view(world.events_url, modal["id"], form("MANUAL"), user="U0MALLORY")
    await eventually(lambda: len(ephemerals_to(world, "U0MALLORY")) == 2)
    assert await action(world, pub_id, "submit_to_app_store") is None

    await world.slack.click_button(world.events_url, message, blocks.SUBMIT_TO_APP_STORE, user="U0BOSS")
    [modal] = await eventually(lambda: open_views(world, blocks.SUBMIT_TO_APP_STORE_VIEW))
    await world.slack.submit_view(world.events_url, modal["id"], form("MANUAL"))
    step = await requested(world, pub_id, "submit_to_app_store")
    assert step.requested_by == "U0BOSS"

    audit = [
        (e.kind, e.actor) for e in await world.bot.storage.events(pub_id) if e.kind.startswith("approver_")
    ]
    assert audit == [
        ("approver_refused", "U0MALLORY"),
        ("approver_allowed", "U0LEAD"),
        ("approver_refused", "U0MALLORY"),
        ("approver_allowed", "U0BOSS"),
        ("approver_allowed", "U0BOSS"),
    ]


async def test_an_unreadable_user_group_grants_nothing(world: World) -> None:
    await world.stop_bot()
    await world.start_bot(approvers=("S0GONE",))  # Slack answers no_such_subteam
    pub_id, message = await publish(world)
    await world.slack.click_button(world.events_url, message, blocks.SUBMIT_TO_APP_STORE, user="U0ALICE")
    [told] = await eventually(lambda: ephemerals_to(world, "U0ALICE"))
    assert "Only approvers" in told and "<!subteam^S0GONE>" in told
    [check] = world.slack.calls_to("usergroups.users.list")
    assert check.error == "no_such_subteam"
    assert world.slack.calls_to("views.open") == []
    kinds = [e.kind for e in await world.bot.storage.events(pub_id)]
    assert "approver_refused" in kinds
