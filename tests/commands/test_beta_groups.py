"""*Add beta groups*: a loading modal at once, then the app's groups from App Store Connect."""

from __future__ import annotations

from bot import blocks
from bot.sandbox.asc.faults import Faults
from bot.sandbox.world import World
from tests.commands.conftest import action, eventually, open_views, publish, requested


def picker(view: dict) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == blocks.GROUPS)["element"]


async def test_groups_are_loaded_after_a_loading_view_and_added(world: World) -> None:
    world.asc.add_app("com.example.app", name="Example")
    app_id = world.asc.app_id_for("com.example.app")
    world.asc.add_beta_group(app_id, "QA", internal=True)
    world.asc.add_beta_group(app_id, "Friends", internal=False)
    pub_id, message = await publish(world)
    await world.bot.storage.update(pub_id, world.clock.now(), options={"beta_groups": ["Friends"]})
    world.asc.faults = Faults(latency=0.3)  # App Store Connect is slow; the ack must not wait for it

    click = await world.slack.click_button(world.events_url, message, blocks.BETA_GROUPS, user="U0ALICE")
    assert click.status == 200
    # The answer did not wait for App Store Connect: when it came, the groups were not drawn yet.
    assert not [v for v in open_views(world, blocks.BETA_GROUPS_VIEW) if v.get("submit")]
    # The loading view is opened right after the ack, so it may reach Slack after the click's answer.
    [opened] = await eventually(lambda: world.slack.calls_to("views.open"))
    assert "Loading" in opened.args["view"]["blocks"][0]["text"]["text"]
    [modal] = await eventually(
        lambda: [v for v in open_views(world, blocks.BETA_GROUPS_VIEW) if v.get("submit")]
    )
    world.asc.faults = Faults()
    element = picker(modal)
    labels = {g["label"]["text"]: [o["value"] for o in g["options"]] for g in element["option_groups"]}
    assert labels == {"Internal groups (at once)": ["QA"], "External groups (after beta review)": ["Friends"]}
    assert [o["value"] for o in element["initial_options"]] == ["Friends"]  # the publication's option

    chosen = {"selected_options": [{"value": "QA"}, {"value": "Friends"}]}
    saved = await world.slack.submit_view(
        world.events_url, modal["id"], {blocks.GROUPS: {blocks.GROUPS: chosen}}
    )
    assert saved.status == 200
    step = await requested(world, pub_id, "beta_groups")
    assert (step.requested_by, step.params) == ("U0ALICE", {"groups": ["QA", "Friends"]})


async def test_nothing_picked_is_refused_in_the_modal(world: World) -> None:
    world.asc.add_app("com.example.app", name="Example")
    world.asc.add_beta_group(world.asc.app_id_for("com.example.app"), "QA")
    pub_id, message = await publish(world)
    await world.slack.click_button(world.events_url, message, blocks.BETA_GROUPS, user="U0ALICE")
    [modal] = await eventually(
        lambda: [v for v in open_views(world, blocks.BETA_GROUPS_VIEW) if v.get("submit")]
    )
    answer = await world.slack.submit_view(world.events_url, modal["id"], {})
    assert answer.json == {"response_action": "errors", "errors": {blocks.GROUPS: "Pick at least one group."}}
    assert await action(world, pub_id, "beta_groups") is None


async def test_many_long_named_groups_are_shortened_not_refused(world: World) -> None:
    world.asc.add_app("com.example.app", name="Example")
    app_id = world.asc.app_id_for("com.example.app")
    for i in range(130):
        world.asc.add_beta_group(app_id, f"Internal testers {i:03d} " + "x" * 90, internal=True)
    world.asc.add_beta_group(app_id, "y" * 200, internal=False)  # too long to be an option value
    _, message = await publish(world)
    await world.slack.click_button(world.events_url, message, blocks.BETA_GROUPS, user="U0ALICE")
    [modal] = await eventually(
        lambda: [v for v in open_views(world, blocks.BETA_GROUPS_VIEW) if v.get("submit")]
    )
    [internal] = picker(modal)["option_groups"]
    assert len(internal["options"]) == 100
    assert all(len(o["text"]["text"]) <= 75 for o in internal["options"])
    assert "31 more group(s)" in modal["blocks"][-1]["elements"][0]["text"]


async def test_app_store_connect_trouble_is_said_in_the_modal(world: World) -> None:
    _, message = await publish(world)
    world.asc.faults = Faults(error_rate=1.0)  # every answer a 500, however often the client retries
    await world.slack.click_button(world.events_url, message, blocks.BETA_GROUPS, user="U0ALICE")
    [modal] = await eventually(
        lambda: [v for v in open_views(world, blocks.BETA_GROUPS_VIEW) if "⚠️" in str(v)]
    )
    assert "Could not read the beta groups" in modal["blocks"][0]["text"]["text"]
    assert modal.get("submit") is None
