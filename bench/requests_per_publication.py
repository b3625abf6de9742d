"""Benchmark 1: App Store Connect requests for one publication, asc-bot against codemagic-cli-tools.

The same scenario for both, each on a fresh simulator: an app with one beta group "QA"; a build
uploaded at t=0 that the API lists 30 s later and that finishes processing 10 minutes after upload;
then What to Test (en-US), the beta group, TestFlight beta review, and App Store review submission
with phased release (release type MANUAL).

- asc-bot gets the build-uploaded webhook at t=0 with those `publishing` options and
  `release_notes`; the simulated clock then moves in steps of the scheduler's tick (5 s) with a sweep
  after each, until every step it was asked for has finished.
- codemagic-cli-tools runs `app-store-connect publish --skip-package-upload` with `--whats-new`,
  `--beta-group QA`, `--testflight`, `--app-store`, `--phased-release`, `--release-type MANUAL` on an
  .ipa that only holds Info.plist (the upload is skipped, so only post-processing requests exist).
  Its `time.sleep` moves the same kind of simulated clock, so its 30 s polls keep their count.

Every request either tool sends is counted and classified by path.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

from bench import codemagic_cli as codemagic
from bench.asc_gateway import AscGateway
from bench.common import Result, Table, cli, ratio
from bench.harness import Served
from bot.apple_webhooks import EVENT_TYPES as APPLE_EVENTS
from bot.apple_webhooks import PATH as APPLE_PATH
from bot.appstore.auth import ApiKey, generate_private_key_pem
from bot.engine.profile import DEFAULT_PROFILE
from bot.sandbox.asc import AscSimulator
from bot.sandbox.asc.records import Webhook
from bot.sandbox.clock import FakeClock
from bot.sandbox.world import World

BUNDLE, VERSION, BUILD = "com.example.app", "1.4.0", "412"
WHAT_TO_TEST = "What to test in this build"
APPEAR, PROCESSING, TICK = 30.0, 600.0, 5.0

# (category, method or None for any, path pattern, required query (name, value pattern) or None)
Rule = tuple[str, str | None, str, tuple[str, str] | None]
RULES: tuple[Rule, ...] = (
    ("is the app's webhook registered", "GET", r"^/v1/apps/[^/]+/webhooks$", None),
    ("finding the build", "GET", r"^/v1/buildUploads/", None),
    ("App Store review submission", None, r"^/v1/reviewSubmission", None),
    ("App Store version, phased release, What's New", None, r"^/v1/(apps/[^/]+/)?appStoreVersion", None),
    (
        "TestFlight beta review + test information",
        None,
        r"^/v1/(betaAppReviewSubmissions|apps/[^/]+/betaApp)",
        None,
    ),
    ("beta groups", None, r"betaGroups", None),
    ("What to Test", None, r"^/v1/betaBuildLocalizations", None),
    ("finding the app", "GET", r"^/v1/apps(/[^/]+)?$|^/v1/builds/[^/]+/app$", None),
    ("finding the app", "GET", r"^/v1/builds/[^/]+$", ("include", r"^app$")),
    ("finding the build", "GET", r"^/v1/builds$", ("filter[app]", "")),
    ("re-reading the build before a step", "GET", r"^/v1/builds/[^/]+$", ("include", "")),
    ("processing polls", "GET", r"^/v1/builds(/[^/]+(/buildBetaDetail)?)?$", None),
)
CATEGORIES = [*dict.fromkeys(rule[0] for rule in RULES), "other"]


def classify(method: str, path: str, query: Iterable[tuple[str, str]]) -> str:
    """The category of one request, by method, path and query (first matching rule)."""
    params = dict(query)
    for category, want_method, pattern, need in RULES:
        if want_method not in (None, method) or not re.search(pattern, path):
            continue
        if need is None or (need[0] in params and re.search(need[1], params[need[0]])):
            return category
    return "other"


def setup(sim: AscSimulator) -> None:
    app_id = sim.add_app(BUNDLE, name="Example")
    sim.add_beta_group(app_id, "QA", internal=True)


async def run_bot(
    profile: tuple[tuple[float, float], ...] = DEFAULT_PROFILE, *, apple_webhooks: bool = False
) -> tuple[Counter[str], int, dict[str, str], dict[str, int]]:
    """asc-bot from the webhook to the App Store review submission; returns (per category, errors,
    steps, requests not sent by why). `apple_webhooks`: the app has App Store Connect's webhook
    registered for the bot, and the simulator sends its events."""
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    world = await World(
        clock,
        scheduler=False,
        build_appear_delay=APPEAR,
        processing_time=PROCESSING,
        poll_profile=profile,
    ).start()
    try:
        assert world.bot is not None and world.config is not None
        if not apple_webhooks:  # a deployment without App Store Connect's webhooks: polling only
            await world.stop_bot()
            await world.start_bot(apple_webhook_secret=None)
            assert world.bot is not None
        setup(world.asc)
        if apple_webhooks:
            store = world.asc.store
            app_id = next(a.id for a in store.apps.values() if a.bundle_id == BUNDLE)
            hook = Webhook(store.new_id(), app_id, "asc-bot", world.bot.url + APPLE_PATH,
                           world.config.apple_webhook_secret or "", True, list(APPLE_EVENTS))  # fmt: skip
            store.webhooks[hook.id] = hook  # as `asc-bot webhooks register` would make it
        payload = world.upload_payload(
            BUNDLE,
            VERSION,
            BUILD,
            publishing={
                "submit_to_testflight": True,
                "beta_groups": ["QA"],
                "submit_to_app_store": True,
                "phased_release": True,
                "release_type": "MANUAL",
            },
            release_notes=[{"language": "en-US", "text": WHAT_TO_TEST}],
        )
        world.asc.upload_build(BUNDLE, version=VERSION, build_number=BUILD)
        answer = await world.send_upload(payload)
        assert answer.status_code == 202, answer.text
        publication_id = answer.json()["publication_id"]
        steps: dict[str, str] = {}
        for _ in range(int(3600 / TICK)):
            await world.bot.engine.sweep()
            view = await world.bot.engine.view(publication_id)
            assert view is not None
            steps = {a.kind: a.status for a in view.actions}
            if view.publication.state in ("failed", "timed_out") or (
                steps and all(s in ("succeeded", "failed", "skipped") for s in steps.values())
            ):
                break
            clock.advance(TICK)
            if apple_webhooks:
                await world.asc.drain_webhooks()  # events due by now reach the bot before the sweep
        counts = Counter(classify(e.method, e.path, e.query) for e in world.asc.exchanges)
        errors = sum(1 for e in world.asc.exchanges if e.status is None or e.status >= 400)
        return counts, errors, steps, world.bot.clients.get(None).savings
    finally:
        await world.stop()


async def run_codemagic() -> tuple[Counter[str], int, codemagic.Run]:
    """codemagic-cli-tools' publish against a fresh simulator behind the gateway."""
    await codemagic.ensure_installed()
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))  # its JWTs carry the machine's time
    sim = AscSimulator(
        clock=clock, build_appear_delay=APPEAR, processing_time=PROCESSING, record_bodies=False
    )
    sim_url = await sim.start()
    gateway = AscGateway(sim_url)
    gateway_url = await gateway.start()

    async def advance(request: web.Request) -> web.Response:
        clock.advance(float(request.query["seconds"]))
        sim.settle()
        return web.Response(text="ok")

    control = web.Application()
    control.router.add_post("/advance", advance)
    clock_server = await Served(control).start()
    try:
        key = ApiKey("bench", str(uuid.uuid4()), "BENCHKEY01", generate_private_key_pem())
        sim.register_api_key(key)
        setup(sim)
        with tempfile.TemporaryDirectory(prefix="bench-codemagic-") as tmp:
            workdir = Path(tmp)
            p8 = workdir / "AuthKey_BENCHKEY01.p8"
            p8.write_text(key.private_key)
            ipa = codemagic.make_ipa(workdir, BUNDLE, VERSION, BUILD)
            sim.upload_build(BUNDLE, version=VERSION, build_number=BUILD)
            run = await codemagic.publish(
                gateway_url,
                f"{clock_server.url}/advance",
                codemagic.Key(key.issuer_id or "", key.key_id, p8),
                [
                    "--path", str(ipa), "--skip-package-upload", "--whats-new", WHAT_TO_TEST,
                    "--beta-group", "QA", "--testflight", "--app-store", "--phased-release",
                    "--release-type", "MANUAL", "--disable-jwt-cache", "--no-color",
                ],
                workdir,
            )  # fmt: skip
        counts = Counter(classify(r.method, r.path, r.query) for r in gateway.requests)
        errors = sum(1 for r in gateway.requests if r.status >= 400)
        return counts, errors, run
    finally:
        await clock_server.stop()
        await gateway.stop()
        await sim.stop()


