"""Frozen views of App Store Connect resources; unknown attributes are ignored, enum values kept as text.

Apple adds enum values and attributes over time, so states are plain strings and parsers only read
the fields they know.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.appstore.states import (  # noqa: F401  re-exported; the values live in bot.appstore.states
    APP_VERSION_STATES,
    BETA_BUILD_STATES,
    BETA_FAILED_STATES,
    BUILD_FAILED_STATES,
    BUILD_PROCESSING_STATES,
)

Resource = dict[str, Any]


class Included:
    """Index of a document's `included` resources by (type, id), built once per document."""

    def __init__(self, document: dict[str, Any] | None = None) -> None:
        items = (document or {}).get("included") or []
        self._by_key = {(r.get("type"), r.get("id")): r for r in items if isinstance(r, dict)}

    def get(self, ref: dict[str, Any] | None) -> Resource | None:
        if not ref:
            return None
        return self._by_key.get((ref.get("type"), ref.get("id")))


def resources(document: dict[str, Any] | None) -> Iterator[Resource]:
    """The primary resources of a document, whether `data` is one object, a list or null."""
    data = (document or {}).get("data")
    if isinstance(data, dict):
        yield data
    elif isinstance(data, list):
        yield from (r for r in data if isinstance(r, dict))


def _attrs(resource: Resource) -> dict[str, Any]:
    return resource.get("attributes") or {}


def _rel(resource: Resource, name: str) -> Any:
    """The `data` of a relationship: a {type, id} dict, a list of them, or None when not sent."""
    return ((resource.get("relationships") or {}).get(name) or {}).get("data")


def _rel_id(resource: Resource, name: str) -> str | None:
    ref = _rel(resource, name)
    return ref.get("id") if isinstance(ref, dict) else None


def _rel_ids(resource: Resource, name: str) -> tuple[str, ...]:
    refs = _rel(resource, name)
    return tuple(r["id"] for r in refs if isinstance(r, dict) and "id" in r) if isinstance(refs, list) else ()


