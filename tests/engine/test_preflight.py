"""The pre-flight checklist read directly, over the App Store Connect simulator: each gap TestFlight beta
review or App Store review would refuse a submission for, in order and with where to fix it; test
information kept from an app read is taken only when complete; a first version needs no What's New."""

from __future__ import annotations

from bot.appstore.client import AppStoreConnect
from bot.appstore.models import AppStoreVersion, Build
from bot.engine import messages
from bot.engine.preflight import (
    APP_STORE_REVIEW,
    BETA_REVIEW,
    RECHECK_AFTER,
    Gap,
    app_store_gaps,
    beta_review_gaps,
    blocked,
    checklist_data,
)
from bot.sandbox.clock import FakeClock
from storage.repository import Storage
from tests.support.engine_rig import BUNDLE, Rig, engine_rig
from tests.support.openapi_conformance import check_exchanges

CONTACT = [
    "Beta App Review contact: first name",
    "Beta App Review contact: last name",
    "Beta App Review contact: phone number",
    "Beta App Review contact: email",
]
COMPLIANCE = "Export compliance of the build (does it use non-exempt encryption?)"


def client_of(rig: Rig) -> AppStoreConnect:
    return rig.parts.clients.get(None)


async def processed(rig: Rig, bundle_id: str = BUNDLE, version: str = "1.1", **upload: object) -> Build:
    rig.asc.upload_build(bundle_id, version, "7", **upload)  # type: ignore[arg-type]
    rig.clock.advance(61)  # the rig's processing time is 60 s
    build_id = rig.asc.build_id_for(bundle_id, version, "7", listed_only=True)
    assert build_id is not None
    return await client_of(rig).get_build(build_id, fresh=True)


async def new_version(rig: Rig, app_id: str, version: str = "1.1") -> AppStoreVersion:
    return await client_of(rig).create_app_store_version(app_id, "IOS", version)


def whats(gaps: list[Gap]) -> list[str]:
    return [g.what for g in gaps]


