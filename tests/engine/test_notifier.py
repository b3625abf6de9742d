"""How the engine tells people what happened: the view of a publication it hands over, the error a
refused post raises, and the contract every chat surface keeps (posts tagged with their outbox id
can be found again), checked against the Slack surface over the Slack simulator."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace

import pytest

from bot.engine.notifier import DeliveryError, PublicationView
from bot.sandbox.clock import FakeClock
from storage.records import Publication
from storage.repository import NewAction, NewEvent, Storage
from tests.support.engine_rig import BUNDLE, CHANNEL, engine_rig
from tests.support.publications import fields


async def stored(storage: Storage, clock: FakeClock, *steps: str) -> PublicationView:
    made = await storage.create_publication(
        fields(app_bundle_id=BUNDLE, channel=CHANNEL),
        [NewAction(kind, "webhook") for kind in steps],
        delivery=None,
        now=clock.now(),
        event=NewEvent("created", message="📦 uploaded", announce="thread"),
    )
    pub: Publication = made.publication
    return PublicationView(pub, tuple(await storage.actions(pub.id)))


async def test_a_view_finds_its_action_of_a_kind(storage: Storage, clock: FakeClock) -> None:
    view = await stored(storage, clock, "what_to_test", "submit_to_testflight")
    beta = view.action("submit_to_testflight")
    assert beta is not None and beta.kind == "submit_to_testflight"
    assert view.action("what_to_test") is not None
    assert view.action("submit_to_app_store") is None
    with pytest.raises(FrozenInstanceError):
        view.actions = ()  # type: ignore[misc]


def test_a_delivery_error_says_its_code_and_hint_and_defaults_to_one_post_and_no_doubt() -> None:
    plain = DeliveryError("ratelimited", permanent=False, retry_after=3.0)
    assert str(plain) == "ratelimited" and plain.hint == ""
    assert (plain.code, plain.permanent, plain.scope, plain.retry_after, plain.in_doubt) == (
        "ratelimited",
        False,
        "post",
        3.0,
        False,
    )
    hinted = DeliveryError("not_in_channel", permanent=True, scope="channel", hint="invite @asc-bot")
    assert str(hinted) == "not_in_channel: invite @asc-bot"
    assert (hinted.scope, hinted.retry_after) == ("channel", None)
    assert DeliveryError("TimeoutError", permanent=False, in_doubt=True).in_doubt


async def test_posts_tagged_with_an_outbox_id_are_found_again_and_others_are_not(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        notifier = rig.parts.notifier
        view = await stored(storage, clock, "submit_to_testflight")
        since = clock.now()
        ts = await notifier.post_publication(view, "outbox-1")
        posted = replace(view, publication=replace(view.publication, message_ts=ts))
        [event] = await storage.events(view.publication.id)
        await notifier.reply(posted, event, "outbox-2")
        await notifier.tell(CHANNEL, "Heads up", "outbox-3")
        found_top = await notifier.find_post(CHANNEL, None, "outbox-1", since)
        found_reply = await notifier.find_post(CHANNEL, ts, "outbox-2", since)
        found_told = await notifier.find_post(CHANNEL, None, "outbox-3", since)
        missing = await notifier.find_post(CHANNEL, ts, "outbox-9", since)
        reply_at_top = await notifier.find_post(CHANNEL, None, "outbox-2", since)
        [thread_reply] = rig.slack.thread(CHANNEL, ts)
    assert found_top == ts and found_reply == thread_reply.ts
    assert found_told is not None and found_told != ts
    assert missing is None and reply_at_top is None  # a reply is looked for in its thread


async def test_a_channel_the_bot_cannot_post_in_raises_a_permanent_delivery_error_for_the_channel(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        view = await stored(storage, clock, "submit_to_testflight")
        elsewhere = replace(view, publication=replace(view.publication, channel="C0NOWHERE"))
        with pytest.raises(DeliveryError) as refused:
            await rig.parts.notifier.post_publication(elsewhere, "outbox-1")
        ready = await rig.parts.notifier.channel_ready("C0NOWHERE", refused.value.code)
    assert refused.value.permanent and refused.value.scope == "channel"
    assert refused.value.code == "channel_not_found" and not refused.value.in_doubt
    assert ready is False
