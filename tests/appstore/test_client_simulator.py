"""The client against the App Store Connect simulator on 127.0.0.1: every operation, reuse on 409,
paging, token renewal, and a run under injected 5xx, 429 bursts and dropped connections."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.appstore.auth import ApiKey, generate_private_key_pem
from bot.appstore.client import AppStoreConnect
from bot.appstore.errors import AscConflict, AscUnauthorized
from bot.appstore.retry import RetryPolicy
from bot.sandbox.asc import AscSimulator, Faults
from bot.sandbox.clock import FakeClock
from tests.appstore.fakes import make_key
from tests.support.openapi_conformance import check_exchanges

BUNDLE = "com.example.app"
SCHEDULED = datetime(2026, 12, 1, 14, tzinfo=UTC)


@dataclass
class Env:
    sim: AscSimulator
    client: AppStoreConnect
    clock: FakeClock
    key: ApiKey
    base_url: str
    app_id: str


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    clock = FakeClock()
    sim = AscSimulator(clock=clock, build_appear_delay=0, processing_time=60, tick_interval=60)
    base_url = await sim.start()
    key = make_key()
    sim.register_key(key.issuer_id, key.key_id, key.public_key_pem())
    app_id = sim.add_app(BUNDLE, name="Example")
    # A generous attempt budget: the fault run below fails a fifth of all requests on purpose.
    policy = RetryPolicy(attempts=12)
    client = AppStoreConnect(
        key, base_url, clock=clock, sleep=clock.sleep, rng=random.Random(3), policy=policy, timeout=10
    )
    try:
        yield Env(sim, client, clock, key, base_url, app_id)
    finally:
        await client.aclose()
        await sim.stop()


def assert_conforms(sim: AscSimulator) -> None:
    assert check_exchanges(sim.exchanges) == []


async def ready_build(env: Env, version: str = "1.4.0", build_number: str = "412") -> str:
    env.sim.upload_build(BUNDLE, version=version, build_number=build_number, platform="IOS")
    env.clock.advance(120)
    build = await env.client.find_build(env.app_id, build_number, version, "IOS")
    assert build is not None and build.processing_state == "VALID"
    return build.id


async def run_every_operation(env: Env) -> dict[str, str]:
    """Take one build through every client operation, asserting what each returns."""
    c, app_id = env.client, env.app_id
    qa = env.sim.add_beta_group(app_id, "QA", internal=True)
    friends = env.sim.add_beta_group(app_id, "Friends", internal=False)
    # No ITSAppUsesNonExemptEncryption in the upload: the answer is the client's to set (once).
    upload_id = env.sim.upload_build(
        BUNDLE, version="1.4.0", build_number="412", platform="IOS", uses_non_exempt_encryption=None
    )

    app = await c.find_app(BUNDLE)
    assert app is not None and app.id == app_id and app.name == "Example"
    assert (await c.get_app(app_id)).bundle_id == BUNDLE
    env.clock.advance(120)
    build = await c.find_build(app_id, "412", "1.4.0", "IOS")
    assert build is not None and build.marketing_version == "1.4.0" and build.platform == "IOS"
    assert build.processing_state == "VALID" and build.beta_detail is not None
    assert [b.id for b in await c.list_recent_builds(app_id, "IOS")] == [build.id]
    assert [b.id for b in await c.get_builds([build.id])] == [build.id]
    assert (await c.get_build(build.id)).version == "412"
    upload = await c.find_build_upload(app_id, "1.4.0", "412", "IOS")
    assert upload is not None and upload.id == upload_id
    assert (await c.get_build_upload(upload_id)).build_id == build.id
    assert build.beta_detail.internal_build_state is not None
    assert (await c.set_uses_non_exempt_encryption(build.id, False)).uses_non_exempt_encryption is False

    loc = await c.upsert_beta_build_localization(build.id, "en-US", "Try the new login")
    assert loc.whats_new == "Try the new login"
    await c.upsert_beta_build_localization(build.id, "de-DE", "Neues Login testen")
    assert {x.locale for x in await c.list_beta_build_localizations(build.id)} >= {"en-US", "de-DE"}

    assert await c.find_beta_review_submission(build.id) is None
    beta = await c.submit_for_beta_review(build.id)
    assert (await c.submit_for_beta_review(build.id)).id == beta.id
    looked_up = await c.find_beta_review_submission(build.id, fresh=True)
    assert looked_up is not None and looked_up.id == beta.id and looked_up.beta_review_state == "WAITING_FOR_REVIEW"
    [in_review] = await c.builds_in_beta_review(app_id, "IOS")
    # The thread names expired builds by marketing version: only an include brings it.
    assert (in_review.id, in_review.marketing_version) == (build.id, "1.4.0")

    assert {g.name for g in await c.list_beta_groups(app_id)} == {"QA", "Friends"}
    await c.add_build_to_beta_groups(build.id, [qa, friends])
    await c.add_build_to_beta_groups(build.id, [qa])
    assert {g.id for g in await c.beta_groups_of_build(app_id, build.id)} == {qa, friends}

    assert await c.find_editable_app_store_version(app_id, "IOS", "1.4.0") is None
    version = await c.create_app_store_version(
        app_id, "IOS", "1.4.0", build_id=build.id, copyright="2026 Example Ltd", release_type="MANUAL"
    )
    assert version.app_version_state == "PREPARE_FOR_SUBMISSION"
    found = await c.find_editable_app_store_version(app_id, "IOS", "1.4.0")
    assert found is not None and found.id == version.id
    updated = await c.update_app_store_version(
        version.id, release_type="SCHEDULED", earliest_release_date=SCHEDULED, build_id=build.id
    )
    assert updated.release_type == "SCHEDULED" and updated.earliest_release_date == SCHEDULED
    cleared = await c.update_app_store_version(version.id, release_type="MANUAL", earliest_release_date=None)
    assert cleared.earliest_release_date is None
    assert (await c.get_app_store_version(version.id)).build_id == build.id
    listed = await c.list_app_store_versions(app_id, "IOS", version_string="1.4.0")
    assert [v.id for v in listed] == [version.id]
    whats_new = await c.upsert_version_whats_new(version.id, "en-US", "Faster login")
    assert whats_new.whats_new == "Faster login"
    assert [x.whats_new for x in await c.list_version_localizations(version.id) if x.locale == "en-US"] == [
        "Faster login"
    ]

    assert await c.get_phased_release(version.id) is None
    phased = await c.enable_phased_release(version.id)
    assert (await c.enable_phased_release(version.id)).id == phased.id
    await c.disable_phased_release(phased.id)
    assert await c.get_phased_release(version.id) is None
    phased = await c.enable_phased_release(version.id)

    submission = await c.create_review_submission(app_id, "IOS")
    assert (await c.create_review_submission(app_id, "IOS")).id == submission.id  # 409 names it
    item = await c.add_review_submission_item(submission.id, version.id)
    assert (await c.add_review_submission_item(submission.id, version.id)).id == item.id
    assert [i.id for i in await c.list_review_submission_items(submission.id)] == [item.id]
    submitted = await c.submit_review_submission(submission.id)
    assert submitted.state not in (None, "READY_FOR_REVIEW")
    open_ones = await c.list_review_submissions(app_id, "IOS", ["WAITING_FOR_REVIEW", "IN_REVIEW"])
    assert [s.id for s in open_ones] == [submission.id]
    assert (await c.get_review_submission(submission.id)).item_ids == (item.id,)

    env.sim.set_version_state(version.id, "PENDING_DEVELOPER_RELEASE")
    assert (await c.set_phased_release_state(phased.id, "ACTIVE")).state == "ACTIVE"
    released = await c.request_release(version.id)
    assert released.app_version_state in ("PROCESSING_FOR_DISTRIBUTION", "READY_FOR_DISTRIBUTION")

    hook = await c.create_webhook(
        app_id,
        name="asc-bot",
        url="https://bot.example.com/webhooks/app-store-connect",
        secret="a-long-random-secret-of-32-chars",
        event_types=["BUILD_UPLOAD_STATE_UPDATED", "APP_STORE_VERSION_APP_VERSION_STATE_UPDATED"],
    )
    assert (await c.update_webhook(hook.id, enabled=False)).enabled is False
    assert [h.id for h in await c.list_app_webhooks(app_id)] == [hook.id]

    # A second build replaces the first in beta review, which expires the old one.
    second = await ready_build(env, "1.4.0", "413")
    assert (await c.expire_build(build.id)).expired is True
    await c.submit_for_beta_review(second)
    return {"build": build.id, "version": version.id, "submission": submission.id}


async def test_every_operation_against_the_simulator(env: Env) -> None:
    await run_every_operation(env)
    assert env.client.rate_limit is not None and env.client.rate_limit.limit == 3600
    assert env.client.requests_sent == len(env.sim.exchanges)
    assert_conforms(env.sim)


async def test_an_export_compliance_answer_is_set_once_as_apple_does(env: Env) -> None:
    env.sim.upload_build(BUNDLE, "1.4.0", "7", uses_non_exempt_encryption=None)
    env.clock.advance(120)
    build = await env.client.find_build(env.app_id, "7", "1.4.0", "IOS")
    assert build is not None and build.uses_non_exempt_encryption is None
    assert (await env.client.set_uses_non_exempt_encryption(build.id, True)).uses_non_exempt_encryption is True
    with pytest.raises(AscConflict) as refused:  # another answer: Apple refuses it
        await env.client.set_uses_non_exempt_encryption(build.id, False)
    assert refused.value.detail == "You cannot update when the value is already set."
    assert refused.value.code == "ENTITY_ERROR.ATTRIBUTE.INVALID"
    patches = [e.status for e in env.sim.exchanges if e.method == "PATCH"]
    assert patches == [200, 409]
    assert (await env.client.get_build(build.id)).uses_non_exempt_encryption is True
    # A retry of an answer Apple applied (its response lost) meets the same 409: that is success.
    assert (await env.client.set_uses_non_exempt_encryption(build.id, True)).uses_non_exempt_encryption is True
    assert [e.status for e in env.sim.exchanges if e.method == "PATCH"] == [200, 409, 409]  # sent, refused
    assert_conforms(env.sim)


async def test_repeated_creates_reuse_what_exists(env: Env) -> None:
    build_id = await ready_build(env)
    c = env.client
    first = await c.create_review_submission(env.app_id, "IOS")
    assert (await c.create_review_submission(env.app_id, "IOS")).id == first.id
    assert env.sim.count("POST", r"^/v1/reviewSubmissions$") == 2
    assert [e.status for e in env.sim.exchanges if e.path == "/v1/reviewSubmissions"] == [201, 409]
    for _ in range(2):
        await c.submit_for_beta_review(build_id)
        await c.upsert_beta_build_localization(build_id, "en-US", "Same text")
    assert env.sim.count("POST", r"^/v1/betaAppReviewSubmissions$") == 1
    assert len(env.sim.store.submissions) == 1
    assert [loc.locale for loc in env.sim.beta_localizations_of(build_id)].count("en-US") == 1
    assert_conforms(env.sim)


async def test_paging_follows_next_links_past_200(env: Env) -> None:
    for n in range(230):
        env.sim.add_beta_group(env.app_id, f"Group {n:03}", internal=n % 2 == 0)
    groups = await env.client.list_beta_groups(env.app_id)
    assert len(groups) == 230 and len({g.id for g in groups}) == 230
    assert env.sim.count("GET", r"^/v1/betaGroups$") == 2
    unknown = [f"00000000-0000-0000-0000-{n:012}" for n in range(250)]
    assert await env.client.get_builds(unknown) == []
    assert env.sim.count("GET", r"^/v1/builds$") == 2
    assert_conforms(env.sim)


async def test_find_app_pages_through_look_alikes_to_the_exact_bundle_id(env: Env) -> None:
    # Apple's filter[bundleId] also matches these, and does not put the exact match first.
    for i in range(200):
        env.sim.add_app(f"{BUNDLE}.extension{i}")
    env.sim.add_app(f"{BUNDLE}clip")
    app = await env.client.find_app(BUNDLE)
    assert app is not None and (app.id, app.bundle_id) == (env.app_id, BUNDLE)
    assert env.sim.count("GET", r"^/v1/apps$") == 2  # the exact one was on the second page
    assert await env.client.find_app(f"{BUNDLE}.ext") is None  # look-alikes only
    assert_conforms(env.sim)


async def test_token_is_renewed_as_time_passes(env: Env) -> None:
    await env.client.find_app(BUNDLE)
    await env.client.find_app(BUNDLE)
    env.clock.advance(timedelta(minutes=25))
    await env.client.find_app(BUNDLE)
    tokens = [
        {k.lower(): v for k, v in e.request_headers.items()}["authorization"] for e in env.sim.exchanges
    ]
    assert tokens[0] == tokens[1] != tokens[2]
    assert all(e.status == 200 for e in env.sim.exchanges)
    assert_conforms(env.sim)


async def test_unknown_key_is_refused_with_a_message_naming_it(env: Env) -> None:
    unknown = ApiKey(
        name="ci", issuer_id=env.key.issuer_id, key_id="UNKNOWN123", private_key=generate_private_key_pem()
    )
    stranger = AppStoreConnect(unknown, env.base_url, clock=env.clock, sleep=env.clock.sleep)
    try:
        with pytest.raises(AscUnauthorized) as caught:
            await stranger.find_app(BUNDLE)
    finally:
        await stranger.aclose()
    assert "'ci'" in caught.value.user_message
    assert env.sim.count("GET", r"^/v1/apps$") == 2  # one retry with a fresh token, then give up
    assert_conforms(env.sim)


async def test_every_operation_completes_under_faults_without_double_creates(env: Env) -> None:
    env.sim.faults = Faults(error_rate=0.2, rate_limit_bursts=4, drop_rate=0.1, seed=11)
    ids = await run_every_operation(env)
    env.sim.faults = Faults()

    faults = Counter(e.fault for e in env.sim.exchanges if e.fault)
    assert faults["rate_limit"] > 0
    assert faults["error_before"] + faults["error_after"] > 0
    assert faults["drop_before"] + faults["drop_after"] > 0

    store = env.sim.store
    reviews_per_build = Counter(r.build_id for r in store.beta_reviews.values())
    assert set(reviews_per_build.values()) == {1}
    locales = Counter((x.build_id, x.locale) for x in env.sim.beta_localizations_of(ids["build"]))
    assert set(locales.values()) == {1}
    versions = [v for v in env.sim.versions_of(env.app_id, "IOS") if v.version_string == "1.4.0"]
    assert len(versions) == 1
    assert len(store.submissions) == 1
    assert len(store.items) == 1
    assert [p.version_id for p in store.phased_releases.values()] == [ids["version"]]
    assert len(store.release_requests) == 1
    assert len(store.webhooks) == 1
    assert Counter(v.locale for v in env.sim.version_localizations_of(ids["version"]))["en-US"] == 1
    assert_conforms(env.sim)