async def test_complete_test_information_leaves_only_an_unanswered_compliance_question(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        build = await processed(rig)
        none = await beta_review_gaps(client_of(rig), rig.app_id, build, asked=False)
        asked = await beta_review_gaps(client_of(rig), rig.app_id, build, asked=True)
        exchanges = rig.asc.exchanges
    assert none == []
    assert whats(asked) == [COMPLIANCE]
    assert asked[0].fix.startswith("answer the question in this thread, or in App Store Connect → TestFlight")
    assert check_exchanges(exchanges) == []


async def test_empty_test_information_names_each_field_per_locale_and_each_contact_field(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        build = await processed(rig)
        [loc] = rig.asc.beta_app_localizations_of(rig.app_id)
        loc.description, loc.feedback_email = None, "  "
        detail = rig.asc.beta_review_detail_of(rig.app_id)
        detail.contact_last_name = detail.contact_phone = None
        gaps = await beta_review_gaps(client_of(rig), rig.app_id, build, asked=True)
    assert whats(gaps) == [
        COMPLIANCE,
        "Beta App Description (en-US)",
        "Feedback Email (en-US)",  # blank is missing
        "Beta App Review contact: last name",
        "Beta App Review contact: phone number",
    ]
    assert gaps[1].fix == "App Store Connect → the app → TestFlight → Test Information → en-US"
    assert gaps[3].fix.endswith("Test Information → Beta App Review Information")


async def test_no_test_information_in_any_language_says_to_add_the_apps_language(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        build = await processed(rig)
        for loc in rig.asc.store.beta_app_localizations_by_app.pop(rig.app_id):
            del rig.asc.store.beta_app_localizations[loc.id]
        gaps = await beta_review_gaps(client_of(rig), rig.app_id, build, asked=False)
    assert gaps == [
        Gap(
            "Test information (none in any language)",
            "App Store Connect → the app → TestFlight → Test Information: add the app's language",
        )
    ]


async def test_a_required_sign_in_needs_a_demo_user_name_and_password(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        build = await processed(rig)
        detail = rig.asc.beta_review_detail_of(rig.app_id)
        detail.demo_account_required = True
        both = await beta_review_gaps(client_of(rig), rig.app_id, build, asked=False)
        detail.demo_account_name = "reviewer"
        password = await beta_review_gaps(client_of(rig), rig.app_id, build, asked=False)
        detail.demo_account_password = "s3cret"
        done = await beta_review_gaps(client_of(rig), rig.app_id, build, asked=False)
        detail.demo_account_required, detail.demo_account_name, detail.demo_account_password = (
            False,
            None,
            None,
        )
        not_required = await beta_review_gaps(client_of(rig), rig.app_id, build, asked=False)
    assert whats(both) == [
        "Demo account: user name (sign-in is required)",
        "Demo account: password (sign-in is required)",
    ]
    assert whats(password) == ["Demo account: password (sign-in is required)"]
    assert done == [] and not_required == []


def reads_of_the_app(rig: Rig) -> int:
    return rig.asc.count("GET", rf"^/v1/apps/{rig.app_id}$")


async def test_kept_test_information_is_taken_when_complete_and_read_again_when_it_shows_a_gap(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        client = client_of(rig)
        build = await processed(rig)
        await client.test_information(rig.app_id)  # the app read keeps it
        before = reads_of_the_app(rig)
        kept = await beta_review_gaps(client, rig.app_id, build, asked=False, fresh=False)
        reads_for_complete = reads_of_the_app(rig) - before

        [loc] = rig.asc.beta_app_localizations_of(rig.app_id)
        loc.description = None
        await client.test_information(rig.app_id)  # kept now: a gap
        loc.description = "Filled in meanwhile"
        before = reads_of_the_app(rig)
        again = await beta_review_gaps(client, rig.app_id, build, asked=False, fresh=False)
        reads_for_gap = reads_of_the_app(rig) - before
    assert (kept, reads_for_complete) == ([], 0)
    assert (again, reads_for_gap) == ([], 1)  # the gap kept was filled in since: read again, none


async def test_an_update_needs_whats_new_and_the_builds_compliance(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        build = await processed(rig, uses_non_exempt_encryption=None)
        version = await new_version(rig, rig.app_id)
        gaps = await app_store_gaps(client_of(rig), rig.app_id, version, build)
        answered = await processed(rig, version="1.2")
        only_whats_new = await app_store_gaps(client_of(rig), rig.app_id, version, answered)
        exchanges = rig.asc.exchanges
    where = "App Store Connect → the app → IOS 1.1"
    assert gaps == [
        Gap(COMPLIANCE, f"{where} → Build, or `uses_non_exempt_encryption` in the options"),
        Gap("What's New in This Version (en-US)", f"{where} → en-US → What's New in This Version"),
    ]
    assert whats(only_whats_new) == ["What's New in This Version (en-US)"]
    assert check_exchanges(exchanges) == []


async def test_missing_copyright_and_store_text_come_before_whats_new(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        build = await processed(rig)
        version = await new_version(rig, rig.app_id)
        rig.asc.versions[version.id].copyright = None
        [loc] = rig.asc.version_localizations_of(version.id)
        del loc.attributes["keywords"], loc.attributes["supportUrl"]
        fresh = await client_of(rig).get_app_store_version(version.id)
        gaps = await app_store_gaps(client_of(rig), rig.app_id, fresh, build)
        loc.attributes.update(keywords="k", supportUrl="https://example.com", whatsNew="Faster")
        rig.asc.versions[version.id].copyright = "2026 Example"
        fresh = await client_of(rig).get_app_store_version(version.id)
        none = await app_store_gaps(client_of(rig), rig.app_id, fresh, build)
    assert whats(gaps) == [
        "Copyright",
        "Keywords (en-US)",
        "Support URL (en-US)",
        "What's New in This Version (en-US)",
    ]
    assert (
        gaps[0].fix
        == "App Store Connect → the app → IOS 1.1 → Copyright, or `copyright` in the publishing options"
    )
    assert none == []


async def test_a_first_version_needs_no_whats_new(storage: Storage, clock: FakeClock) -> None:
    async with engine_rig(storage, clock) as rig:
        first_id = rig.asc.add_app("com.example.first", name="First", live_version=None)
        build = await processed(rig, "com.example.first", "1.0")
        version = await new_version(rig, first_id, "1.0")
        gaps = await app_store_gaps(client_of(rig), first_id, version, build)
    assert whats(gaps) == ["Copyright", "Description (en-US)", "Keywords (en-US)", "Support URL (en-US)"]


def test_a_blocked_step_waits_tells_its_checklist_and_looks_again_later() -> None:
    gaps = [Gap("Copyright", "App Store Connect → Copyright"), Gap("Keywords (en-US)", "→ Keywords")]
    outcome = blocked("submit_to_app_store", APP_STORE_REVIEW, gaps)
    assert (outcome.status, outcome.retry_after, outcome.question) == ("wait", RECHECK_AFTER, None)
    assert outcome.message == "Pre-flight checklist: 2 thing(s) missing before App Store review."
    assert (
        outcome.checklist
        == checklist_data("submit_to_app_store", APP_STORE_REVIEW, gaps)
        == {
            "step": "submit_to_app_store",
            "review": APP_STORE_REVIEW,
            "gaps": [
                {"what": "Copyright", "fix": "App Store Connect → Copyright"},
                {"what": "Keywords (en-US)", "fix": "→ Keywords"},
            ],
        }
    )
    asking = blocked("submit_to_testflight", BETA_REVIEW, gaps[:1], question="Does it use encryption?")
    assert asking.question == "Does it use encryption?"
    assert asking.message == "Pre-flight checklist: 1 thing(s) missing before TestFlight beta review."
    # The checklist's data is what the thread's wording reads.
    assert "• *Copyright* — App Store Connect → Copyright" in messages.checklist(
        BETA_REVIEW, asking.checklist["gaps"] if asking.checklist else [], again=False
    )
