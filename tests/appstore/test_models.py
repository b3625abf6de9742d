"""Model parsing: known fields read, unknown attributes and new enum values tolerated."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.appstore.documents import Included, parse_datetime, resources
from bot.appstore.models import (
    AppStoreVersion,
    Build,
    BuildUpload,
    ReviewSubmission,
    ReviewSubmissionItem,
    Webhook,
)

BUILDS_DOC = {
    "data": [
        {
            "type": "builds",
            "id": "b1",
            "attributes": {
                "version": "412",
                "processingState": "SOMETHING_APPLE_ADDED_LATER",
                "expired": False,
                "uploadedDate": "2026-01-05T08:59:00-08:00",
                "usesNonExemptEncryption": None,
                "brandNewAttribute": {"nested": [1, 2]},
            },
            "relationships": {
                "app": {"data": {"type": "apps", "id": "a1"}},
                "preReleaseVersion": {"data": {"type": "preReleaseVersions", "id": "p1"}},
                "buildBetaDetail": {"data": {"type": "buildBetaDetails", "id": "d1"}},
                "icons": {"links": {"related": "https://x"}},
            },
        },
        {"type": "builds", "id": "b2", "attributes": {"version": "411"}},
    ],
    "included": [
        {"type": "preReleaseVersions", "id": "p1", "attributes": {"version": "1.4.0", "platform": "IOS"}},
        {
            "type": "buildBetaDetails",
            "id": "d1",
            "attributes": {"internalBuildState": "IN_BETA_TESTING", "externalBuildState": "NEW_STATE"},
        },
        {"type": "someNewType", "id": "z"},
    ],
}


def test_build_with_included_pre_release_version_and_beta_detail() -> None:
    included = Included(BUILDS_DOC)
    first, second = (Build.parse(r, included) for r in resources(BUILDS_DOC))
    assert first.version == first.build_number == "412"
    assert first.processing_state == "SOMETHING_APPLE_ADDED_LATER"
    assert first.uploaded_date == datetime(2026, 1, 5, 16, 59, tzinfo=UTC)
    assert first.uses_non_exempt_encryption is None
    assert first.app_id == "a1"
    assert first.marketing_version == "1.4.0" and first.platform == "IOS"
    assert first.beta_detail is not None and first.beta_detail.external_build_state == "NEW_STATE"
    assert second.pre_release_version is None and second.marketing_version is None and second.app_id is None


def test_dates_from_apple_forms() -> None:
    assert parse_datetime("2026-01-05T09:00:00Z") == datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert parse_datetime("2026-01-05T09:00:00.000+0000") == datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert parse_datetime("2026-01-05T09:00:00") is None  # no zone: refuse to guess
    assert parse_datetime("yesterday") is None
    assert parse_datetime(None) is None


def test_build_upload_state_and_errors() -> None:
    upload = BuildUpload.parse(
        {
            "type": "buildUploads",
            "id": "u1",
            "attributes": {
                "cfBundleShortVersionString": "1.4.0",
                "cfBundleVersion": "412",
                "platform": "IOS",
                "state": {
                    "state": "FAILED",
                    "errors": [{"code": "90062", "description": "Bad plist"}],
                    "x": 1,
                },
            },
            "relationships": {"build": {"data": {"type": "builds", "id": "b1"}}},
        }
    )
    assert (upload.version, upload.build_number, upload.state) == ("1.4.0", "412", "FAILED")
    assert upload.errors == (("90062", "Bad plist"),)
    assert upload.build_id == "b1"


def test_version_with_phased_release_and_deprecated_state_fallback() -> None:
    doc = {
        "data": {
            "type": "appStoreVersions",
            "id": "v1",
            "attributes": {"versionString": "1.4.0", "appStoreState": "PREPARE_FOR_SUBMISSION", "x": 1},
            "relationships": {
                "build": {"data": {"type": "builds", "id": "b1"}},
                "appStoreVersionPhasedRelease": {
                    "data": {"type": "appStoreVersionPhasedReleases", "id": "ph"}
                },
            },
        },
        "included": [
            {
                "type": "appStoreVersionPhasedReleases",
                "id": "ph",
                "attributes": {"phasedReleaseState": "ACTIVE", "currentDayNumber": 3},
            }
        ],
    }
    version = AppStoreVersion.parse(doc["data"], Included(doc))
    assert version.app_version_state == "PREPARE_FOR_SUBMISSION"
    assert version.build_id == "b1"
    assert version.phased_release is not None and version.phased_release.current_day_number == 3
    assert version.earliest_release_date is None


def test_review_submission_items_and_webhook() -> None:
    sub = ReviewSubmission.parse(
        {
            "type": "reviewSubmissions",
            "id": "s1",
            "attributes": {"state": "READY_FOR_REVIEW", "platform": "IOS"},
            "relationships": {"items": {"data": [{"type": "reviewSubmissionItems", "id": "i1"}]}},
        }
    )
    assert sub.item_ids == ("i1",)
    item = ReviewSubmissionItem.parse(
        {
            "type": "reviewSubmissionItems",
            "id": "i1",
            "attributes": {"state": "READY_FOR_REVIEW"},
            "relationships": {"appStoreVersion": {"data": {"type": "appStoreVersions", "id": "v1"}}},
        }
    )
    assert item.app_store_version_id == "v1"
    hook = Webhook.parse(
        {
            "type": "webhooks",
            "id": "w1",
            "attributes": {"name": "bot", "url": "https://x", "enabled": True, "eventTypes": ["A", 3]},
        }
    )
    assert hook.event_types == ("A",) and hook.enabled


def test_resources_accepts_object_list_or_null() -> None:
    assert list(resources({"data": None})) == []
    assert list(resources({"data": {"id": "1"}})) == [{"id": "1"}]
    assert list(resources(None)) == []
