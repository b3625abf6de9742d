"""The query parameters Apple's spec (4.4.1) allows on each served route, written out by hand.

A small static table instead of the 3.4 MB spec: the simulator checks every request against it in
O(number of parameters). `fields[...]` values are not enumerated here (sparse fieldsets are applied,
unknown names are ignored); everything else mirrors the spec's names, enums and maximums.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Apple's documented state sets have one home, the client's bot/appstore/states.py; the simulator serves them.
from bot.appstore.states import APP_VERSION_STATES, BETA_REVIEW_STATES, BUILD_PROCESSING_STATES, PLATFORMS

AUDIENCE_TYPES = ("INTERNAL_ONLY", "APP_STORE_ELIGIBLE")
APP_STORE_STATES = (
    "ACCEPTED", "DEVELOPER_REMOVED_FROM_SALE", "DEVELOPER_REJECTED", "IN_REVIEW", "INVALID_BINARY",
    "METADATA_REJECTED", "PENDING_APPLE_RELEASE", "PENDING_CONTRACT", "PENDING_DEVELOPER_RELEASE",
    "PREPARE_FOR_SUBMISSION", "PREORDER_READY_FOR_SALE", "PROCESSING_FOR_APP_STORE", "READY_FOR_REVIEW",
    "READY_FOR_SALE", "REJECTED", "REMOVED_FROM_SALE", "WAITING_FOR_EXPORT_COMPLIANCE",
    "WAITING_FOR_REVIEW", "REPLACED_WITH_NEW_VERSION", "NOT_APPLICABLE",
)  # fmt: skip
REVIEW_SUBMISSION_STATES = (
    "READY_FOR_REVIEW", "WAITING_FOR_REVIEW", "IN_REVIEW", "UNRESOLVED_ISSUES", "CANCELING",
    "COMPLETING", "COMPLETE",
)  # fmt: skip
PHASED_RELEASE_STATES = ("INACTIVE", "ACTIVE", "PAUSED", "COMPLETE")
WEBHOOK_EVENT_TYPES = (
    "ALTERNATIVE_DISTRIBUTION_PACKAGE_AVAILABLE_UPDATED", "ALTERNATIVE_DISTRIBUTION_PACKAGE_VERSION_CREATED",
    "ALTERNATIVE_DISTRIBUTION_TERRITORY_AVAILABILITY_UPDATED", "APP_STORE_VERSION_APP_VERSION_STATE_UPDATED",
    "BACKGROUND_ASSET_VERSION_APP_STORE_RELEASE_STATE_UPDATED",
    "BACKGROUND_ASSET_VERSION_EXTERNAL_BETA_RELEASE_STATE_UPDATED",
    "BACKGROUND_ASSET_VERSION_INTERNAL_BETA_RELEASE_CREATED", "BACKGROUND_ASSET_VERSION_STATE_UPDATED",
    "BETA_FEEDBACK_CRASH_SUBMISSION_CREATED", "BETA_FEEDBACK_SCREENSHOT_SUBMISSION_CREATED",
    "BUILD_BETA_DETAIL_EXTERNAL_BUILD_STATE_UPDATED", "BUILD_UPLOAD_STATE_UPDATED",
)  # fmt: skip

Enum = tuple[str, ...] | None  # None: any value


@dataclass(frozen=True)
class Params:
    """Allowed query parameters of one route: filters (name → enum), sort, include, limits, fields."""

    filters: dict[str, Enum] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    sort: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    limit: int | None = None  # maximum page size; None: not a paged collection
    fields: tuple[str, ...] = ()
    sub_limits: dict[str, int] = field(default_factory=dict)  # limit[relationship] → maximum
    exists: tuple[str, ...] = ()


def _signed(*keys: str) -> tuple[str, ...]:
    return tuple(k for key in keys for k in (key, f"-{key}"))


NONE = Params()

_APP_INCLUDE = (
    "appEncryptionDeclarations", "appStoreIcon", "ciProduct", "betaGroups", "appStoreVersions",
    "preReleaseVersions", "betaAppLocalizations", "builds", "betaLicenseAgreement", "betaAppReviewDetail",
    "appInfos", "appClips", "endUserLicenseAgreement", "inAppPurchases", "subscriptionGroups",
    "gameCenterEnabledVersions", "appCustomProductPages", "inAppPurchasesV2", "promotedPurchases", "appEvents",
    "reviewSubmissions", "subscriptionGracePeriod", "gameCenterDetail", "appStoreVersionExperimentsV2",
    "androidToIosAppMappingDetails",
)  # fmt: skip
_APP_FIELDS = (
    "apps", "appEncryptionDeclarations", "buildIcons", "ciProducts", "betaGroups", "appStoreVersions",
    "preReleaseVersions", "betaAppLocalizations", "builds", "betaLicenseAgreements", "betaAppReviewDetails",
    "appInfos", "appClips", "endUserLicenseAgreements", "inAppPurchases", "subscriptionGroups",
    "gameCenterEnabledVersions", "appCustomProductPages", "promotedPurchases", "appEvents", "reviewSubmissions",
    "subscriptionGracePeriods", "gameCenterDetails", "appStoreVersionExperiments",
    "androidToIosAppMappingDetails",
)  # fmt: skip
_APP_SUB_LIMITS = dict.fromkeys(
    ("androidToIosAppMappingDetails", "appClips", "appCustomProductPages", "appEncryptionDeclarations",
     "appEvents", "appInfos", "appStoreVersionExperimentsV2", "appStoreVersions", "betaAppLocalizations",
     "betaGroups", "builds", "gameCenterEnabledVersions", "inAppPurchases", "inAppPurchasesV2",
     "preReleaseVersions", "promotedPurchases", "reviewSubmissions", "subscriptionGroups"),
    50,
)  # fmt: skip

_BUILD_INCLUDE = (
    "preReleaseVersion", "individualTesters", "betaGroups", "betaBuildLocalizations", "appEncryptionDeclaration",
    "betaAppReviewSubmission", "app", "buildBetaDetail", "appStoreVersion", "icons", "buildBundles",
    "buildUpload",
)  # fmt: skip
_BUILD_FIELDS = (
    "builds", "preReleaseVersions", "betaTesters", "betaGroups", "betaBuildLocalizations",
    "appEncryptionDeclarations", "betaAppReviewSubmissions", "apps", "buildBetaDetails", "appStoreVersions",
    "buildIcons", "buildBundles", "buildUploads",
)  # fmt: skip
_BUILD_SUB_LIMITS = dict.fromkeys(
    ("betaBuildLocalizations", "betaGroups", "buildBundles", "icons", "individualTesters"), 50
)

_UPLOAD_INCLUDE = ("build", "assetFile", "assetDescriptionFile", "assetSpiFile")
_UPLOAD_FIELDS = ("buildUploads", "builds", "buildUploadFiles")

_VERSION_INCLUDE = (
    "app", "appStoreVersionLocalizations", "build", "appStoreVersionPhasedRelease", "gameCenterAppVersion",
    "routingAppCoverage", "appStoreReviewDetail", "appStoreVersionSubmission", "appClipDefaultExperience",
    "appStoreVersionExperiments", "appStoreVersionExperimentsV2", "alternativeDistributionPackage",
)  # fmt: skip
_VERSION_FIELDS = (
    "appStoreVersions", "apps", "appStoreVersionLocalizations", "builds", "appStoreVersionPhasedReleases",
    "gameCenterAppVersions", "routingAppCoverages", "appStoreReviewDetails", "appStoreVersionSubmissions",
    "appClipDefaultExperiences", "appStoreVersionExperiments", "alternativeDistributionPackages",
)  # fmt: skip
_VERSION_SUB_LIMITS = dict.fromkeys(
    ("appStoreVersionLocalizations", "appStoreVersionExperiments", "appStoreVersionExperimentsV2"), 50
)

_SUBMISSION_INCLUDE = ("app", "items", "appStoreVersionForReview", "submittedByActor", "lastUpdatedByActor")
_SUBMISSION_FIELDS = ("reviewSubmissions", "apps", "reviewSubmissionItems", "appStoreVersions", "actors")

_ITEM_INCLUDE = (
    "appStoreVersion", "appCustomProductPageVersion", "appStoreVersionExperiment", "appStoreVersionExperimentV2",
    "appEvent", "backgroundAssetVersion", "gameCenterAchievementVersion", "gameCenterActivityVersion",
    "gameCenterChallengeVersion", "gameCenterLeaderboardSetVersion", "gameCenterLeaderboardVersion",
    "inAppPurchaseVersion", "subscriptionVersion", "subscriptionGroupVersion",
)  # fmt: skip
_ITEM_FIELDS = (
    "reviewSubmissionItems", "appStoreVersions", "appCustomProductPageVersions", "appStoreVersionExperiments",
    "appEvents", "backgroundAssetVersions", "gameCenterAchievementVersions", "gameCenterActivityVersions",
    "gameCenterChallengeVersions", "gameCenterLeaderboardSetVersions", "gameCenterLeaderboardVersions",
    "inAppPurchaseVersions", "subscriptionVersions", "subscriptionGroupVersions",
)  # fmt: skip

_FEEDBACK_FILTERS: dict[str, Enum] = {
    "deviceModel": None, "osVersion": None, "appPlatform": PLATFORMS, "devicePlatform": PLATFORMS,
    "build": None, "build.preReleaseVersion": None, "tester": None,
}  # fmt: skip


def _feedback_list(type_: str) -> Params:
    return Params(
        filters=dict(_FEEDBACK_FILTERS),
        sort=_signed("createdDate"),
        include=("build", "tester"),
        limit=200,
        fields=(type_, "builds", "betaTesters"),
    )


def _feedback_one(type_: str) -> Params:
    return Params(include=("build", "tester"), fields=(type_, "builds", "betaTesters"))


# (method, route pattern as aiohttp spells it) → allowed query parameters. Writes take none.
ROUTES: dict[tuple[str, str], Params] = {
    ("GET", "/v1/apps"): Params(
        filters={
            "name": None,
            "bundleId": None,
            "sku": None,
            "appStoreVersions.appStoreState": APP_STORE_STATES,
            "appStoreVersions.platform": PLATFORMS,
            "appStoreVersions.appVersionState": APP_VERSION_STATES,
            "reviewSubmissions.state": REVIEW_SUBMISSION_STATES,
            "reviewSubmissions.platform": PLATFORMS,
            "appStoreVersions": None,
            "id": None,
        },
        sort=_signed("name", "bundleId", "sku"),
        include=_APP_INCLUDE,
        limit=200,
        fields=_APP_FIELDS,
        sub_limits=_APP_SUB_LIMITS,
        exists=("gameCenterEnabledVersions",),
    ),
    ("GET", "/v1/apps/{id}"): Params(include=_APP_INCLUDE, fields=_APP_FIELDS, sub_limits=_APP_SUB_LIMITS),
    ("GET", "/v1/builds"): Params(
        filters={
            "version": None,
            "expired": None,
            "processingState": BUILD_PROCESSING_STATES,
            "betaAppReviewSubmission.betaReviewState": BETA_REVIEW_STATES,
            "usesNonExemptEncryption": None,
            "preReleaseVersion.version": None,
            "preReleaseVersion.platform": PLATFORMS,
            "buildAudienceType": AUDIENCE_TYPES,
            "preReleaseVersion": None,
            "app": None,
            "betaGroups": None,
            "appStoreVersion": None,
            "id": None,
        },
        sort=_signed("version", "uploadedDate", "preReleaseVersion"),
        include=_BUILD_INCLUDE,
        limit=200,
        fields=_BUILD_FIELDS,
        sub_limits=_BUILD_SUB_LIMITS,
        exists=("usesNonExemptEncryption",),
    ),
    ("GET", "/v1/builds/{id}"): Params(
        include=_BUILD_INCLUDE, fields=_BUILD_FIELDS, sub_limits=_BUILD_SUB_LIMITS
    ),
    ("PATCH", "/v1/builds/{id}"): NONE,
    ("GET", "/v1/builds/{id}/buildBetaDetail"): Params(
        include=("build",), fields=("buildBetaDetails", "builds")
    ),
    ("POST", "/v1/builds/{id}/relationships/betaGroups"): NONE,
    ("DELETE", "/v1/builds/{id}/relationships/betaGroups"): NONE,
    ("GET", "/v1/apps/{id}/buildUploads"): Params(
        filters={
            "cfBundleShortVersionString": None,
            "cfBundleVersion": None,
            "platform": PLATFORMS,
            "state": None,
        },
        sort=_signed("cfBundleVersion", "uploadedDate"),
        include=_UPLOAD_INCLUDE,
        limit=200,
        fields=_UPLOAD_FIELDS,
    ),
    ("GET", "/v1/buildUploads/{id}"): Params(include=_UPLOAD_INCLUDE, fields=_UPLOAD_FIELDS),
    ("GET", "/v1/betaAppReviewSubmissions"): Params(
        filters={"betaReviewState": BETA_REVIEW_STATES, "build": None},
        required=("build",),
        include=("build",),
        limit=200,
        fields=("betaAppReviewSubmissions", "builds"),
    ),
    ("POST", "/v1/betaAppReviewSubmissions"): NONE,
    ("GET", "/v1/betaAppReviewSubmissions/{id}"): Params(
        include=("build",), fields=("betaAppReviewSubmissions", "builds")
    ),
    ("GET", "/v1/betaGroups"): Params(
        filters={
            "name": None,
            "isInternalGroup": None,
            "publicLinkEnabled": None,
            "publicLinkLimitEnabled": None,
            "publicLink": None,
            "app": None,
            "builds": None,
            "id": None,
        },
        sort=_signed("name", "createdDate", "publicLinkEnabled", "publicLinkLimit"),
        include=("app", "builds", "betaTesters", "betaRecruitmentCriteria"),
        limit=200,
        fields=("betaGroups", "apps", "builds", "betaTesters", "betaRecruitmentCriteria"),
        sub_limits={"betaTesters": 50, "builds": 1000},
    ),
    ("POST", "/v1/betaGroups/{id}/relationships/builds"): NONE,
    ("DELETE", "/v1/betaGroups/{id}/relationships/builds"): NONE,
    ("GET", "/v1/betaBuildLocalizations"): Params(
        filters={"locale": None, "build": None},
        include=("build",),
        limit=200,
        fields=("betaBuildLocalizations", "builds"),
    ),
    ("POST", "/v1/betaBuildLocalizations"): NONE,
    ("GET", "/v1/betaBuildLocalizations/{id}"): Params(
        include=("build",), fields=("betaBuildLocalizations", "builds")
    ),
    ("PATCH", "/v1/betaBuildLocalizations/{id}"): NONE,
    ("DELETE", "/v1/betaBuildLocalizations/{id}"): NONE,
    ("GET", "/v1/apps/{id}/appStoreVersions"): Params(
        filters={
            "platform": PLATFORMS,
            "versionString": None,
            "appStoreState": APP_STORE_STATES,
            "appVersionState": APP_VERSION_STATES,
            "id": None,
        },
        include=_VERSION_INCLUDE,
        limit=200,
        fields=_VERSION_FIELDS,
        sub_limits=_VERSION_SUB_LIMITS,
    ),
    ("GET", "/v1/appStoreVersions/{id}"): Params(
        include=_VERSION_INCLUDE, fields=_VERSION_FIELDS, sub_limits=_VERSION_SUB_LIMITS
    ),
    ("POST", "/v1/appStoreVersions"): NONE,
    ("PATCH", "/v1/appStoreVersions/{id}"): NONE,
    ("PATCH", "/v1/appStoreVersions/{id}/relationships/build"): NONE,
    ("GET", "/v1/appStoreVersions/{id}/appStoreVersionLocalizations"): Params(
        filters={"locale": None},
        include=("appStoreVersion", "appScreenshotSets", "appPreviewSets", "searchKeywords"),
        limit=200,
        fields=(
            "appStoreVersionLocalizations",
            "appStoreVersions",
            "appScreenshotSets",
            "appPreviewSets",
            "appKeywords",
        ),
        sub_limits={"appScreenshotSets": 50, "appPreviewSets": 50, "searchKeywords": 50},
    ),
    ("POST", "/v1/appStoreVersionLocalizations"): NONE,
    ("PATCH", "/v1/appStoreVersionLocalizations/{id}"): NONE,
    ("GET", "/v1/appStoreVersions/{id}/appStoreVersionPhasedRelease"): Params(
        fields=("appStoreVersionPhasedReleases",)
    ),
    ("POST", "/v1/appStoreVersionPhasedReleases"): NONE,
    ("PATCH", "/v1/appStoreVersionPhasedReleases/{id}"): NONE,
    ("DELETE", "/v1/appStoreVersionPhasedReleases/{id}"): NONE,
    ("POST", "/v1/appStoreVersionReleaseRequests"): NONE,
    ("GET", "/v1/reviewSubmissions"): Params(
        filters={"platform": PLATFORMS, "state": REVIEW_SUBMISSION_STATES, "app": None},
        required=("app",),
        include=_SUBMISSION_INCLUDE,
        limit=200,
        fields=_SUBMISSION_FIELDS,
        sub_limits={"items": 50},
    ),
    ("POST", "/v1/reviewSubmissions"): NONE,
    ("GET", "/v1/reviewSubmissions/{id}"): Params(
        include=_SUBMISSION_INCLUDE, fields=_SUBMISSION_FIELDS, sub_limits={"items": 50}
    ),
    ("PATCH", "/v1/reviewSubmissions/{id}"): NONE,
    ("GET", "/v1/reviewSubmissions/{id}/items"): Params(
        include=_ITEM_INCLUDE, limit=200, fields=_ITEM_FIELDS
    ),
    ("POST", "/v1/reviewSubmissionItems"): NONE,
    ("GET", "/v1/apps/{id}/betaAppLocalizations"): Params(limit=200, fields=("betaAppLocalizations",)),
    ("GET", "/v1/apps/{id}/betaAppReviewDetail"): Params(fields=("betaAppReviewDetails",)),
    ("GET", "/v1/apps/{id}/webhooks"): Params(include=("app",), limit=200, fields=("webhooks", "apps")),
    ("POST", "/v1/webhooks"): NONE,
    ("GET", "/v1/webhooks/{id}"): Params(include=("app",), fields=("webhooks", "apps")),
    ("PATCH", "/v1/webhooks/{id}"): NONE,
    ("DELETE", "/v1/webhooks/{id}"): NONE,
    ("GET", "/v1/apps/{id}/betaFeedbackScreenshotSubmissions"): _feedback_list(
        "betaFeedbackScreenshotSubmissions"
    ),
    ("GET", "/v1/apps/{id}/betaFeedbackCrashSubmissions"): _feedback_list("betaFeedbackCrashSubmissions"),
    ("GET", "/v1/betaFeedbackScreenshotSubmissions/{id}"): _feedback_one("betaFeedbackScreenshotSubmissions"),
    ("GET", "/v1/betaFeedbackCrashSubmissions/{id}"): _feedback_one("betaFeedbackCrashSubmissions"),
    ("GET", "/v1/betaFeedbackCrashSubmissions/{id}/crashLog"): Params(fields=("betaCrashLogs",)),
}
