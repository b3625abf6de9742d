"""Every request the client builds exists in Apple's OpenAPI spec, with valid parameters and bodies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bot.appstore.client import AppStoreConnect
from tests.appstore.fakes import answer, body_of, make_client
from tests.appstore.spec import Spec, load_spec

# Every (method, path template) of CALLS.md: the walk must reach each one.
CALLS = {
    ("GET", "/v1/apps"),
    ("GET", "/v1/apps/{id}"),
    ("GET", "/v1/builds"),
    ("GET", "/v1/builds/{id}"),
    ("PATCH", "/v1/builds/{id}"),
    ("GET", "/v1/apps/{id}/buildUploads"),
    ("GET", "/v1/buildUploads/{id}"),
    ("GET", "/v1/betaAppReviewSubmissions"),
    ("POST", "/v1/betaAppReviewSubmissions"),
    ("GET", "/v1/betaGroups"),
    ("POST", "/v1/builds/{id}/relationships/betaGroups"),
    ("GET", "/v1/betaBuildLocalizations"),
    ("POST", "/v1/betaBuildLocalizations"),
    ("PATCH", "/v1/betaBuildLocalizations/{id}"),
    ("GET", "/v1/apps/{id}/appStoreVersions"),
    ("GET", "/v1/appStoreVersions/{id}"),
    ("POST", "/v1/appStoreVersions"),
    ("PATCH", "/v1/appStoreVersions/{id}"),
    ("GET", "/v1/appStoreVersions/{id}/appStoreVersionLocalizations"),
    ("POST", "/v1/appStoreVersionLocalizations"),
    ("PATCH", "/v1/appStoreVersionLocalizations/{id}"),
    ("GET", "/v1/appStoreVersions/{id}/appStoreVersionPhasedRelease"),
    ("POST", "/v1/appStoreVersionPhasedReleases"),
    ("PATCH", "/v1/appStoreVersionPhasedReleases/{id}"),
    ("DELETE", "/v1/appStoreVersionPhasedReleases/{id}"),
    ("GET", "/v1/reviewSubmissions"),
    ("POST", "/v1/reviewSubmissions"),
    ("GET", "/v1/reviewSubmissions/{id}"),
    ("PATCH", "/v1/reviewSubmissions/{id}"),
    ("GET", "/v1/reviewSubmissions/{id}/items"),
    ("POST", "/v1/reviewSubmissionItems"),
    ("POST", "/v1/appStoreVersionReleaseRequests"),
    ("GET", "/v1/apps/{id}/webhooks"),
    ("POST", "/v1/webhooks"),
    ("PATCH", "/v1/webhooks/{id}"),
    ("GET", "/v1/apps/{id}/betaFeedbackScreenshotSubmissions"),
    ("GET", "/v1/apps/{id}/betaFeedbackCrashSubmissions"),
    ("GET", "/v1/betaFeedbackScreenshotSubmissions/{id}"),
    ("GET", "/v1/betaFeedbackCrashSubmissions/{id}"),
    ("GET", "/v1/betaFeedbackCrashSubmissions/{id}/crashLog"),
    ("GET", "/v1/apps/{id}/betaAppLocalizations"),
    ("GET", "/v1/apps/{id}/betaAppReviewDetail"),
}


def res(type_: str, id_: str, **attributes: Any) -> dict[str, Any]:
    return {"type": type_, "id": id_, "attributes": attributes}


# Canned answers for reads, keyed by path template; chosen so each operation takes its writing branch.
READS: dict[str, Any] = {
    "/v1/apps": [res("apps", "a1", bundleId="com.example.app", name="Example", primaryLocale="en-US")],
    "/v1/apps/{id}": res("apps", "a1", bundleId="com.example.app", name="Example"),
    "/v1/builds": [res("builds", "b1", version="412", processingState="VALID")],
    "/v1/builds/{id}": res("builds", "b1", version="412", processingState="VALID"),
    "/v1/apps/{id}/buildUploads": [res("buildUploads", "u1", cfBundleVersion="412")],
    "/v1/buildUploads/{id}": res("buildUploads", "u1", cfBundleVersion="412"),
    "/v1/builds/{id}/buildBetaDetail": res("buildBetaDetails", "d1", internalBuildState="IN_BETA_TESTING"),
    "/v1/betaAppReviewSubmissions": [],
    "/v1/betaAppReviewSubmissions/{id}": res("betaAppReviewSubmissions", "r1", betaReviewState="IN_REVIEW"),
    "/v1/betaGroups": [res("betaGroups", "g1", name="QA", isInternalGroup=False)],
    "/v1/betaBuildLocalizations": [res("betaBuildLocalizations", "l1", locale="en-US", whatsNew="old")],
    "/v1/apps/{id}/appStoreVersions": [
        res("appStoreVersions", "v1", versionString="1.4.0", appVersionState="PREPARE_FOR_SUBMISSION")
    ],
    "/v1/appStoreVersions/{id}": res("appStoreVersions", "v1", versionString="1.4.0"),
    "/v1/appStoreVersions/{id}/appStoreVersionLocalizations": [
        res("appStoreVersionLocalizations", "vl1", locale="en-US", whatsNew="old")
    ],
    "/v1/appStoreVersions/{id}/appStoreVersionPhasedRelease": None,
    "/v1/reviewSubmissions": [res("reviewSubmissions", "s1", state="READY_FOR_REVIEW")],
    "/v1/reviewSubmissions/{id}": res("reviewSubmissions", "s1", state="READY_FOR_REVIEW"),
    "/v1/reviewSubmissions/{id}/items": [],
    "/v1/apps/{id}/webhooks": [],
    "/v1/apps/{id}/betaFeedbackScreenshotSubmissions": [res("betaFeedbackScreenshotSubmissions", "f1")],
    "/v1/apps/{id}/betaFeedbackCrashSubmissions": [],
    "/v1/betaFeedbackScreenshotSubmissions/{id}": res("betaFeedbackScreenshotSubmissions", "f1"),
    "/v1/betaFeedbackCrashSubmissions/{id}": res("betaFeedbackCrashSubmissions", "f2"),
    "/v1/betaFeedbackCrashSubmissions/{id}/crashLog": res("betaCrashLogs", "l1", logText="boom"),
    "/v1/apps/{id}/betaAppLocalizations": [res("betaAppLocalizations", "bl1", locale="en-US")],
    "/v1/apps/{id}/betaAppReviewDetail": res("betaAppReviewDetails", "a1", contactEmail="r@example.com"),
}


def fake_apple(spec: Spec):
    """Answers shaped like Apple's: canned reads, writes echoed back with an id."""

    def handler(request: httpx.Request) -> httpx.Response:
        template = spec.template(request.url.path)
        if request.method == "GET":
            data = READS[template]
            return answer(200, {"data": data, "links": {"self": str(request.url)}})
        body = body_of(request)
        if request.method == "DELETE" or "/relationships/" in request.url.path:
            return answer(204)
        data = dict(body["data"])
        data.setdefault("id", "new1")
        attributes = {k: v for k, v in (data.get("attributes") or {}).items() if k != "secret"}
        data["attributes"] = attributes
        return answer(201 if request.method == "POST" else 200, {"data": data, "links": {"self": "x"}})

    return handler


