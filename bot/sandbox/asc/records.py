"""The simulator's in-memory records: one small mutable dataclass per App Store Connect resource."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(eq=False)
class App:
    """An app (`apps`)."""

    id: str
    bundle_id: str
    name: str
    primary_locale: str
    sku: str


@dataclass(eq=False)
class PreReleaseVersion:
    """A marketing version on one platform (`preReleaseVersions`)."""

    id: str
    app_id: str
    version: str
    platform: str


@dataclass(eq=False)
class BuildUpload:
    """One uploaded binary (`buildUploads`): state PROCESSING → COMPLETE or FAILED."""

    id: str
    app_id: str
    short_version: str
    version: str
    platform: str
    created_at: datetime
    state: str = "PROCESSING"
    errors: list[dict[str, str]] = field(default_factory=list)
    build_id: str | None = None  # set once the build is listed


@dataclass(eq=False)
class Build:
    """A build (`builds`); its buildBetaDetail shares its id and is derived from these fields."""

    id: str
    app_id: str
    pre_release_id: str
    upload_id: str
    version: str  # build number, CFBundleVersion
    platform: str
    uploaded_at: datetime
    outcome: str  # VALID | INVALID | FAILED, reached after processing
    uses_encryption: bool | None
    processing_state: str = "PROCESSING"
    listed: bool = False
    expired: bool = False
    audience: str = "APP_STORE_ELIGIBLE"
    auto_notify: bool = True
    beta_exception: bool = False  # TestFlight's own processing failed (PROCESSING_EXCEPTION)
    beta_review_id: str | None = None
    group_ids: set[str] = field(default_factory=set)


@dataclass(eq=False)
class BetaGroup:
    """A TestFlight group (`betaGroups`), internal or external."""

    id: str
    app_id: str
    name: str
    internal: bool
    created_at: datetime
    has_access_to_all_builds: bool = False
    public_link_enabled: bool = False
    build_ids: set[str] = field(default_factory=set)


@dataclass(eq=False)
class BetaLocalization:
    """What to Test text of a build in one locale (`betaBuildLocalizations`)."""

    id: str
    build_id: str
    locale: str
    whats_new: str | None = None


@dataclass(eq=False)
class BetaReview:
    """A TestFlight external beta review (`betaAppReviewSubmissions`)."""

    id: str
    build_id: str
    submitted_at: datetime
    state: str = "WAITING_FOR_REVIEW"


@dataclass(eq=False)
class Version:
    """An App Store version of an app on one platform (`appStoreVersions`)."""

    id: str
    app_id: str
    platform: str
    version_string: str
    created_at: datetime
    state: str = "PREPARE_FOR_SUBMISSION"
    copyright: str | None = None
    release_type: str = "AFTER_APPROVAL"
    earliest_release_date: datetime | None = None
    review_type: str = "APP_STORE"
    downloadable: bool = True
    uses_idfa: bool | None = None
    build_id: str | None = None
    phased_release_id: str | None = None


@dataclass(eq=False)
class VersionLocalization:
    """Store text of a version in one locale (`appStoreVersionLocalizations`)."""

    id: str
    version_id: str
    locale: str
    attributes: dict[str, str | None] = field(default_factory=dict)  # whatsNew, keywords, …


@dataclass(eq=False)
class PhasedRelease:
    """A 7-day phased release of a version (`appStoreVersionPhasedReleases`)."""

    id: str
    version_id: str
    state: str = "INACTIVE"
    start_date: datetime | None = None
    paused_at: datetime | None = None
    paused_seconds: float = 0.0


@dataclass(eq=False)
class ReviewSubmission:
    """An App Store review submission (`reviewSubmissions`) holding items."""

    id: str
    app_id: str
    platform: str
    created_at: datetime
    state: str = "READY_FOR_REVIEW"
    submitted_at: datetime | None = None
    item_ids: list[str] = field(default_factory=list)


@dataclass(eq=False)
class ReviewItem:
    """One thing under review in a submission (`reviewSubmissionItems`), here always a version."""

    id: str
    submission_id: str
    version_id: str
    state: str = "READY_FOR_REVIEW"


@dataclass(eq=False)
class ReleaseRequest:
    """A manual release of an approved version (`appStoreVersionReleaseRequests`)."""

    id: str
    version_id: str


@dataclass(eq=False)
class Webhook:
    """An App Store Connect webhook (`webhooks`) of one app."""

    id: str
    app_id: str
    name: str
    url: str
    secret: str
    enabled: bool
    event_types: list[str]


@dataclass(eq=False)
class Feedback:
    """What a tester sent from TestFlight about one build: a comment with screenshots, or a crash."""

    id: str
    app_id: str
    build_id: str
    created_at: datetime
    comment: str | None
    email: str | None
    device_model: str
    os_version: str
    platform: str = "IOS"
    device_family: str = "IPHONE"
    locale: str = "en-US"
    time_zone: str = "UTC"
    connection_type: str = "WIFI"
    battery_percentage: int = 80


@dataclass(eq=False)
class ScreenshotFeedback(Feedback):
    """`betaFeedbackScreenshotSubmissions`: each screenshot as (width, height)."""

    screenshots: list[tuple[int, int]] = field(default_factory=list)


@dataclass(eq=False)
class CrashFeedback(Feedback):
    """`betaFeedbackCrashSubmissions`, with its `betaCrashLogs` text."""

    log_id: str = ""
    log_text: str = ""


@dataclass(frozen=True)
class CrashLog:
    """A crash submission's log (`betaCrashLogs`)."""

    id: str
    text: str
