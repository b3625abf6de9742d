"""The build-uploaded notification: parsed and checked field by field, every problem reported at once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot import publishing_options
from bot.appstore.states import PLATFORMS
from bot.publishing_options import CHANNEL, combination_problems, read_options, text_problem

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
APP_KEYS = ("bundle_id", "apple_id", "name")
# Length limits, shared with the OpenAPI document (bot/openapi.py) so the two cannot drift.
LIMITS = {
    "delivery_id": 128,
    "app.bundle_id": 155,
    "app.apple_id": 20,
    "app.name": 100,
    "version": 32,
    "build_number": 32,
    "channel": 24,
    "api_key": 64,
    "source.name": 80,
    "source.url": 2000,
    **publishing_options.LIMITS,
    "release_notes": 40,
    "note": 4000,
}
VERSION = re.compile(r"^[0-9]+(\.[0-9]+){0,2}$")  # CFBundleShortVersionString
BUILD = re.compile(r"^[0-9]+(\.[0-9]+){0,2}$")  # CFBundleVersion
BUNDLE = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$")
APPLE_ID = re.compile(r"^[0-9]{1,20}$")
URL = re.compile(r"^https?://[^\s]+$")
LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_MAX_UNKNOWN_LISTED = 20  # a body with thousands of made-up keys gets a short answer, not an echo


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


class _Checker:
    """Collects problems while reading fields, so one answer can list all of them."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, name: str, message: str) -> None:
        self.problems.append(Problem(name, message))

    def unknown(self, where: str, keys: set[Any], known: set[str] | tuple[str, ...], what: str) -> None:
        if keys.issubset(known):  # the usual case, in C: every key is known
            return
        extra = sorted((k for k in keys if k not in known), key=str)
        for key in extra[:_MAX_UNKNOWN_LISTED]:
            shown = key if len(key) <= 64 else key[:61] + "..."
            self.add(f"{where}{shown}", what)
        if len(extra) > _MAX_UNKNOWN_LISTED:
            self.add(where.rstrip(".") or "$", f"and {len(extra) - _MAX_UNKNOWN_LISTED} more unknown fields")

    def text(
        self,
        name: str,
        value: Any,
        *,
        required: bool = False,
        pattern: re.Pattern[str] | None = None,
        hint: str = "",
        numeric: bool = False,
    ) -> str | None:
        """A trimmed one-line string, or None after noting why it is not acceptable."""
        if numeric and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            value = str(value)  # CI tools often send build numbers and Apple ids as JSON numbers
        if value is None:
            if required:
                self.add(name, "is required")
            return None
        if not isinstance(value, str):
            self.add(name, "must be a string")
            return None
        text = value.strip()
        max_len = LIMITS[name]
        if not text:
            self.add(name, "must not be empty")
        elif len(text) > max_len:
            self.add(name, f"must be at most {max_len} characters")
        elif (reason := text_problem(text, multiline=False)) is not None:
            self.add(name, reason)
        elif pattern is not None and not pattern.fullmatch(text):
            self.add(name, f"is not valid{hint}")
        else:
            return text
        return None


def parse_notice(payload: Any, *, now: datetime) -> UploadNotice:
    """Check a decoded JSON body against the webhook contract (README, "The build-uploaded webhook")."""
    if not isinstance(payload, dict):
        raise InvalidNotice([Problem("$", "the body must be a JSON object")])
    check = _Checker()
    check.unknown("", set(payload), TOP_LEVEL_KEYS, "unknown field")
    bundle_id, apple_id = _parse_app(payload.get("app"), check)
    platform = payload.get("platform")
    if platform is None:
        platform = "IOS"
    elif platform not in PLATFORMS:
        check.add("platform", f"must be one of {', '.join(PLATFORMS)}")
    version = check.text(
        "version",
        payload.get("version"),
        required=True,
        pattern=VERSION,
        hint=" (CFBundleShortVersionString, e.g. 1.4.0)",
    )
    build_number = check.text(
        "build_number",
        payload.get("build_number"),
        required=True,
        pattern=BUILD,
        numeric=True,
        hint=" (CFBundleVersion, e.g. 412 or 1.4.0.412 with up to three parts)",
    )
    channel = check.text(
        "channel", payload.get("channel"), pattern=CHANNEL, hint=" (a Slack channel id such as C0123456789)"
    )
    tests_passed = payload.get("tests_passed")
    if tests_passed is not None and not isinstance(tests_passed, bool):
        check.add("tests_passed", "must be true or false")
        tests_passed = None
    api_key = check.text("api_key", payload.get("api_key"))
    delivery_id = check.text("delivery_id", payload.get("delivery_id"))
    source = _parse_source(payload.get("source"), check)
    publishing = _parse_publishing(payload.get("publishing"), check, now)
    release_notes = _parse_release_notes(payload.get("release_notes"), check)

    if check.problems:
        raise InvalidNotice(check.problems)
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


