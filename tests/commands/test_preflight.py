"""The pre-flight checklist over real HTTP: the thread lists exactly what App Store Connect lacks,
*Check again* re-reads it, and nothing is submitted while anything is missing."""

from __future__ import annotations

import asyncio

from bot.blocks.preflight import CHECK_AGAIN_BUTTON
from bot.engine.preflight import CHECK_AGAIN, CHECKLIST
from bot.sandbox.clock import FakeClock
from bot.sandbox.slack import Message
from bot.sandbox.world import DEMO_CHANNEL, World
from tests.commands.conftest import buttons, ephemerals_to, eventually
from tests.support.flow import later, pub, publish, sweep, upload
from tests.support.openapi_conformance import check_exchanges

APP = "com.example.app"
CONTACT = [
    "Beta App Review contact: first name",
    "Beta App Review contact: last name",
    "Beta App Review contact: phone number",
    "Beta App Review contact: email",
]


async def checklists(world: World, pub_id: str) -> list[list[str]]:
    """The gaps of every checklist told in the thread, oldest first."""
    events = await world.bot.storage.events(pub_id)
    return [[g["what"] for g in e.data["gaps"]] for e in events if e.kind == CHECKLIST]


async def checklist_messages(world: World, pub_id: str) -> list[Message]:
    p = await pub(world, pub_id)
    return [m for m in world.slack.thread(DEMO_CHANNEL, p.message_ts or "") if "Check again" in buttons(m)]


async def check_again(world: World, pub_id: str, message: Message, user: str = "U0ALICE") -> None:
    """Click *Check again* like a user, then let the sweep the click asked for run."""
    clicked = await world.slack.click_button(world.events_url, message, CHECK_AGAIN_BUTTON, user=user)
    assert clicked.status == 200
    events = world.bot.storage.events

    async def asked() -> bool:
        return any(e.kind == CHECK_AGAIN and e.actor == user for e in await events(pub_id))

    for _ in range(500):
        if await asked():
            break
        await asyncio.sleep(0.01)
    await sweep(world)


async def test_beta_review_waits_for_test_information(world: World, clock: FakeClock) -> None:
    app_id = world.asc.add_app(APP, name="Example", test_info=False)
    world.asc.add_beta_group(app_id, "Friends", internal=False)
    pub_id = await publish(world, clock, APP, "1.4.0", "41", publishing={"beta_groups": ["Friends"]})
    want = ["Beta App Description (en-US)", "Feedback Email (en-US)", *CONTACT]
    assert await checklists(world, pub_id) == [want]
    [shown] = await checklist_messages(world, pub_id)
    assert "Beta App Description (en-US)" in shown.text and "TestFlight → Test Information" in shown.text
    await sweep(world)  # looking again by itself, nothing changed: told once
    assert await checklists(world, pub_id) == [want]

    # Half of it filled in: Check again names what is left.
    [loc] = world.asc.beta_app_localizations_of(app_id)
    loc.description, loc.feedback_email = "Try the new login", "beta@example.com"
    await check_again(world, pub_id, shown)
    assert (await checklists(world, pub_id))[-1] == CONTACT
    assert (
        "Checking App Store Connect again" in (await eventually(lambda: ephemerals_to(world, "U0ALICE")))[-1]
    )
    assert world.asc.count("POST", r"^/v1/betaAppReviewSubmissions$") == 0  # never asked Apple

    detail = world.asc.beta_review_detail_of(app_id)
    detail.contact_first_name, detail.contact_last_name = "Ada", "Lovelace"
    detail.contact_phone, detail.contact_email = "+44 20 7946 0000", "ada@example.com"
    await check_again(world, pub_id, (await checklist_messages(world, pub_id))[-1])
    build_id = world.asc.build_id_for(APP, "1.4.0", "41")
    assert [s for s in world.asc.beta_review_submissions.values() if s.build_id == build_id]
    assert world.asc.count("POST", r"^/v1/betaAppReviewSubmissions$") == 1
    assert len(await checklists(world, pub_id)) == 2  # the complete check posts no empty checklist
    p = await pub(world, pub_id)
    assert any("Submitted it to TestFlight beta review" in t for t in thread_texts(world, p.message_ts))
    assert check_exchanges(world.asc.exchanges) == []


