"""Submit for App Store review with a crash at every single write, against the strict simulator.

The simulator shows relationship data only when a read includes it, so a restarted bot recognises
what its dead predecessor created only if each read asks for the relationships it relies on (the
version of a review item, the build of a version). Every publication must end submitted, with each
create and the submit accepted exactly once.
"""

from __future__ import annotations

from bot.sandbox.clock import FakeClock
from bot.sandbox.world import World
from tests.engine.test_crash import CrashingTransport, CrashPlan, accepted, sweep_with_crashes
from tests.support.flow import distinct_shapes
from tests.support.openapi_conformance import check_exchanges

PUBLICATIONS = 3


async def test_a_crash_at_every_write_still_submits_each_version_once(clock: FakeClock) -> None:
    plan = CrashPlan()
    world = World(
        clock,
        build_appear_delay=60,
        processing_time=300,
        scheduler=False,
        asc_transport=lambda: CrashingTransport(plan),
    )
    await world.start()
    try:
        for i in range(PUBLICATIONS):
            bundle = f"com.example.review{i}"
            world.asc.add_app(bundle, name=f"Review {i}")
            payload = world.upload_payload(
                bundle,
                "2.0.0",
                str(10 + i),
                publishing={"submit_to_app_store": True, "copyright": "2026 Example", "phased_release": True},
                release_notes=[{"language": "en-US", "text": f"Build {i}"}],
            )
            assert (await world.send_upload(payload)).status_code == 202
            world.asc.upload_build(bundle, version="2.0.0", build_number=str(10 + i), platform="IOS")
        # A crash after every write would never let a step past its repeated first write (each
        # restart reads and writes again); varying gaps hit every kind of write over the run.
        async def all_submitted() -> bool:
            pubs = await world.bot.storage.list(active_only=False, limit=100)
            return all(p.version_state == "WAITING_FOR_REVIEW" for p in pubs)

        await sweep_with_crashes(world, clock, plan, [1, 2, 1, 3, 1, 2, 4, 1], 300, all_submitted)
        pubs = await world.bot.storage.list(active_only=False, limit=100)
        assert len(pubs) == PUBLICATIONS
        assert [p.version_state for p in pubs] == ["WAITING_FOR_REVIEW"] * PUBLICATIONS, [
            (p.label, p.state, p.last_error) for p in pubs
        ]
        assert plan.crashes >= 10, plan.crashes
        for method, path in (
            ("POST", r"^/v1/appStoreVersions$"),
            ("POST", r"^/v1/appStoreVersionPhasedReleases$"),
            ("POST", r"^/v1/reviewSubmissions$"),
            ("POST", r"^/v1/reviewSubmissionItems$"),
        ):
            assert accepted(world, method, path) == PUBLICATIONS, path
        submits = accepted(world, "PATCH", r"^/v1/reviewSubmissions/", '"submitted": true') + accepted(
            world, "PATCH", r"^/v1/reviewSubmissions/", '"submitted":true'
        )
        assert submits == PUBLICATIONS
        assert check_exchanges(distinct_shapes(world.asc.exchanges), allow_rejected=True) == []
    finally:
        await world.stop()
