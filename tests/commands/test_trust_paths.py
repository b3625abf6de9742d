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
from collections.abc import Iterator

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.blocks import base as ids
from bot.engine.actions import ACTIONS, CONTROLS, GATED
from bot.sandbox.asc.webhooks import sign_apple
from bot.sandbox.clock import FakeClock
from bot.sandbox.world import World
from bot.signatures import sign_ci
from commands import asc
from tests.commands.conftest import eventually
from tests.support.trust_paths import BUTTONS, COMMANDS, FORMS, PATHS, Ctx, product_ids, step_by
from tests.support.trust_world import (
    APP,
    APPROVERS,
    FOREIGN,
    GRID,
    GROUP,
    HELD,
    LOCKED,
    PARTNER,
    ROOT,
    STYLES,
    USERS,
    Env,
    configure_approvers,
    quiet,
    ready,
    retire,
    told,
    until,
    writes,
)


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    """One world (simulators and bot) for the whole module, in a loop of its own."""
    loop = asyncio.new_event_loop()
    clock = FakeClock()
    world = World(clock, build_appear_delay=1, processing_time=10, scheduler=False)

    async def start() -> str:
        await world.start()
        # Slack's per-minute tiers count on the test's clock: the module acts ~150 times in seconds.
        world.slack.rate_limits.now = clock.now
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


def test_every_path_into_the_bot_is_covered() -> None:
    covered_buttons = {a if not a.startswith(ids.APPROVE) else ids.APPROVE for a in BUTTONS}
    assert product_ids(suffix_view=False) == covered_buttons
    assert product_ids(suffix_view=True) == set(FORMS)
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    features = manifest["features"]
    assert [c["command"] for c in features.get("slash_commands", [])] == ["/asc"]
    assert "shortcuts" not in features  # no message or global shortcuts: nothing to cover there
    # Events the bot subscribes to start no step (a Home tab drawn, held posts released): a new
    # subscription has to be looked at here first.
    subscribed = [manifest.get("settings", {}), features]  # Slack reads it under settings
    events = {
        e for part in subscribed for e in (part.get("event_subscriptions") or {}).get("bot_events") or []
    }
    assert events <= {"app_home_opened", "member_joined_channel"}
    verbs = {name.split()[0] for name in COMMANDS}
    assert set(asc.USAGE) == verbs
    hint = features["slash_commands"][0]["usage_hint"]
    assert all(verb in hint for verb in verbs)  # Slack's own hint names every verb a person can type
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
            assert await step_by("submit_to_app_store")(env, Ctx(pub.id), "webhook")
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
