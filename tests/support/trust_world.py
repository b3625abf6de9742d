"""The world the trust-path tests act in: one bot whose approvers include people of other
workspaces, publications put in each state a control needs, and App Store Connect's write log."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.config import AppSettings
from bot.sandbox.clock import FakeClock
from bot.sandbox.slack import Message
from bot.sandbox.world import DEMO_CHANNEL, World
from storage.repository import DIRTY
from tests.commands.conftest import eventually, open_views

ROOT = Path(__file__).resolve().parents[2]
APP, HELD = "com.example.app", "com.example.held"
BOSS, MALLORY, PARTNER, GRID = "U0BOSS", "U0MALLORY", "U0PARTNER", "W0GRIDUSER"
# Configured approvers include people of another workspace and org: an id is an approver only here.
APPROVERS = (BOSS, PARTNER, GRID)
USERS = {"approver": BOSS, "non-approver": MALLORY, "other workspace": PARTNER, "other enterprise": GRID}
LOCKED = "🔒 Only approvers may"
FOREIGN = "🚫 asc-bot takes requests only from people of the workspace"


@dataclass
class Env:
    loop: asyncio.AbstractEventLoop
    world: World
    clock: FakeClock
    apple_id: str
    serial: int = 0
    style: str = "per app"

    def run(self, work: Awaitable[Any]) -> Any:
        return self.loop.run_until_complete(work)

    def ensure(self, style: str = "per app") -> None:
        """The approvers configured `style`'s way (the bot restarts only when that changes)."""
        if self.style != style:
            self.run(configure_approvers(self.world, style))
            self.style = style

    def next_build(self) -> str:
        self.serial += 1
        return str(self.serial)


GROUP = "S0RELEASE"
# The ways a team configures the same approvers: per app, as a user group, or for every app under
# [defaults]. (The app typed in another letter case or as its Apple id is the `/asc publish` path's.)
STYLES = ("per app", "user group", "defaults")


async def configure_approvers(world: World, style: str) -> None:
    """(Re)start the bot with the approvers configured one way; the app's defaults hold submit_to_app_store."""
    held = MappingProxyType({"submit_to_app_store": True})
    who = (GROUP,) if style == "user group" else APPROVERS
    own = () if style == "defaults" else who
    apps = {APP: AppSettings(APP, approvers=own), HELD: AppSettings(HELD, approvers=own, publishing=held)}
    await world.stop_bot()
    await world.start_bot(apps=MappingProxyType(apps), approvers=who if style == "defaults" else ())


# -- states a publication is put in before someone acts ------------------------------------------


async def sweep(env: Env, seconds: float = 31, times: int = 2) -> None:
    for _ in range(times):
        env.clock.advance(seconds)
        await env.world.bot.engine.sweep()


async def message(env: Env, pub_id: str) -> Message:
    pub = await env.world.bot.storage.get(pub_id)
    assert pub is not None and pub.message_ts is not None
    found = env.world.slack.find_message(DEMO_CHANNEL, pub.message_ts)
    assert found is not None
    return found


async def webhook(env: Env, build: str, bundle_id: str = APP, **publishing: Any) -> str:
    reply = await env.world.send_upload(
        env.world.upload_payload(bundle_id, "1.0.0", build, publishing=publishing)
    )
    assert reply.status_code == 202, reply.text
    await env.world.bot.engine.sweep()
    return str(reply.json()["publication_id"])


async def waiting(env: Env, build: str) -> str:
    return await webhook(env, build)


async def ready(env: Env, build: str) -> str:
    pub_id = await webhook(env, build)
    env.world.asc.upload_build(APP, "1.0.0", build)
    await sweep(env)
    return pub_id


async def redrawn(env: Env, build: str, **fields: Any) -> str:
    """What the engine records once Apple moved on (approved, phased release running)."""
    pub_id = await waiting(env, build)
    await env.world.bot.storage.update(pub_id, env.clock.now(), message_dirty=DIRTY, **fields)
    await env.world.bot.engine.sweep()
    return pub_id


async def question(env: Env, build: str) -> tuple[str, Message]:
    """The thread asks for an export compliance answer (the upload did not say)."""
    pub_id = await webhook(env, build, submit_to_testflight=True)
    env.world.asc.upload_build(APP, "1.0.0", build, uses_non_exempt_encryption=None)
    await sweep(env, times=3)
    pub = await env.world.bot.storage.get(pub_id)
    [asked] = [
        m for m in env.world.slack.thread(DEMO_CHANNEL, pub.message_ts) if m.blocks and "encryption" in m.text
    ]
    return pub_id, asked


async def until(check: Callable[[], Awaitable[Any]], within: float = 5.0) -> Any:
    """Poll an async condition (a listener acks first, then works) until it holds."""
    deadline = asyncio.get_running_loop().time() + within
    while not (result := await check()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(0.01)
    return result


async def held(env: Env, build: str) -> tuple[str, Message]:
    """A non-approver's `/asc publish` of an app whose defaults submit for review: the step is held."""
    text = f"publish {HELD} 1.0.0 {build}"
    await env.world.slack.slash_command(env.world.events_url, "/asc", text, MALLORY, DEMO_CHANNEL)
    pub = await until(lambda: env.world.bot.storage.find(HELD, "IOS", "1.0.0", build))
    await sweep(env, times=1)
    pub = await env.world.bot.storage.get(pub.id)
    thread = env.world.slack.thread(DEMO_CHANNEL, pub.message_ts)
    [ask] = [m for m in thread if m.blocks and "approver" in m.text]
    return pub.id, ask


async def opened_by_boss(env: Env, msg: Message, action_id: str, callback_id: str) -> str:
    """An approver opens the form; the test then submits it as someone else (a form changes hands)."""
    before = {v["id"] for v in open_views(env.world, callback_id)}
    await env.world.slack.click_button(env.world.events_url, msg, action_id, user=BOSS)
    [view] = await eventually(
        lambda: [v for v in open_views(env.world, callback_id) if v["id"] not in before and v.get("submit")]
    )
    return str(view["id"])


def writes(env: Env) -> int:
    return sum(1 for e in env.world.asc.exchanges if e.method != "GET")


def told(env: Env, user: str) -> list[str]:
    return [m.text for m in env.world.slack.ephemerals if m.ephemeral_to == user]


async def quiet(env: Env) -> None:
    """Sweep until App Store Connect stops receiving writes, so an attempt is judged on its own."""
    for _ in range(8):
        before = writes(env)
        await sweep(env, times=1)
        if writes(env) == before:
            return


async def retire(env: Env) -> None:
    """Take the attempt's publications off the sweep (not under test), so attempts stay cheap."""
    storage = env.world.bot.storage
    for pub in await storage.list(active_only=True, limit=1000):
        await storage.update(pub.id, env.clock.now(), state="cancelled", next_poll_at=None)
