"""Slack as it really fails, seen through the outbox: permanent refusals told, rate limits per channel,
answers lost after the post was made never duplicating it. All over HTTP against the simulator."""

from __future__ import annotations

from bot.sandbox.clock import FakeClock
from bot.sandbox.world import DEMO_CHANNEL, World
from storage.repository import NewEvent
from tests.commands.conftest import publish


async def sweep(world: World, clock: FakeClock, times: int = 1, every: float = 20) -> None:
    assert world.bot is not None
    for _ in range(times):
        await world.bot.engine.sweep()
        clock.advance(every)


async def upload(world: World, channel: str, build: str = "412", **extra: object) -> str:
    if "com.example.app" not in world.asc.store.apps_by_bundle:
        world.asc.add_app("com.example.app", name="Example")
    payload = world.upload_payload("com.example.app", "1.4.0", build, channel=channel, **extra)
    response = await world.send_upload(payload)
    assert response.status_code == 202, response.text
    return response.json()["publication_id"]


def posts_to(world: World, channel: str) -> int:
    return sum(1 for c in world.slack.calls_to("chat.postMessage") if c.args.get("channel") == channel)


async def test_a_channel_the_bot_is_not_in_is_told_once_and_shown_in_status(
    world: World, clock: FakeClock
) -> None:
    world.slack.add_channel("C0PUBLIC", "ios-public", member=False)
    world.slack.scopes.discard("chat:write.public")
    pub_id = await upload(world, "C0PUBLIC")
    await sweep(world, clock, times=6)
    assert posts_to(world, "C0PUBLIC") == 1  # refused for good: never tried again
    pub = await world.bot.storage.get(pub_id)
    assert pub is not None and pub.slack_problem is not None and "not_in_channel" in pub.slack_problem
    told = [m.text for m in world.slack.messages[DEMO_CHANNEL]]
    assert any("not_in_channel" in t and "invite @asc-bot" in t for t in told)
    status = await world.slack.slash_command(
        world.events_url, "/asc", "status", user="U1", channel=DEMO_CHANNEL
    )
    assert "not_in_channel" in status.body


async def test_an_archived_channel_is_told_to_the_person_who_published(
    world: World, clock: FakeClock
) -> None:
    world.slack.add_channel("C0OLD", "old")
    pub_id = await upload(world, "C0OLD")
    world.slack.archive_channel("C0OLD")  # after the publication was taken (before, it is refused)
    assert world.bot is not None
    # as if `/asc publish` by U0ALICE had made it
    await world.bot.storage.store.call(
        lambda db: db.execute("update events set actor = 'U0ALICE' where publication_id = ?", [pub_id])
    )
    await sweep(world, clock, times=4)
    assert posts_to(world, "C0OLD") == 1
    dms = [m for channel, ms in world.slack.messages.items() if channel.startswith("D") for m in ms]
    assert len(dms) == 1 and "is_archived" in dms[0].text
    assert world.slack.workspace.channels[dms[0].channel]["user"] == "U0ALICE"


async def test_a_refused_reply_is_said_as_text_and_later_replies_go_on(
    world: World, clock: FakeClock
) -> None:
    pub_id, message = await publish(world)
    assert world.bot is not None
    world.slack.inject_error("chat.postMessage", "invalid_blocks", times=1)
    for n in range(3):
        await world.bot.storage.add_event(
            pub_id, NewEvent("note", message=f"note {n}", announce="thread"), clock.now()
        )
    await sweep(world, clock, times=2)
    texts = [m.text for m in world.slack.thread(DEMO_CHANNEL, message.ts)]
    assert [t for t in texts if t.startswith("note")] == ["note 0", "note 1", "note 2"]
    plain = [m for m in world.slack.thread(DEMO_CHANNEL, message.ts) if m.text == "note 0"]
    assert plain[0].blocks == []  # the refused blocks were left out
    pub = await world.bot.storage.get(pub_id)
    assert pub is not None and "invalid_blocks" in (pub.slack_problem or "")


async def test_a_rate_limited_channel_holds_back_no_other_channel(world: World, clock: FakeClock) -> None:
    world.slack.add_channel("C0BUSY", "busy")
    world.slack.inject_error("chat.postMessage", "ratelimited", times=None, retry_after=30, channel="C0BUSY")
    await upload(world, "C0BUSY", build="1")
    await upload(world, DEMO_CHANNEL, build="2")
    assert world.bot is not None
    await world.bot.engine.sweep()
    assert posts_to(world, "C0BUSY") == 1  # no retry inside the sweep: the lane waits for Retry-After
    assert world.slack.top_level(DEMO_CHANNEL) and not world.slack.top_level("C0BUSY")
    clock.advance(10)
    await world.bot.engine.sweep()
    assert posts_to(world, "C0BUSY") == 1  # still inside Retry-After
    world.slack.clear_errors()
    clock.advance(25)
    await world.bot.engine.sweep()
    [root] = world.slack.top_level("C0BUSY")
    assert [m.text for m in world.slack.thread("C0BUSY", root.ts)]  # the thread followed, in order


async def test_a_500_after_the_post_does_not_post_twice(world: World, clock: FakeClock) -> None:
    world.slack.inject_error("chat.postMessage", "fatal_error", status=500, after=True, times=2)
    pub_id = await upload(world, DEMO_CHANNEL)
    await sweep(world, clock, times=5)
    assert world.bot is not None
    pub = await world.bot.storage.get(pub_id)
    assert pub is not None and pub.message_ts is not None
    roots = world.slack.top_level(DEMO_CHANNEL)
    assert len(roots) == 1 and roots[0].ts == pub.message_ts
    replies = [m.text for m in world.slack.thread(DEMO_CHANNEL, pub.message_ts)]
    assert len(replies) == len(set(replies)) and replies


async def test_a_deleted_message_is_posted_anew(world: World, clock: FakeClock) -> None:
    pub_id, message = await publish(world)
    world.slack.delete_message(DEMO_CHANNEL, message.ts)
    assert world.bot is not None
    await world.bot.engine.request(pub_id, "submit_to_testflight", "U0ALICE")
    await sweep(world, clock, times=3)
    pub = await world.bot.storage.get(pub_id)
    assert pub is not None and pub.message_ts not in (None, message.ts)
    assert any(e.kind == "slack_refused" for e in await world.bot.storage.events(pub_id))


async def test_a_revoked_token_pauses_posting_instead_of_retrying(world: World, clock: FakeClock) -> None:
    world.slack.revoke_token()
    await upload(world, DEMO_CHANNEL)
    await sweep(world, clock, times=10, every=20)
    assert len(world.slack.calls_to("chat.postMessage")) == 1
