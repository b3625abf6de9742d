"""The build-uploaded notification: parsed and checked field by field, every problem reported at once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

PLATFORMS = ("IOS", "MAC_OS", "TV_OS", "VISION_OS")
RELEASE_TYPES = ("MANUAL", "AFTER_APPROVAL", "SCHEDULED")
BOOL_OPTIONS = (
    "submit_to_testflight",
    "expire_build_submitted_for_review",
    "submit_to_app_store",
    "cancel_previous_submissions",
    "phased_release",
    "publish_even_if_tests_fail",
    "uses_non_exempt_encryption",
)
TOP_LEVEL_KEYS = {
    "delivery_id",
    "app",
    "platform",
    "version",
    "build_number",
    "channel",
    "tests_passed",
    "api_key",
    "source",
    "publishing",
    "release_notes",
}
_VERSION = re.compile(r"^\d+(\.\d+){0,2}$")
_BUILD = re.compile(r"^\d+(\.\d+){0,2}$")
_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,20}$")
_BUNDLE = re.compile(r"^[A-Za-z0-9.\-]{1,155}$")
_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class InvalidNotice(Exception):
    """The notification is not acceptable; `problems` says what to fix, field by field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class UploadNotice:
    """A validated build-uploaded notification (from CI, `/asc publish`, or App Store Connect)."""

    bundle_id: str | None
    apple_id: str | None
    platform: str
    version: str
    build_number: str
    channel: str | None = None
    tests_passed: bool | None = None
    api_key: str | None = None
    source: dict[str, str] = field(default_factory=dict)
    publishing: dict[str, Any] = field(default_factory=dict)
    release_notes: tuple[dict[str, str], ...] = ()
    delivery_id: str | None = None

    @property
    def natural_key(self) -> str:
        return f"{self.bundle_id or self.apple_id}:{self.platform}:{self.version}:{self.build_number}"


def parse_notice(payload: Any, *, now: datetime) -> UploadNotice:
    """Check a decoded JSON body against the contract in DESIGN.md §4.3."""
    problems: list[Problem] = []
    if not isinstance(payload, dict):
        raise InvalidNotice([Problem("$", "the body must be a JSON object")])
    for key in sorted(set(payload) - TOP_LEVEL_KEYS):
        problems.append(Problem(key, "unknown field"))

    def text(
        name: str,
        value: Any,
        *,
        required: bool = False,
        pattern: re.Pattern[str] | None = None,
        max_len: int = 255,
        hint: str = "",
    ) -> str | None:
        if value is None:
            if required:
                problems.append(Problem(name, "is required"))
            return None
        if not isinstance(value, str):
            problems.append(Problem(name, "must be a string"))
            return None
        value = value.strip()
        if not value:
            problems.append(Problem(name, "must not be empty"))
            return None
        if len(value) > max_len:
            problems.append(Problem(name, f"must be at most {max_len} characters"))
            return None
        if pattern is not None and not pattern.match(value):
            problems.append(Problem(name, f"is not valid{hint}"))
            return None
        return value

    app = payload.get("app")
    bundle_id = apple_id = None
    if not isinstance(app, dict):
        problems.append(Problem("app", "is required: an object with bundle_id and/or apple_id"))
    else:
        for key in sorted(set(app) - {"bundle_id", "apple_id", "name"}):
            problems.append(Problem(f"app.{key}", "unknown field"))
        bundle_id = text(
            "app.bundle_id",
            app.get("bundle_id"),
            pattern=_BUNDLE,
            max_len=155,
            hint=" (letters, digits, '.' and '-')",
        )
        raw_apple = app.get("apple_id")
        if isinstance(raw_apple, int) and not isinstance(raw_apple, bool):
            raw_apple = str(raw_apple)
        apple_id = text("app.apple_id", raw_apple, pattern=re.compile(r"^\d{1,20}$"), hint=" (digits only)")
        if bundle_id is None and apple_id is None and "app.bundle_id" not in {p.field for p in problems}:
            problems.append(Problem("app", "needs bundle_id or apple_id"))

    platform = payload.get("platform", "IOS")
    if platform not in PLATFORMS:
        problems.append(Problem("platform", f"must be one of {', '.join(PLATFORMS)}"))
    version = text(
        "version",
        payload.get("version"),
        required=True,
        pattern=_VERSION,
        max_len=32,
        hint=" (CFBundleShortVersionString, e.g. 1.4.0)",
    )
    raw_build = payload.get("build_number")
    if isinstance(raw_build, int) and not isinstance(raw_build, bool):
        raw_build = str(raw_build)
    build_number = text(
        "build_number",
        raw_build,
        required=True,
        pattern=_BUILD,
        max_len=32,
        hint=" (CFBundleVersion, e.g. 412 or 1.4.0.412 with up to three parts)",
    )
    channel = text(
        "channel",
        payload.get("channel"),
        pattern=_CHANNEL,
        max_len=24,
        hint=" (a Slack channel id such as C0123456789)",
    )
    tests_passed = payload.get("tests_passed")
    if tests_passed is not None and not isinstance(tests_passed, bool):
        problems.append(Problem("tests_passed", "must be true or false"))
        tests_passed = None
    api_key = text("api_key", payload.get("api_key"), max_len=64)
    delivery_id = text("delivery_id", payload.get("delivery_id"), max_len=128)

    source: dict[str, str] = {}
    raw_source = payload.get("source")
    if raw_source is not None:
        if not isinstance(raw_source, dict):
            problems.append(Problem("source", "must be an object with name and url"))
        else:
            for key in sorted(set(raw_source) - {"name", "url"}):
                problems.append(Problem(f"source.{key}", "unknown field"))
            name = text("source.name", raw_source.get("name"), max_len=80)
            url = text(
                "source.url",
                raw_source.get("url"),
                max_len=2000,
                pattern=re.compile(r"^https?://\S+$"),
                hint=" (an http or https URL)",
            )
            source = {k: v for k, v in (("name", name), ("url", url)) if v}

    publishing = _parse_publishing(payload.get("publishing"), problems, now)
    release_notes = _parse_release_notes(payload.get("release_notes"), problems)

    if problems:
        raise InvalidNotice(problems)
    assert version is not None and build_number is not None
    return UploadNotice(
        bundle_id=bundle_id,
        apple_id=apple_id,
        platform=platform,
        version=version,
        build_number=build_number,
        channel=channel,
        tests_passed=tests_passed,
        api_key=api_key,
        source=source,
        publishing=publishing,
        release_notes=release_notes,
        delivery_id=delivery_id,
    )


