"""The engine when App Store Connect answers oddly: unknown states, unreadable bodies, outages, clock jumps."""

from __future__ import annotations

from datetime import timedelta

from bot.engine.following import UNKNOWN_STATE_LIMIT
from bot.sandbox.asc import Faults
from bot.sandbox.clock import FakeClock
from bot.sandbox.world import World
from tests.support.flow import broadcasts, later, pub, publish, sweep, thread, upload

APP = "com.example.app"
OTHER = "com.example.other"


async def test_unknown_processing_state_is_named_once_and_followed_until_the_deadline(
    world: World, clock: FakeClock
) -> None:
    world.asc.add_app(APP, name="Example")
    world.asc.faults = Faults(
        rewrites=((r"^/v1/builds", '"processingState":"VALID"', '"processingState":"NEWLY_ADDED"'),)
    )
    pub_id = await publish(world, clock, APP, "1.0.0", "7")
    await later(world, clock, 60)
    p = await pub(world, pub_id)
    assert p.state == "processing", p  # not "ready": an unknown state is not done
    told = [t for t in thread(world, p) if "processingState NEWLY_ADDED" in t]
    assert len(told) == 1, thread(world, p)
    await later(world, clock, 7200)  # the 120-minute processing deadline still holds
    assert (await pub(world, pub_id)).state == "timed_out"


async def test_processing_exception_is_a_failure_not_valid(world: World, clock: FakeClock) -> None:
    world.asc.add_app(APP, name="Example")
    world.asc.faults = Faults(
        rewrites=(
            (
                r"^/v1/builds",
                '"internalBuildState":"READY_FOR_BETA_TESTING"',
                '"internalBuildState":"PROCESSING_EXCEPTION"',
            ),
        )
    )
    pub_id = await publish(world, clock, APP, "1.0.0", "7", publishing={"submit_to_testflight": True})
    p = await pub(world, pub_id)
    assert p.state == "failed", p
    assert any("PROCESSING_EXCEPTION" in t for t in thread(world, p))


async def test_one_apps_unreadable_answer_does_not_stall_the_other_app(
    world: World, clock: FakeClock
) -> None:
    bad = world.asc.add_app(APP, name="Example")
    world.asc.add_app(OTHER, name="Other")
    # Every build listing of the first app carries a resource without an id.
    world.asc.faults = Faults(rewrites=((bad, '"data":[', '"data":[{"type":"builds"},'),))
    first = await upload(world, APP, "1.0.0", "7")
    second = await upload(world, OTHER, "2.0.0", "9")
    world.asc.upload_build(APP, version="1.0.0", build_number="7")
    world.asc.upload_build(OTHER, version="2.0.0", build_number="9")
    for _ in range(25):
        await later(world, clock, 30)
    assert (await pub(world, second)).state == "ready"
    stuck = await pub(world, first)
    assert stuck.state == "waiting_for_build" and stuck.last_error
    assert len([t for t in thread(world, stuck) if "could not read" in t]) == 1, thread(world, stuck)
    world.asc.faults = Faults()
    for _ in range(25):
        await later(world, clock, 30)
    assert (await pub(world, first)).state == "ready"


async def test_outage_time_does_not_count_against_the_find_deadline(world: World, clock: FakeClock) -> None:
    world.asc.add_app(APP, name="Example")
    pub_id = await upload(world, APP, "1.0.0", "7")
    await sweep(world)  # the app is resolved before the outage starts
    world.asc.upload_build(APP, version="1.0.0", build_number="7")  # appears after one minute
    world.asc.faults = Faults(error_rate=1.0, error_statuses=(503,))
    for _ in range(32):  # a 16-minute outage: past the 15-minute find deadline
        await later(world, clock, 30)
    assert (await pub(world, pub_id)).state == "waiting_for_build"
    world.asc.faults = Faults()
    await later(world, clock, 30)
    p = await pub(world, pub_id)
    assert p.state in ("processing", "ready"), p
    assert p.asc_down_since is None and p.find_deadline is not None
    assert p.find_deadline - p.created_at > timedelta(minutes=30)  # the outage was added


