"""The App Home tab over signed HTTP: app_home_opened → views.publish, approvals first for approvers."""

from __future__ import annotations

import json
from types import MappingProxyType
from typing import Any

from bot.config import AppSettings
from bot.sandbox.world import World
from tests.commands.conftest import ephemerals_to, eventually, publish

APP, OTHER = "com.example.app", "com.example.other"
BOSS, MALLORY = "U0BOSS", "U0MALLORY"


def texts(view: dict[str, Any]) -> list[str]:
    out = []
    for block in view["blocks"]:
        if block["type"] in ("header", "section"):
            out.append(block["text"]["text"])
        elif block["type"] == "context":
            out += [e["text"] for e in block["elements"]]
    return out


async def opened(world: World, user: str) -> dict[str, Any]:
    before = len(world.slack.calls_to("views.publish"))
    reply = await world.slack.open_app_home(world.events_url, user)
    assert reply.status == 200, reply.body
    await eventually(lambda: len(world.slack.calls_to("views.publish")) > before)
    call = world.slack.calls_to("views.publish")[-1]
    assert call.ok, call.response
    assert call.args["user_id"] == user
    view = world.slack.home_view(user)
    assert view is not None
    return view


async def setup(world: World) -> None:
    world.asc.add_app(APP, name="Example")
    await world.stop_bot()
    guarded = AppSettings(APP, approvers=(BOSS,), publishing=MappingProxyType({"submit_to_app_store": True}))
    await world.start_bot(apps=MappingProxyType({APP: guarded}))
    reply = await world.slack.slash_command(
        world.events_url, "/asc", f"publish {APP} 1.4.0 412", user=MALLORY
    )
    assert reply.status == 200
    await eventually(lambda: ephemerals_to(world, MALLORY))
    await publish(world, OTHER, "2.0", "7")  # another app, no approvers, waiting for Apple


async def test_an_approver_sees_what_waits_for_them_first(world: World) -> None:
    await setup(world)
    view = await opened(world, BOSS)
    assert view["type"] == "home"
    shown = texts(view)
    assert shown[0] == "Waiting for your approval"
    assert "Example" in shown[1] and "1.4.0 (412)" in shown[1]
    assert "next: Approve *Submit for review*" in shown[1] and f"who: <@{BOSS}>" in shown[1]
    assert shown.index("Publications in flight") > 1
    apps = [t for t in shown if t.startswith("*Example* (")]
    assert [a.split("\n")[0] for a in apps] == [f"*Example* ({APP})", f"*Example* ({OTHER})"]  # by bundle id
    [other] = [t for t in apps if OTHER in t]
    assert "2.0 (7)" in other and "next: Apple lists the uploaded build · who: Apple" in other
    first_id = view["id"]

    # Opening it again redraws the same tab.
    assert (await opened(world, BOSS))["id"] == first_id


async def test_others_see_who_must_act_but_no_approval_section(world: World) -> None:
    await setup(world)
    shown = texts(await opened(world, MALLORY))
    assert "Waiting for your approval" not in shown
    assert shown[0] == "Publications in flight"
    [mine] = [t for t in shown if t.startswith(f"*Example* ({APP})")]
    assert f"next: Approve *Submit for review* · who: <@{BOSS}>" in mine


async def test_a_forged_app_home_opened_publishes_nothing(world: World) -> None:
    await setup(world)
    from bot.sandbox.slack import payloads

    body = json.dumps(payloads.app_home_opened(world.slack.workspace, BOSS)).encode()
    forged = await world.slack.send_signed(
        world.events_url, body, "application/json", signature="v0=" + "0" * 64
    )
    assert forged.status == 401
    assert world.slack.calls_to("views.publish") == []


async def test_with_nothing_in_flight_the_tab_says_so(world: World) -> None:
    shown = texts(await opened(world, MALLORY))
    assert shown[0] == "Publications in flight"
    assert shown[1].startswith("Nothing is in flight.")
