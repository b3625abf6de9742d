"""Install links: which groups' TestFlight public links a build's message shows, and when.

Internal testers can install once the build is processed; external testers only once beta review let it
through (BETA_APPROVED or IN_BETA_TESTING). The groups come from the App Store Connect simulator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.appstore.auth import ApiKey, generate_private_key_pem
from bot.appstore.client import AppStoreConnect
from bot.appstore.models import BetaGroup
from bot.engine.install import EXTERNAL_INSTALLABLE, install_links, link_records
from bot.engine.notifier import PublicationView
from bot.sandbox.asc import AscSimulator
from bot.sandbox.clock import FakeClock
from storage.records import Action, Publication

NOW = datetime(2026, 3, 1, tzinfo=UTC)
INTERNAL = {"group": "Team", "url": "https://testflight.apple.com/join/TEAM", "internal": True}
EXTERNAL = {"group": "Public", "url": "https://testflight.apple.com/join/PUBLIC", "internal": False}


def view(
    *,
    status: str = "succeeded",
    result: dict[str, Any] | None = None,
    processing: str | None = "VALID",
    external: str | None = None,
    kind: str = "beta_groups",
) -> PublicationView:
    pub = Publication(
        "p1", "com.example.app", "IOS", "1.0", "7", "ready", NOW,
        processing_state=processing, beta_external_state=external,
    )  # fmt: skip
    step = Action(
        1, "p1", kind, status, "U1", NOW, result={"links": [INTERNAL, EXTERNAL]} if result is None else result
    )
    return PublicationView(pub, (step,))


def test_internal_links_show_once_processed_external_ones_wait_for_beta_review() -> None:
    assert install_links(view(external="WAITING_FOR_BETA_REVIEW")) == [("Team", INTERNAL["url"])]
    assert install_links(view(external=None)) == [("Team", INTERNAL["url"])]


@pytest.mark.parametrize("state", EXTERNAL_INSTALLABLE)
def test_external_links_show_once_beta_review_let_the_build_through(state: str) -> None:
    assert install_links(view(external=state)) == [("Team", INTERNAL["url"]), ("Public", EXTERNAL["url"])]


@pytest.mark.parametrize("state", ["IN_BETA_REVIEW", "BETA_REJECTED", "EXPIRED", "READY_FOR_BETA_SUBMISSION"])
def test_external_links_stay_hidden_in_every_other_review_state(state: str) -> None:
    assert install_links(view(external=state)) == [("Team", INTERNAL["url"])]


@pytest.mark.parametrize("processing", ["PROCESSING", "INVALID", "FAILED"])
def test_nothing_shows_while_the_build_is_not_processed(processing: str) -> None:
    assert install_links(view(processing=processing, external="IN_BETA_TESTING")) == []


def test_an_unknown_processing_state_counts_as_processed() -> None:
    """None: the publication came in without a processing state read yet, but its step put it in groups."""
    assert install_links(view(processing=None)) == [("Team", INTERNAL["url"])]


@pytest.mark.parametrize("status", ["requested", "running", "failed", "skipped"])
def test_only_a_succeeded_beta_groups_step_has_links(status: str) -> None:
    assert install_links(view(status=status, external="IN_BETA_TESTING")) == []


def test_no_links_without_the_beta_groups_step_or_its_result() -> None:
    assert install_links(view(kind="submit_to_testflight", external="IN_BETA_TESTING")) == []
    assert install_links(view(result={}, external="IN_BETA_TESTING")) == []
    assert install_links(view(result={"links": None}, external="IN_BETA_TESTING")) == []
    assert install_links(PublicationView(view().publication, ())) == []


def test_malformed_link_records_are_left_out() -> None:
    links = [
        "https://testflight.apple.com/join/STRING",
        {"group": "No url", "internal": True},
        {"group": "Empty url", "url": "", "internal": True},
        INTERNAL,
    ]
    assert install_links(view(result={"links": links})) == [("Team", INTERNAL["url"])]


def test_link_records_keep_the_groups_that_have_a_public_link() -> None:
    groups = [
        BetaGroup("g1", "Team", True, True, "https://testflight.apple.com/join/TEAM"),
        BetaGroup("g2", "Quiet", False, False, None),
        BetaGroup("g3", "Public", False, False, "https://testflight.apple.com/join/PUBLIC"),
    ]
    assert link_records(groups) == [INTERNAL, EXTERNAL]
    assert link_records([]) == []


async def test_link_records_of_groups_read_from_app_store_connect_show_the_approved_build(
    clock: FakeClock,
) -> None:
    """The records made from the groups Apple lists, read back by `install_links` as a step stores them."""
    asc = AscSimulator(clock=clock)
    url = await asc.start()
    key = ApiKey("default", "69a6de70-03db-47e3-e053-5b8c7c11a4d1", "INSTALL001", generate_private_key_pem())
    asc.register_api_key(key)
    app_id = asc.add_app("com.example.app")
    asc.add_beta_group(app_id, "Team", internal=True)
    asc.add_beta_group(app_id, "Public", internal=False, public_link_enabled=True)
    asc.add_beta_group(app_id, "Closed", internal=False)
    try:
        async with AppStoreConnect(key, url, clock=clock, sleep=clock.sleep) as client:
            groups = await client.list_beta_groups(app_id)
    finally:
        await asc.stop()
    records = link_records(groups)
    assert [(r["group"], r["internal"]) for r in records] == [("Public", False)]
    [public] = records
    assert str(public["url"]).startswith("https://")
    assert install_links(view(result={"links": records}, external="WAITING_FOR_BETA_REVIEW")) == []
    assert install_links(view(result={"links": records}, external="BETA_APPROVED")) == [
        ("Public", public["url"])
    ]
