"""How each record is shown: attributes and relationships per resource type, following the spec's schemas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.sandbox.asc.jsonapi import Kind, Rel, iso
from bot.sandbox.asc.lifecycle import beta_states
from bot.sandbox.asc.records import (
    App,
    BetaAppLocalization,
    BetaGroup,
    BetaLocalization,
    BetaReview,
    BetaReviewDetail,
    Build,
    BuildUpload,
    CrashFeedback,
    CrashLog,
    Feedback,
    PhasedRelease,
    PreReleaseVersion,
    ReleaseRequest,
    ReviewItem,
    ReviewSubmission,
    ScreenshotFeedback,
    Version,
    VersionLocalization,
    Webhook,
)
from bot.sandbox.asc.release_flow import app_store_state, items_of
from bot.sandbox.asc.store import Store

BUILD_LIFETIME = timedelta(days=90)
SCREENSHOT_URL_LIFETIME = timedelta(hours=1)  # Apple signs screenshot URLs for a short while
SCREENSHOT_HOST = "https://tf-feedback.itunes.apple.com/eimg"  # simulated; nothing is served there


@dataclass(frozen=True)
class BetaDetail:
    """A build's buildBetaDetail: same id as the build, states derived from it."""

    build: Build

    @property
    def id(self) -> str:
        return self.build.id


def _app(s: Store, r: App, now: datetime) -> dict[str, Any]:
    return {
        "name": r.name,
        "bundleId": r.bundle_id,
        "sku": r.sku,
        "primaryLocale": r.primary_locale,
        "isOrEverWasMadeForKids": False,
    }


def _build(s: Store, r: Build, now: datetime) -> dict[str, Any]:
    return {
        "version": r.version,
        "uploadedDate": iso(r.uploaded_at),
        "expirationDate": iso(r.uploaded_at + BUILD_LIFETIME),
        "expired": r.expired,
        "minOsVersion": "17.0",
        "processingState": r.processing_state,
        "buildAudienceType": r.audience,
        "usesNonExemptEncryption": r.uses_encryption,
    }


def _beta_detail(s: Store, r: BetaDetail, now: datetime) -> dict[str, Any]:
    internal, external = beta_states(s, r.build)
    return {
        "autoNotifyEnabled": r.build.auto_notify,
        "internalBuildState": internal,
        "externalBuildState": external,
    }


def _upload(s: Store, r: BuildUpload, now: datetime) -> dict[str, Any]:
    return {
        "cfBundleShortVersionString": r.short_version,
        "cfBundleVersion": r.version,
        "createdDate": iso(r.created_at),
        "uploadedDate": iso(r.created_at),
        "platform": r.platform,
        "state": {"state": r.state, "errors": list(r.errors), "warnings": [], "infos": []},
    }


def _group(s: Store, r: BetaGroup, now: datetime) -> dict[str, Any]:
    return {
        "name": r.name,
        "createdDate": iso(r.created_at),
        "isInternalGroup": r.internal,
        "hasAccessToAllBuilds": r.has_access_to_all_builds,
        "publicLinkEnabled": r.public_link_enabled,
        "publicLinkId": r.public_link_id if r.public_link_enabled else None,
        "publicLink": public_link(r),
        "publicLinkLimitEnabled": False,
        "feedbackEnabled": True,
    }


def public_link(group: BetaGroup) -> str | None:
    """The group's TestFlight public link, while it is enabled."""
    if not (group.public_link_enabled and group.public_link_id):
        return None
    return f"https://testflight.apple.com/join/{group.public_link_id}"


def _beta_app_localization(s: Store, r: BetaAppLocalization, now: datetime) -> dict[str, Any]:
    return {
        "locale": r.locale,
        "description": r.description,
        "feedbackEmail": r.feedback_email,
        "marketingUrl": r.marketing_url,
        "privacyPolicyUrl": r.privacy_policy_url,
    }


def _beta_review_detail(s: Store, r: BetaReviewDetail, now: datetime) -> dict[str, Any]:
    return {
        "contactFirstName": r.contact_first_name,
        "contactLastName": r.contact_last_name,
        "contactPhone": r.contact_phone,
        "contactEmail": r.contact_email,
        "demoAccountRequired": r.demo_account_required,
        "demoAccountName": r.demo_account_name,
        "demoAccountPassword": r.demo_account_password,
        "notes": r.notes,
    }


def _version(s: Store, r: Version, now: datetime) -> dict[str, Any]:
    return {
        "platform": r.platform,
        "versionString": r.version_string,
        "appStoreState": app_store_state(r),
        "appVersionState": r.state,
        "copyright": r.copyright,
        "reviewType": r.review_type,
        "releaseType": r.release_type,
        "earliestReleaseDate": iso(r.earliest_release_date),
        "downloadable": r.downloadable,
        "createdDate": iso(r.created_at),
    }