async def test_demo_account_is_asked_for_when_sign_in_is_required(world: World, clock: FakeClock) -> None:
    app_id = world.asc.add_app(APP, name="Example")
    world.asc.beta_review_detail_of(app_id).demo_account_required = True
    pub_id = await publish(world, clock, APP, "1.4.0", "41", publishing={"submit_to_testflight": True})
    assert await checklists(world, pub_id) == [
        ["Demo account: user name (sign-in is required)", "Demo account: password (sign-in is required)"]
    ]
    assert world.asc.count("POST", r"^/v1/betaAppReviewSubmissions$") == 0


async def test_app_store_review_waits_for_store_text_and_copyright(world: World, clock: FakeClock) -> None:
    app_id = world.asc.add_app(APP, name="Example")
    [live] = world.asc.versions_of(app_id)
    live.copyright = None
    del world.asc.version_localizations_of(live.id)[0].attributes["keywords"]
    pub_id = await publish(
        world, clock, APP, "1.4.0", "41", publishing={"submit_to_app_store": True}, release_notes=[]
    )
    assert await checklists(world, pub_id) == [
        ["Copyright", "Keywords (en-US)", "What's New in This Version (en-US)"]
    ]
    assert world.asc.count("POST", r"^/v1/reviewSubmissions$") == 0
    version = next(v for v in world.asc.versions_of(app_id) if v.version_string == "1.4.0")
    [loc] = world.asc.version_localizations_of(version.id)
    loc.attributes.update(keywords="login,fast", whatsNew="Faster login")
    version.copyright = "2026 Example Ltd"
    await check_again(world, pub_id, (await checklist_messages(world, pub_id))[-1])
    assert (await pub(world, pub_id)).version_state == "WAITING_FOR_REVIEW"
    assert world.asc.count("POST", r"^/v1/reviewSubmissions$") == 1
    assert check_exchanges(world.asc.exchanges) == []


def reads_of_test_information(world: World) -> int:
    """Reads of an app's test information apart from finding the app (by either route)."""
    apart = world.asc.count("GET", r"^/v1/apps/[^/]+/betaApp")
    return apart + sum(1 for e in world.asc.exchanges if e.method == "GET" and e.path.startswith("/v1/apps/")
                       and "betaAppReviewDetail" in dict(e.query).get("include", ""))  # fmt: skip


async def test_complete_test_information_comes_with_the_app(world: World, clock: FakeClock) -> None:
    world.asc.add_app(APP, name="Example")
    await publish(world, clock, APP, "1.4.0", "41", publishing={"submit_to_testflight": True})
    assert world.asc.count("POST", r"^/v1/betaAppReviewSubmissions$") == 1
    assert reads_of_test_information(world) == 0  # the app read (include=) said it all
    assert check_exchanges(world.asc.exchanges) == []


async def test_test_information_filled_in_after_the_app_was_read_is_not_a_gap(
    world: World, clock: FakeClock
) -> None:
    app_id = world.asc.add_app(APP, name="Example", test_info=False)
    pub_id = await upload(world, APP, "1.4.0", "41", publishing={"submit_to_testflight": True})
    world.asc.upload_build(APP, version="1.4.0", build_number="41", platform="IOS")
    await later(world, clock, 61)
    assert world.asc.count("GET", r"^/v1/apps$") == 1  # read with its (empty) test information
    [loc] = world.asc.beta_app_localizations_of(app_id)
    loc.description, loc.feedback_email = "Try the new login", "beta@example.com"
    detail = world.asc.beta_review_detail_of(app_id)
    detail.contact_first_name, detail.contact_last_name = "Ada", "Lovelace"
    detail.contact_phone, detail.contact_email = "+44 20 7946 0000", "ada@example.com"
    await later(world, clock, 600)
    assert await checklists(world, pub_id) == []  # the gaps the app read showed were read again
    assert world.asc.count("POST", r"^/v1/betaAppReviewSubmissions$") == 1
    assert reads_of_test_information(world) == 1


