"""Posts held while a channel refuses the bot, delivered in order, once, when it is fixed; the notice
about it told once per problem, even across restarts. Over HTTP against the simulator."""

from __future__ import annotations

from bot import blocks
from bot.engine.notifier import PublicationView
from bot.sandbox.clock import FakeClock
from bot.sandbox.slack import SOCKET_MODE
from bot.sandbox.world import DEMO_CHANNEL, World
from tests.commands.conftest import eventually
from tests.commands.test_slack_delivery import posts_to, sweep, upload

CHANNEL = "C0IOS"


def notices(world: World) -> list[str]:
    """What the default channel was told about undeliverable publications."""
    return [m.text for m in world.slack.messages.get(DEMO_CHANNEL, []) if m.text.startswith("⚠️")]


async def assert_delivered_in_order(world: World, pub_ids: list[str]) -> None:
    """Each publication's message once, in the order they were made, with its whole thread, in order."""
    assert world.bot is not None
    roots = world.slack.top_level(CHANNEL)
    expected_roots = []
    for pub_id in pub_ids:
        pub = await world.bot.storage.get(pub_id)
        assert pub is not None and pub.message_ts is not None and pub.slack_problem is None
        expected_roots.append(pub.message_ts)
        view = PublicationView(pub, tuple(await world.bot.storage.actions(pub.id)))
        events = [e for e in await world.bot.storage.events(pub.id) if e.announce]
        replies = [m.text for m in world.slack.thread(CHANNEL, pub.message_ts)]
        assert replies == [blocks.reply(view, e)[0] for e in events] and replies
        assert all(e.delivered_at for e in events)
    assert [m.ts for m in roots if not m.is_reply] == expected_roots


async def test_posts_held_for_a_channel_the_bot_left_go_out_once_it_is_invited_again(
    world: World, clock: FakeClock
) -> None:
    assert world.bot is not None
    world.slack.add_channel(CHANNEL, "ios")
    first = await upload(world, CHANNEL, build="1")
    second = await upload(world, CHANNEL, build="2")
    world.slack.remove_bot(CHANNEL)  # kicked before the bot posted; private-ish: no chat:write.public
    world.slack.scopes.discard("chat:write.public")
    await sweep(world, clock, times=6)
    assert posts_to(world, CHANNEL) == 1  # refused once; the rest is held, not tried again and again
    [told] = notices(world)  # one problem, one notice: not one per publication or per post
    assert "not_in_channel" in told and "invite @asc-bot" in told and "held" in told
    for pub_id in (first, second):
        pub = await world.bot.storage.get(pub_id)
        assert pub is not None and "not_in_channel" in (pub.slack_problem or "")
    status = await world.slack.slash_command(world.events_url, "/asc", "status", user="U1", channel=DEMO_CHANNEL)
    assert "not_in_channel" in status.body
    # Someone runs /invite @asc-bot: Slack tells the bot (member_joined_channel), the posts go out.
    reply = await world.slack.invite_bot(CHANNEL, world.events_url)
    assert reply is not None and reply.status == 200
    await eventually(lambda: world.slack.top_level(CHANNEL))
    await sweep(world, clock, times=3)
    await assert_delivered_in_order(world, [first, second])
    assert len(notices(world)) == 1


async def test_an_unarchived_channel_is_found_by_the_periodic_recheck(world: World, clock: FakeClock) -> None:
    assert world.bot is not None
    world.slack.add_channel(CHANNEL, "ios")
    pub_id = await upload(world, CHANNEL)
    world.slack.archive_channel(CHANNEL)
    await sweep(world, clock, times=3, every=20)
    assert not world.slack.top_level(CHANNEL) and len(notices(world)) == 1
    checks = len(world.slack.calls_to("conversations.info"))
    await sweep(world, clock, times=10, every=20)  # still archived: asked again every 5 minutes, no more
    assert len(world.slack.calls_to("conversations.info")) - checks <= 1
    assert posts_to(world, CHANNEL) == 1
    world.slack.unarchive_channel(CHANNEL)
    await sweep(world, clock, times=18, every=20)  # within the next 5 minutes the outbox finds out
    await assert_delivered_in_order(world, [pub_id])
    assert len(notices(world)) == 1


async def test_the_notice_is_told_once_across_a_failed_tell_and_a_restart(world: World, clock: FakeClock) -> None:
    assert world.bot is not None
    world.slack.add_channel(CHANNEL, "ios")
    await upload(world, CHANNEL, build="1")
    world.slack.archive_channel(CHANNEL)
    # The default channel is busy when the notice is due: it waits and is told later, not lost.
    world.slack.inject_error("chat.postMessage", "ratelimited", times=1, retry_after=30, channel=DEMO_CHANNEL)
    await sweep(world, clock, times=1)
    assert notices(world) == []
    await sweep(world, clock, times=3, every=20)
    assert len(notices(world)) == 1
    await world.stop_bot()
    await world.start_bot()
    await upload(world, DEMO_CHANNEL, build="9")  # the restarted bot works as usual...
    await sweep(world, clock, times=20, every=20)
    assert len(notices(world)) == 1  # ...and does not tell the same problem again
    assert posts_to(world, CHANNEL) == 1


async def test_a_held_channel_refuses_new_publications_until_it_is_fixed(world: World, clock: FakeClock) -> None:
    assert world.bot is not None
    world.slack.add_channel(CHANNEL, "ios", member=False)  # public: the channel check lets it through
    world.slack.scopes.discard("chat:write.public")  # ...but Slack will not take the post
    first = await upload(world, CHANNEL, build="1")
    await sweep(world, clock, times=2)
    asked = len(world.asc.exchanges)
    refused = await world.send_upload(world.upload_payload("com.example.app", "1.4.0", "2", channel=CHANNEL))
    assert refused.status_code == 400 and "invite @asc-bot" in refused.text and CHANNEL in refused.text
    assert len(world.asc.exchanges) == asked  # refused before anything was asked of App Store Connect
    await world.slack.invite_bot(CHANNEL)  # no event reaches the bot: the next webhook finds out
    second = await upload(world, CHANNEL, build="3")
    await sweep(world, clock, times=3)
    await assert_delivered_in_order(world, [first, second])
    assert len(notices(world)) == 1


async def test_the_invitation_reaches_the_bot_over_socket_mode_too(world: World, clock: FakeClock) -> None:
    await world.stop_bot()
    await world.start_bot(slack_app_token="xapp-sim")
    await world.slack.socket.wait_connected()
    assert world.bot is not None
    world.slack.add_channel(CHANNEL, "ios")
    pub_id = await upload(world, CHANNEL)
    world.slack.remove_bot(CHANNEL)
    world.slack.scopes.discard("chat:write.public")
    await sweep(world, clock, times=2)
    assert not world.slack.top_level(CHANNEL)
    await world.slack.invite_bot(CHANNEL, SOCKET_MODE)
    await eventually(lambda: world.slack.top_level(CHANNEL))
    await sweep(world, clock, times=2)
    await assert_delivered_in_order(world, [pub_id])
