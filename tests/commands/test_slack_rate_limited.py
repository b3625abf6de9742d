"""Slack's method tiers hit by a burst of redraws: the outbox waits out Retry-After per method and per
channel, without stalling the engine or other channels. Over HTTP against the simulator's limiter."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import blocks
from bot.engine.notifier import PublicationView
from bot.sandbox.clock import FakeClock
from bot.sandbox.slack import SlackCall
from bot.sandbox.world import DEMO_CHANNEL, World
from storage.repository import DIRTY
from tests.commands.conftest import buttons, ephemerals_to, eventually, open_views, publish, requested
from tests.commands.test_compliance import ask
from tests.commands.test_slack_delivery import posts_to

BUSY = ("C0BUSY1", "C0BUSY2")
BUILDS = 4  # per busy channel


async def uploads(world: World, channel: str, first_build: int, count: int) -> list[str]:
    """One build of its own app per publication, each going to TestFlight once processed."""
    ids = []
    for n in range(first_build, first_build + count):
        bundle = f"com.example.app{n}"
        world.asc.add_app(bundle, name=f"App {n}")
        payload = world.upload_payload(
            bundle, "2.0.0", str(n), channel=channel, publishing={"submit_to_testflight": True}
        )
        response = await world.send_upload(payload)
        assert response.status_code == 202, response.text
        ids.append(response.json()["publication_id"])
        world.asc.upload_build(bundle, "2.0.0", str(n), processing_time=120, appear_delay=10)
    return ids


async def all_submitted(world: World, pubs: list[str]) -> bool:
    assert world.bot is not None
    for pub_id in pubs:
        step = next(
            (a for a in await world.bot.storage.actions(pub_id) if a.kind == "submit_to_testflight"), None
        )
        if step is None or step.status != "succeeded":
            return False
    return True


def called_while_limited(calls: list[SlackCall], method: str) -> list[datetime]:
    """Calls to `method` made after a 429 and before its Retry-After ended (by the simulator's clock,
    which stands still during one flush: calls other lanes had in flight share the 429's instant)."""
    early, since, until = [], None, None
    for call in (c for c in calls if c.method == method):
        if since is not None and until is not None and since < call.at < until:
            early.append(call.at)
        if call.status == 429:
            since, until = call.at, call.at + timedelta(seconds=call.retry_after or 1)
    return early


async def test_a_burst_of_redraws_hits_the_tier_and_everything_arrives_in_order(
    world: World, clock: FakeClock
) -> None:
    assert world.bot is not None
    world.slack.workspace.clock = clock  # Slack's minute (and its records) follow the test's clock
    world.slack.limit_rate("chat.update", 5)  # Tier 3 is 50 a minute; a tighter one, same rules
    for channel in BUSY:
        world.slack.add_channel(channel, channel.lower())
    pubs = [*await uploads(world, BUSY[0], 100, BUILDS), *await uploads(world, BUSY[1], 200, BUILDS)]
    limited_at = None
    late = None
    for step in range(60):
        await world.bot.engine.sweep()
        if limited_at is None and any(c.status == 429 for c in world.slack.calls_to("chat.update")):
            limited_at = step
            # While redraws wait for Retry-After, a new publication elsewhere is posted at once.
            [late] = await uploads(world, DEMO_CHANNEL, 300, 1)
            await world.bot.engine.sweep()
            late_pub = await world.bot.storage.get(late)
            assert late_pub is not None and late_pub.message_ts is not None
            assert posts_to(world, DEMO_CHANNEL) >= 1
            assert await world.bot.storage.dirty_messages()  # the busy channels still wait
            # Its redraw, due inside the busy channels' Retry-After, waits too: the limit is the
            # workspace's, per method, so the outbox does not call into it from another channel.
            await world.bot.storage.update(late, clock.now(), message_dirty=DIRTY)
        clock.advance(15)
        settled = not await world.bot.storage.dirty_messages() and not await world.bot.storage.undelivered()
        if late is not None and settled and await all_submitted(world, [*pubs, late]):
            break
    assert limited_at is not None, "the burst never met the tier limit"
    assert late is not None
    # App Store Connect steps went on while Slack was limiting: every build reached TestFlight.
    assert await all_submitted(world, [*pubs, late])
    assert world.asc.count("POST", r"^/v1/betaAppReviewSubmissions$") == len(pubs) + 1  # each once
    # The outbox waited out each Retry-After, for every channel: no call made into a known limit.
    assert called_while_limited(world.slack.calls, "chat.update") == []
    assert not await world.bot.storage.dirty_messages()
    for pub_id in [*pubs, late]:
        pub = await world.bot.storage.get(pub_id)
        assert pub is not None and pub.message_ts is not None
        message = world.slack.find_message(pub.channel or "", pub.message_ts)
        assert message is not None
        view = PublicationView(pub, tuple(await world.bot.storage.actions(pub.id)))
        assert message.text == blocks.publication_message(view)[0]  # the last state, drawn last
        replies = [m.text for m in world.slack.thread(pub.channel or "", pub.message_ts)]
        events = [e for e in await world.bot.storage.events(pub.id) if e.announce]
        assert len(replies) == len(events) == len(set(replies)) and all(e.delivered_at for e in events)
        assert replies == [blocks.reply(view, e)[0] for e in events]  # in the order they happened


async def test_a_modal_over_its_tier_is_explained_at_once_not_retried_into_an_expired_trigger(
    world: World,
) -> None:
    _, message = await publish(world)
    world.slack.limit_rate("views.open", 1)  # Tier 4 is 100 a minute; one here, then 429 (~60 s)
    await world.slack.click_button(world.events_url, message, blocks.SUBMIT_TO_APP_STORE, user="U0ALICE")
    await eventually(lambda: open_views(world, blocks.SUBMIT_TO_APP_STORE_VIEW))
    await world.slack.click_button(world.events_url, message, blocks.SUBMIT_TO_APP_STORE, user="U0BOB")
    [said] = await eventually(lambda: ephemerals_to(world, "U0BOB"))
    assert "Submit for review" in said and "limiting how fast" in said
    assert [c.status for c in world.slack.calls_to("views.open")] == [200, 429]  # no retry after 3 s


async def test_a_private_answer_over_its_tier_goes_back_through_the_response_url(world: World) -> None:
    pub_id, message = await publish(world)
    assert world.bot is not None
    await world.bot.engine.request(pub_id, "submit_to_testflight", "U0ALICE")
    world.slack.limit_rate("chat.postEphemeral", 0)  # closed for the next minute
    await world.slack.click_button(world.events_url, message, blocks.SUBMIT_TO_TESTFLIGHT, user="U0BOB")
    [said] = await eventually(lambda: ephemerals_to(world, "U0BOB"))
    assert "U0ALICE" in said  # who already asked for it, told to the second clicker
    [answer] = [m for m in world.slack.ephemerals if m.ephemeral_to == "U0BOB"]
    assert answer.via == "response_url" and answer.channel == DEMO_CHANNEL
    assert [c.status for c in world.slack.calls_to("chat.postEphemeral")] == [429]


async def test_an_answer_whose_question_cannot_be_redrawn_tells_the_clicker(world: World) -> None:
    pub_id, question = await ask(world)
    world.slack.limit_rate("chat.update", 0)  # closed for the next minute (~60 s Retry-After)
    await world.slack.click_button(world.events_url, question, blocks.COMPLIANCE_NO, user="U0ALICE")
    step = await requested(world, pub_id, "export_compliance")
    assert step.params == {"uses_non_exempt_encryption": False}  # the answer is taken all the same
    [said] = await eventually(lambda: ephemerals_to(world, "U0ALICE"))
    assert "recorded" in said and "limiting how fast" in said
    assert buttons(question)  # unchanged: Slack refused the edit


async def test_a_form_that_opened_but_cannot_be_filled_in_tells_the_clicker(world: World) -> None:
    _, message = await publish(world)
    world.slack.limit_rate("views.update", 0)  # the loading form opens; filling it in meets the limit
    await world.slack.click_button(world.events_url, message, blocks.BETA_GROUPS, user="U0ALICE")
    [said] = await eventually(lambda: ephemerals_to(world, "U0ALICE"))
    assert "Add beta groups" in said and "limiting how fast" in said
    assert [c.status for c in world.slack.calls_to("views.update")] == [429]
