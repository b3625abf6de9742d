"""Transport and delivery: Socket Mode, 429s with Retry-After, failed posts retried, broadcasts."""

from __future__ import annotations

from bot import blocks
from bot.sandbox.clock import FakeClock
from bot.sandbox.slack import SOCKET_MODE
from bot.sandbox.world import DEMO_CHANNEL, World
from commands.asc import USAGE
from storage.repository import NewEvent
from tests.commands.conftest import buttons, publish, requested


async def test_socket_mode_carries_commands_and_clicks(world: World) -> None:
    await world.stop_bot()
    await world.start_bot(slack_app_token="xapp-sim")
    await world.slack.socket.wait_connected()
    reply = await world.slack.slash_command(SOCKET_MODE, "/asc", "help", user="U0ALICE", channel=DEMO_CHANNEL)
    assert reply.status == 200 and reply.elapsed_seconds < 3
    assert USAGE["publish"] in reply.json["text"]
    pub_id, message = await publish(world)
    click = await world.slack.click_button(SOCKET_MODE, message, blocks.SUBMIT_TO_TESTFLIGHT, user="U0ALICE")
    assert click.status == 200
    step = await requested(world, pub_id, "submit_to_testflight")
    assert step.requested_by == "U0ALICE"


async def test_a_failed_post_is_sent_later_not_lost(world: World, clock: FakeClock) -> None:
    world.asc.add_app("com.example.app", name="Example")
    world.slack.inject_error("chat.postMessage", "internal_error", times=3)
    response = await world.send_upload(world.upload_payload("com.example.app", "1.4.0", "412"))
    assert response.status_code == 202
    for _ in range(5):
        await world.bot.engine.sweep()
        clock.advance(20)
    [root] = [m for m in world.slack.messages[DEMO_CHANNEL] if not m.thread_ts]
    replies = world.slack.thread(DEMO_CHANNEL, root.ts)
    assert any("was uploaded" in m.text for m in replies)
    assert [c.error for c in world.slack.calls_to("chat.postMessage")][:3] == ["internal_error"] * 3


async def test_outcomes_are_broadcast_and_the_message_updated_in_place(
    world: World, clock: FakeClock
) -> None:
    pub_id, message = await publish(world)
    # An outcome the engine forgot to mark for the channel is broadcast all the same.
    failed = NewEvent("failed", message="⚠️ it broke", announce="thread")
    await world.bot.storage.add_event(pub_id, failed, clock.now())
    clock.advance(901)  # the build never shows up
    await world.bot.engine.sweep()
    replies = world.slack.thread(DEMO_CHANNEL, message.ts)
    broadcast = [m.text for m in replies if m.reply_broadcast]
    assert any("did not appear in App Store Connect" in t for t in broadcast), broadcast
    assert "⚠️ it broke" in broadcast
    assert not any("was uploaded" in t for t in broadcast)
    assert message.edits and "Timed out" in message.text
    assert buttons(message) == []
    assert [m.ts for m in world.slack.messages[DEMO_CHANNEL] if not m.thread_ts] == [message.ts]
