"""Every path into the bot by which a step can start or an answer change: how to get a
publication ready for it, how a person takes it, and whether it took (see test_trust_paths)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot import blocks
from bot.blocks import base as ids
from bot.engine.actions import GATED
from bot.sandbox.slack import Message
from bot.sandbox.world import DEMO_CHANNEL
from tests.commands.conftest import open_views
from tests.support.trust_world import (
    APP,
    FOREIGN,
    HELD,
    LOCKED,
    Env,
    held,
    message,
    opened_by_boss,
    question,
    ready,
    redrawn,
    sweep,
    waiting,
    webhook,
)

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
    return f"publish {typed_app(env, ctx.state)} 1.0.0 {ctx.build} --app-store"


async def review_setup(env: Env, state: str, build: str) -> Ctx:
    return Ctx(None, build, state=state)


async def publication_with_review_by(env: Env, ctx: Ctx, user: str) -> bool:
    pub = await env.world.bot.storage.find(APP, "IOS", "1.0.0", ctx.build)
    return pub is not None and await step_by("submit_to_app_store")(env, Ctx(pub.id), user)


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
    ids.SUBMIT_TO_TESTFLIGHT: PathSpec(
        "submit_to_testflight", BOTH, on_message, click(ids.SUBMIT_TO_TESTFLIGHT), step_by("submit_to_testflight")
    ),
    ids.BETA_GROUPS: PathSpec(
        "beta_groups", BOTH, on_message, click(ids.BETA_GROUPS), form_opened(ids.BETA_GROUPS_VIEW)
    ),
    ids.SUBMIT_TO_APP_STORE: PathSpec(
        "submit_to_app_store", BOTH, on_message, click(ids.SUBMIT_TO_APP_STORE), form_opened(ids.SUBMIT_TO_APP_STORE_VIEW)
    ),
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
    # One button per held step kind; the app's defaults can only hold submit_to_app_store today.
    ids.APPROVE + "submit_to_app_store": PathSpec(
        "submit_to_app_store",
        ("held",),
        on_held,
        click(ids.APPROVE + "submit_to_app_store"),
        step_by("submit_to_app_store"),
    ),
}
FORMS: dict[str, PathSpec] = {
    ids.WHAT_TO_TEST_VIEW: PathSpec(
        "what_to_test",
        ("waiting",),
        opened_form(waiting_ctx, ids.SUBMIT_TO_TESTFLIGHT, ids.WHAT_TO_TEST_VIEW),
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
    ids.SUBMIT_TO_APP_STORE_VIEW: PathSpec(
        "submit_to_app_store",
        BOTH,
        opened_form(on_message, ids.SUBMIT_TO_APP_STORE, ids.SUBMIT_TO_APP_STORE_VIEW),
        submit(lambda env: {}),
        step_by("submit_to_app_store"),
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
    "publish --app-store": PathSpec(
        "submit_to_app_store",
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
