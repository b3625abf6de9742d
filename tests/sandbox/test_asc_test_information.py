"""The simulator's TestFlight test information and public links, and beta review refused without them."""

from __future__ import annotations

import httpx
import pytest

from bot.sandbox.asc import AscSimulator
from bot.sandbox.clock import FakeClock
from tests.sandbox.test_asc_simulator import BUNDLE, body, processed_build


def submission(build_id: str) -> dict:
    return {
        "data": {
            "type": "betaAppReviewSubmissions",
            "relationships": {"build": {"data": {"type": "builds", "id": build_id}}},
        }
    }


@pytest.mark.asc_rejections
async def test_beta_review_is_refused_until_test_information_is_filled_in(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    app_id = asc_sim.add_app(BUNDLE, test_info=False)
    build_id = await processed_build(asc_sim, asc_clock)
    locs = body(await asc.get(f"/v1/apps/{app_id}/betaAppLocalizations"))["data"]
    filled = [(loc["type"], {k: v for k, v in loc["attributes"].items() if v is not None}) for loc in locs]
    assert filled == [("betaAppLocalizations", {"locale": "en-US"})]
    detail = body(await asc.get(f"/v1/apps/{app_id}/betaAppReviewDetail"))["data"]
    given = {k: v for k, v in detail["attributes"].items() if v is not None}
    assert (detail["type"], detail["id"], given) == (
        "betaAppReviewDetails",
        app_id,
        {"demoAccountRequired": False},
    )
    refused = await asc.post("/v1/betaAppReviewSubmissions", json=submission(build_id))
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert [e["title"] for e in errors] == [
        "Beta App Description is missing.",
        "Feedback Email is missing.",
        "Beta App Review contact first name is missing.",
        "Beta App Review contact last name is missing.",
        "Beta App Review contact phone is missing.",
        "Beta App Review contact email is missing.",
    ]
    assert errors[0]["detail"] == "Beta App Description is required to submit a build for external testing."
    assert len({e["id"] for e in errors}) == len(errors)
    assert asc_sim.build(build_id).beta_review_id is None  # a refused request changes nothing

    [loc] = asc_sim.beta_app_localizations_of(app_id)
    loc.description, loc.feedback_email = "Try it", "beta@example.com"
    review = asc_sim.beta_review_detail_of(app_id)
    review.contact_first_name, review.contact_last_name = "Ada", "Lovelace"
    review.contact_phone, review.contact_email = "+44 20 7946 0000", "ada@example.com"
    review.demo_account_required = True
    refused = await asc.post("/v1/betaAppReviewSubmissions", json=submission(build_id))
    assert [e["title"] for e in refused.json()["errors"]] == ["Beta App Review demo account is missing."]
    review.demo_account_name, review.demo_account_password = "demo", "s3cret"
    created = await asc.post("/v1/betaAppReviewSubmissions", json=submission(build_id))
    assert created.status_code == 201


async def test_public_link_only_while_enabled(asc_sim: AscSimulator, asc: httpx.AsyncClient) -> None:
    app_id = asc_sim.add_app(BUNDLE)
    asc_sim.add_beta_group(app_id, "Friends", internal=False, public_link_enabled=True)
    asc_sim.add_beta_group(app_id, "QA", internal=True)
    groups = body(await asc.get("/v1/betaGroups", params={"filter[app]": app_id}))["data"]
    links = {g["attributes"]["name"]: g["attributes"].get("publicLink") for g in groups}
    assert links["QA"] is None
    assert links["Friends"].startswith("https://testflight.apple.com/join/")
    assert groups[0]["attributes"]["publicLinkId"] == links["Friends"].rsplit("/", 1)[1]
    found = await asc.get(
        "/v1/betaGroups", params={"filter[app]": app_id, "filter[publicLink]": links["Friends"]}
    )
    assert [g["attributes"]["name"] for g in body(found)["data"]] == ["Friends"]


async def test_a_new_version_starts_from_the_previous_store_text(
    asc_sim: AscSimulator, asc: httpx.AsyncClient
) -> None:
    app_id = asc_sim.add_app(BUNDLE, other_locales=("de-DE",))
    new = {
        "data": {
            "type": "appStoreVersions",
            "attributes": {"platform": "IOS", "versionString": "1.1"},
            "relationships": {"app": {"data": {"type": "apps", "id": app_id}}},
        }
    }
    created = body(await asc.post("/v1/appStoreVersions", json=new))["data"]
    [live] = [v for v in asc_sim.versions_of(app_id) if v.version_string == "1.0"]
    assert live.copyright and created["attributes"]["copyright"] == live.copyright
    locs = body(await asc.get(f"/v1/appStoreVersions/{created['id']}/appStoreVersionLocalizations"))["data"]
    assert sorted(loc["attributes"]["locale"] for loc in locs) == ["de-DE", "en-US"]
    assert all(loc["attributes"][k] for loc in locs for k in ("description", "keywords", "supportUrl"))
    assert not any(loc["attributes"].get("whatsNew") for loc in locs)  # What's New is per version
