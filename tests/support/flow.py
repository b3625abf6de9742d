"""Driving publications through a World with a fake clock, as the scheduler would over time."""

from __future__ import annotations

from typing import Any

from bot.sandbox.clock import FakeClock
from bot.sandbox.world import DEMO_CHANNEL, World
from storage.records import Publication


async def sweep(world: World) -> None:
    assert world.bot is not None
    await world.bot.engine.sweep()


async def later(world: World, clock: FakeClock, seconds: float) -> None:
    """Let simulated time pass, then do what became due."""
    clock.advance(seconds)
    await sweep(world)


async def upload(world: World, bundle_id: str, version: str, build: str, **payload: Any) -> str:
    response = await world.send_upload(world.upload_payload(bundle_id, version, build, **payload))
    assert response.status_code == 202, response.text
    return response.json()["publication_id"]


async def publish(
    world: World,
    clock: FakeClock,
    bundle_id: str,
    version: str,
    build: str,
    *,
    sim: dict[str, Any] | None = None,
    **payload: Any,
) -> str:
    """Webhook, upload in the simulator, then let it appear (1 min) and process (10 min).

    App Store review wants What's New for an update (the pre-flight checklist holds it back
    otherwise), so a publication for the App Store gets one unless the test gives `release_notes`."""
    if (payload.get("publishing") or {}).get("submit_to_app_store") and "release_notes" not in payload:
        payload["release_notes"] = [{"language": "en-US", "text": f"Version {version}"}]
    pub_id = await upload(world, bundle_id, version, build, **payload)
    world.asc.upload_build(bundle_id, version=version, build_number=build, platform="IOS", **(sim or {}))
    await later(world, clock, 61)
    await later(world, clock, 600)
    return pub_id


async def pub(world: World, pub_id: str) -> Publication:
    assert world.bot is not None
    found = await world.bot.storage.get(pub_id)
    assert found is not None
    return found


def thread(world: World, publication: Publication) -> list[str]:
    assert publication.message_ts is not None
    return [m.text for m in world.slack.thread(DEMO_CHANNEL, publication.message_ts)]


def broadcasts(world: World, publication: Publication) -> list[str]:
    assert publication.message_ts is not None
    return [m.text for m in world.slack.thread(DEMO_CHANNEL, publication.message_ts) if m.reply_broadcast]


def created(world: World, method: str, path: str) -> int:
    """Writes of that kind App Store Connect applied: answered 2xx, or applied before an injected
    fault replaced or dropped the answer (the simulator labels those `*_after`)."""
    import re

    pattern = re.compile(path)
    return sum(
        1
        for e in world.asc.exchanges
        if e.method == method
        and pattern.search(e.path)
        and ((e.status is not None and 200 <= e.status < 300) or (e.fault or "").endswith("_after"))
    )


def distinct_shapes(exchanges: list[Any]) -> list[Any]:
    """One exchange per shape — method, path template, query names, status, and the attribute and
    relationship names of a JSON:API body — which is what conformance needs to see when a run
    repeats the same requests many times."""
    import json
    import re

    seen: dict[tuple[Any, ...], Any] = {}
    for e in exchanges:
        template = re.sub(r"/v1/(\w+)/[^/?]+", r"/v1/\1/{id}", e.path)
        body: tuple[str, ...] = ()
        if e.request_body:
            try:
                data = json.loads(e.request_body).get("data")
            except (ValueError, AttributeError):
                data = None
            if isinstance(data, dict):
                body = tuple(sorted(data.get("attributes") or {})) + tuple(
                    sorted(data.get("relationships") or {})
                )
        key = (e.method, template, tuple(sorted({k for k, _ in e.query})), e.status, body)
        seen.setdefault(key, e)
    return list(seen.values())