def _parse_app(app: Any, check: _Checker) -> tuple[str | None, str | None]:
    if not isinstance(app, dict):
        check.add("app", "is required: an object with bundle_id and/or apple_id")
        return None, None
    check.unknown("app.", set(app), APP_KEYS, "unknown field")
    before = len(check.problems)
    bundle_id = check.text(
        "app.bundle_id", app.get("bundle_id"), pattern=BUNDLE, hint=" (letters, digits, '-' and '.')"
    )
    apple_id = check.text(
        "app.apple_id", app.get("apple_id"), pattern=APPLE_ID, numeric=True, hint=" (digits only)"
    )
    check.text("app.name", app.get("name"))  # shown nowhere yet, but still checked
    if bundle_id is None and apple_id is None and len(check.problems) == before:
        check.add("app", "needs bundle_id or apple_id")
    return bundle_id, apple_id


def _parse_source(raw: Any, check: _Checker) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        check.add("source", "must be an object with name and url")
        return {}
    check.unknown("source.", set(raw), ("name", "url"), "unknown field")
    name = check.text("source.name", raw.get("name"))
    url = check.text("source.url", raw.get("url"), pattern=URL, hint=" (an http or https URL)")
    return {k: v for k, v in (("name", name), ("url", url)) if v}


def _parse_publishing(raw: Any, check: _Checker, now: datetime) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        check.add("publishing", "must be an object")
        return {}
    check.unknown("publishing.", set(raw), tuple(publishing_options.OPTIONS), "unknown option")
    out, problems = read_options(raw, now)  # the same checks as the TOML file's publishing tables
    for name, where, message in [*problems, *combination_problems(raw, out)]:
        check.add(f"publishing.{name}{where}", message)
    return out


def _parse_release_notes(raw: Any, check: _Checker) -> tuple[dict[str, str], ...]:
    if raw is None:
        return ()
    limit = LIMITS["release_notes"]
    if not isinstance(raw, list):
        check.add("release_notes", "must be a list of {language, text}")
        return ()
    if len(raw) > limit:
        check.add("release_notes", f"must list at most {limit} languages")
        return ()
    notes: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        where = f"release_notes[{i}]"
        if not isinstance(item, dict):
            check.add(where, "must be an object with language and text")
            continue
        check.unknown(f"{where}.", set(item), ("language", "text"), "unknown field")
        language, note = item.get("language"), item.get("text")
        ok = True
        if not isinstance(language, str) or len(language) > 35 or not LOCALE.fullmatch(language):
            check.add(f"{where}.language", "must be a locale such as en-US")
            ok = False
        elif language in seen:
            check.add(f"{where}.language", f"{language} is listed twice")
            ok = False
        if not isinstance(note, str) or not note.strip():
            check.add(f"{where}.text", "must be a non-empty text")
            ok = False
        elif len(note) > LIMITS["note"]:
            check.add(
                f"{where}.text", f"must be at most {LIMITS['note']} characters (App Store Connect's limit)"
            )
            ok = False
        elif (reason := text_problem(note, multiline=True)) is not None:
            check.add(f"{where}.text", reason)
            ok = False
        if ok and isinstance(language, str) and isinstance(note, str):  # ok: both are text
            seen.add(language)
            notes.append({"language": language, "text": note})
    return tuple(notes)
