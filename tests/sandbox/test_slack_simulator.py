"""The Slack simulator, driven by the real slack_sdk client and a real Bolt app, and checked against the spec."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.sandbox.clock import FakeClock
from bot.sandbox.slack import SOCKET_MODE, SlackSimulator, check_message, check_view
from bot.sandbox.slack.registry import METHODS, NEWER_THAN_SPEC
from bot.sandbox.slack.workspace import ResponseTarget

SECRET = "test-signing-secret"
TOKEN = "xoxb-test"
SPEC = json.loads((Path(__file__).parents[1] / "data" / "slack_web_openapi_v2.json").read_text())
METHODS_NEWER_THAN_SPEC = {"apps.connections.open"}  # Socket Mode came after the spec's last update
# Some tests leave out `text` on purpose; slack_sdk warns about that client-side.
pytestmark = pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing:UserWarning")


def text(value: str, kind: str = "plain_text") -> dict[str, str]:
    return {"type": kind, "text": value}


def button(action_id: str = "go", label: str = "Go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": text(label), **extra}


def actions(*elements: dict[str, Any], block_id: str = "buttons") -> dict[str, Any]:
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}


def modal(*blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": text("Release"),
        "submit": text("Save"),
        "blocks": list(blocks),
        **extra,
    }


NOTES_INPUT = {
    "type": "input",
    "block_id": "notes",
    "label": text("Release notes"),
    "element": {"type": "plain_text_input", "action_id": "notes_input", "multiline": True},
}


@pytest.fixture
async def sim() -> AsyncIterator[SlackSimulator]:
    simulator = SlackSimulator(signing_secret=SECRET, bot_token=TOKEN, clock=FakeClock())
    simulator.add_channel("C1", "releases")
    await simulator.start()
    try:
        yield simulator
    finally:
        await simulator.stop()
    # Every refusal the simulator made by its own rules is one it declares (and the spec test checks).
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


# Web API: messages


async def test_start_serves_the_api_under_a_trailing_slash_and_auth_test(sim: SlackSimulator, client) -> None:
    assert sim.api_url.startswith("http://127.0.0.1:") and sim.api_url.endswith("/api/")
    answer = await client.auth_test()
    assert (answer["team_id"], answer["user_id"]) == ("T0SIM", "U0BOT")
    assert sim.calls_to("auth.test")[0].args == {}  # the Bearer token is never recorded


async def test_post_thread_and_broadcast(sim: SlackSimulator, client) -> None:
    posted: list[str] = []
    sim.on_post = lambda message: posted.append(message.text)
    root = await client.chat_postMessage(channel="C1", text="Build 12", blocks=[actions(button())])
    await client.chat_postMessage(channel="C1", text="progress", thread_ts=root["ts"])
    await client.chat_postMessage(channel="C1", text="done", thread_ts=root["ts"], reply_broadcast=True)
    await client.chat_postMessage(channel="C1", text="orphan", thread_ts="1.000001")  # Slack posts it anyway
    assert isinstance(root["ts"], str) and root["message"]["blocks"][0]["block_id"] == "buttons"
    assert [m.text for m in sim.thread("C1", root["ts"])] == ["progress", "done"]
    assert [m.text for m in sim.top_level("C1")] == ["Build 12", "done"]
    assert posted == ["Build 12", "progress", "done", "orphan"]
    assert sim.messages["C1"][2].reply_broadcast and not sim.messages["C1"][1].reply_broadcast


async def test_update_edits_in_place_and_keeps_history(sim: SlackSimulator, client) -> None:
    root = await client.chat_postMessage(channel="C1", text="waiting", blocks=[actions(button())])
    await client.chat_update(channel="C1", ts=root["ts"], text="submitted", blocks=[])
    message = sim.messages["C1"][0]
    assert message.versions() == ["waiting", "submitted"] and message.blocks == []
    assert message.edits[0].blocks[0]["type"] == "actions"
    assert await error_of(client.chat_update(channel="C1", ts="9.9", text="x")) == "message_not_found"
    human = sim.add_user_message("C1", "hello")
    assert await error_of(client.chat_update(channel="C1", ts=human.ts, text="x")) == "cant_update_message"


async def test_ephemeral_and_permalink(sim: SlackSimulator, client) -> None:
    await client.chat_postEphemeral(channel="C1", user="U9", text="only you")
    assert [(m.text, m.ephemeral_to) for m in sim.ephemerals] == [("only you", "U9")]
    assert "C1" not in sim.messages
    root = await client.chat_postMessage(channel="C1", text="x")
    link = await client.chat_getPermalink(channel="C1", message_ts=root["ts"])
    assert link["permalink"].endswith(f"/archives/C1/p{root['ts'].replace('.', '')}")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"channel": "general", "text": "x"}, "channel_not_found"),
        ({"channel": "C1"}, "no_text"),
        ({"channel": "C1", "text": "x", "blocks": "[not json"}, "invalid_blocks_format"),
    ],
)
async def test_post_refusals(client, kwargs: dict[str, Any], error: str) -> None:
    assert await error_of(client.chat_postMessage(**kwargs)) == error


async def test_auth_unknown_methods_and_both_body_encodings(sim: SlackSimulator, client) -> None:
    wrong = AsyncWebClient(token="xoxb-wrong", base_url=sim.api_url)
    assert await error_of(wrong.auth_test()) == "invalid_auth"
    assert await error_of(AsyncWebClient(base_url=sim.api_url).auth_test()) == "not_authed"
    assert await error_of(client.api_call("chat.fly")) == "unknown_method"
    form = {"channel": "C1", "text": "form", "blocks": json.dumps([actions(button())])}
    await client.api_call("chat.postMessage", data=form)
    info = await client.api_call("conversations.info", http_verb="GET", params={"channel": "C1"})
    assert info["channel"]["id"] == "C1" and sim.messages["C1"][0].blocks[0]["type"] == "actions"


async def test_directory_users_and_user_groups(sim: SlackSimulator, client) -> None:
    sim.add_user("U1", name="alice", tz="Europe/Berlin")
    sim.add_usergroup("S123", ["U1", "U2"])
    user = (await client.users_info(user="U1"))["user"]
    assert (user["name"], user["tz"], user["tz_offset"]) == ("alice", "Europe/Berlin", 3600)
    assert (await client.users_info(user="U7"))["user"]["tz"] == "UTC"
    assert (await client.usergroups_users_list(usergroup="S123"))["users"] == ["U1", "U2"]
    assert await error_of(client.usergroups_users_list(usergroup="S999")) == "no_such_subteam"
    assert await error_of(client.users_info(user="nobody")) == "user_not_found"


# Block Kit limits


def confirm(**over: dict) -> dict[str, Any]:
    return {
        "title": text("Sure?"),
        "text": text("Really?"),
        "confirm": text("Yes"),
        "deny": text("No"),
        **over,
    }


def select(*options: dict[str, Any]) -> dict[str, Any]:
    return {"type": "static_select", "action_id": "pick", "options": list(options)}


def option(label: str = "o", value: str = "v") -> dict[str, Any]:
    return {"text": text(label), "value": value}


# (blocks, where under /blocks, how Slack words the complaint)
MESSAGE_LIMITS = [
    ([{"type": "divider"}] * 51, "", "no more than 50 items allowed"),
    ([{"type": "section", "text": text("x" * 3001, "mrkdwn")}], "/0/text/text", "must be less than 3001"),
    ([{"type": "section", "fields": [text("f")] * 11}], "/0/fields", "no more than 10 items allowed"),
    ([{"type": "section", "fields": [text("x" * 2001)]}], "/0/fields/0/text", "must be less than 2001"),
    ([{"type": "header", "text": text("x" * 151)}], "/0/text/text", "must be less than 151"),
    ([{"type": "header", "text": text("x", "mrkdwn")}], "/0/text/type", "must be a valid enum value"),
    ([actions(button(label="x" * 76))], "/0/elements/0/text/text", "must be less than 76"),
    ([actions(button(action_id="a" * 256))], "/0/elements/0/action_id", "must be less than 256"),
    ([actions(button(), block_id="b" * 256)], "/0/block_id", "must be less than 256"),
    ([actions(button(value="v" * 2001))], "/0/elements/0/value", "must be less than 2001"),
    ([actions(button(url="u" * 3001))], "/0/elements/0/url", "must be less than 3001"),
    ([actions(button(style="warning"))], "/0/elements/0/style", "must be a valid enum value"),
    ([actions(*[button(f"b{i}") for i in range(26)])], "/0/elements", "no more than 25 items allowed"),
    ([actions(button(), button())], "/0/elements/1/action_id", "duplicate action_id: go"),
    ([{"type": "context", "elements": [text("c")] * 11}], "/0/elements", "no more than 10 items allowed"),
    (
        [actions(button(confirm=confirm(title=text("t" * 101))))],
        "/0/elements/0/confirm/title/text",
        "less than 101",
    ),
    (
        [actions(button(confirm=confirm(text=text("t" * 301))))],
        "/0/elements/0/confirm/text/text",
        "less than 301",
    ),
    (
        [actions(button(confirm=confirm(deny=text("n" * 31))))],
        "/0/elements/0/confirm/deny/text",
        "less than 31",
    ),
    ([actions(select(option("o" * 76)))], "/0/elements/0/options/0/text/text", "must be less than 76"),
    ([actions(select(option(value="v" * 151)))], "/0/elements/0/options/0/value", "must be less than 151"),
    ([actions(select(*[option()] * 101))], "/0/elements/0/options", "no more than 100 items allowed"),
    ([{"type": "carousel"}], "/0/type", "must be a valid enum value"),
    ([actions({"type": "button", "action_id": "t"})], "/0/elements/0", "missing required field: text"),
]


@pytest.mark.parametrize(("blocks", "where", "complaint"), MESSAGE_LIMITS)
async def test_message_limits_answer_invalid_blocks(client, blocks: list, where: str, complaint: str) -> None:
    answer = await refused(client.chat_postMessage(channel="C1", text="fallback", blocks=blocks))
    assert answer["error"] == "invalid_blocks"
    pointer = f"[json-pointer:/blocks{where}]"
    assert any(complaint in e and e.endswith(pointer) for e in answer["errors"]), answer["errors"]


def long_input(**over: Any) -> dict[str, Any]:
    return {**NOTES_INPUT, **over}


VIEW_LIMITS = [
    (modal(title=text("t" * 25)), "less than 25 characters [json-pointer:/title/text]"),
    (modal(submit=text("s" * 25)), "less than 25 characters [json-pointer:/submit/text]"),
    (modal(close=text("c" * 25)), "less than 25 characters [json-pointer:/close/text]"),
    (modal(private_metadata="m" * 3001), "less than 3001 characters [json-pointer:/private_metadata]"),
    (modal(*[{"type": "divider"}] * 101), "no more than 100 items allowed [json-pointer:/blocks]"),
    (
        modal(long_input(label=text("l" * 2001))),
        "less than 2001 characters [json-pointer:/blocks/0/label/text]",
    ),
    (
        modal(long_input(hint=text("h" * 2001))),
        "less than 2001 characters [json-pointer:/blocks/0/hint/text]",
    ),
    (
        modal(long_input(element={"type": "plain_text_input", "action_id": "n", "max_length": 4000})),
        "must be between 1 and 3000 [json-pointer:/blocks/0/element/max_length]",
    ),
    ({"type": "modal", "title": text("T"), "blocks": [NOTES_INPUT]}, "submit is required when an input"),
    ({"type": "modal", "blocks": []}, "missing required field: title [json-pointer:/]"),
]


@pytest.mark.parametrize(("view", "expected"), VIEW_LIMITS)
def test_view_limits(view: dict[str, Any], expected: str) -> None:
    assert any(expected in error for error in check_view(view)), check_view(view)


def test_valid_payloads_pass_and_missing_text_is_only_a_warning() -> None:
    assert check_message({"blocks": [actions(button()), {"type": "header", "text": text("Build 12")}]}) == []
    assert check_view(modal(NOTES_INPUT)) == []


_BLOCK_KEYS = ("type", "text", "elements", "fields", "accessory", "element", "label", "options", "title")
_LEAF_KEYS = ("block_id", "action_id", "value", "style", "max_length", "option_groups", "confirm", "submit")
_KEYS = st.sampled_from([*_BLOCK_KEYS, *_LEAF_KEYS, "blocks"])
_TYPES = st.sampled_from(["section", "actions", "context", "header", "input", "button", "static_select"])
_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-5, 4000), st.text(max_size=4), _TYPES)
_JSON = st.recursive(
    _LEAF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=6),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_the_checkers_answer_any_json_with_a_list_of_strings(value: Any) -> None:
    for errors in (check_message({"blocks": value}), check_message({"blocks": [value]}), check_view(value)):
        assert isinstance(errors, list) and all(isinstance(error, str) for error in errors)


async def test_views_report_limits_and_text_less_blocks_warn(sim: SlackSimulator, client) -> None:
    trigger = sim.issue_trigger("U1")
    answer = await refused(client.views_open(trigger_id=trigger, view=modal(title=text("t" * 30))))
    assert answer["error"] == "invalid_arguments"
    assert answer["response_metadata"]["messages"] == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
    ]
    await client.chat_postMessage(channel="C1", blocks=[actions(button())])
    assert sim.calls_to("chat.postMessage")[-1].warnings == ["missing_text"]


# Modals


async def test_trigger_ids_are_single_use_and_expire_after_three_seconds(sim: SlackSimulator, client) -> None:
    clock: FakeClock = sim.workspace.clock  # type: ignore[assignment]
    trigger = sim.issue_trigger("U1")
    opened = await client.views_open(trigger_id=trigger, view=modal(NOTES_INPUT))
    assert sim.views[opened["view"]["id"]]["blocks"][0]["block_id"] == "notes"
    assert await error_of(client.views_open(trigger_id=trigger, view=modal())) == "exchanged_trigger_id"
    stale = sim.issue_trigger("U1")
    clock.advance(3.5)
    assert await error_of(client.views_open(trigger_id=stale, view=modal())) == "expired_trigger_id"
    assert await error_of(client.views_open(trigger_id="1.2.3", view=modal())) == "invalid_trigger_id"


async def test_views_update_hash_conflict_not_found_and_push_limit(sim: SlackSimulator, client) -> None:
    opened = (await client.views_open(trigger_id=sim.issue_trigger("U1"), view=modal()))["view"]
    view_id, first_hash = opened["id"], opened["hash"]
    updated = await client.views_update(view_id=view_id, hash=first_hash, view=modal(NOTES_INPUT))
    assert updated["view"]["hash"] != first_hash and sim.views[view_id]["blocks"][0]["block_id"] == "notes"
    conflict = await refused(client.views_update(view_id=view_id, hash=first_hash, view=modal()))
    assert conflict["error"] == "hash_conflict"
    assert await error_of(client.views_update(view_id="VNOPE", view=modal())) == "not_found"
    for _ in range(2):
        inside = sim.issue_trigger("U1", view_id=list(sim.views)[-1])
        await client.views_push(trigger_id=inside, view=modal())
    inside = sim.issue_trigger("U1", view_id=list(sim.views)[-1])
    assert await error_of(client.views_push(trigger_id=inside, view=modal())) == "push_limit_reached"


# Faults and rate limits


async def test_429_carries_retry_after_and_the_retry_handler_honours_it(sim: SlackSimulator, client) -> None:
    sim.inject_error("chat.postMessage", status=429, retry_after=1)
    answer = await refused(client.chat_postMessage(channel="C1", text="x"))
    assert answer["error"] == "ratelimited"
    assert sim.calls_to("chat.postMessage")[-1].status == 429
    sim.inject_error("chat.postMessage", status=429, retry_after=1)
    retrying = AsyncWebClient(
        token=TOKEN, base_url=sim.api_url, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)]
    )
    started = time.perf_counter()
    await retrying.chat_postMessage(channel="C1", text="after the wait")
    assert time.perf_counter() - started >= 1.0
    assert [c.status for c in sim.calls_to("chat.postMessage")] == [429, 429, 200]


async def test_injected_errors_run_out(sim: SlackSimulator, client) -> None:
    sim.inject_error("chat.update", "edit_window_closed", times=2)
    root = await client.chat_postMessage(channel="C1", text="x")
    for _ in range(2):
        assert (
            await error_of(client.chat_update(channel="C1", ts=root["ts"], text="y")) == "edit_window_closed"
        )
    await client.chat_update(channel="C1", ts=root["ts"], text="y")
    assert sim.messages["C1"][0].text == "y"


# response_url


async def test_response_url_posts_are_recorded_and_applied(sim: SlackSimulator, client) -> None:
    root = await client.chat_postMessage(channel="C1", text="Build 12", blocks=[actions(button())])
    url = sim.workspace.issue_response_url(ResponseTarget("C1", "U1", sim.workspace.now(), root["ts"]))
    hook = AsyncWebhookClient(url)
    assert (await hook.send(text="only for you")).status_code == 200
    await hook.send(text="for everyone", response_type="in_channel")
    await hook.send(text="Submitted", replace_original=True)
    bad = await hook.send(text="x", blocks=[{"type": "header", "text": text("h" * 151)}])
    assert bad.status_code == 400 and json.loads(bad.body)["error"] == "invalid_blocks"
    await hook.send(delete_original=True)
    assert [(m.text, m.ephemeral_to, m.via) for m in sim.ephemerals] == [
        ("only for you", "U1", "response_url")
    ]
    assert sim.messages["C1"][0].versions() == ["Build 12", "Submitted"] and sim.messages["C1"][0].deleted
    assert sim.messages["C1"][1].text == "for everyone"
    assert (await hook.send(text="fifth use")).status_code == 200  # the refused post did not count
    used_up = await hook.send(text="sixth use")
    assert used_up.status_code == 404 and json.loads(used_up.body)["error"] == "used_url"
    assert [c.status for c in sim.calls_to("response_url")] == [200, 200, 200, 400, 200, 200, 404]


# A real Bolt app receiving what the simulator sends


@dataclass
class Bot:
    """A tiny Bolt app served over HTTP, with every request body it received."""

    url: str
    app: AsyncApp
    seen: list[dict[str, Any]] = field(default_factory=list)


def build_bolt(client: AsyncWebClient, seen: list[dict[str, Any]]) -> AsyncApp:
    # process_before_response: listeners finish before the HTTP answer, so tests need no waiting.
    app = AsyncApp(client=client, signing_secret=SECRET, process_before_response=True)

    @app.middleware
    async def keep(body: dict, next: Callable) -> None:
        seen.append(body)
        await next()

    @app.command("/asc")
    async def asc(ack: Callable, command: dict) -> None:
        if command["text"] == "announce":
            await ack(text="Shipping 1.0 (12)", response_type="in_channel")
        else:
            await ack(text=f"publishing {command['text']}")

    @app.action("noop")
    async def noop(ack: Callable) -> None:
        await ack()

    @app.action("open_notes")
    async def open_notes(ack: Callable, body: dict, client: AsyncWebClient, respond: Callable) -> None:
        await ack()
        meta = json.dumps({"channel": body["channel"]["id"], "ts": body["message"]["ts"]})
        await client.views_open(
            trigger_id=body["trigger_id"], view=modal(NOTES_INPUT, callback_id="notes", private_metadata=meta)
        )
        await respond(text=f"<@{body['user']['id']}> is writing notes", replace_original=False)

    @app.view("notes")
    async def notes(ack: Callable, view: dict, client: AsyncWebClient) -> None:
        value = view["state"]["values"]["notes"]["notes_input"]["value"] or ""
        if len(value) < 5:
            await ack(response_action="errors", errors={"notes": "Write at least 5 characters"})
            return
        await ack()
        meta = json.loads(view["private_metadata"])
        await client.chat_postMessage(channel=meta["channel"], thread_ts=meta["ts"], text=f"Notes: {value}")

    @app.action("more")
    async def more(ack: Callable, body: dict, client: AsyncWebClient) -> None:
        await ack()
        await client.views_push(trigger_id=body["trigger_id"], view=modal(NOTES_INPUT, callback_id="step"))

    @app.view("step")
    async def step(ack: Callable, view: dict) -> None:
        value = view["state"]["values"]["notes"]["notes_input"]["value"]
        if value == "bad key":
            await ack(response_action="errors", errors={"nope": "?"})
        elif value == "again":
            await ack(
                response_action="update", view=modal(NOTES_INPUT, callback_id="step", title=text("Again"))
            )
        else:
            await ack(response_action="clear")

    @app.view_closed("closing")
    async def closing(ack: Callable) -> None:
        await ack()

    return app


@pytest.fixture
async def bolt(sim: SlackSimulator) -> AsyncIterator[Bot]:
    seen: list[dict[str, Any]] = []
    app = build_bolt(AsyncWebClient(token=TOKEN, base_url=sim.api_url), seen)
    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield Bot(f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events", app, seen)
    finally:
        await runner.cleanup()


async def test_slash_command_is_signed_and_its_ack_shown_to_the_user(sim: SlackSimulator, bolt: Bot) -> None:
    url = bolt.url
    reply = await sim.slash_command(url, "/asc", "publish com.example.app 1.0 12", user="U1", channel="C1")
    # Bolt answers a text-only ack as text/plain; Slack shows it to the user alone.
    assert (reply.status, reply.body) == (200, "publishing publish com.example.app 1.0 12")
    assert [(m.text, m.ephemeral_to, m.via) for m in sim.ephemerals] == [(reply.body, "U1", "ack")]


@pytest.mark.parametrize(
    "forgery",
    [{"signature": "v0=" + "0" * 64}, {"timestamp": int(time.time()) - 301}, {"signature": ""}],
    ids=["bad-signature", "stale-timestamp", "unsigned"],
)
async def test_forged_or_stale_requests_are_refused(sim: SlackSimulator, bolt: Bot, forgery: dict) -> None:
    url = bolt.url
    body = b"command=%2Fasc&text=help&user_id=U1&team_id=T0SIM&channel_id=C1"
    assert (await sim.send_signed(url, body)).status == 200
    assert (await sim.send_signed(url, body, **forgery)).status == 401


async def test_click_opens_a_modal_and_submit_round_trips(sim: SlackSimulator, client, bolt: Bot) -> None:
    url = bolt.url
    root = await client.chat_postMessage(
        channel="C1", text="Build 12", blocks=[actions(button("open_notes", "Notes"))]
    )
    click = await sim.click_button(url, sim.messages["C1"][0], "open_notes", user="U1")
    assert click.status == 200 and click.elapsed_seconds < 3
    (view_id,) = sim.views
    assert sim.ephemerals[0].text == "<@U1> is writing notes"
    short = await sim.submit_view(url, view_id, {"notes": {"notes_input": {"value": "tiny"}}})
    assert short.json == {"response_action": "errors", "errors": {"notes": "Write at least 5 characters"}}
    assert view_id in sim.views and sim.view_errors[view_id] == short.json["errors"]
    assert (
        await sim.submit_view(url, view_id, {"notes": {"notes_input": {"value": "Bug fixes"}}})
    ).status == 200
    assert view_id in sim.closed_views and sim.ack_problems == []
    assert [m.text for m in sim.thread("C1", root["ts"])] == ["Notes: Bug fixes"]
    with pytest.raises(LookupError):
        await sim.click_button(url, sim.messages["C1"][0], "no_such_button")


async def test_hundred_concurrent_clicks(sim: SlackSimulator, client, bolt: Bot) -> None:
    url = bolt.url
    await client.chat_postMessage(channel="C1", text="Build", blocks=[actions(button("open_notes", "Notes"))])
    message = sim.messages["C1"][0]
    replies = await asyncio.gather(
        *(sim.click_button(url, message, "open_notes", user=f"U{i}") for i in range(100))
    )
    assert {r.status for r in replies} == {200} and len(sim.views) == 100


async def test_block_actions_payloads_look_like_slacks(sim: SlackSimulator, client, bolt: Bot) -> None:
    root = await client.chat_postMessage(
        channel="C1", text="Build", blocks=[actions(button("noop", value="42"))]
    )
    await client.chat_postMessage(
        channel="C1", text="r", thread_ts=root["ts"], blocks=[actions(button("noop"))]
    )
    assert (
        await sim.click_button(bolt.url, sim.messages["C1"][1], "noop", user="U1", value="7")
    ).status == 200
    body = bolt.seen[-1]
    assert body["type"] == "block_actions" and body["user"]["id"] == "U1" and body["team"]["id"] == "T0SIM"
    assert body["container"] == {
        "type": "message",
        "message_ts": sim.messages["C1"][1].ts,
        "channel_id": "C1",
        "is_ephemeral": False,
        "thread_ts": root["ts"],
    }
    assert body["channel"]["id"] == "C1" and body["message"]["thread_ts"] == root["ts"]
    (action,) = body["actions"]
    assert (action["action_id"], action["block_id"], action["value"], action["type"]) == (
        "noop",
        "buttons",
        "7",
        "button",
    )
    assert body["response_url"].startswith(sim.base_url) and body["trigger_id"] in sim.workspace.triggers
    await client.chat_postEphemeral(channel="C1", user="U1", text="e", blocks=[actions(button("noop"))])
    await sim.click_button(bolt.url, sim.ephemerals[0], "noop", user="U1")
    assert bolt.seen[-1]["container"]["is_ephemeral"] and "message" not in bolt.seen[-1]


async def test_modal_buttons_push_and_response_actions(sim: SlackSimulator, client, bolt: Bot) -> None:
    root_view = modal(actions(button("more", "More")), callback_id="closing", notify_on_close=True)
    opened = await client.views_open(trigger_id=sim.issue_trigger("U1"), view=root_view)
    root_id = opened["view"]["id"]
    await sim.click_view_button(bolt.url, root_id, "more")
    (pushed_id,) = [v for v in sim.views if v != root_id]
    assert (
        sim.views[pushed_id]["previous_view_id"] == root_id and bolt.seen[-1]["container"]["type"] == "view"
    )
    await sim.submit_view(bolt.url, pushed_id, {"notes": {"notes_input": {"value": "bad key"}}})
    assert sim.ack_problems == ["errors key 'nope' is not an input block_id"]
    await sim.submit_view(bolt.url, pushed_id, {"notes": {"notes_input": {"value": "again"}}})
    assert sim.views[pushed_id]["title"]["text"] == "Again"
    await sim.submit_view(bolt.url, pushed_id, {"notes": {"notes_input": {"value": "done"}}})
    assert sim.views == {} and set(sim.closed_views) == {root_id, pushed_id}
    reopened = await client.views_open(trigger_id=sim.issue_trigger("U1"), view=root_view)
    assert (await sim.close_view(bolt.url, reopened["view"]["id"])).status == 200  # type: ignore[union-attr]
    assert bolt.seen[-1]["type"] == "view_closed"
    with pytest.raises(LookupError):
        await sim.submit_view(bolt.url, reopened["view"]["id"], {})


async def test_in_channel_command_answers_are_posted(sim: SlackSimulator, bolt: Bot) -> None:
    await sim.slash_command(bolt.url, "/asc", "announce", channel="C9")
    assert [(m.text, m.via) for m in sim.messages["C9"]] == [
        ("Shipping 1.0 (12)", "ack")
    ] and not sim.ephemerals


async def test_socket_mode_delivers_envelopes_and_reads_acks(sim: SlackSimulator, bolt: Bot) -> None:
    app = bolt.app
    handler = AsyncSocketModeHandler(
        app, app_token="xapp-sim", web_client=AsyncWebClient(base_url=sim.api_url)
    )
    await handler.connect_async()
    try:
        await sim.socket.wait_connected()
        reply = await sim.slash_command(SOCKET_MODE, "/asc", "status", user="U1", channel="C1")
        assert reply.json == {"text": "publishing status"} and sim.ephemerals[-1].text == "publishing status"
        assert sim.calls_to("apps.connections.open")[0].ok
    finally:
        await handler.close_async()


# Checked against Slack's Web API spec


def test_every_served_method_and_error_is_in_slacks_spec() -> None:
    for name, spec in METHODS.items():
        path = SPEC["paths"].get(f"/{name}")
        if path is None:
            assert name in METHODS_NEWER_THAN_SPEC, f"{name} is not in Slack's spec"
            continue
        for operation in path.values():
            enum = operation["responses"]["default"]["schema"]["properties"].get("error", {}).get("enum")
            if enum:  # views.* list none
                assert spec.errors <= set(enum) | set(NEWER_THAN_SPEC), (name, spec.errors - set(enum))


async def test_every_required_argument_in_the_spec_is_required(sim: SlackSimulator) -> None:
    posted = sim.workspace.post("C1", "x", [])
    samples: dict[str, Callable[[], dict[str, Any]]] = {
        "chat.postMessage": lambda: {"channel": "C1", "text": "x"},
        "chat.update": lambda: {"channel": "C1", "ts": posted.ts, "text": "y"},
        "chat.postEphemeral": lambda: {"channel": "C1", "user": "U1", "text": "x"},
        "chat.getPermalink": lambda: {"channel": "C1", "message_ts": posted.ts},
        "views.open": lambda: {"trigger_id": sim.issue_trigger("U1"), "view": json.dumps(modal())},
        "views.push": lambda: {"trigger_id": sim.issue_trigger("U1"), "view": json.dumps(modal())},
        "usergroups.users.list": lambda: {"usergroup": "S1"},
        "views.publish": lambda: {"user_id": "U1", "view": json.dumps({"type": "home", "blocks": []})},
    }
    sim.add_usergroup("S1", ["U1"])
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        for name, sample in samples.items():
            (operation,) = SPEC["paths"][f"/{name}"].values()
            required = [
                p["name"] for p in operation["parameters"] if p.get("required") and p["name"] != "token"
            ]
            assert required, name
            async with http.post(sim.api_url + name, data=sample()) as response:
                assert (await response.json())["ok"], name
            for missing in required:
                args = {k: v for k, v in sample().items() if k != missing}
                async with http.post(sim.api_url + name, data=args) as response:
                    assert not (await response.json())["ok"], (name, missing)