async def test_clock_going_back_does_not_freeze_polling(world: World, clock: FakeClock) -> None:
    world.asc.add_app(APP, name="Example")
    pub_id = await upload(world, APP, "1.0.0", "7")
    await later(world, clock, 30)
    clock.advance(-50 * 60)  # NTP steps the clock 50 minutes back
    asked = len(world.asc.exchanges)
    await later(world, clock, 31)
    await later(world, clock, 31)
    # Polling goes on at its interval (one poll in the minute), not 50 minutes later.
    assert len([e for e in world.asc.exchanges[asked:] if e.path == "/v1/builds"]) == 1
    p = await pub(world, pub_id)
    assert p.state == "waiting_for_build"
    assert p.next_poll_at is not None and p.next_poll_at - clock.now() < timedelta(minutes=5)
    # The time left to find the build is what it was, not 50 minutes more.
    assert p.find_deadline is not None and p.find_deadline - clock.now() < timedelta(minutes=15)


async def test_unknown_app_version_state_is_named_and_still_followed(world: World, clock: FakeClock) -> None:
    world.asc.add_app(APP, name="Example")
    pub_id = await publish(
        world,
        clock,
        APP,
        "1.1.0",
        "8",
        publishing={"submit_to_app_store": True},
        release_notes=[{"language": "en-US", "text": "Fixes"}],
    )
    assert (await pub(world, pub_id)).version_state == "WAITING_FOR_REVIEW"
    world.asc.faults = Faults(
        rewrites=((r"^/v1/appStoreVersions", '"WAITING_FOR_REVIEW"', '"IN_A_NEW_KIND_OF_REVIEW"'),)
    )
    for _ in range(3):
        await later(world, clock, 900)
    p = await pub(world, pub_id)
    assert p.state == "ready" and p.version_state == "IN_A_NEW_KIND_OF_REVIEW", p  # not "done"
    assert len([t for t in thread(world, p) if "appVersionState IN_A_NEW_KIND_OF_REVIEW" in t]) == 1
    world.asc.faults = Faults()
    await later(world, clock, 900)
    assert (await pub(world, pub_id)).version_state == "WAITING_FOR_REVIEW"  # followed on


async def test_data_null_for_one_app_does_not_stop_the_others_following(
    world: World, clock: FakeClock
) -> None:
    world.asc.add_app(APP, name="Example")
    world.asc.add_app(OTHER, name="Other")
    first = await publish(
        world,
        clock,
        APP,
        "1.1.0",
        "8",
        publishing={"submit_to_app_store": True},
        release_notes=[{"language": "en-US", "text": "Fixes"}],
    )
    second = await publish(world, clock, OTHER, "2.0.0", "9", publishing={"submit_to_testflight": True})
    version_id = (await pub(world, first)).version_id
    assert version_id and (await pub(world, second)).beta_review_state == "WAITING_FOR_REVIEW"
    world.asc.faults = Faults(
        rewrites=((f"^/v1/appStoreVersions/{version_id}", '{"data":{', '{"data":null,"x":{'),)
    )
    world.asc.approve_beta_review(world.asc.build_id_for(OTHER, "2.0.0", "9"))
    for _ in range(3):
        await later(world, clock, 150)
    other = await pub(world, second)
    assert other.beta_review_state == "APPROVED", other
    assert any("beta review approved" in t for t in thread(world, other))
    stuck = await pub(world, first)
    assert stuck.state == "ready" and stuck.last_error
    assert len([t for t in thread(world, stuck) if "could not read" in t]) == 1, thread(world, stuck)


UNKNOWN_VERSION_STATE = Faults(
    rewrites=((r"^/v1/appStoreVersions", '"WAITING_FOR_REVIEW"', '"IN_A_NEW_KIND_OF_REVIEW"'),)
)