async def run(args: argparse.Namespace) -> Result:
    bot, bot_errors, steps, savings = await run_bot()
    flat, _, _, _ = await run_bot(profile=())  # every poll_interval (30 s), as before the profile
    hooked, hooked_errors, hooked_steps, _ = await run_bot(apple_webhooks=True)
    cm, cm_errors, cm_run = await run_codemagic()
    table = Table(
        "App Store Connect requests for one publication (10 simulated minutes of processing)",
        [
            "requests for",
            "asc-bot, polling",
            "asc-bot, App Store Connect webhooks",
            "codemagic-cli-tools publish",
        ],
    )
    for category in CATEGORIES:
        if bot[category] or hooked[category] or cm[category]:
            table.add(category, bot[category], hooked[category], cm[category])
    bot_total, hooked_total, cm_total = sum(bot.values()), sum(hooked.values()), sum(cm.values())
    table.add("total", bot_total, hooked_total, cm_total)
    table.add("answered with an error", bot_errors, hooked_errors, cm_errors)
    saved = Table(
        "asc-bot: requests not sent, by saving (measured in this run)",
        ["saving", "requests saved"],
    )
    polls = lambda c: c["processing polls"] + c["finding the build"]  # noqa: E731
    saved.add(
        "polling profile by build age, first look 30 s after upload (vs every 30 s)", polls(flat) - polls(bot)
    )
    for why, count in sorted(savings.items(), key=lambda kv: -kv[1]):
        saved.add(why, count)
    saved.add("total", polls(flat) - polls(bot) + sum(savings.values()))
    not_done = {k: v for k, v in {**hooked_steps, **steps}.items() if v != "succeeded"}
    notes = [
        f"asc-bot steps: {', '.join(f'{k} {v}' for k, v in steps.items())}.",
        f"codemagic-cli-tools {codemagic.VERSION} exited with {cm_run.returncode}.",
        "Both counted until the App Store review submission was submitted; asc-bot then keeps following "
        "the review (one request per follow interval), which codemagic-cli-tools does not do.",
        "With webhooks the app has App Store Connect's webhook registered for the bot (as `asc-bot "
        "webhooks register` makes it); the bot reads that once per app, then keeps only a safety-net "
        "poll (every 15 min, and once just before a deadline) and finds the build from the "
        "BUILD_UPLOAD_STATE_UPDATED event.",
    ]
    if not_done:
        notes.append(f"NOT every asc-bot step succeeded: {not_done}; its count is not comparable.")
    if cm_run.returncode != 0:
        notes.append("codemagic-cli-tools failed: " + cm_run.output.strip().splitlines()[-1][:300])
    return Result(
        "requests_per_publication",
        "1. App Store Connect requests per publication",
        [table, saved],
        ratios={
            "requests, codemagic-cli-tools / asc-bot (polling)": ratio(cm_total, bot_total),
            "requests, codemagic-cli-tools / asc-bot (App Store Connect webhooks)": ratio(
                cm_total, hooked_total
            ),
        },
        notes=notes,
        data={
            "bot": dict(bot),
            "bot_flat_polling": dict(flat),
            "bot_webhooks": dict(hooked),
            "savings": savings,
            "codemagic": dict(cm),
            "steps": steps,
            "codemagic_rc": cm_run.returncode,
        },
    )


if __name__ == "__main__":
    cli(run, __doc__ or "")
