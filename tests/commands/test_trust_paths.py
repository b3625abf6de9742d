"""Property, over signed HTTP: on every path into the bot — each button, each form, each `/asc` verb —
a gated step starts (or an answer changes) only for an approver of the app in the bot's own
workspace; anyone else is told privately, and App Store Connect receives no write.

The paths are enumerated from the product: every action id and callback id in bot/blocks, every
`/asc` verb, every slash command and shortcut in manifest.yml. A control added without a path here
fails `test_every_path_into_the_bot_is_covered`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import blocks
from bot.blocks import base as ids
from bot.clock import FakeClock
from bot.config import AppSettings
from bot.engine.actions import ACTIONS, CONTROLS, GATED
from bot.sandbox.slack import Message
from bot.sandbox.world import DEMO_CHANNEL, World
from bot.signatures import sign_apple, sign_ci
from commands import asc
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
    """(Re)start the bot with the approvers configured one way; the app's defaults hold app_store."""
    held = MappingProxyType({"submit_to_app_store": True})
    who = (GROUP,) if style == "user group" else APPROVERS
    own = () if style == "defaults" else who
    apps = {APP: AppSettings(APP, approvers=own), HELD: AppSettings(HELD, approvers=own, publishing=held)}
    await world.stop_bot()
    await world.start_bot(apps=MappingProxyType(apps), approvers=who if style == "defaults" else ())


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    """One world (simulators and bot) for the whole module, in a loop of its own."""
    loop = asyncio.new_event_loop()
    clock = FakeClock()
    world = World(clock, build_appear_delay=1, processing_time=10, scheduler=False)

    async def start() -> str:
        await world.start()
        apple_id = world.asc.add_app(APP, name="Example")
        world.asc.add_app(HELD, name="Held")
        world.asc.add_beta_group(apple_id, "QA", internal=True)
        world.slack.add_user(PARTNER, team_id="T0PARTNER")  # Slack Connect: another workspace
        world.slack.add_user(GRID, team_id="T0ELSEWHERE", enterprise_id="E0ELSEWHERE")  # another org
        world.slack.add_usergroup(GROUP, list(APPROVERS))
        await configure_approvers(world, "per app")
        return apple_id

    apple_id = loop.run_until_complete(start())
    try:
        yield Env(loop, world, clock, apple_id)
    finally:
        loop.run_until_complete(world.stop())
        loop.close()


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


# -- the paths ----------------------------------------------------------------------------------


@dataclass
class Ctx:
    """What a path's setup made: the publication, and what to click or submit."""

    pub_id: str | None = None
    build: str = ""
    msg: Message | None = None
    view_id: str | None = None
    state: str = ""


Setup = Callable[[Env, str, str], Awaitable[Ctx]]
Act = Callable[[Env, Ctx, str], Awaitable[Any]]
Took = Callable[[Env, Ctx, str], Awaitable[bool]]


@dataclass(frozen=True)
class PathSpec:
    kind: str  # the step or control it starts: gated or not is the step list's word, not the test's
    states: tuple[str, ...]
    setup: Setup
    act: Act
    took: Took

    @property
    def gated(self) -> bool:
        return self.kind in GATED


async def on_message(env: Env, state: str, build: str) -> Ctx:
    """The publication message, with the build still on its way or processed."""
    pub_id = await (waiting(env, build) if state == "waiting" else ready(env, build))
    return Ctx(pub_id, build, await message(env, pub_id))


def released(**fields: Any) -> Setup:
    async def setup(env: Env, state: str, build: str) -> Ctx:
        pub_id = await redrawn(env, build, **fields)
        return Ctx(pub_id, build, await message(env, pub_id))

    return setup


async def on_question(env: Env, state: str, build: str) -> Ctx:
    pub_id, asked = await question(env, build)
    return Ctx(pub_id, build, asked)


async def on_held(env: Env, state: str, build: str) -> Ctx:
    pub_id, ask = await held(env, build)
    return Ctx(pub_id, build, ask)


