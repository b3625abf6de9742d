"""Apple events: an App Store Connect webhook names a resource; the publications following it are polled
at once, and an upload's event can name the build a waiting publication looks for. Over real storage and
the App Store Connect simulator."""

from __future__ import annotations

from datetime import timedelta

from bot.engine import lifecycle
from bot.engine.apple_events import AppleEvents
from bot.engine.hooks import AppHooks
from bot.engine.lifecycle import Change, State
from bot.engine.requests import Requests
from bot.engine.uploads import Uploads
from bot.sandbox.clock import FakeClock
from storage.records import Publication
from storage.repository import Storage
from tests.support.engine_rig import BUNDLE, Rig, engine_rig, notice

LATER = timedelta(minutes=10)


async def following(rig: Rig, build_number: str = "7", **columns: object) -> Publication:
    """A publication as the poller leaves it: its next look far off, the ids it follows set."""
    pub = (await Uploads(rig.parts).intake(notice(build_number), actor="webhook", source="ci")).publication
    change = Change(next_poll_at=rig.clock.now() + LATER, **columns)  # type: ignore[arg-type]
    moved = await lifecycle.apply(rig.storage, pub.id, rig.clock.now(), change)
    assert moved is not None
    return moved


def events(rig: Rig) -> AppleEvents:
    return AppleEvents(rig.parts, AppHooks(enabled=True))


async def test_a_version_event_polls_the_publication_following_that_version_now(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        pub = await following(rig, version_id="v1", state=State.READY)
        other = await following(rig, "8", version_id="v2", state=State.READY)
        clock.advance(30)
        heard = await events(rig).heard("appStoreVersionAppVersionStateUpdated", "appStoreVersions", "v1")
    assert heard
    polled, untouched = await storage.get(pub.id), await storage.get(other.id)
    assert polled is not None and polled.next_poll_at == clock.now()
    assert untouched is not None and untouched.next_poll_at == other.next_poll_at
    [event] = [e for e in await storage.events(pub.id) if e.kind == "apple_event"]
    assert event.data == {
        "type": "appStoreVersionAppVersionStateUpdated",
        "resource": "appStoreVersions",
        "id": "v1",
    }


async def test_a_build_and_its_beta_detail_share_an_id(storage: Storage, clock: FakeClock) -> None:
    async with engine_rig(storage, clock) as rig:
        pub = await following(rig, build_id="b1", state=State.PROCESSING)
        relay = events(rig)
        by_build = await relay.heard("buildBetaDetailExternalBuildStateUpdated", "buildBetaDetails", "b1")
        clock.advance(5)
        by_beta = await relay.heard("buildUploadStateUpdated", "builds", "b1")
    assert by_build and by_beta
    polled = await storage.get(pub.id)
    assert polled is not None and polled.next_poll_at == clock.now()


async def test_nothing_follows_an_unknown_resource_or_a_finished_publication(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        pub = await following(rig, version_id="v1", state=State.READY)
        relay = events(rig)
        unknown = await relay.heard("appStoreVersionAppVersionStateUpdated", "appStoreVersions", "v9")
        other_type = await relay.heard("appStoreVersionAppVersionStateUpdated", "apps", "v1")
        await Requests(rig.parts, rig.wake).cancel(pub.id, "U0DEV")
        finished = await relay.heard("appStoreVersionAppVersionStateUpdated", "appStoreVersions", "v1")
    assert (unknown, other_type, finished) == (False, False, False)
    assert [e for e in await storage.events(pub.id) if e.kind == "apple_event"] == []


async def test_an_upload_event_names_the_build_a_waiting_publication_looks_for(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        pub = await following(rig, "7")
        upload_id = rig.asc.upload_build(BUNDLE, version="1.0", build_number="7")
        other_upload = rig.asc.upload_build(BUNDLE, version="1.0", build_number="9")
        clock.advance(1)
        client = rig.parts.clients.get("default")
        build_id = (await client.get_build_upload(upload_id)).build_id
        found = await events(rig).heard("buildUploadStateUpdated", "buildUploads", upload_id)
        no_one = await events(rig).heard("buildUploadStateUpdated", "buildUploads", other_upload)
    assert build_id is not None and found and not no_one
    now = await storage.get(pub.id)
    assert now is not None and now.build_id == build_id and now.state != State.WAITING_FOR_BUILD
    assert [e.data for e in await storage.events(pub.id) if e.kind == "build_found"] == [
        {"build_id": build_id}
    ]
