"""Submit for App Store review when Apple refuses: what the thread hears and which submission is sent.

Apple's answers are the recorded bodies in tests/data/recorded (see its README)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from bot.appstore.errors import AscConflict
from bot.engine import messages
from bot.engine.steps.appstore import submit_to_app_store
from bot.engine.steps.base import ActionContext
from storage.records import Action, Publication
from tests.appstore.fakes import make_client, routes
from tests.appstore.recorded import EMPTY, body, recorded

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
TUNES = "fastlane/tunes/"


def _version() -> dict:
    """The App Store version Apple recorded (included in review_submission_items.json)."""
    return next(
        r for r in body(TUNES + "review_submission_items.json")["included"] if r["type"] == "appStoreVersions"
    )


# The store text the pre-flight checklist looks for is there, so it is Apple's refusal the thread hears.
_FILLED = {"description": "An app", "keywords": "app", "supportUrl": "https://example.com", "whatsNew": "Fixes"}


def _table(item_answer: httpx.Response) -> dict:
    version = _version()
    vid = version["id"]
    build = {"type": "builds", "id": "b7", "attributes": {"version": "7", "usesNonExemptEncryption": False}}
    return {
        ("GET", "/v1/builds/b7"): httpx.Response(200, json={"data": build, "links": {"self": "x"}}),
        ("GET", "/v1/apps/a1/appStoreVersions"): httpx.Response(
            200, json={"data": [version], "links": {"self": "x"}}
        ),
        ("PATCH", f"/v1/appStoreVersions/{vid}"): httpx.Response(
            200, json={"data": version, "links": {"self": "x"}}
        ),
        ("GET", f"/v1/appStoreVersions/{vid}"): httpx.Response(
            200, json={"data": version, "links": {"self": "x"}}
        ),
        ("POST", "/v1/reviewSubmissions"): recorded(TUNES + "review_submission_created.json", 201),
        ("GET", "/v1/reviewSubmissions/123456789/items"): EMPTY,
        ("POST", "/v1/reviewSubmissionItems"): item_answer,
        ("GET", f"/v1/appStoreVersions/{vid}/appStoreVersionLocalizations"): httpx.Response(
            200,
            json={
                "data": [
                    {
                        "type": "appStoreVersionLocalizations",
                        "id": "loc-en",
                        "attributes": {"locale": "en-US", **_FILLED},
                    },
                    {
                        "type": "appStoreVersionLocalizations",
                        "id": "loc-de",
                        "attributes": {"locale": "de-DE", **_FILLED},
                    },
                ],
                "links": {"self": "x"},
            },
        ),
    }


def _ctx(client: object) -> ActionContext:
    pub = Publication(
        id="p1",
        app_bundle_id="com.example",
        platform="IOS",
        version="1.0.1",
        build_number="7",
        state="ready",
        created_at=NOW,
        app_id="a1",
        build_id="b7",
    )
    action = Action(
        id=1, publication_id="p1", kind="submit_to_app_store", status="running", requested_by="U1", requested_at=NOW
    )
    return ActionContext(client, pub, action, NOW)  # type: ignore[arg-type]


async def test_missing_fields_are_named_per_locale_in_the_thread() -> None:
    answer = recorded("reconstructed/409_version_localization_missing_fields.json", 409)
    client, _, _, _ = make_client(routes(_table(answer)))
    with pytest.raises(AscConflict) as caught:
        await submit_to_app_store(_ctx(client))
    # The runner posts exactly this for a step that raised AscError.
    text = messages.action_failed("Submit for App Store review", caught.value.user_message)
    assert "App Store version 1.0.1: description, keywords and support URL are missing in en-US" in text


async def test_version_in_another_submission_sends_that_submission() -> None:
    answer = recorded("reconstructed/409_already_added_to_another_submission.json", 409)
    table = _table(answer)
    blocking = body(TUNES + "review_submission_created.json")
    blocking["data"]["id"] = "s-blocking"
    submitted = body(TUNES + "review_submission_submitted.json")
    submitted["data"]["id"] = "s-blocking"
    table[("GET", "/v1/reviewSubmissions/s-blocking")] = httpx.Response(200, json=blocking)
    table[("PATCH", "/v1/reviewSubmissions/s-blocking")] = httpx.Response(200, json=submitted)
    client, rec, _, _ = make_client(routes(table))
    outcome = await submit_to_app_store(_ctx(client))
    assert outcome.status == "succeeded", outcome.message
    assert outcome.result["submission_id"] == "s-blocking"
    assert ("PATCH", "/v1/reviewSubmissions/s-blocking") in rec.calls()
    assert ("PATCH", "/v1/reviewSubmissions/123456789") not in rec.calls()