async def walk(client: AppStoreConnect) -> None:
    """Call every public operation once (twice where an upsert has a create and an update branch)."""
    when = datetime(2026, 12, 1, 14, tzinfo=UTC)
    await client.find_app("com.example.app")
    await client.get_app("a1")
    await client.find_build("a1", "412", "1.4.0", "IOS")
    await client.list_recent_builds("a1", "MAC_OS", limit=500)
    await client.get_builds([f"b{i}" for i in range(3)])
    await client.get_build("b1")
    await client.expire_build("b1")
    await client.set_uses_non_exempt_encryption("b1", False)
    await client.builds_in_beta_review("a1", "IOS")
    await client.find_build_upload("a1", "1.4.0", "412", "TV_OS")
    await client.get_build_upload("u1")
    await client.find_beta_review_submission("b1")
    await client.submit_for_beta_review("b1")
    await client.list_beta_groups("a1")
    await client.beta_groups_of_build("a1", "b1")
    await client.add_build_to_beta_groups("b1", ["g1", "g2"])
    await client.list_beta_build_localizations("b1")
    await client.upsert_beta_build_localization("b1", "en-US", "new")  # update
    await client.upsert_beta_build_localization("b1", "de-DE", "neu")  # create
    await client.list_app_store_versions("a1", "IOS", version_string="1.4.0", states=["READY_FOR_REVIEW"])
    await client.list_app_store_versions("a1", "IOS", states=["READY_FOR_REVIEW"], localizations=True)
    await client.find_editable_app_store_version("a1", "IOS", "1.4.0")
    await client.get_app_store_version("v1")
    await client.create_app_store_version(
        "a1",
        "IOS",
        "1.5.0",
        build_id="b1",
        copyright="2026 Example",
        release_type="SCHEDULED",
        earliest_release_date=when,
    )
    await client.update_app_store_version(
        "v1", version_string="1.5.0", copyright="2026 Example", release_type="MANUAL", build_id="b1"
    )
    await client.update_app_store_version("v1", earliest_release_date=None)
    await client.update_app_store_version("v1", release_type="SCHEDULED", earliest_release_date=when)
    await client.list_version_localizations("v1")
    await client.upsert_version_whats_new("v1", "en-US", "new")
    await client.upsert_version_whats_new("v1", "fr-FR", "nouveau")
    await client.get_phased_release("v1")
    await client.enable_phased_release("v1")
    for state in ("ACTIVE", "PAUSED", "COMPLETE"):
        await client.set_phased_release_state("ph1", state)
    await client.disable_phased_release("ph1")
    await client.list_review_submissions(
        "a1", "IOS", ["WAITING_FOR_REVIEW", "IN_REVIEW", "UNRESOLVED_ISSUES"]
    )
    await client.get_review_submission("s1")
    await client.create_review_submission("a1", "VISION_OS")
    await client.list_review_submission_items("s1")
    await client.add_review_submission_item("s1", "v1")
    await client.submit_review_submission("s1")
    await client.cancel_review_submission("s1")
    await client.request_release("v1")
    await client.list_app_webhooks("a1")
    await client.create_webhook(
        "a1",
        name="asc-bot",
        url="https://bot.example.com/webhooks/app-store-connect",
        secret="s3cret-s3cret",
        event_types=["BUILD_UPLOAD_STATE_UPDATED", "APP_STORE_VERSION_APP_VERSION_STATE_UPDATED"],
    )
    await client.list_beta_app_localizations("a1")
    await client.get_beta_app_review_detail("a1")
    await client.test_information("a1")  # the app read with include= both (fields[apps] narrowed)
    await client.update_webhook("w1", url="https://bot.example.com/hook", enabled=False, event_types=[])
    await client.list_feedback("a1", "screenshot", ["b1", "b2"])
    await client.list_feedback("a1", "crash", ["b1"])
    await client.get_feedback("screenshot", "f1")
    await client.get_feedback("crash", "f2")
    await client.get_crash_log("f2")


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec()


async def test_every_request_conforms_to_apples_spec(spec: Spec) -> None:
    client, recorder, _, _ = make_client(fake_apple(spec))
    await walk(client)
    await client.aclose()
    problems = [p for request in recorder.requests for p in spec.check(request)]
    assert problems == []
    reached = {(r.method, spec.template(r.url.path)) for r in recorder.requests}
    assert CALLS - reached == set()
    assert reached - CALLS == set()


def test_checker_catches_what_it_should(spec: Spec) -> None:
    bad = [
        httpx.Request("GET", "https://x/v1/builds?filter[bogus]=1"),
        httpx.Request("GET", "https://x/v1/builds?filter[preReleaseVersion.platform]=ANDROID"),
        httpx.Request("GET", "https://x/v1/builds?limit=500"),
        httpx.Request("GET", "https://x/v1/betaAppReviewSubmissions"),
        httpx.Request("GET", "https://x/v1/nothing"),
        httpx.Request("PUT", "https://x/v1/builds/1"),
        httpx.Request(
            "PATCH",
            "https://x/v1/appStoreVersions/1",
            json={"data": {"type": "appStoreVersions", "id": "1", "attributes": {"releaseType": "SOON"}}},
        ),
    ]
    for request in bad:
        assert spec.check(request), request