def _phased(s: Store, r: PhasedRelease, now: datetime) -> dict[str, Any]:
    day = None
    paused = r.paused_seconds
    if r.start_date is not None:
        until = r.paused_at or now
        elapsed = (until - r.start_date).total_seconds() - paused
        day = min(7, int(elapsed // 86400) + 1)
    return {
        "phasedReleaseState": r.state,
        "startDate": iso(r.start_date),
        "totalPauseDuration": int(paused // 86400),
        "currentDayNumber": day,
    }


def _submission(s: Store, r: ReviewSubmission, now: datetime) -> dict[str, Any]:
    return {"platform": r.platform, "submittedDate": iso(r.submitted_at), "state": r.state}


def _webhook(s: Store, r: Webhook, now: datetime) -> dict[str, Any]:
    # The secret is write-only: Apple never shows it again.
    return {"enabled": r.enabled, "eventTypes": list(r.event_types), "name": r.name, "url": r.url}


def _feedback(s: Store, r: Feedback, now: datetime) -> dict[str, Any]:
    build = s.builds.get(r.build_id)
    return {
        "createdDate": iso(r.created_at),
        "comment": r.comment,
        "email": r.email,
        "deviceModel": r.device_model,
        "osVersion": r.os_version,
        "locale": r.locale,
        "timeZone": r.time_zone,
        "connectionType": r.connection_type,
        "batteryPercentage": r.battery_percentage,
        "appPlatform": r.platform,
        "devicePlatform": r.platform,
        "deviceFamily": r.device_family,
        "buildBundleId": s.apps[build.app_id].bundle_id if build else None,
    }


def _screenshot_feedback(s: Store, r: ScreenshotFeedback, now: datetime) -> dict[str, Any]:
    expires = now + SCREENSHOT_URL_LIFETIME
    shots = [
        {
            "url": f"{SCREENSHOT_HOST}/{r.id}/{n}.jpg?exp={int(expires.timestamp())}",
            "width": width,
            "height": height,
            "expirationDate": iso(expires),
        }
        for n, (width, height) in enumerate(r.screenshots, 1)
    ]
    return {**_feedback(s, r, now), "screenshots": shots}


_FEEDBACK_RELS = (
    Rel("build", links=False, get=lambda s, r: s.builds.get(r.build_id)),
    Rel("tester", links=False, get=lambda s, r: None),
)


def _version_of_build(s: Store, build: Build) -> Version | None:
    return next((v for v in s.versions_by_app.get(build.app_id, ()) if v.build_id == build.id), None)


def _version_for_review(s: Store, sub: ReviewSubmission) -> Version | None:
    items = items_of(s, sub)
    return s.versions[items[0].version_id] if items else None


KINDS: dict[type, Kind] = {
    App: Kind(
        "apps",
        _app,
        (
            Rel("betaGroups", many=True, get=lambda s, r: s.groups_by_app.get(r.id, [])),
            Rel("appStoreVersions", many=True, get=lambda s, r: s.versions_by_app.get(r.id, [])),
            Rel(
                "preReleaseVersions",
                many=True,
                get=lambda s, r: [p for p in s.pre_releases.values() if p.app_id == r.id],
            ),
            Rel("builds", many=True, get=lambda s, r: s.listed_builds(r.id)),
            Rel("reviewSubmissions", many=True, get=lambda s, r: s.submissions_by_app.get(r.id, [])),
            Rel("buildUploads"),
            Rel("webhooks"),
            Rel(
                "betaAppLocalizations",
                many=True,
                get=lambda s, r: s.beta_app_localizations_by_app.get(r.id, []),
            ),
            # Every app has one (id = the app's), as `GET /v1/apps/{id}/betaAppReviewDetail` answers.
            Rel("betaAppReviewDetail", get=lambda s, r: s.beta_review_details.setdefault(r.id, BetaReviewDetail(r.id))),
        ),
    ),
    BetaAppLocalization: Kind(
        "betaAppLocalizations",
        _beta_app_localization,
        (Rel("app", get=lambda s, r: s.apps[r.app_id]),),
    ),
    BetaReviewDetail: Kind(
        "betaAppReviewDetails", _beta_review_detail, (Rel("app", get=lambda s, r: s.apps[r.id]),)
    ),
    Build: Kind(
        "builds",
        _build,
        (
            Rel("preReleaseVersion", get=lambda s, r: s.pre_releases[r.pre_release_id]),
            Rel("individualTesters", many=True, get=lambda s, r: []),
            Rel("betaGroups", many=True, get=lambda s, r: [s.groups[g] for g in sorted(r.group_ids)]),
            Rel(
                "betaBuildLocalizations",
                many=True,
                get=lambda s, r: s.beta_localizations_by_build.get(r.id, []),
            ),
            Rel("appEncryptionDeclaration", get=lambda s, r: None),
            Rel("betaAppReviewSubmission", get=lambda s, r: s.beta_reviews.get(r.beta_review_id or "")),
            Rel("app", get=lambda s, r: s.apps[r.app_id]),
            Rel("buildBetaDetail", get=lambda s, r: BetaDetail(r)),
            Rel("appStoreVersion", get=_version_of_build),
            Rel("icons", many=True, get=lambda s, r: []),
            Rel("buildUpload", links=False, get=lambda s, r: s.uploads[r.upload_id]),
        ),
    ),
    BetaDetail: Kind("buildBetaDetails", _beta_detail, (Rel("build", get=lambda s, r: r.build),)),
    PreReleaseVersion: Kind(
        "preReleaseVersions",
        lambda s, r, now: {"version": r.version, "platform": r.platform},
        (
            Rel(
                "builds",
                many=True,
                get=lambda s, r: [b for b in s.listed_builds(r.app_id) if b.pre_release_id == r.id],
            ),
            Rel("app", get=lambda s, r: s.apps[r.app_id]),
        ),
    ),
    BuildUpload: Kind(
        "buildUploads",
        _upload,
        (Rel("build", links=False, get=lambda s, r: s.builds.get(r.build_id or "")), Rel("buildUploadFiles")),
    ),
    BetaGroup: Kind(
        "betaGroups",
        _group,
        (
            Rel("app", get=lambda s, r: s.apps[r.app_id]),
            Rel("builds", many=True, get=lambda s, r: [s.builds[b] for b in sorted(r.build_ids)]),
            Rel("betaTesters", many=True, get=lambda s, r: []),
        ),
    ),
    BetaLocalization: Kind(
        "betaBuildLocalizations",
        lambda s, r, now: {"whatsNew": r.whats_new, "locale": r.locale},
        (Rel("build", get=lambda s, r: s.builds[r.build_id]),),
    ),
    BetaReview: Kind(
        "betaAppReviewSubmissions",
        lambda s, r, now: {"betaReviewState": r.state, "submittedDate": iso(r.submitted_at)},
        (Rel("build", get=lambda s, r: s.builds[r.build_id]),),
    ),
    Version: Kind(
        "appStoreVersions",
        _version,
        (
            Rel("app", links=False, get=lambda s, r: s.apps[r.app_id]),
            Rel(
                "appStoreVersionLocalizations",
                many=True,
                get=lambda s, r: s.version_localizations_by_version.get(r.id, []),
            ),
            Rel("build", get=lambda s, r: s.builds.get(r.build_id or "")),
            Rel(
                "appStoreVersionPhasedRelease",
                get=lambda s, r: s.phased_releases.get(r.phased_release_id or ""),
            ),
            Rel("appStoreReviewDetail"),
            Rel("appStoreVersionSubmission"),
        ),
    ),
    VersionLocalization: Kind(
        "appStoreVersionLocalizations",
        lambda s, r, now: {"locale": r.locale, **r.attributes},
        (
            Rel("appStoreVersion", links=False, get=lambda s, r: s.versions[r.version_id]),
            Rel("appScreenshotSets", many=True),
            Rel("appPreviewSets", many=True),
        ),
    ),
    PhasedRelease: Kind("appStoreVersionPhasedReleases", _phased),
    ReviewSubmission: Kind(
        "reviewSubmissions",
        _submission,
        (
            Rel("app", links=False, get=lambda s, r: s.apps[r.app_id]),
            Rel("items", many=True, get=items_of),
            Rel("appStoreVersionForReview", links=False, get=_version_for_review),
        ),
    ),
    ReviewItem: Kind(
        "reviewSubmissionItems",
        lambda s, r, now: {"state": r.state},
        (Rel("appStoreVersion", links=False, get=lambda s, r: s.versions[r.version_id]),),
    ),
    ReleaseRequest: Kind("appStoreVersionReleaseRequests", lambda s, r, now: {}),
    ScreenshotFeedback: Kind("betaFeedbackScreenshotSubmissions", _screenshot_feedback, _FEEDBACK_RELS),
    CrashFeedback: Kind("betaFeedbackCrashSubmissions", _feedback, (Rel("crashLog"), *_FEEDBACK_RELS)),
    CrashLog: Kind("betaCrashLogs", lambda s, r, now: {"logText": r.text}),
    Webhook: Kind(
        "webhooks", _webhook, (Rel("app", links=False, get=lambda s, r: s.apps[r.app_id]), Rel("deliveries"))
    ),
}
