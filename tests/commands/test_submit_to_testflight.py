"""*Submit to TestFlight*: one click asks for it; What to Test is offered in a modal; doubles are one."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot import blocks
from bot.sandbox.clock import FakeClock
from bot.sandbox.world import DEMO_CHANNEL, World
from tests.commands.conftest import action, buttons, ephemerals_to, eventually, open_views, publish, requested


async def test_click_requests_testflight_then_offers_what_to_test(world: World) -> None:
    pub_id, message = await publish(world)
    click = await world.slack.click_button(
        world.events_url, message, blocks.SUBMIT_TO_TESTFLIGHT, user="U0ALICE"
    )
    assert click.status == 200 and click.elapsed_seconds < 3
    step = await requested(world, pub_id, "submit_to_testflight")
    assert (step.requested_by, step.params) == ("U0ALICE", {})
    [modal] = await eventually(lambda: open_views(world, blocks.WHAT_TO_TEST_VIEW))
    assert "queued" in modal["blocks"][0]["text"]["text"]  # the build is still being processed

    values = {
        blocks.LOCALE: {blocks.LOCALE: {"selected_option": {"value": "de-DE"}}},
        blocks.WHATS_NEW: {blocks.WHATS_NEW: {"value": "  Try the new checkout.  "}},
    }
    saved = await world.slack.submit_view(world.events_url, modal["id"], values)
    assert saved.status == 200 and saved.elapsed_seconds < 3
    assert modal["id"] in world.slack.closed_views
    notes = await requested(world, pub_id, "what_to_test")
    assert notes.requested_by == "U0ALICE"
    assert notes.params == {"notes": [{"language": "de-DE", "text": "Try the new checkout."}]}


async def test_empty_what_to_test_is_refused_in_the_modal(world: World) -> None:
    pub_id, message = await publish(world)
    await world.slack.click_button(world.events_url, message, blocks.SUBMIT_TO_TESTFLIGHT, user="U0ALICE")
    [modal] = await eventually(lambda: open_views(world, blocks.WHAT_TO_TEST_VIEW))
    values = {blocks.WHATS_NEW: {blocks.WHATS_NEW: {"value": "   "}}}
    answer = await world.slack.submit_view(world.events_url, modal["id"], values)
    assert answer.json["response_action"] == "errors"
    assert "Skip" in world.slack.view_errors[modal["id"]][blocks.WHATS_NEW]
    assert modal["id"] in world.slack.views  # still open, for the user to fix
    assert await action(world, pub_id, "what_to_test") is None


async def test_no_modal_when_ci_gave_release_notes(world: World) -> None:
    notes = [{"language": "en-US", "text": "x" * 4000}]
    pub_id, message = await publish(world, release_notes=notes)
    await world.slack.click_button(world.events_url, message, blocks.SUBMIT_TO_TESTFLIGHT, user="U0ALICE")
    await requested(world, pub_id, "submit_to_testflight")
    await asyncio.sleep(0.05)  # the listener has nothing left to do; give it the chance to misbehave
    assert world.slack.calls_to("views.open") == []


async def test_double_click_and_second_person_get_one_request(world: World) -> None:
    pub_id, message = await publish(world)
    clicks = await asyncio.gather(
        world.slack.click_button(world.events_url, message, blocks.SUBMIT_TO_TESTFLIGHT, user="U0ALICE"),
        world.slack.click_button(world.events_url, message, blocks.SUBMIT_TO_TESTFLIGHT, user="U0ALICE"),
    )
    assert [c.status for c in clicks] == [200, 200]
    step = await requested(world, pub_id, "submit_to_testflight")
    await eventually(lambda: ephemerals_to(world, "U0ALICE"))
    await world.slack.click_button(world.events_url, message, blocks.SUBMIT_TO_TESTFLIGHT, user="U0BOB")
    [told] = await eventually(lambda: ephemerals_to(world, "U0BOB"))
    assert "already requested by <@U0ALICE> at <!date^" in told
    [double] = ephemerals_to(world, "U0ALICE")
    assert "already requested by <@U0ALICE>" in double
    steps = [a for a in await world.bot.storage.actions(pub_id) if a.kind == "submit_to_testflight"]
    assert [s.id for s in steps] == [step.id]
    assert len(open_views(world, blocks.WHAT_TO_TEST_VIEW)) == 1
    assert all(m.channel == DEMO_CHANNEL and m.thread_ts is None for m in world.slack.ephemerals)


async def test_refused_when_the_build_timed_out(world: World, clock: FakeClock) -> None:
    pub_id, message = await publish(world)
    clock.advance(901)
    await world.bot.engine.sweep()
    pub = await world.bot.storage.get(pub_id)
    assert pub.state == "timed_out"
    assert buttons(message) == []
    # A click on a stale copy of the message (a client that has not redrawn it yet).
    stale = replace(message, blocks=message.edits[0].blocks)
    await world.slack.click_button(world.events_url, stale, blocks.SUBMIT_TO_TESTFLIGHT, user="U0ALICE")
    [told] = await eventually(lambda: ephemerals_to(world, "U0ALICE"))
    assert "cannot be done" in told and "timed out" in told
    assert await action(world, pub_id, "submit_to_testflight") is None