async def answered(env: Env, state: str, build: str) -> Ctx:
    """CI answered export compliance; `sent`: it reached Apple, else it waits for the build."""
    pub_id = await webhook(env, build, uses_non_exempt_encryption=False)
    if state == "sent":
        env.world.asc.upload_build(APP, "1.0.0", build, uses_non_exempt_encryption=None)
        await sweep(env, times=3)
    return Ctx(pub_id, build, await message(env, pub_id))


def click(action_id: str) -> Act:
    async def act(env: Env, ctx: Ctx, user: str) -> Any:
        assert ctx.msg is not None
        return await env.world.slack.click_button(env.world.events_url, ctx.msg, action_id, user=user)

    return act


def step_by(kind: str) -> Took:
    async def took(env: Env, ctx: Ctx, user: str) -> bool:
        actions = await env.world.bot.storage.actions(ctx.pub_id or "")
        return any(a.kind == kind and a.requested_by == user and a.status != "held" for a in actions)

    return took


def form_opened(callback_id: str) -> Took:
    async def took(env: Env, ctx: Ctx, user: str) -> bool:
        views = env.world.slack.workspace.view_users
        return any(views.get(v["id"]) == user for v in open_views(env.world, callback_id))

    return took


def opened_form(setup: Setup, action_id: str, callback_id: str) -> Setup:
    async def opened(env: Env, state: str, build: str) -> Ctx:
        ctx = await setup(env, state, build)
        assert ctx.msg is not None
        ctx.view_id = await opened_by_boss(env, ctx.msg, action_id, callback_id)
        return ctx

    return opened


def submit(values: Callable[[Env], dict[str, Any]]) -> Act:
    async def act(env: Env, ctx: Ctx, user: str) -> Any:
        return await env.world.slack.submit_view(
            env.world.events_url, ctx.view_id or "", values(env), user=user
        )

    return act


def in_two_days(env: Env) -> dict[str, Any]:
    stamp = int(env.clock.now().replace(minute=0, second=0, microsecond=0).timestamp()) + 2 * 86400
    return {blocks.RELEASE_DATE: {blocks.RELEASE_DATE: {"selected_date_time": stamp}}}


def slash(text: Callable[[Env, Ctx, str], str]) -> Act:
    async def act(env: Env, ctx: Ctx, user: str) -> Any:
        command = text(env, ctx, user)
        return await env.world.slack.slash_command(env.world.events_url, "/asc", command, user, DEMO_CHANNEL)

    return act


async def no_publication(env: Env, state: str, build: str) -> Ctx:
    return Ctx(None, build)


def typed_app(env: Env, state: str) -> str:
    """The app as a person may type it: its bundle id, its Apple id, or the bundle id in capitals."""
    return {"bundle id": APP, "apple id": env.apple_id, "letter case": APP.upper()}[state]


def published_for_review(env: Env, ctx: Ctx, user: str) -> str:
    return f"publish {typed_app(env, ctx.state)} 1.0.0 {ctx.build} --review"


async def review_setup(env: Env, state: str, build: str) -> Ctx:
    return Ctx(None, build, state=state)


async def publication_with_review_by(env: Env, ctx: Ctx, user: str) -> bool:
    pub = await env.world.bot.storage.find(APP, "IOS", "1.0.0", ctx.build)
    return pub is not None and await step_by("app_store")(env, Ctx(pub.id), user)


async def held_publication(env: Env, ctx: Ctx, user: str) -> bool:
    return await env.world.bot.storage.find(HELD, "IOS", "1.0.0", ctx.build) is not None


async def cancelled(env: Env, ctx: Ctx, user: str) -> bool:
    pub = await env.world.bot.storage.get(ctx.pub_id or "")
    return pub is not None and pub.state == "cancelled"


def answered_privately(*says: str) -> Took:
    async def took(env: Env, ctx: Ctx, user: str) -> bool:
        told = [m.text for m in env.world.slack.ephemerals if m.ephemeral_to == user]
        return any(any(s in t for s in says) and not t.startswith((FOREIGN, LOCKED)) for t in told[-1:])

    return took


async def waiting_ctx(env: Env, state: str, build: str) -> Ctx:
    return await on_message(env, "waiting", build)


