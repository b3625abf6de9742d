"""App hooks: an app counts as hooked while one of its App Store Connect webhooks is enabled, points at the
bot and carries build upload events; the webhooks are read once every few hours; a change no event
announced puts the app back on normal polling for a while. Over the App Store Connect simulator."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.apple_webhooks import PATH
from bot.appstore.client import AppStoreConnect
from bot.engine.hooks import EVENT, HEARD, QUIET, RECHECK, AppHooks
from bot.sandbox.clock import FakeClock
from storage.repository import Storage
from tests.support.engine_rig import Rig, engine_rig

BOT = "https://bot.example.com"


async def register(
    client: AppStoreConnect,
    app_id: str,
    url: str = BOT + PATH,
    events: tuple[str, ...] = (EVENT,),
    enabled: bool = True,
) -> str:
    hook = await client.create_webhook(
        app_id, name="asc-bot", url=url, secret="s3cret", event_types=events, enabled=enabled
    )
    return hook.id


def reads(rig: Rig) -> int:
    return rig.asc.count("GET", r"^/v1/apps/[^/]+/webhooks$")


async def test_an_enabled_webhook_for_the_bot_with_build_events_hooks_the_app(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        client = rig.parts.clients.get(None)
        await register(client, rig.app_id, url=BOT + PATH + "/")  # a trailing slash is the same address
        hooks = AppHooks(enabled=True)
        assert await hooks.check(client, rig.app_id, clock.now())
        assert hooks.hooked(rig.app_id, clock.now())


@pytest.mark.parametrize(
    ("url", "events", "enabled"),
    [
        (BOT + PATH, (EVENT,), False),  # switched off
        (BOT + "/webhooks/slack", (EVENT,), True),  # somewhere else
        (
            BOT + PATH,
            ("BUILD_BETA_DETAIL_EXTERNAL_BUILD_STATE_UPDATED",),
            True,
        ),  # not the build upload events
    ],
)
async def test_a_webhook_that_would_not_tell_the_bot_about_builds_does_not_count(
    storage: Storage, clock: FakeClock, url: str, events: tuple[str, ...], enabled: bool
) -> None:
    async with engine_rig(storage, clock) as rig:
        client = rig.parts.clients.get(None)
        await register(client, rig.app_id, url=url, events=events, enabled=enabled)
        assert not await AppHooks(enabled=True).check(client, rig.app_id, clock.now())


async def test_without_the_webhook_secret_or_an_app_id_nothing_is_read(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        client = rig.parts.clients.get(None)
        await register(client, rig.app_id)
        rig.asc.reset_log()
        assert not await AppHooks(enabled=False).check(client, rig.app_id, clock.now())
        assert not await AppHooks(enabled=True).check(client, "", clock.now())
        assert reads(rig) == 0


async def test_the_webhooks_are_read_once_every_recheck_period(storage: Storage, clock: FakeClock) -> None:
    async with engine_rig(storage, clock) as rig:
        client = rig.parts.clients.get(None)
        hook_id = await register(client, rig.app_id)
        hooks = AppHooks(enabled=True)
        rig.asc.reset_log()
        assert await hooks.check(client, rig.app_id, clock.now())
        await client.update_webhook(hook_id, enabled=False)
        clock.advance(RECHECK - timedelta(seconds=1))
        still = await hooks.check(client, rig.app_id, clock.now())  # known recently: not read again
        reads_before = reads(rig)
        clock.advance(1)
        after = await hooks.check(client, rig.app_id, clock.now())
        reads_after = reads(rig)
    assert still and reads_before == 1
    assert not after and reads_after == 2


async def test_webhooks_that_cannot_be_read_mean_polling_as_usual(storage: Storage, clock: FakeClock) -> None:
    async with engine_rig(storage, clock) as rig:
        client = rig.parts.clients.get(None)
        hooks = AppHooks(enabled=True)
        assert not await hooks.check(client, "999999999", clock.now())  # App Store Connect answers 404
        [read] = [e for e in rig.asc.exchanges if e.path.endswith("/webhooks")]
        assert not await hooks.check(client, "999999999", clock.now() + timedelta(minutes=1))
        assert read.status == 404 and reads(rig) == 1  # not asked again before the recheck


def test_an_app_never_checked_is_not_hooked() -> None:
    hooks = AppHooks(enabled=True)
    assert not hooks.hooked("123", FakeClock().now())
    assert not hooks.hooked(None, FakeClock().now())


async def hooked_app(rig: Rig) -> AppHooks:
    client = rig.parts.clients.get(None)
    await register(client, rig.app_id)
    hooks = AppHooks(enabled=True)
    assert await hooks.check(client, rig.app_id, rig.clock.now())
    return hooks


async def test_a_change_no_event_announced_means_normal_polling_for_a_while(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        hooks = await hooked_app(rig)
        hooks.changed(rig.app_id, clock.now())
        silenced = hooks.hooked(rig.app_id, clock.now())
        clock.advance(QUIET - timedelta(seconds=1))
        quiet_end = hooks.hooked(rig.app_id, clock.now())
        clock.advance(1)
        back = hooks.hooked(rig.app_id, clock.now())
    assert not silenced and not quiet_end and back


async def test_a_change_an_event_just_announced_keeps_the_app_hooked(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        hooks = await hooked_app(rig)
        hooks.heard(rig.app_id, clock.now())
        clock.advance(HEARD)
        hooks.changed(rig.app_id, clock.now())  # the event came in HEARD ago: it explains the change
        kept = hooks.hooked(rig.app_id, clock.now())
        clock.advance(1)
        hooks.changed(rig.app_id, clock.now())  # too long after the event: this change went unannounced
        dropped = hooks.hooked(rig.app_id, clock.now())
    assert kept and not dropped


async def test_changes_while_polled_normally_do_not_lengthen_the_quiet(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        hooks = await hooked_app(rig)
        hooks.changed(rig.app_id, clock.now())
        clock.advance(QUIET - timedelta(hours=1))
        hooks.changed(rig.app_id, clock.now())  # polled normally anyway: nothing more to distrust
        hooks.changed(None, clock.now())
        clock.advance(timedelta(hours=1))
        back = hooks.hooked(rig.app_id, clock.now())
    assert back
