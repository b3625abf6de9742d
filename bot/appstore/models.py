"""Frozen views of App Store Connect resources; unknown attributes are ignored, enum values kept as text.

Apple adds enum values and attributes over time, so states are plain strings and parsers only read
the fields they know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.appstore.documents import (
    Included,
    Resource,
    as_bool,
    as_str,
    attrs,
    included_many,
    parse_datetime,
    rel,
    rel_id,
    rel_ids,
)

__all__ = [
    "App",
    "AppStoreVersion",
    "AppStoreVersionLocalization",
    "BetaBuildLocalization",
    "BetaGroup",
    "BetaReviewSubmission",
    "Build",
    "BuildBetaDetail",
    "BuildUpload",
    "PhasedRelease",
    "PreReleaseVersion",
    "ReviewSubmission",
    "ReviewSubmissionItem",
    "Webhook",
]


@dataclass(frozen=True, slots=True)
class App:
    """An app in App Store Connect (`apps`)."""

    id: str
    bundle_id: str
    name: str
    primary_locale: str | None

    @classmethod
    def parse(cls, r: Resource) -> App:
        a = attrs(r)
        return cls(r["id"], a.get("bundleId") or "", a.get("name") or "", as_str(a.get("primaryLocale")))


@dataclass(frozen=True, slots=True)
class PreReleaseVersion:
    """A marketing version on one platform as TestFlight knows it (`preReleaseVersions`)."""

    id: str
    version: str
    platform: str | None

    @classmethod
    def parse(cls, r: Resource) -> PreReleaseVersion:
        a = attrs(r)
        return cls(r["id"], a.get("version") or "", as_str(a.get("platform")))


@dataclass(frozen=True, slots=True)
class BuildBetaDetail:
    """A build's TestFlight states (`buildBetaDetails`)."""

    id: str
    internal_build_state: str | None
    external_build_state: str | None
    auto_notify_enabled: bool | None

    @classmethod
    def parse(cls, r: Resource) -> BuildBetaDetail:
        a = attrs(r)
        return cls(
            r["id"],
            as_str(a.get("internalBuildState")),
            as_str(a.get("externalBuildState")),
            as_bool(a.get("autoNotifyEnabled")),
        )


@dataclass(frozen=True, slots=True)
class Build:
    """An uploaded build; `version` is the build number (CFBundleVersion)."""

    id: str
    version: str
    processing_state: str | None
    expired: bool
    uploaded_date: datetime | None
    uses_non_exempt_encryption: bool | None
    app_id: str | None
    pre_release_version: PreReleaseVersion | None
    beta_detail: BuildBetaDetail | None
    # What to Test and the beta review submission, when the read asked for them (include=):
    # None means "not asked", not "none".
    localizations: tuple[BetaBuildLocalization, ...] | None = None
    beta_review: tuple[BetaReviewSubmission, ...] | None = None  # () or (the one)

    @property
    def build_number(self) -> str:
        return self.version

    @property
    def marketing_version(self) -> str | None:
        return self.pre_release_version.version if self.pre_release_version else None

    @property
    def platform(self) -> str | None:
        return self.pre_release_version.platform if self.pre_release_version else None

    @classmethod
    def parse(cls, r: Resource, included: Included | None = None) -> Build:
        a = attrs(r)
        inc = included or Included()
        pre = inc.get(rel(r, "preReleaseVersion"))
        detail = inc.get(rel(r, "buildBetaDetail"))
        return cls(
            id=r["id"],
            version=a.get("version") or "",
            processing_state=as_str(a.get("processingState")),
            expired=bool(a.get("expired")),
            uploaded_date=parse_datetime(a.get("uploadedDate")),
            uses_non_exempt_encryption=as_bool(a.get("usesNonExemptEncryption")),
            app_id=rel_id(r, "app"),
            pre_release_version=PreReleaseVersion.parse(pre) if pre else None,
            beta_detail=BuildBetaDetail.parse(detail) if detail else None,
            localizations=included_many(r, inc, "betaBuildLocalizations", BetaBuildLocalization.parse),
            beta_review=included_many(r, inc, "betaAppReviewSubmission", BetaReviewSubmission.parse),
        )


@dataclass(frozen=True, slots=True)
class BuildUpload:
    """One upload of a build file; `errors` holds Apple's (code, description) pairs when it failed."""

    id: str
    version: str
    build_number: str
    platform: str | None
    state: str | None
    errors: tuple[tuple[str, str], ...] = ()
    build_id: str | None = None
    uploaded_date: datetime | None = None

    @classmethod
    def parse(cls, r: Resource) -> BuildUpload:
        a = attrs(r)
        state = a.get("state") or {}
        errors = tuple(
            (str(e.get("code") or ""), str(e.get("description") or ""))
            for e in state.get("errors") or []
            if isinstance(e, dict)
        )
        return cls(
            id=r["id"],
            version=a.get("cfBundleShortVersionString") or "",
            build_number=a.get("cfBundleVersion") or "",
            platform=as_str(a.get("platform")),
            state=as_str(state.get("state")),
            errors=errors,
            build_id=rel_id(r, "build"),
            uploaded_date=parse_datetime(a.get("uploadedDate")) or parse_datetime(a.get("createdDate")),
        )