def _parse_publishing(raw: Any, problems: list[Problem], now: datetime) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(Problem("publishing", "must be an object"))
        return {}
    known = set(BOOL_OPTIONS) | {"beta_groups", "release_type", "earliest_release_date", "copyright"}
    out: dict[str, Any] = {}
    for key in sorted(set(raw) - known):
        problems.append(Problem(f"publishing.{key}", "unknown option"))
    for key in BOOL_OPTIONS:
        if key in raw:
            if isinstance(raw[key], bool):
                out[key] = raw[key]
            else:
                problems.append(Problem(f"publishing.{key}", "must be true or false"))
    if "beta_groups" in raw:
        groups = raw["beta_groups"]
        if not isinstance(groups, list) or not all(isinstance(g, str) and g.strip() for g in groups):
            problems.append(Problem("publishing.beta_groups", "must be a list of beta group names"))
        elif len(groups) > 50 or any(len(g) > 100 for g in groups):
            problems.append(Problem("publishing.beta_groups", "at most 50 names of at most 100 characters"))
        else:
            out["beta_groups"] = list(dict.fromkeys(g.strip() for g in groups))
    if "release_type" in raw:
        if raw["release_type"] in RELEASE_TYPES:
            out["release_type"] = raw["release_type"]
        else:
            problems.append(Problem("publishing.release_type", f"must be one of {', '.join(RELEASE_TYPES)}"))
    if "copyright" in raw:
        value = raw["copyright"]
        if isinstance(value, str) and 0 < len(value.strip()) <= 200:
            out["copyright"] = value.strip()
        else:
            problems.append(Problem("publishing.copyright", "must be a text of 1 to 200 characters"))
    if "earliest_release_date" in raw:
        when = parse_release_date(raw["earliest_release_date"], now)
        if isinstance(when, str):
            problems.append(Problem("publishing.earliest_release_date", when))
        else:
            out["earliest_release_date"] = when.isoformat()
            if out.get("release_type", "SCHEDULED") != "SCHEDULED":
                problems.append(
                    Problem("publishing.earliest_release_date", "only applies with release_type SCHEDULED")
                )
    elif out.get("release_type") == "SCHEDULED":
        problems.append(
            Problem("publishing.earliest_release_date", "is required with release_type SCHEDULED")
        )
    return out


def parse_release_date(value: Any, now: datetime) -> datetime | str:
    """A timezone-aware ISO 8601 time on the hour and in the future, or the reason it is not."""
    if not isinstance(value, str):
        return "must be an ISO 8601 date-time text such as 2026-12-01T14:00:00+00:00"
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return "must be an ISO 8601 date-time such as 2026-12-01T14:00:00+00:00"
    if when.tzinfo is None:
        return "must include a time zone offset, e.g. +00:00"
    if when.minute or when.second or when.microsecond:
        return "must be on the hour (App Store Connect schedules releases at hour precision)"
    if when <= now:
        return "must be in the future"
    return when


def _parse_release_notes(raw: Any, problems: list[Problem]) -> tuple[dict[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(Problem("release_notes", "must be a list of {language, text}"))
        return ()
    notes: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        where = f"release_notes[{i}]"
        if not isinstance(item, dict) or set(item) - {"language", "text"}:
            problems.append(Problem(where, "must be an object with only language and text"))
            continue
        language, note = item.get("language"), item.get("text")
        if not isinstance(language, str) or not _LOCALE.match(language):
            problems.append(Problem(f"{where}.language", "must be a locale such as en-US"))
            continue
        if not isinstance(note, str) or not note.strip():
            problems.append(Problem(f"{where}.text", "must be a non-empty text"))
            continue
        if len(note) > 4000:
            problems.append(
                Problem(f"{where}.text", "must be at most 4000 characters (App Store Connect's limit)")
            )
            continue
        if language in seen:
            problems.append(Problem(f"{where}.language", f"{language} is listed twice"))
            continue
        seen.add(language)
        notes.append({"language": language, "text": note})
    return tuple(notes)
