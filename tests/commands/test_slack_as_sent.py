"""Slack as it really sends things (issue 11): Grid payloads, escaped slash text, typographic quotes,
failed modals told to the clicker, malformed payloads refused with a 400, never a 500."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest

from bot import blocks
from bot.sandbox.clock import FakeClock
from bot.sandbox.world import DEMO_CHANNEL, World
from tests.commands.conftest import ephemerals_to, eventually, open_views, publish, requested
from tests.support.flow import pub, thread
from tests.support.flow import publish as publish_build


async def test_org_wide_grid_install_with_w_users_is_handled(world: World) -> None:
    world.slack.enterprise_grid("E0ORG", org_install=True)
    pub_id, message = await publish(world)
    click = await world.slack.click_button(
        world.events_url, message, blocks.SUBMIT_TO_TESTFLIGHT, user="W0ALICE"
    )
    assert click.status == 200
    step = await requested(world, pub_id, "submit_to_testflight")
    assert step.requested_by == "W0ALICE"
    said = await world.slack.slash_command(
        world.events_url, "/asc", "status", user="W0ALICE", channel=DEMO_CHANNEL
    )
    assert said.status == 200 and "in flight" in said.body


async def test_slash_text_is_unescaped_once(world: World) -> None:
    world.asc.add_app("com.example.app", name="Example")
    said = await world.slack.slash_command(
        world.events_url,
        "/asc",
        'publish com.example.app 1.4.0 412 --beta-group "R&D <core>" --beta-group "A &amp; B"',
        user="U0ALICE",
        channel=DEMO_CHANNEL,
    )
    assert said.status == 200
    await eventually(lambda: ephemerals_to(world, "U0ALICE"))
    [publication] = await world.bot.storage.list(active_only=True, limit=10)
    assert publication.options["beta_groups"] == ["R&D <core>", "A &amp; B"]


async def test_typographic_apostrophe_matches_and_the_exact_name_is_told(
    world: World, clock: FakeClock
) -> None:
    app_id = world.asc.add_app("com.example.app", name="Example")
    world.asc.add_beta_group(app_id, "Tim\u2019s devices", internal=True)
    pub_id = await publish_build(
        world, clock, "com.example.app", "1.1.0", "9", publishing={"beta_groups": ["tim's devices"]}
    )
    p = await pub(world, pub_id)
    assert p.state == "done", p
    assert [g.name for g in world.asc.beta_groups_of_build(p.build_id)] == ["Tim\u2019s devices"]
    assert any(
        "\u201ctim's devices\u201d is the group \u201cTim\u2019s devices\u201d" in t for t in thread(world, p)
    )


@pytest.mark.parametrize(
    ("error", "status", "told"),
    [
        ("expired_trigger_id", 200, "3 seconds"),
        ("ratelimited", 429, "limiting how fast"),
        ("invalid_arguments", 200, "refused it as invalid"),
    ],
)
async def test_a_modal_that_does_not_open_is_explained_to_the_clicker(
    world: World, error: str, status: int, told: str
) -> None:
    _, message = await publish(world)
    world.slack.inject_error("views.open", error, times=None, status=status, retry_after=0)
    await world.slack.click_button(world.events_url, message, blocks.SUBMIT_TO_APP_STORE, user="U0ALICE")
    [said] = await eventually(lambda: ephemerals_to(world, "U0ALICE"))
    assert "Submit for review" in said and told in said
    assert open_views(world, blocks.SUBMIT_TO_APP_STORE_VIEW) == []
    # The refusal was staged here, not a view the bot built wrong: keep it out of the limit check.
    world.slack.server.calls[:] = [c for c in world.slack.calls if not c.injected]


async def test_slack_too_slow_before_the_modal_expires_the_trigger_and_says_so(world: World) -> None:
    await world.start_bot(approvers=("S0LEADS",))
    world.slack.add_usergroup("S0LEADS", ["U0LEAD"])
    world.slack.slow_down("usergroups.users.list", 3.0)  # by the simulator's (fake) clock
    _, message = await publish(world)
    await world.slack.click_button(world.events_url, message, blocks.SUBMIT_TO_APP_STORE, user="U0LEAD")
    [said] = await eventually(lambda: ephemerals_to(world, "U0LEAD"))
    assert "3 seconds" in said
    [opening] = world.slack.calls_to("views.open")
    assert opening.error == "expired_trigger_id" and not opening.injected


MALFORMED = {
    "not JSON": urlencode({"payload": "{not json"}),
    "a JSON list": urlencode({"payload": "[1, 2]"}),
    "no type": urlencode({"payload": json.dumps({"user": {"id": "U1"}})}),
    "actions not a list": urlencode(
        {"payload": json.dumps({"type": "block_actions", "user": {"id": "U1"}, "actions": "x"})}
    ),
    "action without id": urlencode(
        {"payload": json.dumps({"type": "block_actions", "user": {"id": "U1"}, "actions": ["x"]})}
    ),
    "view without type": urlencode(
        {
            "payload": json.dumps(
                {
                    "type": "view_submission",
                    "user": {"id": "U1"},
                    "view": {"callback_id": blocks.SUBMIT_TO_APP_STORE_VIEW},
                }
            )
        }
    ),
    "view state not objects": urlencode(
        {
            "payload": json.dumps(
                {
                    "type": "view_submission",
                    "user": {"id": "U1"},
                    "view": {
                        "type": "modal",
                        "callback_id": blocks.SUBMIT_TO_APP_STORE_VIEW,
                        "state": {"values": {"a": 1}},
                    },
                }
            )
        }
    ),
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
async def test_malformed_payloads_get_a_400_and_a_log_line(
    world: World, body: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.slack_requests"):
        reply = await world.slack.send_signed(world.events_url, body.encode())
    assert reply.status == 400, reply.body
    assert any("malformed Slack request" in r.getMessage() for r in caplog.records)


async def test_a_forged_malformed_payload_is_still_refused_as_forged(world: World) -> None:
    reply = await world.slack.send_signed(
        world.events_url, MALFORMED["not JSON"].encode(), signature="v0=bad"
    )
    assert reply.status == 401


def test_the_simulator_sends_grid_shapes_escaped_text_and_expires_triggers_at_3_s() -> None:
    from bot.sandbox.slack import SlackSimulator, payloads

    clock = FakeClock()
    sim = SlackSimulator(clock=clock)
    ws = sim.workspace
    sim.enterprise_grid("E0ORG", org_install=True)
    fields = payloads.slash_command(ws, "/asc", "a & <b>", "W0ALICE", "C1", "https://r")
    assert (fields["text"], fields["enterprise_id"], fields["is_enterprise_install"]) == (
        "a &amp; &lt;b&gt;",
        "E0ORG",
        "true",
    )
    message = ws.post("C1", "hi", [{"type": "actions", "elements": [{"type": "button", "action_id": "go"}]}])
    block_id, button = payloads.find_element(message.blocks, "go", "button")
    body = payloads.block_actions(ws, message, block_id, button, "W0ALICE", "https://r")
    assert body["team"] is None and body["is_enterprise_install"] is True
    assert body["enterprise"]["id"] == "E0ORG" and body["user"]["id"] == "W0ALICE"
    trigger = sim.issue_trigger("W0ALICE")
    clock.advance(3.0)
    with pytest.raises(Exception, match="expired_trigger_id"):
        ws.exchange_trigger(trigger)
