"""Submit for App Store review against the strict simulator: Apple's refusals end to end, and retries
that only work when every read asks for the relationships it uses."""

from __future__ import annotations

import json

from bot.sandbox.asc import Faults
from bot.sandbox.clock import FakeClock
from bot.sandbox.world import World
from tests.support.flow import later, pub, publish, thread

APP = "com.example.app"
NOTES = [{"language": "en-US", "text": "Fixes"}]


def _refusals(world: World, path: str) -> list[dict]:
    return [
        json.loads(e.response_body or b"{}")["errors"][0]
        for e in world.asc.exchanges
        if e.method == "POST" and e.path == path and e.status == 409
    ]


async def test_missing_store_text_is_named_in_the_thread(world: World, clock: FakeClock) -> None:
    app_id = world.asc.add_app(APP, name="Example", store_text=False)
    pub_id = await publish(
        world, clock, APP, "1.1.0", "8", publishing={"submit_to_app_store": True}, release_notes=NOTES
    )
    p = await pub(world, pub_id)
    [_, version] = world.asc.versions_of(app_id)  # the live 1.0 and the new 1.1.0
    assert version.state == "PREPARE_FOR_SUBMISSION"  # nothing went to review
    # The pre-flight checklist names what Apple would refuse (its 409 is in tests/sandbox), before
    # any review submission is made.
    assert world.asc.count("POST", r"^/v1/reviewSubmissions$") == 0
    assert _refusals(world, "/v1/reviewSubmissionItems") == []
    told = [t for t in thread(world, p) if "Pre-flight checklist" in t]
    assert told, thread(world, p)
    for gap in ("Copyright", "Description (en-US)", "Keywords (en-US)", "Support URL (en-US)"):
        assert f"*{gap}*" in told[-1]


async def test_a_version_left_in_a_rejected_submission_is_resubmitted_there(
    world: World, clock: FakeClock
) -> None:
    world.asc.add_app(APP, name="Example")
    first = await publish(
        world, clock, APP, "1.1.0", "8", publishing={"submit_to_app_store": True}, release_notes=NOTES
    )
    version_id = (await pub(world, first)).version_id
    assert version_id is not None
    world.asc.set_version_state(version_id, "REJECTED")
    [rejected] = [s for s in world.asc.review_submissions.values() if s.state == "UNRESOLVED_ISSUES"]
    await later(world, clock, 60)
    second = await publish(
        world, clock, APP, "1.1.0", "9", publishing={"submit_to_app_store": True}, release_notes=NOTES
    )
    p = await pub(world, second)
    assert p.version_state == "WAITING_FOR_REVIEW", thread(world, p)
    assert (
        world.asc.review_submissions[rejected.id].state == "WAITING_FOR_REVIEW"
    )  # sent again, not a new one
    [refusal] = _refusals(world, "/v1/reviewSubmissionItems")
    # The blocking id is only in Apple's nested error, not in the top-level detail.
    assert rejected.id not in refusal["detail"]
    [nested] = refusal["meta"]["associatedErrors"][f"/v1/appStoreVersions/{version_id}"]
    assert f"another reviewSubmission with id {rejected.id}" in nested["detail"]
    assert world.asc.versions[version_id].build_id == world.asc.build_id_for(APP, "1.1.0", "9")


async def test_a_lost_answer_to_adding_the_item_is_read_back_and_submitted(
    world: World, clock: FakeClock
) -> None:
    """The item is added, the answer is lost: the read-back must see the version in the item."""
    world.asc.add_app(APP, name="Example")
    world.asc.faults = Faults(drop_rate=1.0, after_share=1.0, paths=r"^/v1/reviewSubmissionItems$")
    pub_id = await publish(
        world, clock, APP, "1.1.0", "8", publishing={"submit_to_app_store": True}, release_notes=NOTES
    )
    world.asc.faults = Faults()
    await later(world, clock, 60)
    p = await pub(world, pub_id)
    assert p.version_state == "WAITING_FOR_REVIEW", thread(world, p)
    assert len(world.asc.review_items) == 1
    assert world.asc.count("POST", r"^/v1/reviewSubmissionItems$") == 1


async def test_processing_exception_seeded_by_apple_fails_the_build(world: World, clock: FakeClock) -> None:
    """processingState VALID, beta states PROCESSING_EXCEPTION (no rewrite: the simulator's own answer)."""
    world.asc.add_app(APP, name="Example")
    pub_id = await publish(
        world,
        clock,
        APP,
        "1.0.0",
        "7",
        publishing={"submit_to_testflight": True},
        sim={"outcome": "PROCESSING_EXCEPTION"},
    )
    p = await pub(world, pub_id)
    assert p.state == "failed", p
    assert p.processing_state == "VALID"  # the build itself processed; TestFlight's part failed
    assert any("PROCESSING_EXCEPTION" in t for t in thread(world, p))
    assert world.asc.count("POST", r"^/v1/betaAppReviewSubmissions$") == 0


async def test_processing_exception_after_beta_submission_is_told_and_following_stops(
    world: World, clock: FakeClock
) -> None:
    world.asc.add_app(APP, name="Example")
    pub_id = await publish(world, clock, APP, "1.0.0", "7", publishing={"submit_to_testflight": True})
    p = await pub(world, pub_id)
    assert p.beta_review_state == "WAITING_FOR_REVIEW" and p.build_id is not None
    world.asc.fail_beta_processing(p.build_id)
    await later(world, clock, 300)
    p = await pub(world, pub_id)
    assert p.beta_review_state == "PROCESSING_EXCEPTION", p
    told = [t for t in thread(world, p) if "could not process the build (PROCESSING_EXCEPTION)" in t]
    assert len(told) == 1
    reads = world.asc.count("GET", r"^/v1/builds$")
    await later(world, clock, 3600)
    assert world.asc.count("GET", r"^/v1/builds$") == reads  # nothing left to follow