async def test_test_information_emptied_after_the_app_was_read_is_named_when_apple_refuses(
    world: World, clock: FakeClock
) -> None:
    app_id = world.asc.add_app(APP, name="Example")
    pub_id = await upload(world, APP, "1.4.0", "41", publishing={"submit_to_testflight": True})
    world.asc.upload_build(APP, version="1.4.0", build_number="41", platform="IOS")
    await later(world, clock, 61)
    [loc] = world.asc.beta_app_localizations_of(app_id)
    loc.description = None
    await later(world, clock, 600)
    # The checklist went by the app read; Apple refused (422), the bot read again and names the gap.
    assert world.asc.count("POST", r"^/v1/betaAppReviewSubmissions$") == 1
    assert not world.asc.beta_review_submissions
    assert await checklists(world, pub_id) == [["Beta App Description (en-US)"]]
    [action] = [a for a in await world.bot.storage.actions(pub_id) if a.kind == "submit_to_testflight"]
    assert action.status == "requested"  # waiting for the gap to be filled, not failed
    loc.description = "Try the new login"
    await check_again(world, pub_id, (await checklist_messages(world, pub_id))[-1])
    assert len(world.asc.beta_review_submissions) == 1
    assert check_exchanges(world.asc.exchanges) == []


async def test_store_text_is_checked_from_the_whats_new_write(world: World, clock: FakeClock) -> None:
    app_id = world.asc.add_app(APP, name="Example")
    [live] = world.asc.versions_of(app_id)
    del world.asc.version_localizations_of(live.id)[0].attributes["keywords"]
    pub_id = await publish(world, clock, APP, "1.4.0", "41", publishing={"submit_to_app_store": True})
    assert await checklists(world, pub_id) == [["Keywords (en-US)"]]
    assert world.asc.count("POST", r"^/v1/reviewSubmissions$") == 0
    # What's New was written into the list just read; the checklist reads that, not Apple again.
    listed = r"^/v1/appStoreVersions/[^/]+/appStoreVersionLocalizations$"
    assert world.asc.count("GET", listed) == 1
    assert world.asc.count("PATCH", r"^/v1/appStoreVersionLocalizations/") == 1
    version = next(v for v in world.asc.versions_of(app_id) if v.version_string == "1.4.0")
    [loc] = world.asc.version_localizations_of(version.id)
    loc.attributes["keywords"] = "login,fast"
    await check_again(world, pub_id, (await checklist_messages(world, pub_id))[-1])
    assert (await pub(world, pub_id)).version_state == "WAITING_FOR_REVIEW"
    # The step ran again: the version it made came with its store text (include=) in the versions read.
    assert world.asc.count("GET", listed) == 1
    assert world.asc.count("PATCH", r"^/v1/appStoreVersionLocalizations/") == 1  # What's New already so
    assert world.asc.count("PATCH", r"^/v1/appStoreVersions/") == 0  # settings given at its creation
    assert world.asc.count("GET", r"^/v1/appStoreVersions/[^/]+$") == 0  # nor read again: the list said it
    assert check_exchanges(world.asc.exchanges) == []


async def test_check_again_when_nothing_waits_is_told(world: World, clock: FakeClock) -> None:
    app_id = world.asc.add_app(APP, name="Example", test_info=False)
    world.asc.add_beta_group(app_id, "Friends", internal=False)
    pub_id = await publish(world, clock, APP, "1.4.0", "41", publishing={"beta_groups": ["Friends"]})
    [shown] = await checklist_messages(world, pub_id)
    await world.bot.engine.cancel(pub_id, "U0BOSS")
    await world.slack.click_button(world.events_url, shown, CHECK_AGAIN_BUTTON, user="U0BOB")
    [told] = await eventually(lambda: ephemerals_to(world, "U0BOB"))
    assert "waits for the pre-flight checklist" in told


def thread_texts(world: World, ts: str | None) -> list[str]:
    return [m.text for m in world.slack.thread(DEMO_CHANNEL, ts or "")]
