"""The publication message over real HTTP: TestFlight install links once testers can install, and a
phased release's day and share of users, read once a day on a simulated clock."""

from __future__ import annotations

from bot.sandbox.clock import FakeClock
from bot.sandbox.world import DEMO_CHANNEL, World
from tests.commands.conftest import buttons
from tests.support.flow import later, pub, publish, sweep, thread

APP = "com.example.app"
DAY = 86400


def message_text(world: World, ts: str | None) -> str:
    message = world.slack.find_message(DEMO_CHANNEL, ts or "")
    assert message is not None
    return "\n".join(b["text"]["text"] for b in message.blocks if b["type"] == "section")


async def test_install_link_once_external_testers_can_install(world: World, clock: FakeClock) -> None:
    app_id = world.asc.add_app(APP, name="Example")
    world.asc.add_beta_group(app_id, "QA", internal=True)
    world.asc.add_beta_group(app_id, "Friends", internal=False, public_link_enabled=True)
    world.asc.add_beta_group(app_id, "Press", internal=False)  # no public link: nothing to show
    pub_id = await publish(
        world, clock, APP, "1.4.0", "41", publishing={"beta_groups": ["QA", "Friends", "Press"]}
    )
    p = await pub(world, pub_id)
    [friends] = [g for g in world.asc.store.groups.values() if g.name == "Friends"]
    link = f"https://testflight.apple.com/join/{friends.public_link_id}"
    assert p.beta_review_state == "WAITING_FOR_REVIEW"
    assert "Install" not in message_text(world, p.message_ts)  # external testers cannot install yet

    world.asc.approve_beta_review(world.asc.build_id_for(APP, "1.4.0", "41"))
    await later(world, clock, 60)
    p = await pub(world, pub_id)
    assert p.beta_external_state in ("BETA_APPROVED", "IN_BETA_TESTING")
    assert f"*Install:* <{link}|Friends>" in message_text(world, p.message_ts)


async def test_no_install_line_for_groups_without_a_public_link(world: World, clock: FakeClock) -> None:
    app_id = world.asc.add_app(APP, name="Example")
    world.asc.add_beta_group(app_id, "QA", internal=True)
    pub_id = await publish(world, clock, APP, "1.4.0", "41", publishing={"beta_groups": ["QA"]})
    p = await pub(world, pub_id)
    assert any("Added to beta groups: QA (internal)" in t for t in thread(world, p))
    assert "Install" not in message_text(world, p.message_ts)


async def test_phased_release_day_and_share_updated_daily(world: World, clock: FakeClock) -> None:
    world.asc.add_app(APP, name="Example")
    pub_id = await publish(
        world, clock, APP, "2.0.0", "50", publishing={"submit_to_app_store": True, "phased_release": True}
    )
    p = await pub(world, pub_id)
    assert p.version_state == "WAITING_FOR_REVIEW"
    world.asc.set_version_state(p.version_id, "READY_FOR_DISTRIBUTION")  # approved and live: day 1
    await later(world, clock, 120)
    p = await pub(world, pub_id)
    assert (p.state, p.phased_state, p.phased_day) == ("ready", "ACTIVE", 1)
    assert "phased release day 1 of 7 · 1% of users" in message_text(world, p.message_ts)
    message = world.slack.find_message(DEMO_CHANNEL, p.message_ts or "")
    assert {"Pause phased release", "Release to all users"} <= set(buttons(message))

    world.asc.reset_log()
    for _ in range(24):  # a day of sweeps every hour: the version is read once, at the day's turn
        await later(world, clock, 3600)
    assert world.asc.count("GET", r"^/v1/appStoreVersions/[^/]+$") == 1
    p = await pub(world, pub_id)
    assert p.phased_day == 2
    assert "day 2 of 7 · 2% of users" in message_text(world, p.message_ts)
    assert any("Phased release, day 2 of 7: 2% of users" in t for t in thread(world, p))

    assert (await world.bot.engine.request(pub_id, "phased_pause", "U0BOSS")).status == "requested"
    await sweep(world)
    await later(world, clock, 3 * DAY)
    p = await pub(world, pub_id)
    assert (p.phased_state, p.phased_day) == ("PAUSED", 2)  # paused days do not count
    assert "day 2 of 7 · 2% of users · paused" in message_text(world, p.message_ts)
    message = world.slack.find_message(DEMO_CHANNEL, p.message_ts or "")
    assert "Resume phased release" in buttons(message)

    assert (await world.bot.engine.request(pub_id, "phased_resume", "U0BOSS")).status == "requested"
    await sweep(world)
    for _ in range(6):
        await later(world, clock, DAY)
    p = await pub(world, pub_id)
    days = [t for t in thread(world, p) if t.startswith("📈")]
    assert [d.split(":")[0] for d in days] == [f"📈 Phased release, day {n} of 7" for n in range(1, 8)]
    assert "100% of users" in days[-1]
    assert (p.state, p.phased_state) == ("done", "COMPLETE")  # Apple finished it after day 7
