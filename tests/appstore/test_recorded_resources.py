"""Real recorded App Store Connect bodies (fastlane's spaceship fixtures, MIT) through the client."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.appstore.documents import Included
from bot.appstore.models import AppStoreVersion, BuildBetaDetail
from tests.appstore.fakes import body_of, make_client, routes
from tests.appstore.recorded import EMPTY, body, recorded

TF = "fastlane/testflight/"
TUNES = "fastlane/tunes/"


async def test_apps_exact_bundle_id_among_look_alikes() -> None:
    client, _, _, _ = make_client(routes({("GET", "/v1/apps"): recorded(TF + "apps.json")}))
    app = await client.find_app("com.joshholtz.FastlaneTest")
    assert app is not None and (app.id, app.name) == ("123456789", "FastlaneTest")
    assert await client.find_app("com.joshholtz.FastlaneTest4") is None


async def test_app_by_id() -> None:
    client, _, _, _ = make_client(routes({("GET", "/v1/apps/123456789"): recorded(TF + "app.json")}))
    app = await client.get_app("123456789")
    assert (app.bundle_id, app.primary_locale) == ("com.joshholtz.FastlaneTest", "en-US")


async def test_build_without_included_resources() -> None:
    client, _, _, _ = make_client(routes({("GET", "/v1/builds/123456789"): recorded(TF + "build.json")}))
    build = await client.get_build("123456789")
    assert (build.id, build.build_number, build.processing_state) == ("123456789", "225", "VALID")
    assert build.expired is False and build.uses_non_exempt_encryption is False
    assert build.uploaded_date == datetime(2019, 5, 1, 0, 16, 21, tzinfo=UTC)
    # Relationships carry links only: nothing is made up.
    assert build.pre_release_version is None and build.beta_detail is None and build.app_id is None


async def test_builds_listing_keeps_the_app_asked_for() -> None:
    client, _, _, _ = make_client(routes({("GET", "/v1/builds"): recorded(TF + "builds.json")}))
    builds = await client.list_recent_builds("app-1", "IOS")
    assert [(b.id, b.version, b.app_id) for b in builds] == [
        ("123456789", "225", "app-1"),
        ("987654321", "221", "app-1"),
    ]


def test_build_beta_detail_states() -> None:
    # A build's beta detail comes with the build (include=buildBetaDetail); Apple's own resource parses.
    detail = BuildBetaDetail.parse(body(TF + "build_beta_detail.json")["data"])
    assert (detail.internal_build_state, detail.external_build_state) == (
        "IN_BETA_TESTING",
        "READY_FOR_BETA_SUBMISSION",
    )
    assert detail.auto_notify_enabled is False


def test_pre_release_versions_parse() -> None:
    from bot.appstore.documents import resources
    from bot.appstore.models import PreReleaseVersion

    found = [PreReleaseVersion.parse(r) for r in resources(body(TF + "pre_release_versions.json"))]
    assert [(p.id, p.version, p.platform) for p in found] == [
        ("123456789", "3.3.3", "IOS"),
        ("987654321", "3.0.0", "IOS"),
    ]


async def test_beta_review_submission_found_and_created() -> None:
    client, _, _, _ = make_client(
        routes({("GET", "/v1/betaAppReviewSubmissions"): recorded(TF + "beta_app_review_submissions.json")})
    )
    found = await client.find_beta_review_submission("b1")
    assert found is not None and (found.id, found.beta_review_state, found.build_id) == (
        "123456789",
        "APPROVED",
        "b1",
    )

    client, rec, _, _ = make_client(
        routes(
            {
                ("GET", "/v1/betaAppReviewSubmissions"): EMPTY,
                ("POST", "/v1/betaAppReviewSubmissions"): recorded(
                    TF + "beta_app_review_submission.json", 201
                ),
            }
        )
    )
    created = await client.submit_for_beta_review("b1")
    assert (created.id, created.build_id) == ("123456789", "b1")
    assert body_of(rec.requests[-1])["data"]["relationships"]["build"]["data"] == {
        "type": "builds",
        "id": "b1",
    }


async def test_beta_groups() -> None:
    # fastlane recorded through appstoreconnect.apple.com/iris; the client follows `links.next` as given
    # (on the configured host), and the last page here is an empty one of ours.
    client, rec, _, _ = make_client(
        routes(
            {
                ("GET", "/v1/betaGroups"): recorded(TF + "beta_groups.json"),
                ("GET", "/iris/v1/betaGroups"): EMPTY,
            }
        )
    )
    groups = await client.list_beta_groups("app-1")
    assert rec.requests[1].url.params["cursor"] == "Aw.LiYF2g"
    assert [(g.id, g.name, g.is_internal) for g in groups] == [
        ("123456789", "App Store Connect Users", False),
        ("987654321", "Testing Group", False),
        ("111222333", "Spacey Group", False),
    ]


async def test_beta_build_localizations_unchanged_text_writes_nothing() -> None:
    client, rec, _, _ = make_client(
        routes(
            {
                ("GET", "/v1/betaBuildLocalizations"): recorded(TF + "beta_build_localizations.json"),
                ("GET", "/iris/v1/betaBuildLocalizations"): EMPTY,
            }
        )
    )
    locs = await client.list_beta_build_localizations("b1")
    assert [(loc.id, loc.locale) for loc in locs][:2] == [("123456789", "en-US"), ("987654321", "en-GB")]
    same = await client.upsert_beta_build_localization("b1", "en-GB", "so many en-gb things")
    assert same.id == "987654321"
    assert all(r.method == "GET" for r in rec.requests)


async def test_build_upload_state() -> None:
    client, _, _, _ = make_client(
        routes({("GET", "/v1/apps/1234/buildUploads"): recorded(TF + "build_uploads.json")})
    )
    upload = await client.find_build_upload("1234", "1.2.3", "45", "IOS")
    assert upload is not None
    assert (upload.id, upload.version, upload.build_number, upload.state, upload.errors) == (
        "123456789",
        "1.2.3",
        "45",
        "COMPLETE",
        (),
    )


def test_app_store_versions_recorded_as_included_resources() -> None:
    doc = body(TUNES + "review_submission_items.json")
    included = Included(doc)
    ref = doc["data"][0]["relationships"]["appStoreVersion"]["data"]
    version = AppStoreVersion.parse(included.get(ref) or {})
    assert (version.id, version.version_string, version.platform) == (
        "123456789-app-store-version",
        "1.0.1",
        "IOS",
    )
    assert (version.app_version_state, version.release_type, version.copyright) == (
        "READY_FOR_REVIEW",
        "MANUAL",
        "ACME Apps 2021",
    )
    assert (
        version.earliest_release_date is None and version.build_id is None and version.phased_release is None
    )
    # apps.json includes versions whose copyright is null.
    apps = body(TF + "apps.json")
    versions = [AppStoreVersion.parse(r) for r in apps["included"] if r["type"] == "appStoreVersions"]
    assert {(v.version_string, v.app_version_state, v.copyright) for v in versions} == {
        ("1.0", "PREPARE_FOR_SUBMISSION", None)
    }


async def test_phased_release_and_its_absence() -> None:
    client, _, _, _ = make_client(
        routes(
            {
                ("GET", "/v1/appStoreVersions/v-21/appStoreVersionPhasedRelease"): recorded(
                    "reconstructed/app_store_version_phased_release.json"
                ),
                ("GET", "/v1/appStoreVersions/v-20/appStoreVersionPhasedRelease"): recorded(
                    "reconstructed/app_store_version_phased_release_none.json"
                ),
            }
        )
    )
    phased = await client.get_phased_release("v-21")
    assert phased is not None and (phased.id, phased.state, phased.current_day_number) == (
        "pr-1",
        "ACTIVE",
        3,
    )
    assert await client.get_phased_release("v-20") is None


async def test_review_submissions_listing_and_reading() -> None:
    client, _, _, _ = make_client(
        routes(
            {
                ("GET", "/v1/reviewSubmissions"): recorded(TUNES + "review_submissions.json"),
                ("GET", "/v1/reviewSubmissions/123456789"): recorded(TUNES + "review_submission.json"),
            }
        )
    )
    listed = await client.list_review_submissions("app-1", "IOS", ("READY_FOR_REVIEW", "COMPLETE"))
    assert [(s.id, s.state, s.platform, s.item_ids) for s in listed] == [
        ("123456789", "READY_FOR_REVIEW", "IOS", ("123456789-item",)),
        ("987654321", "COMPLETE", "IOS", ("987654321-item",)),
    ]
    one = await client.get_review_submission("123456789")
    assert (one.state, one.submitted_date, one.item_ids) == ("READY_FOR_REVIEW", None, ("123456789-item",))


async def test_review_submission_created_submitted_and_cancelled() -> None:
    client, _, _, _ = make_client(
        routes(
            {
                ("POST", "/v1/reviewSubmissions"): recorded(TUNES + "review_submission_created.json", 201),
                ("PATCH", "/v1/reviewSubmissions/123456789"): [
                    recorded(TUNES + "review_submission_submitted.json"),
                    recorded(TUNES + "review_submission_cancelled.json"),
                ],
            }
        )
    )
    created = await client.create_review_submission("app-1", "IOS")
    assert (created.id, created.state, created.item_ids) == ("123456789", "READY_FOR_REVIEW", ())
    submitted = await client.submit_review_submission("123456789")
    assert submitted.state == "WAITING_FOR_REVIEW"
    assert submitted.submitted_date == datetime(2021, 3, 1, 10, 0, 0, 123000, tzinfo=UTC)
    assert (await client.cancel_review_submission("123456789")).state == "CANCELING"


async def test_review_submission_items_listed_and_created() -> None:
    client, _, _, _ = make_client(
        routes({("GET", "/v1/reviewSubmissions/s1/items"): recorded(TUNES + "review_submission_items.json")})
    )
    [item] = await client.list_review_submission_items("s1")
    assert (item.id, item.state, item.app_store_version_id) == (
        "123456789-item",
        "READY_FOR_REVIEW",
        "123456789-app-store-version",
    )

    client, _, _, _ = make_client(
        routes(
            {
                ("GET", "/v1/reviewSubmissions/s1/items"): EMPTY,
                ("POST", "/v1/reviewSubmissionItems"): recorded(
                    TUNES + "review_submission_item_created.json", 201
                ),
            }
        )
    )
    created = await client.add_review_submission_item("s1", "v-21")
    # Apple's answer has no relationships at all; the item is the version we put in.
    assert (created.id, created.state, created.app_store_version_id) == (
        "123456789-item",
        "READY_FOR_REVIEW",
        "v-21",
    )


async def test_webhooks_listed_and_created() -> None:
    client, _, _, _ = make_client(
        routes(
            {
                ("GET", "/v1/apps/app-1/webhooks"): recorded(TUNES + "webhooks.json"),
                ("POST", "/v1/webhooks"): recorded(TUNES + "webhook.json", 201),
            }
        )
    )
    hooks = await client.list_app_webhooks("app-1")
    assert [(h.id, h.name, h.enabled, h.event_types) for h in hooks] == [
        ("webhook-123", "Production Webhook", True, ("APP_STORE_VERSION_APP_VERSION_STATE_UPDATED",)),
        ("webhook-456", "Staging Webhook", True, ("APP_STORE_VERSION_APP_VERSION_STATE_UPDATED",)),
    ]
    made = await client.create_webhook(
        "app-1",
        name="New Webhook",
        url="https://new.example.com/webhook",
        secret="s",
        event_types=["BUILD_UPLOAD_STATE_UPDATED"],
    )
    assert (made.id, made.url, made.event_types) == (
        "webhook-789",
        "https://new.example.com/webhook",
        ("BUILD_UPLOAD_STATE_UPDATED",),
    )