BOTH = ("waiting", "ready")
BUTTONS: dict[str, PathSpec] = {
    ids.TESTFLIGHT: PathSpec("testflight", BOTH, on_message, click(ids.TESTFLIGHT), step_by("testflight")),
    ids.BETA_GROUPS: PathSpec(
        "beta_groups", BOTH, on_message, click(ids.BETA_GROUPS), form_opened(ids.BETA_GROUPS_VIEW)
    ),
    ids.REVIEW: PathSpec("app_store", BOTH, on_message, click(ids.REVIEW), form_opened(ids.REVIEW_VIEW)),
    ids.SCHEDULE: PathSpec(
        "schedule_release", BOTH, on_message, click(ids.SCHEDULE), form_opened(ids.SCHEDULE_VIEW)
    ),
    ids.RELEASE_NOW: PathSpec(
        "release_now",
        ("approved",),
        released(version_state="PENDING_DEVELOPER_RELEASE", release_type="MANUAL"),
        click(ids.RELEASE_NOW),
        step_by("release_now"),
    ),
    ids.PHASED_PAUSE: PathSpec(
        "phased_pause",
        ("phased",),
        released(version_state="READY_FOR_DISTRIBUTION", phased_state="ACTIVE"),
        click(ids.PHASED_PAUSE),
        step_by("phased_pause"),
    ),
    ids.PHASED_RESUME: PathSpec(
        "phased_resume",
        ("paused",),
        released(version_state="READY_FOR_DISTRIBUTION", phased_state="PAUSED"),
        click(ids.PHASED_RESUME),
        step_by("phased_resume"),
    ),
    ids.PHASED_COMPLETE: PathSpec(
        "phased_complete",
        ("phased",),
        released(version_state="READY_FOR_DISTRIBUTION", phased_state="ACTIVE"),
        click(ids.PHASED_COMPLETE),
        step_by("phased_complete"),
    ),
    ids.COMPLIANCE_YES: PathSpec(
        "export_compliance", ("asked",), on_question, click(ids.COMPLIANCE_YES), step_by("export_compliance")
    ),
    ids.COMPLIANCE_NO: PathSpec(
        "export_compliance", ("asked",), on_question, click(ids.COMPLIANCE_NO), step_by("export_compliance")
    ),
    ids.CHANGE_COMPLIANCE: PathSpec(
        "change_export_compliance",
        ("queued", "sent"),
        answered,
        click(ids.CHANGE_COMPLIANCE),
        form_opened(ids.CHANGE_COMPLIANCE_VIEW),
    ),
    # One button per held step kind; the app's defaults can only hold app_store today.
    ids.APPROVE + "app_store": PathSpec(
        "app_store", ("held",), on_held, click(ids.APPROVE + "app_store"), step_by("app_store")
    ),
}
FORMS: dict[str, PathSpec] = {
    ids.WHAT_TO_TEST_VIEW: PathSpec(
        "what_to_test",
        ("waiting",),
        opened_form(waiting_ctx, ids.TESTFLIGHT, ids.WHAT_TO_TEST_VIEW),
        submit(lambda env: {blocks.WHATS_NEW: {blocks.WHATS_NEW: {"value": "Try the new login"}}}),
        step_by("what_to_test"),
    ),
    ids.BETA_GROUPS_VIEW: PathSpec(
        "beta_groups",
        BOTH,
        opened_form(on_message, ids.BETA_GROUPS, ids.BETA_GROUPS_VIEW),
        submit(lambda env: {blocks.GROUPS: {blocks.GROUPS: {"selected_options": [{"value": "QA"}]}}}),
        step_by("beta_groups"),
    ),
    ids.REVIEW_VIEW: PathSpec(
        "app_store",
        BOTH,
        opened_form(on_message, ids.REVIEW, ids.REVIEW_VIEW),
        submit(lambda env: {}),
        step_by("app_store"),
    ),
    ids.SCHEDULE_VIEW: PathSpec(
        "schedule_release",
        BOTH,
        opened_form(on_message, ids.SCHEDULE, ids.SCHEDULE_VIEW),
        submit(in_two_days),
        step_by("schedule_release"),
    ),
    ids.CHANGE_COMPLIANCE_VIEW: PathSpec(
        "change_export_compliance",
        ("queued", "sent"),
        opened_form(answered, ids.CHANGE_COMPLIANCE, ids.CHANGE_COMPLIANCE_VIEW),
        submit(lambda env: {}),
        step_by("change_export_compliance"),
    ),
}
COMMANDS: dict[str, PathSpec] = {
    "publish --review": PathSpec(
        "app_store",
        ("bundle id", "apple id", "letter case"),
        review_setup,
        slash(published_for_review),
        publication_with_review_by,
    ),
    "publish (the app's defaults submit for review)": PathSpec(
        "publish",
        ("held",),
        no_publication,
        slash(lambda env, ctx, user: f"publish {HELD} 1.0.0 {ctx.build}"),
        held_publication,
    ),
    "cancel": PathSpec(
        "cancel",
        ("waiting",),
        waiting_ctx,
        slash(lambda env, ctx, user: f"cancel {APP} 1.0.0 {ctx.build}"),
        cancelled,
    ),
    "audit": PathSpec(
        "audit",
        ("any",),
        no_publication,
        slash(lambda env, ctx, user: f"audit {APP}"),
        answered_privately("approver checks"),
    ),
    "status": PathSpec(
        "status", ("any",), no_publication, slash(lambda env, ctx, user: "status"), answered_privately("")
    ),
    "help": PathSpec(
        "help",
        ("any",),
        no_publication,
        slash(lambda env, ctx, user: "help"),
        answered_privately("/asc publish"),
    ),
}
PATHS = {**BUTTONS, **FORMS, **{f"/asc {name}": spec for name, spec in COMMANDS.items()}}


