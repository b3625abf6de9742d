"""`asc-bot webhooks register`: App Store Connect's webhooks pointed at the bot."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.apple_webhooks import EVENT_TYPES
from bot.cli import webhooks_register
from bot.sandbox.clock import FakeClock
from bot.sandbox.world import World


async def test_register_creates_then_updates_with_a_fresh_secret(
    world: World, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert world.config is not None
    app_id = world.asc.add_app("com.example.app")
    url = "https://asc-bot.example.com"
    assert await webhooks_register(["com.example.app"], url, config=world.config, clock=clock) == 0
    out = capsys.readouterr().out
    assert "created webhook 'asc-bot'" in out
    secret = out.rsplit("ASC_BOT_APPLE_WEBHOOK_SECRET=", 1)[1].strip()
    hooks = [h for h in world.asc.store.webhooks.values() if h.app_id == app_id]
    assert len(hooks) == 1
    assert (hooks[0].url, hooks[0].secret, hooks[0].enabled) == (
        f"{url}/webhooks/app-store-connect",
        secret,
        True,
    )
    assert set(hooks[0].event_types) == set(EVENT_TYPES)

    assert await webhooks_register(["com.example.app"], url + "/", config=world.config, clock=clock) == 0
    out = capsys.readouterr().out
    assert "updated webhook" in out
    again = [h for h in world.asc.store.webhooks.values() if h.app_id == app_id]
    assert len(again) == 1 and again[0].secret != secret  # rotated, not duplicated
    assert again[0].secret == out.rsplit("=", 1)[1].strip()

    kept = replace(world.config, apple_webhook_secret="configured-secret-1234")
    assert await webhooks_register(["com.example.app"], url, keep_secret=True, config=kept, clock=clock) == 0
    assert "ASC_BOT_APPLE_WEBHOOK_SECRET=" not in capsys.readouterr().out
    assert world.asc.store.webhooks[again[0].id].secret == "configured-secret-1234"


async def test_register_refuses_what_cannot_work(
    world: World, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert world.config is not None
    config = replace(world.config, apple_webhook_secret=None)
    assert await webhooks_register(["com.example.app"], "http://bot.example.com", config=config) == 2
    assert "https" in capsys.readouterr().err
    assert await webhooks_register(["a.b"], "https://bot.example.com", keep_secret=True, config=config) == 2
    code = await webhooks_register(["com.unknown.app"], "https://bot.example.com", config=config, clock=clock)
    assert code == 1
    out = capsys.readouterr().out
    assert "FAIL com.unknown.app" in out and "ASC_BOT_APPLE_WEBHOOK_SECRET=" not in out
    assert world.asc.store.webhooks == {}