def parse_datetime(value: Any) -> datetime | None:
    """An aware datetime from Apple's ISO 8601 text; None when missing or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class App:
    """An app in App Store Connect (`apps`)."""

    id: str
    bundle_id: str
    name: str
    primary_locale: str | None

    @classmethod
    def parse(cls, r: Resource) -> App:
        a = _attrs(r)
        return cls(r["id"], a.get("bundleId") or "", a.get("name") or "", _str(a.get("primaryLocale")))


@dataclass(frozen=True, slots=True)
class PreReleaseVersion:
    """A marketing version on one platform as TestFlight knows it (`preReleaseVersions`)."""

    id: str
    version: str
    platform: str | None

    @classmethod
    def parse(cls, r: Resource) -> PreReleaseVersion:
        a = _attrs(r)
        return cls(r["id"], a.get("version") or "", _str(a.get("platform")))


@dataclass(frozen=True, slots=True)
class BuildBetaDetail:
    """A build's TestFlight states (`buildBetaDetails`)."""

    id: str
    internal_build_state: str | None
    external_build_state: str | None
    auto_notify_enabled: bool | None

    @classmethod
    def parse(cls, r: Resource) -> BuildBetaDetail:
        a = _attrs(r)
        return cls(
            r["id"],
            _str(a.get("internalBuildState")),
            _str(a.get("externalBuildState")),
            _bool(a.get("autoNotifyEnabled")),
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
        a = _attrs(r)
        inc = included or Included()
        pre = inc.get(_rel(r, "preReleaseVersion"))
        detail = inc.get(_rel(r, "buildBetaDetail"))
        return cls(
            id=r["id"],
            version=a.get("version") or "",
            processing_state=_str(a.get("processingState")),
            expired=bool(a.get("expired")),
            uploaded_date=parse_datetime(a.get("uploadedDate")),
            uses_non_exempt_encryption=_bool(a.get("usesNonExemptEncryption")),
            app_id=_rel_id(r, "app"),
            pre_release_version=PreReleaseVersion.parse(pre) if pre else None,
            beta_detail=BuildBetaDetail.parse(detail) if detail else None,
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
        a = _attrs(r)
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
            platform=_str(a.get("platform")),
            state=_str(state.get("state")),
            errors=errors,
            build_id=_rel_id(r, "build"),
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
        a = _attrs(r)
        return cls(
            r["id"],
            _str(a.get("betaReviewState")),
            parse_datetime(a.get("submittedDate")),
            _rel_id(r, "build"),
        )


@dataclass(frozen=True, slots=True)
class BetaGroup:
    """A TestFlight group of testers, internal or external (`betaGroups`)."""

    id: str
    name: str
    is_internal: bool
    has_access_to_all_builds: bool | None

    @classmethod
    def parse(cls, r: Resource) -> BetaGroup:
        a = _attrs(r)
        return cls(
            r["id"], a.get("name") or "", bool(a.get("isInternalGroup")), _bool(a.get("hasAccessToAllBuilds"))
        )


@dataclass(frozen=True, slots=True)
class BetaBuildLocalization:
    """ "What to Test" of a build in one locale (`betaBuildLocalizations`)."""

    id: str
    locale: str
    whats_new: str | None

    @classmethod
    def parse(cls, r: Resource) -> BetaBuildLocalization:
        a = _attrs(r)
        return cls(r["id"], a.get("locale") or "", _str(a.get("whatsNew")))


@dataclass(frozen=True, slots=True)
class PhasedRelease:
    """A version's 7-day phased release (`appStoreVersionPhasedReleases`)."""

    id: str
    state: str | None
    current_day_number: int | None

    @classmethod
    def parse(cls, r: Resource) -> PhasedRelease:
        a = _attrs(r)
        day = a.get("currentDayNumber")
        return cls(r["id"], _str(a.get("phasedReleaseState")), day if isinstance(day, int) else None)


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
        a = _attrs(r)
        phased = (included or Included()).get(_rel(r, "appStoreVersionPhasedRelease"))
        return cls(
            id=r["id"],
            version_string=a.get("versionString") or "",
            platform=_str(a.get("platform")),
            # appStoreState is deprecated, but older answers may carry only it.
            app_version_state=_str(a.get("appVersionState")) or _str(a.get("appStoreState")),
            release_type=_str(a.get("releaseType")),
            earliest_release_date=parse_datetime(a.get("earliestReleaseDate")),
            copyright=_str(a.get("copyright")),
            build_id=_rel_id(r, "build"),
            phased_release=PhasedRelease.parse(phased) if phased else None,
        )


@dataclass(frozen=True, slots=True)
class AppStoreVersionLocalization:
    """What's New of a version in one locale (`appStoreVersionLocalizations`)."""

    id: str
    locale: str
    whats_new: str | None

    @classmethod
    def parse(cls, r: Resource) -> AppStoreVersionLocalization:
        a = _attrs(r)
        return cls(r["id"], a.get("locale") or "", _str(a.get("whatsNew")))


@dataclass(frozen=True, slots=True)
class ReviewSubmission:
    """A submission to App Review holding one or more items (`reviewSubmissions`)."""

    id: str
    state: str | None
    platform: str | None
    submitted_date: datetime | None
    item_ids: tuple[str, ...] = field(default=())

    @classmethod
    def parse(cls, r: Resource) -> ReviewSubmission:
        a = _attrs(r)
        return cls(
            r["id"],
            _str(a.get("state")),
            _str(a.get("platform")),
            parse_datetime(a.get("submittedDate")),
            _rel_ids(r, "items"),
        )


@dataclass(frozen=True, slots=True)
class ReviewSubmissionItem:
    """One thing in a review submission, here an App Store version (`reviewSubmissionItems`)."""

    id: str
    state: str | None
    app_store_version_id: str | None

    @classmethod
    def parse(cls, r: Resource) -> ReviewSubmissionItem:
        return cls(r["id"], _str(_attrs(r).get("state")), _rel_id(r, "appStoreVersion"))


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
        a = _attrs(r)
        events = tuple(e for e in a.get("eventTypes") or [] if isinstance(e, str))
        return cls(r["id"], a.get("name") or "", a.get("url") or "", bool(a.get("enabled")), events)