def product_ids(suffix_view: bool) -> set[str]:
    """The action ids (or callback ids) bot/blocks hands to Slack: its `asc_…` constants."""
    return {
        value
        for name, value in vars(ids).items()
        if name.isupper()
        and isinstance(value, str)
        and value.startswith("asc_")
        and name.endswith("_VIEW") == suffix_view
    }


def test_every_path_into_the_bot_is_covered() -> None:
    covered_buttons = {a if not a.startswith(ids.APPROVE) else ids.APPROVE for a in BUTTONS}
    assert product_ids(suffix_view=False) == covered_buttons
    assert product_ids(suffix_view=True) == set(FORMS)
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    features = manifest["features"]
    assert [c["command"] for c in features.get("slash_commands", [])] == ["/asc"]
    assert "shortcuts" not in features  # no message or global shortcuts: nothing to cover there
    verbs = {name.split()[0] for name in COMMANDS}
    assert set(asc.USAGE) == verbs
    # Every gated step and control is reachable by some path here.
    assert {k for k in GATED if k in ACTIONS or k in CONTROLS} <= {spec.kind for spec in PATHS.values()}


# -- the webhooks: CI's options are trusted when signed, nothing else is --------------------------

WEBHOOKS = ("/webhooks/build-uploaded", "/webhooks/app-store-connect")


def test_every_post_route_is_covered(env: Env) -> None:
    posted = {r.resource.canonical for r in env.world.bot.web.router.routes() if r.method == "POST"}
    assert posted == {"/slack/events", *WEBHOOKS}  # Slack's one route carries every path above


@pytest.mark.parametrize("signed", ["signed", "forged", "stale", "untimestamped"])
def test_the_build_uploaded_webhook_starts_gated_steps_only_when_signed(env: Env, signed: str) -> None:
    env.ensure()

    async def run() -> None:
        build = env.next_build()
        body = json.dumps(
            env.world.upload_payload(APP, "1.0.0", build, publishing={"submit_to_app_store": True})
        ).encode()
        now = int(env.clock.now().timestamp())
        secret = env.world.webhook_secret if signed != "forged" else "not-the-secret-at-all"
        headers = sign_ci(secret, body, now - 600 if signed == "stale" else now)
        if signed == "untimestamped":
            headers = {k: v for k, v in headers.items() if k != "X-Signature-Timestamp"}
        written = writes(env)
        async with httpx.AsyncClient() as http:
            reply = await http.post(
                f"{env.world.bot.url}{WEBHOOKS[0]}",
                content=body,
                headers={"Content-Type": "application/json", **headers},
            )
        pub = await env.world.bot.storage.find(APP, "IOS", "1.0.0", build)
        if signed == "signed":  # CI is trusted with the app's gated steps
            assert reply.status_code == 202 and pub is not None
            assert await step_by("app_store")(env, Ctx(pub.id), "webhook")
        else:
            assert reply.status_code == 401 and pub is None
            await quiet(env)
            assert writes(env) == written
        await quiet(env)
        await retire(env)

    env.run(run())


