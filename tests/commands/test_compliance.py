"""Export compliance: the thread's question has Yes/No buttons that ask for the step, then show the answer."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot import blocks
from bot.sandbox.slack import Message
from bot.sandbox.world import DEMO_CHANNEL, World
from storage.repository import NewEvent
from tests.commands.conftest import buttons, ephemerals_to, eventually, publish, requested

QUESTION = "🔐 App Store Connect needs an export compliance answer: does the app use non-exempt encryption?"


async def ask(world: World) -> tuple[str, Message]:
    pub_id, message = await publish(world)
    event = NewEvent(blocks.COMPLIANCE_QUESTION, message=QUESTION, announce="thread")
    await world.bot.storage.add_event(pub_id, event, world.clock.now())
    await world.bot.engine.sweep()
    question = next(m for m in world.slack.thread(DEMO_CHANNEL, message.ts) if m.blocks)
    return pub_id, question


@pytest.mark.parametrize(
    ("action_id", "answer"), [(blocks.COMPLIANCE_YES, True), (blocks.COMPLIANCE_NO, False)]
)
async def test_answering_the_question(world: World, action_id: str, answer: bool) -> None:
    pub_id, question = await ask(world)
    assert question.text == QUESTION
    assert buttons(question) == ["Yes, it uses non-exempt encryption", "No non-exempt encryption"]
    click = await world.slack.click_button(world.events_url, question, action_id, user="U0ALICE")
    assert click.status == 200 and click.elapsed_seconds < 3
    step = await requested(world, pub_id, "export_compliance")
    assert (step.requested_by, step.params) == ("U0ALICE", {"uses_non_exempt_encryption": answer})
    await eventually(lambda: question.edits)
    assert buttons(question) == []
    assert "<@U0ALICE> answered" in question.blocks[-1]["elements"][0]["text"]


async def test_a_second_answer_is_told_who_answered(world: World) -> None:
    pub_id, question = await ask(world)
    stale = replace(question, blocks=list(question.blocks))  # Bob's client still shows the buttons
    await world.slack.click_button(world.events_url, question, blocks.COMPLIANCE_NO, user="U0ALICE")
    await requested(world, pub_id, "export_compliance")
    await eventually(lambda: question.edits)
    await world.slack.click_button(world.events_url, stale, blocks.COMPLIANCE_YES, user="U0BOB")
    [told] = await eventually(lambda: ephemerals_to(world, "U0BOB"))
    assert "already answered by <@U0ALICE>" in told
    [ephemeral] = [m for m in world.slack.ephemerals if m.ephemeral_to == "U0BOB"]
    assert ephemeral.thread_ts == question.thread_ts  # said where the question was asked