@dataclass(frozen=True, slots=True)
class BetaReviewSubmission:
    """A build's TestFlight beta review submission (`betaAppReviewSubmissions`)."""

    id: str
    beta_review_state: str | None
    submitted_date: datetime | None
    build_id: str | None

    @classmethod
    def parse(cls, r: Resource) -> BetaReviewSubmission:
        a = attrs(r)
        return cls(
            r["id"],
            as_str(a.get("betaReviewState")),
            parse_datetime(a.get("submittedDate")),
            rel_id(r, "build"),
        )


@dataclass(frozen=True, slots=True)
class BetaGroup:
    """A TestFlight group of testers, internal or external (`betaGroups`)."""

    id: str
    name: str
    is_internal: bool
    has_access_to_all_builds: bool | None
    public_link: str | None = None  # TestFlight's public link, only while publicLinkEnabled

    @classmethod
    def parse(cls, r: Resource) -> BetaGroup:
        a = attrs(r)
        link = as_str(a.get("publicLink")) if a.get("publicLinkEnabled") is True else None
        return cls(
            r["id"],
            a.get("name") or "",
            bool(a.get("isInternalGroup")),
            as_bool(a.get("hasAccessToAllBuilds")),
            link,
        )


@dataclass(frozen=True, slots=True)
class BetaBuildLocalization:
    """ "What to Test" of a build in one locale (`betaBuildLocalizations`)."""

    id: str
    locale: str
    whats_new: str | None

    @classmethod
    def parse(cls, r: Resource) -> BetaBuildLocalization:
        a = attrs(r)
        return cls(r["id"], a.get("locale") or "", as_str(a.get("whatsNew")))


@dataclass(frozen=True, slots=True)
class PhasedRelease:
    """A version's 7-day phased release (`appStoreVersionPhasedReleases`)."""

    id: str
    state: str | None
    current_day_number: int | None
    start_date: datetime | None = None

    @classmethod
    def parse(cls, r: Resource) -> PhasedRelease:
        a = attrs(r)
        day = a.get("currentDayNumber")
        day = day if isinstance(day, int) and not isinstance(day, bool) else None
        return cls(r["id"], as_str(a.get("phasedReleaseState")), day, parse_datetime(a.get("startDate")))


@dataclass(frozen=True, slots=True)
class AppStoreVersion:
    """A version on the App Store, with its build and phased release when included (`appStoreVersions`)."""

    id: str
    version_string: str
    platform: str | None
    app_version_state: str | None
    release_type: str | None
    earliest_release_date: datetime | None
    copyright: str | None
    build_id: str | None
    phased_release: PhasedRelease | None

    @classmethod
    def parse(cls, r: Resource, included: Included | None = None) -> AppStoreVersion:
        a = attrs(r)
        phased = (included or Included()).get(rel(r, "appStoreVersionPhasedRelease"))
        return cls(
            id=r["id"],
            version_string=a.get("versionString") or "",
            platform=as_str(a.get("platform")),
            # appStoreState is deprecated, but older answers may carry only it.
            app_version_state=as_str(a.get("appVersionState")) or as_str(a.get("appStoreState")),
            release_type=as_str(a.get("releaseType")),
            earliest_release_date=parse_datetime(a.get("earliestReleaseDate")),
            copyright=as_str(a.get("copyright")),
            build_id=rel_id(r, "build"),
            phased_release=PhasedRelease.parse(phased) if phased else None,
        )


@dataclass(frozen=True, slots=True)
class AppStoreVersionLocalization:
    """What's New of a version in one locale (`appStoreVersionLocalizations`)."""

    id: str
    locale: str
    whats_new: str | None
    # The store text the pre-flight checklist reads (name → value, None when empty).
    text: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def parse(cls, r: Resource) -> AppStoreVersionLocalization:
        a = attrs(r)
        text = {k: as_str(a.get(k)) or None for k in ("description", "keywords", "supportUrl", "whatsNew")}
        return cls(r["id"], a.get("locale") or "", as_str(a.get("whatsNew")), text)


@dataclass(frozen=True, slots=True)
class ReviewSubmission:
    """A submission to App Review holding one or more items (`reviewSubmissions`)."""

    id: str
    state: str | None
    platform: str | None
    submitted_date: datetime | None
    item_ids: tuple[str, ...] = field(default=())
    created: bool = False  # made by this client's POST just now: it holds no items yet

    @classmethod
    def parse(cls, r: Resource) -> ReviewSubmission:
        a = attrs(r)
        return cls(
            r["id"],
            as_str(a.get("state")),
            as_str(a.get("platform")),
            parse_datetime(a.get("submittedDate")),
            rel_ids(r, "items"),
        )


@dataclass(frozen=True, slots=True)
class ReviewSubmissionItem:
    """One thing in a review submission, here an App Store version (`reviewSubmissionItems`)."""

    id: str
    state: str | None
    app_store_version_id: str | None

    @classmethod
    def parse(cls, r: Resource) -> ReviewSubmissionItem:
        return cls(r["id"], as_str(attrs(r).get("state")), rel_id(r, "appStoreVersion"))


@dataclass(frozen=True, slots=True)
class Webhook:
    """An App Store Connect webhook of an app (`webhooks`)."""

    id: str
    name: str
    url: str
    enabled: bool
    event_types: tuple[str, ...]

    @classmethod
    def parse(cls, r: Resource) -> Webhook:
        a = attrs(r)
        events = tuple(e for e in a.get("eventTypes") or [] if isinstance(e, str))
        return cls(r["id"], a.get("name") or "", a.get("url") or "", bool(a.get("enabled")), events)
