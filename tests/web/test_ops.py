"""Issue 16: /metrics (parsed by prometheus-client's own parser), /healthz, /readyz."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.blocks import SUBMIT_TO_TESTFLIGHT
from bot.sandbox.clock import FakeClock
from bot.sandbox.world import DEMO_CHANNEL, World
from tests.commands.conftest import requested


@pytest.fixture
async def quiet(clock: FakeClock) -> AsyncIterator[World]:
    """A world whose bot runs no scheduler: only the test sweeps."""
    w = await World(clock, build_appear_delay=60, processing_time=600, scheduler=False).start()
    try:
        yield w
    finally:
        await w.stop()


def overwrite(db_path: str) -> None:
    with open(db_path, "r+b") as f:
        f.write(b"this is not a database any more " * 256)
    for suffix in ("-wal", "-shm"):
        with open(db_path + suffix, "r+b") as f:
            f.write(b"\0garbage" * 512)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_after_a_full_publication(quiet: World, clock: FakeClock) -> None:
    assert quiet.bot is not None
    quiet.asc.add_app("com.example.app", name="Example")
    created = await quiet.send_upload(quiet.upload_payload("com.example.app", "1.4.0", "412"))
    assert created.status_code == 202
    refused = await quiet.send_upload(quiet.upload_payload("com.example.app", "1.4.0", "9"), secret="x" * 20)
    assert refused.status_code == 401
    sweep = quiet.bot.ticker.sweep
    await sweep()
    quiet.asc.upload_build("com.example.app", version="1.4.0", build_number="412", platform="IOS")
    clock.advance(61)
    await sweep()
    clock.advance(600)
    await sweep()
    root = next(m for m in quiet.slack.messages[DEMO_CHANNEL] if not m.thread_ts)
    click = await quiet.slack.click_button(quiet.events_url, root, SUBMIT_TO_TESTFLIGHT, user="U0ALICE")
    assert click.status == 200
    await requested(quiet, created.json()["publication_id"], "submit_to_testflight")  # after the ack
    await sweep()
    build_id = quiet.asc.build_id_for("com.example.app", "1.4.0", "412", "IOS")
    quiet.asc.approve_beta_review(build_id)
    clock.advance(30)
    await sweep()
    pub = await quiet.bot.storage.get(created.json()["publication_id"])
    assert pub.state == "done", pub

    async with httpx.AsyncClient() as http:
        for n in range(3):  # paths nobody serves: counted under one label, not one each
            assert (await http.post(f"{quiet.bot.url}/webhooks/no-such-{n}", content=b"{}")).status_code == 404
        page = await http.get(quiet.bot.url + "/metrics")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/plain")
    found = samples(page.text)
    key = quiet.bot.config.default_api_key
    assert value(found, "asc_bot_publications", state="done") == 1
    assert value(found, "asc_bot_steps", kind="submit_to_testflight", outcome="succeeded") == 1, [
        k for k in found if k[0] == "asc_bot_steps"
    ]
    assert value(found, "asc_bot_appstore_requests_total", key=key, status="200") > 0
    assert value(found, "asc_bot_appstore_requests_total", key=key, status="201") >= 1  # the submission
    assert value(found, "asc_bot_appstore_budget_remaining", key=key) > 0
    assert value(found, "asc_bot_slack_calls_total", method="chat.postMessage", error="") >= 2
    assert value(found, "asc_bot_slack_calls_total", method="chat.update", error="") >= 1
    assert value(found, "asc_bot_webhook_requests_total", path="/webhooks/build-uploaded", status="202") == 1
    assert value(found, "asc_bot_webhook_requests_total", path="/webhooks/build-uploaded", status="401") == 1
    assert value(found, "asc_bot_webhook_requests_total", path="unrouted", status="404") == 3
    assert not [k for k in found if k[0] == "asc_bot_webhook_requests_total" and "no-such" in str(k)]
    assert value(found, "asc_bot_sweep_duration_seconds_count") == 5
    assert value(found, "asc_bot_outbox_depth") == 0
    assert value(found, "asc_bot_outbox_oldest_age_seconds") == 0
    assert ("asc_bot_rate_limited_total", (("key", key), ("service", "appstore"))) not in found


async def test_metrics_bearer_token(world: World) -> None:
    bot = await world.start_bot(metrics_token="m3tr1cs-t0ken-abcdef")
    async with httpx.AsyncClient() as http:
        assert (await http.get(bot.url + "/metrics")).status_code == 401
        wrong = await http.get(bot.url + "/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        ok = await http.get(bot.url + "/metrics", headers={"Authorization": "Bearer m3tr1cs-t0ken-abcdef"})
    assert ok.status_code == 200 and "asc_bot_outbox_depth" in ok.text


async def test_readyz_needs_a_sweep_and_goes_unready_when_the_database_is_unreadable(quiet: World) -> None:
    assert quiet.bot is not None
    async with httpx.AsyncClient() as http:
        before = await http.get(quiet.bot.url + "/readyz")
        assert before.status_code == 503 and before.json()["sweep"] == "late"
        await quiet.bot.ticker.sweep()
        ready = await http.get(quiet.bot.url + "/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json() == {"ok": True, "database": "ok", "sweep": "ok", "slack_auth": "ok"}

        # The file is overwritten under the running bot: SQLite now finds no database there.
        overwrite(quiet.bot.config.db_path)
        broken = await http.get(quiet.bot.url + "/readyz")
        live = await http.get(quiet.bot.url + "/healthz")
    assert broken.status_code == 503 and broken.json()["database"] == "unavailable", broken.text
    assert live.status_code == 200  # liveness: the loop still answers


async def test_readyz_reports_a_revoked_slack_token(world: World) -> None:
    bot = await world.start_bot(slack_bot_token="xoxb-1-revoked-not-a-real-token")
    await bot.ticker.sweep()
    async with httpx.AsyncClient() as http:
        answer = await http.get(bot.url + "/readyz")
    assert answer.status_code == 503 and answer.json()["slack_auth"] == "failed", answer.text
