"""The Slack simulator's channels as the bot's token sees them, and reading its own posts back by metadata."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.clock import FakeClock
from bot.sandbox.slack import SlackSimulator
from bot.sandbox.slack.registry import METHODS
from bot.sandbox.slack.workspace import DEFAULT_SCOPES

yaml = pytest.importorskip("yaml")  # comes with openapi-core, a test dependency

TOKEN = "xoxb-test"
TAG = {"event_type": "asc_bot_post", "event_payload": {"outbox_id": "m:1"}}


@pytest.fixture
async def sim() -> AsyncIterator[SlackSimulator]:
    simulator = SlackSimulator(bot_token=TOKEN, clock=FakeClock())
    simulator.add_channel("C1", "releases")
    simulator.add_channel("C2", "ios-public", member=False)
    simulator.add_channel("G1", "ios-private", member=False)
    simulator.add_channel("C3", "old-releases", archived=True)
    await simulator.start()
    try:
        yield simulator
    finally:
        await simulator.stop()
    for call in simulator.calls:
        if not call.ok and not call.injected and call.method in METHODS:
            assert call.error in METHODS[call.method].errors, (call.method, call.error)


@pytest.fixture
def client(sim: SlackSimulator) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=sim.api_url)


async def refused(call: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value.response.data  # type: ignore[return-value]


async def error_of(call: Any) -> str:
    return (await refused(call))["error"]


@pytest.mark.parametrize(
    ("channel", "error"),
    [
        ("C404", "channel_not_found"),  # an id nobody made
        ("G1", "channel_not_found"),  # private, bot not invited: the token cannot see it
        ("C3", "is_archived"),
    ],
)
async def test_posting_where_the_bot_cannot_answers_as_slack(client, channel: str, error: str) -> None:
    assert await error_of(client.chat_postMessage(channel=channel, text="x")) == error


async def test_public_channel_without_the_bot_needs_chat_write_public(sim: SlackSimulator, client) -> None:
    await client.chat_postMessage(channel="C2", text="allowed by chat:write.public")
    sim.scopes.discard("chat:write.public")
    assert await error_of(client.chat_postMessage(channel="C2", text="x")) == "not_in_channel"
    sim.remove_bot("C1")
    assert await error_of(client.chat_postMessage(channel="C1", text="x")) == "not_in_channel"


async def test_conversations_info_reports_membership_and_archival(client) -> None:
    public = (await client.conversations_info(channel="C2"))["channel"]
    assert (public["name"], public["is_member"], public["is_archived"], public["is_private"]) == (
        "ios-public",
        False,
        False,
        False,
    )
    assert (await client.conversations_info(channel="C3"))["channel"]["is_archived"] is True
    assert (await client.conversations_info(channel="C1"))["channel"]["is_member"] is True
    assert await error_of(client.conversations_info(channel="G1")) == "channel_not_found"
    assert await error_of(client.conversations_info(channel="C404")) == "channel_not_found"


async def test_update_of_a_deleted_message_or_in_an_archived_channel(sim: SlackSimulator, client) -> None:
    root = await client.chat_postMessage(channel="C1", text="x")
    sim.delete_message("C1", root["ts"])
    assert await error_of(client.chat_update(channel="C1", ts=root["ts"], text="y")) == "message_not_found"
    other = await client.chat_postMessage(channel="C1", text="x")
    sim.archive_channel("C1")
    assert await error_of(client.chat_update(channel="C1", ts=other["ts"], text="y")) == "is_inactive"


async def test_metadata_is_stored_and_shown_only_when_asked(client) -> None:
    root = await client.chat_postMessage(channel="C1", text="parent", metadata=TAG)
    reply_tag = {"event_type": "asc_bot_post", "event_payload": {"outbox_id": "e:7"}}
    await client.chat_postMessage(channel="C1", text="reply", thread_ts=root["ts"], metadata=reply_tag)
    plain = await client.conversations_history(channel="C1")
    assert "metadata" not in plain["messages"][0]
    history = await client.conversations_history(channel="C1", include_all_metadata=True)
    (parent,) = history["messages"]  # replies stay in the thread
    assert parent["metadata"] == TAG and parent["reply_count"] == 1
    thread = await client.conversations_replies(channel="C1", ts=root["ts"], include_all_metadata=True)
    assert [m.get("metadata") for m in thread["messages"]] == [TAG, reply_tag]
    assert await error_of(client.conversations_replies(channel="C1", ts="1.000001")) == "thread_not_found"


@pytest.mark.parametrize(
    ("metadata", "error"),
    [
        ("{not json", "invalid_metadata_format"),
        ({"event_payload": {}}, "invalid_metadata_schema"),
        ({"event_type": "a b", "event_payload": {}}, "invalid_metadata_schema"),
        ({"event_type": "ok", "event_payload": "x"}, "invalid_metadata_schema"),
    ],
)
async def test_malformed_metadata_is_refused(client, metadata: Any, error: str) -> None:
    call = client.api_call("chat.postMessage", json={"channel": "C1", "text": "x", "metadata": metadata})
    assert await error_of(call) == error


async def test_history_pages_newest_first_with_cursors(client) -> None:
    for n in range(5):
        await client.chat_postMessage(channel="C1", text=f"m{n}")
    first = await client.conversations_history(channel="C1", limit=2)
    assert [m["text"] for m in first["messages"]] == ["m4", "m3"] and first["has_more"]
    cursor = first["response_metadata"]["next_cursor"]
    second = await client.conversations_history(channel="C1", limit=2, cursor=cursor)
    assert [m["text"] for m in second["messages"]] == ["m2", "m1"]
    ts = first["messages"][1]["ts"]
    newer = await client.conversations_history(channel="C1", oldest=ts)
    assert [m["text"] for m in newer["messages"]] == ["m4"]
    assert await error_of(client.conversations_history(channel="C1", cursor="bogus")) == "invalid_cursor"


async def test_reading_needs_membership_and_the_history_scope(sim: SlackSimulator, client) -> None:
    assert await error_of(client.conversations_history(channel="C2")) == "not_in_channel"
    sim.scopes.discard("channels:history")
    answer = await refused(client.conversations_history(channel="C1"))
    assert (answer["error"], answer["needed"]) == ("missing_scope", "channels:history")


async def test_a_dm_to_a_user_opens_once(client) -> None:
    first = (await client.conversations_open(users="U7"))["channel"]["id"]
    assert first.startswith("D") and (await client.conversations_open(users="U7"))["channel"]["id"] == first
    await client.chat_postMessage(channel=first, text="your publication could not be posted")
    assert await error_of(client.conversations_open(users="nobody")) == "user_not_found"


def test_default_scopes_are_the_manifests() -> None:
    manifest = yaml.safe_load((Path(__file__).parents[2] / "manifest.yml").read_text())
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(DEFAULT_SCOPES)


async def test_a_500_after_the_post_loses_the_answer_not_the_post(sim: SlackSimulator, client) -> None:
    sim.inject_error("chat.postMessage", "fatal_error", status=500, after=True, channel="C1")
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel="C1", text="did it happen?")
    assert caught.value.response.status_code == 500
    assert [m.text for m in sim.messages["C1"]] == ["did it happen?"]


async def test_posts_are_paced_per_channel_and_revoked_tokens_refused(sim: SlackSimulator, client) -> None:
    sim.pace_posts(burst=2, per_second=1.0)
    for _ in range(2):
        await client.chat_postMessage(channel="C1", text="x")
    answer = await refused(client.chat_postMessage(channel="C1", text="x"))
    assert answer["error"] == "ratelimited" and sim.calls[-1].status == 429
    await client.chat_postMessage(channel="C2", text="another channel is not held back")
    sim.workspace.clock.advance(1)  # type: ignore[attr-defined]
    await client.chat_postMessage(channel="C1", text="a second later")
    sim.revoke_token()
    assert await error_of(client.auth_test()) == "token_revoked"
