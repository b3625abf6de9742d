"""Every post-processing step and option against the App Store Connect simulator, with a fake clock."""

from __future__ import annotations

from datetime import timedelta

from bot.sandbox.clock import FakeClock
from bot.sandbox.world import World
from tests.support.flow import broadcasts, created, later, pub, publish, sweep, thread, upload
from tests.support.openapi_conformance import check_exchanges

APP = "com.example.app"


def release_date(clock: FakeClock, days: int = 3) -> str:
    when = (clock.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return when.isoformat()


async def test_all_publishing_options_in_one_go(world: World, clock: FakeClock) -> None:
    app_id = world.asc.add_app(APP, name="Example", other_locales=("de-DE",))
    qa = world.asc.add_beta_group(app_id, "QA", internal=True)
    friends = world.asc.add_beta_group(app_id, "Friends", internal=False)
    # An earlier build is waiting for beta review, and an earlier version waits for App Store review.
    old = await publish(
        world,
        clock,
        APP,
        "1.3.0",
        "40",
        publishing={"submit_to_testflight": True, "submit_to_app_store": True},
        # an update needs What's New in every locale of its store listing to go to review
        release_notes=[{"language": "en-US", "text": "Fixes"}, {"language": "de-DE", "text": "Korrekturen"}],
    )
    assert (await pub(world, old)).version_state == "WAITING_FOR_REVIEW"
    date = release_date(clock)
    new = await publish(
        world,
        clock,
        APP,
        "1.4.0",
        "41",
        publishing={
            "submit_to_testflight": True,
            "expire_build_submitted_for_review": True,
            "beta_groups": ["QA", "Friends"],
            "submit_to_app_store": True,
            "cancel_previous_submissions": True,
            "release_type": "SCHEDULED",
            "earliest_release_date": date,
            "copyright": "2026 Example Ltd",
            "phased_release": True,
        },
        release_notes=[
            {"language": "en-US", "text": "Try the new login"},
            {"language": "de-DE", "text": "Neue Anmeldung testen"},
        ],
    )
    await sweep(world)  # the cancelled submission finishes CANCELING, then the submission goes ahead
    await later(world, clock, 30)
    p = await pub(world, new)
    build_id = world.asc.build_id_for(APP, "1.4.0", "41")
    old_build = world.asc.build_id_for(APP, "1.3.0", "40")
    assert world.asc.build(old_build).expired
    texts = {loc.locale: loc.whats_new for loc in world.asc.beta_localizations_of(build_id)}
    assert texts == {"en-US": "Try the new login", "de-DE": "Neue Anmeldung testen"}
    # de-DE once per build (the old one had notes too); en-US existed: updated, not created
    assert created(world, "POST", r"^/v1/betaBuildLocalizations$") == 2
    assert [s for s in world.asc.beta_review_submissions.values() if s.build_id == build_id]
    assert {g.id for g in world.asc.beta_groups_of_build(build_id)} == {qa, friends}
    version = world.asc.versions[p.version_id]
    assert (version.build_id, version.copyright, version.release_type) == (
        build_id,
        "2026 Example Ltd",
        "SCHEDULED",
    )
    assert version.earliest_release_date is not None and version.earliest_release_date.isoformat() == date
    assert world.asc.phased_release_of(version.id) is not None
    assert p.version_state == "WAITING_FOR_REVIEW", p
    states = sorted(s.state for s in world.asc.review_submissions.values())
    assert states.count("WAITING_FOR_REVIEW") == 1 and "COMPLETE" in states  # the old one was cancelled
    replies = thread(world, p)
    assert any("Added to beta groups: QA (internal), Friends (external)" in t for t in replies)
    assert any("Submitted 1.4.0 (41) for App Store review" in t and "phased release on" in t for t in replies)

    # Apple reviews and approves; the scheduled date comes; it goes live.
    world.asc.set_version_state(version.id, "IN_REVIEW")
    await later(world, clock, 120)
    world.asc.set_version_state(version.id, "PENDING_DEVELOPER_RELEASE")
    world.asc.approve_beta_review(build_id)
    await later(world, clock, 120)
    assert any("goes live automatically" in t for t in thread(world, await pub(world, new)))
    world.asc.set_version_state(version.id, "READY_FOR_DISTRIBUTION")
    await later(world, clock, 120)
    p = await pub(world, new)
    assert any("Live on the App Store" in t for t in broadcasts(world, p))
    # Live with a phased release: followed once a day until Apple completes it after day 7.
    assert (p.state, p.phased_state, p.phased_day) == ("ready", "ACTIVE", 1), p
    for _ in range(7):
        await later(world, clock, 86400)
    p = await pub(world, new)
    assert (p.state, p.phased_state) == ("done", "COMPLETE"), p
    assert check_exchanges(world.asc.exchanges) == []


async def test_manual_release_and_phased_controls(world: World, clock: FakeClock) -> None:
    world.asc.add_app(APP, name="Example")
    pub_id = await publish(
        world,
        clock,
        APP,
        "2.0.0",
        "50",
        publishing={"submit_to_app_store": True, "release_type": "MANUAL", "phased_release": True},
        release_notes=[{"language": "en-US", "text": "Fixes"}],
    )
    p = await pub(world, pub_id)
    assert p.version_state == "WAITING_FOR_REVIEW" and p.release_type == "MANUAL"
    refused = await world.bot.engine.request(pub_id, "release_now", "U0BOSS")
    assert refused.status == "requested"
    await sweep(world)
    assert any("Cannot release yet" in t for t in thread(world, await pub(world, pub_id)))

    world.asc.set_version_state(p.version_id, "PENDING_DEVELOPER_RELEASE")
    await later(world, clock, 120)
    assert any("press *Release now*" in t for t in thread(world, await pub(world, pub_id)))
    again = await world.bot.engine.request(pub_id, "release_now", "U0BOSS")
    assert again.status == "requested"  # the failed attempt can be asked again
    await sweep(world)
    await later(world, clock, 120)
    p = await pub(world, pub_id)
    assert world.asc.versions[p.version_id].state in ("PROCESSING_FOR_DISTRIBUTION", "READY_FOR_DISTRIBUTION")
    assert created(world, "POST", r"^/v1/appStoreVersionReleaseRequests$") == 1

    for kind, state in (
        ("phased_pause", "PAUSED"),
        ("phased_resume", "ACTIVE"),
        ("phased_complete", "COMPLETE"),
    ):
        result = await world.bot.engine.request(pub_id, kind, "U0BOSS")
        assert result.status == "requested", result
        await sweep(world)
        assert world.asc.phased_release_of(p.version_id).state == state
        assert (await pub(world, pub_id)).phased_state == state
    assert check_exchanges(world.asc.exchanges) == []


async def test_export_compliance_is_asked_not_guessed(world: World, clock: FakeClock) -> None:
    world.asc.add_app(APP, name="Example")
    pub_id = await publish(
        world,
        clock,
        APP,
        "1.0.1",
        "7",
        publishing={"submit_to_testflight": True},
        sim={"uses_non_exempt_encryption": None},
    )
    await later(world, clock, 30)
    await later(world, clock, 30)
    p = await pub(world, pub_id)
    questions = [t for t in thread(world, p) if "export compliance answer" in t]
    assert len(questions) == 1  # asked once, however often it looks again
    assert created(world, "POST", r"^/v1/betaAppReviewSubmissions$") == 0
    answer = await world.bot.engine.request(
        pub_id, "export_compliance", "U0DEV", {"uses_non_exempt_encryption": False}
    )
    assert answer.status == "requested"
    await sweep(world)
    await later(world, clock, 30)
    assert created(world, "POST", r"^/v1/betaAppReviewSubmissions$") == 1
    assert world.asc.build(world.asc.build_id_for(APP, "1.0.1", "7")).uses_encryption is False


async def test_export_compliance_answered_ahead_of_time(world: World, clock: FakeClock) -> None:
    world.asc.add_app(APP, name="Example")
    await publish(
        world,
        clock,
        APP,
        "1.0.2",
        "8",
        sim={"uses_non_exempt_encryption": None},
        publishing={"submit_to_testflight": True, "uses_non_exempt_encryption": False},
    )
    await later(world, clock, 30)
    await later(world, clock, 30)
    assert created(world, "POST", r"^/v1/betaAppReviewSubmissions$") == 1


async def test_internal_groups_never_trigger_beta_review(world: World, clock: FakeClock) -> None:
    app_id = world.asc.add_app(APP, name="Example")
    world.asc.add_beta_group(app_id, "Team", internal=True)
    pub_id = await publish(world, clock, APP, "1.1.0", "9", publishing={"beta_groups": ["team"]})
    p = await pub(world, pub_id)
    assert p.state == "done", p
    assert created(world, "POST", r"^/v1/betaAppReviewSubmissions$") == 0
    assert [g.name for g in world.asc.beta_groups_of_build(p.build_id)] == ["Team"]


async def test_unknown_group_fails_that_step_and_the_rest_carries_on(world: World, clock: FakeClock) -> None:
    app_id = world.asc.add_app(APP, name="Example")
    world.asc.add_beta_group(app_id, "QA", internal=True)
    pub_id = await publish(
        world,
        clock,
        APP,
        "1.2.0",
        "10",
        publishing={"submit_to_testflight": True, "beta_groups": ["QA", "Nobody"]},
    )
    p = await pub(world, pub_id)
    assert any(
        "Unknown beta group(s): Nobody. This app's groups: QA (internal)" in t for t in broadcasts(world, p)
    )
    assert created(world, "POST", r"^/v1/betaAppReviewSubmissions$") == 1
    world.asc.approve_beta_review(p.build_id)
    await later(world, clock, 30)
    p = await pub(world, pub_id)
    assert p.state == "failed" and "Add beta groups" in (p.last_error or "")


async def test_failing_tests_hold_automatic_steps_but_buttons_work(world: World, clock: FakeClock) -> None:
    world.asc.add_app(APP, name="Example")
    pub_id = await publish(
        world, clock, APP, "1.5.0", "11", tests_passed=False, publishing={"submit_to_testflight": True}
    )
    assert created(world, "POST", r"^/v1/betaAppReviewSubmissions$") == 0
    result = await world.bot.engine.request(pub_id, "submit_to_testflight", "U0DEV")
    assert result.status == "requested" and result.warning and "failing tests" in result.warning
    await sweep(world)
    assert created(world, "POST", r"^/v1/betaAppReviewSubmissions$") == 1


async def test_build_never_appears_times_out(world: World, clock: FakeClock) -> None:
    world.asc.add_app(APP, name="Example")
    pub_id = await upload(world, APP, "3.0.0", "1")
    await sweep(world)
    await later(world, clock, 899)
    assert (await pub(world, pub_id)).state == "waiting_for_build"
    await later(world, clock, 31)
    p = await pub(world, pub_id)
    assert p.state == "timed_out"
    assert any("did not appear in App Store Connect within 15 min" in t for t in broadcasts(world, p))


async def test_build_processing_too_long_times_out(world: World, clock: FakeClock) -> None:
    world.asc.add_app(APP, name="Example")
    pub_id = await upload(world, APP, "3.0.1", "2")
    world.asc.upload_build(APP, version="3.0.1", build_number="2", platform="IOS", processing_time=3 * 3600)
    for _ in range(7200 // 600):
        await later(world, clock, 600)
    await later(world, clock, 60)
    p = await pub(world, pub_id)
    assert p.state == "timed_out", p
    assert any("still processing after 2 h" in t for t in broadcasts(world, p))


async def test_invalid_build_fails_with_apples_reasons(world: World, clock: FakeClock) -> None:
    world.asc.add_app(APP, name="Example")
    pub_id = await publish(
        world,
        clock,
        APP,
        "3.1.0",
        "3",
        sim={
            "outcome": "INVALID",
            "errors": [{"code": "ITMS-90062", "description": "CFBundleShortVersionString is lower"}],
        },
    )
    p = await pub(world, pub_id)
    assert p.state == "failed"
    assert any("ITMS-90062: CFBundleShortVersionString is lower" in t for t in broadcasts(world, p))
    refused = await world.bot.engine.request(pub_id, "submit_to_testflight", "U0DEV")
    assert refused.status == "refused"


async def test_release_date_in_the_past_writes_nothing(world: World, clock: FakeClock) -> None:
    world.asc.add_app(APP, name="Example")
    date = release_date(clock, days=0)  # later today, on the hour: valid when sent...
    pub_id = await upload(
        world,
        APP,
        "4.0.0",
        "5",
        publishing={
            "submit_to_app_store": True,
            "release_type": "SCHEDULED",
            "earliest_release_date": release_date(clock, 1),
        },
    )
    world.asc.upload_build(APP, version="4.0.0", build_number="5", platform="IOS")
    await later(world, clock, 61)
    clock.advance(timedelta(days=2))  # ...but the build took two days to process
    await sweep(world)
    p = await pub(world, pub_id)
    assert p.state == "failed"
    assert any("must be in the future" in t for t in broadcasts(world, p))
    assert created(world, "POST", r"^/v1/appStoreVersions$") == 0
    assert created(world, "PATCH", r"^/v1/appStoreVersions/") == 0
    assert date  # (kept for readability of the scenario)


async def test_double_request_is_stored_once(world: World, clock: FakeClock) -> None:
    world.asc.add_app(APP, name="Example")
    pub_id = await publish(world, clock, APP, "1.6.0", "12")
    first = await world.bot.engine.request(pub_id, "submit_to_testflight", "U0ALICE")
    second = await world.bot.engine.request(pub_id, "submit_to_testflight", "U0BOB")
    assert (first.status, second.status) == ("requested", "already")
    assert second.action is not None and second.action.requested_by == "U0ALICE"
    await sweep(world)
    assert created(world, "POST", r"^/v1/betaAppReviewSubmissions$") == 1


async def test_cancel_stops_everything(world: World, clock: FakeClock) -> None:
    world.asc.add_app(APP, name="Example")
    pub_id = await upload(world, APP, "5.0.0", "1", publishing={"submit_to_testflight": True})
    await sweep(world)
    result = await world.bot.engine.cancel(pub_id, "U0LEAD")
    assert result.status == "requested"
    world.asc.upload_build(APP, version="5.0.0", build_number="1", platform="IOS")
    await later(world, clock, 700)
    await later(world, clock, 700)
    p = await pub(world, pub_id)
    assert p.state == "cancelled"
    assert created(world, "POST", r"^/v1/betaAppReviewSubmissions$") == 0
    assert any("<@U0LEAD> cancelled" in t for t in broadcasts(world, p))
    assert [a.status for a in await world.bot.storage.actions(pub_id)] == ["skipped"]
    assert (await world.bot.engine.cancel(pub_id, "U0LEAD")).status == "refused"
    assert (await world.bot.engine.request(pub_id, "submit_to_testflight", "U0LEAD")).status == "refused"


async def test_faults_at_apple_change_nothing_but_time(world: World, clock: FakeClock) -> None:
    from bot.sandbox.asc import Faults

    app_id = world.asc.add_app(APP, name="Example", other_locales=("de-DE",))
    world.asc.add_beta_group(app_id, "QA", internal=True)
    world.asc.add_beta_group(app_id, "Beta", internal=False)
    world.asc.faults = Faults(error_rate=0.2, rate_limit_bursts=3, drop_rate=0.1, seed=11)
    pub_id = await publish(
        world,
        clock,
        APP,
        "6.0.0",
        "1",
        publishing={
            "submit_to_testflight": True,
            "beta_groups": ["QA", "Beta"],
            "submit_to_app_store": True,
            "phased_release": True,
            "copyright": "2026 Example",
        },
        release_notes=[{"language": "en-US", "text": "New"}, {"language": "de-DE", "text": "Neu"}],
    )
    for _ in range(20):
        await later(world, clock, 60)
    world.asc.faults = Faults()
    await later(world, clock, 60)
    p = await pub(world, pub_id)
    assert p.version_state == "WAITING_FOR_REVIEW", (p.state, p.last_error)
    assert any(e.fault for e in world.asc.exchanges)
    for method, path in (
        ("POST", r"^/v1/betaAppReviewSubmissions$"),
        ("POST", r"^/v1/betaBuildLocalizations$"),
        ("POST", r"^/v1/appStoreVersions$"),
        ("POST", r"^/v1/appStoreVersionPhasedReleases$"),
        ("POST", r"^/v1/reviewSubmissions$"),
        ("POST", r"^/v1/reviewSubmissionItems$"),
    ):
        assert created(world, method, path) == 1, path