async def in_app_review(world: World, clock: FakeClock, version: str, build: str) -> str:
    """A publication submitted for App Store review that Apple takes its time with (ten days)."""
    world.asc.add_app(APP, name="Example")
    pub_id = await publish(
        world,
        clock,
        APP,
        version,
        build,
        publishing={"submit_to_app_store": True},
        release_notes=[{"language": "en-US", "text": "Fixes"}],
    )
    world.asc.app_review_time = 10 * 24 * 3600  # only the unknown state shows while it is followed
    return pub_id


async def test_an_unknown_app_version_state_is_followed_until_its_deadline_then_told(
    world: World, clock: FakeClock
) -> None:
    pub_id = await in_app_review(world, clock, "1.2.0", "9")
    world.asc.faults = UNKNOWN_VERSION_STATE
    await later(world, clock, 900)
    first = await pub(world, pub_id)
    assert first.unknown_since is not None and first.state == "ready"
    [named] = [t for t in thread(world, first) if "appVersionState IN_A_NEW_KIND_OF_REVIEW" in t]
    deadline = first.unknown_since + UNKNOWN_STATE_LIMIT
    assert f"until {deadline:%Y-%m-%d %H:%M} UTC" in named  # the thread hears how long it is followed
    for _ in range(int(UNKNOWN_STATE_LIMIT / timedelta(hours=6))):
        await later(world, clock, 6 * 3600)
    p = await pub(world, pub_id)
    assert p.state == "failed", p  # not "ready" for ever, and not "done"
    assert "kept reporting IN_A_NEW_KIND_OF_REVIEW for 48 hours" in (p.last_error or "")
    assert any("stopped following" in t for t in broadcasts(world, p))
    reads = len([e for e in world.asc.exchanges if e.path.startswith("/v1/appStoreVersions")])
    await later(world, clock, 6 * 3600)
    assert len([e for e in world.asc.exchanges if e.path.startswith("/v1/appStoreVersions")]) == reads


async def test_a_known_state_again_restarts_the_unknown_state_clock(world: World, clock: FakeClock) -> None:
    pub_id = await in_app_review(world, clock, "1.3.0", "10")
    world.asc.faults = UNKNOWN_VERSION_STATE
    await later(world, clock, 900)
    assert (await pub(world, pub_id)).unknown_since is not None
    world.asc.faults = Faults()
    await later(world, clock, 40 * 3600)
    assert (await pub(world, pub_id)).unknown_since is None  # WAITING_FOR_REVIEW again: known
    world.asc.faults = UNKNOWN_VERSION_STATE
    await later(world, clock, 900)
    await later(world, clock, 40 * 3600)
    p = await pub(world, pub_id)
    assert p.state == "ready" and p.unknown_since is not None  # 40 h of the second spell, not 80


async def test_an_unknown_external_build_state_is_followed_until_its_deadline(
    world: World, clock: FakeClock
) -> None:
    world.asc.add_app(APP, name="Example")
    world.asc.beta_review_time = 10 * 24 * 3600
    pub_id = await publish(world, clock, APP, "1.4.0", "11", publishing={"submit_to_testflight": True})
    assert (await pub(world, pub_id)).beta_review_state == "WAITING_FOR_REVIEW"
    world.asc.faults = Faults(
        rewrites=((r"^/v1/builds", '"WAITING_FOR_BETA_REVIEW"', '"IN_A_NEW_BETA_STATE"'),)
    )
    await later(world, clock, 900)
    p = await pub(world, pub_id)
    assert p.unknown_since is not None and p.beta_external_state == "IN_A_NEW_BETA_STATE"
    assert [t for t in thread(world, p) if "externalBuildState IN_A_NEW_BETA_STATE" in t]
    for _ in range(int(UNKNOWN_STATE_LIMIT / timedelta(hours=6))):
        await later(world, clock, 6 * 3600)
    p = await pub(world, pub_id)
    assert p.state == "failed" and "kept reporting IN_A_NEW_BETA_STATE" in (p.last_error or ""), p