@pytest.mark.parametrize("signed", [True, False])
def test_app_store_connects_webhook_starts_no_step(env: Env, signed: bool) -> None:
    env.ensure()

    async def run() -> None:
        pub_id = await ready(env, env.next_build())
        build_id = env.world.asc.build_id_for(
            APP, "1.0.0", (await env.world.bot.storage.get(pub_id)).build_number
        )
        await quiet(env)
        before, written = await env.world.bot.storage.actions(pub_id), writes(env)
        event = {
            "data": {
                "type": "buildUploadStateUpdated",
                "id": f"event-{pub_id}",
                "attributes": {"newValue": "COMPLETE"},
                "relationships": {"instance": {"data": {"type": "builds", "id": build_id}}},
            }
        }
        body = json.dumps(event).encode()
        secret = env.world.config.apple_webhook_secret if signed else "not-the-secret-at-all"
        async with httpx.AsyncClient() as http:
            reply = await http.post(
                f"{env.world.bot.url}{WEBHOOKS[1]}",
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "x-apple-signature": sign_apple(secret or "", body),
                },
            )
        assert reply.status_code == (200 if signed else 401)
        await quiet(env)
        assert await env.world.bot.storage.actions(pub_id) == before and writes(env) == written
        await retire(env)

    env.run(run())


# -- the property -------------------------------------------------------------------------------


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


async def attempt(env: Env, name: str, who: str, state: str) -> None:
    spec, user = PATHS[name], USERS[who]
    ctx = await spec.setup(env, state, env.next_build())
    await quiet(env)
    written, heard = writes(env), len(told(env, user))
    reply = await spec.act(env, ctx, user)
    assert reply.status == 200, (name, who, reply.status)
    foreign = who in ("other workspace", "other enterprise")
    may = not foreign and (who == "approver" or not spec.gated)
    if may:
        assert await until(lambda: spec.took(env, ctx, user)), (name, who, state)
    else:
        said = await eventually(lambda: told(env, user)[heard:])
        assert said[0].startswith(FOREIGN if foreign else LOCKED), (name, who, said)
        await quiet(env)
        assert not await spec.took(env, ctx, user), (name, who, state)
        assert writes(env) == written, (name, who, state)  # App Store Connect heard nothing of it
    await quiet(env)
    await retire(env)


async def retire(env: Env) -> None:
    """Take the attempt's publications off the sweep (not under test), so attempts stay cheap."""
    storage = env.world.bot.storage
    for pub in await storage.list(active_only=True, limit=1000):
        await storage.update(pub.id, env.clock.now(), state="cancelled", next_poll_at=None)


attempts = st.sampled_from(sorted(PATHS)).flatmap(
    lambda name: st.tuples(st.just(name), st.sampled_from(sorted(USERS)), st.sampled_from(PATHS[name].states))
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(style=st.sampled_from(STYLES), plan=st.lists(attempts, min_size=1, max_size=2))
def test_only_approvers_of_this_workspace_start_gated_steps_on_any_path(
    env: Env, style: str, plan: list
) -> None:
    env.ensure(style)
    for name, who, state in plan:
        env.run(attempt(env, name, who, state))


@pytest.mark.parametrize("who", sorted(USERS))
def test_every_path_once_per_kind_of_person(env: Env, who: str) -> None:
    """Hypothesis samples; this makes sure each path meets each kind of person at least once."""
    env.ensure()
    for name in sorted(PATHS):
        env.run(attempt(env, name, who, PATHS[name].states[0]))
