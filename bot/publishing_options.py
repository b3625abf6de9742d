"""The publishing options, defined once: codemagic.yaml's `publishing.app_store_connect` keys.

The build-uploaded webhook's `publishing` object (bot/engine/intake.py), the TOML file's
`[defaults.publishing]` and `[apps."…".publishing]` tables (bot/config_tables.py) and the OpenAPI
document (bot/openapi.py) all read `OPTIONS`: the same names, types and checks. So does the Slack
channel id rule (`CHANNEL`), which the webhook and the configuration share.

Two checks belong to one request, not to a table of defaults: a release date must still be in the
future (`now`), and it goes with `release_type` SCHEDULED (`combination_problems`). A TOML default
is checked for its shape when the bot starts; the step checks the date again when it runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from bot.appstore.states import RELEASE_TYPES

# Slack channel ids: public (C…), private (G…) and direct-message (D…) channels.
CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,23}$")
LIMITS = MappingProxyType({"copyright": 200, "beta_group": 100, "beta_groups": 50})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# (where below the option, e.g. "" or "[1]" for a list item; the message), e.g. ("", "must be true or false").
Problems = list[tuple[str, str]]
Reader = Callable[[Any, "datetime | None"], tuple[Any, Problems]]


@dataclass(frozen=True)
class Option:
    """One publishing option: its name, its JSON schema, and the check that reads its value."""

    name: str
    schema: Mapping[str, Any]
    read: Reader  # (value, now or None) -> (the value as stored, or None; the problems)


def text_problem(value: str, *, multiline: bool) -> str | None:
    """Why a text cannot be stored or shown (lone surrogates, control characters), or None."""
    if not multiline and value.isascii() and value.isprintable():
        return None  # the usual case, in C: ASCII has no surrogates, its only unprintables are controls
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text"
    if (_CONTROL_MULTILINE if multiline else _CONTROL).search(value):
        return "must not contain control characters"
    return None


def parse_release_date(value: Any, now: datetime | None) -> datetime | str:
    """A timezone-aware ISO 8601 time on the hour (and after `now`, when given), or the reason it is not."""
    if not isinstance(value, str) or len(value) > 64:
        return "must be an ISO 8601 date-time text such as 2026-12-01T14:00:00+00:00"
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return "must be an ISO 8601 date-time such as 2026-12-01T14:00:00+00:00"
    if when.tzinfo is None:
        return "must include a time zone offset, e.g. +00:00"
    try:
        when.astimezone(UTC)  # year 1 or 9999 with an offset cannot be placed in UTC
    except OverflowError:
        return "is out of range"
    if when.minute or when.second or when.microsecond:
        return "must be on the hour (App Store Connect schedules releases at hour precision)"
    if now is not None and when <= now:
        return "must be in the future"
    return when


def _boolean(value: Any, now: datetime | None) -> tuple[Any, Problems]:
    return (value, []) if isinstance(value, bool) else (None, [("", "must be true or false")])


def _groups(value: Any, now: datetime | None) -> tuple[Any, Problems]:
    limit, name_limit = LIMITS["beta_groups"], LIMITS["beta_group"]
    if not isinstance(value, list | tuple):
        return None, [("", "must be a list of beta group names")]
    if len(value) > limit:
        return None, [("", f"must list at most {limit} beta groups")]
    problems: Problems = []
    for i, name in enumerate(value):
        if not isinstance(name, str) or not name.strip():
            problems.append((f"[{i}]", "must be a beta group name"))
        elif len(name.strip()) > name_limit:
            problems.append((f"[{i}]", f"must be at most {name_limit} characters"))
        elif (reason := text_problem(name, multiline=False)) is not None:
            problems.append((f"[{i}]", reason))
    if problems:
        return None, problems
    return list(dict.fromkeys(g.strip() for g in value)), []


def _release_type(value: Any, now: datetime | None) -> tuple[Any, Problems]:
    if value in RELEASE_TYPES:
        return value, []
    return None, [("", f"must be one of {', '.join(RELEASE_TYPES)}")]


def _copyright(value: Any, now: datetime | None) -> tuple[Any, Problems]:
    limit = LIMITS["copyright"]
    if not isinstance(value, str) or not 0 < len(value.strip()) <= limit:
        return None, [("", f"must be a text of 1 to {limit} characters")]
    if (reason := text_problem(value, multiline=False)) is not None:
        return None, [("", reason)]
    return value.strip(), []


def _release_date(value: Any, now: datetime | None) -> tuple[Any, Problems]:
    when = parse_release_date(value, now)
    return (None, [("", when)]) if isinstance(when, str) else (when.isoformat(), [])


_BOOLEAN = MappingProxyType({"type": "boolean"})
OPTIONS: Mapping[str, Option] = MappingProxyType(
    {
        option.name: option
        for option in (
            *(
                Option(name, _BOOLEAN, _boolean)
                for name in (
                    "submit_to_testflight",
                    "expire_build_submitted_for_review",
                    "submit_to_app_store",
                    "cancel_previous_submissions",
                    "phased_release",
                    "publish_even_if_tests_fail",
                    "uses_non_exempt_encryption",
                )
            ),
            Option(
                "beta_groups",
                {
                    "type": "array",
                    "maxItems": LIMITS["beta_groups"],
                    "items": {"type": "string", "minLength": 1, "maxLength": LIMITS["beta_group"]},
                },
                _groups,
            ),
            Option("release_type", {"type": "string", "enum": list(RELEASE_TYPES)}, _release_type),
            Option(
                "copyright",
                # No control characters (the check refuses them).
                {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": LIMITS["copyright"],
                    "pattern": "^[^\\u0000-\\u001f\\u007f]*$",
                },
                _copyright,
            ),
            Option(
                "earliest_release_date",
                {
                    "type": "string",
                    "format": "date-time",
                    "description": "With a time zone offset, on the hour and in the future; needs release_type SCHEDULED.",
                    "examples": ["2026-12-01T14:00:00+00:00"],
                },
                _release_date,
            ),
        )
    }
)
BOOL_OPTIONS = tuple(name for name, option in OPTIONS.items() if option.read is _boolean)


OptionProblem = tuple[str, str, str]  # (option, where below it, message)


def read_options(raw: Mapping[str, Any], now: datetime | None) -> tuple[dict[str, Any], list[OptionProblem]]:
    """The known options of `raw`, checked: the values, and the problems.

    Unknown keys are left to the caller, which words them for its readers.
    """
    values: dict[str, Any] = {}
    problems: list[OptionProblem] = []
    for name, option in OPTIONS.items():
        if name not in raw:
            continue
        value, found = option.read(raw[name], now)
        problems += [(name, where, message) for where, message in found]
        if not found:
            values[name] = value
    return values, problems


def combination_problems(raw: Mapping[str, Any], values: Mapping[str, Any]) -> list[OptionProblem]:
    """One request's release date and release type must go together (SCHEDULED with a date)."""
    if "earliest_release_date" in values:
        if values.get("release_type", "SCHEDULED") != "SCHEDULED":
            return [("earliest_release_date", "", "only applies with release_type SCHEDULED")]
    elif "earliest_release_date" not in raw and values.get("release_type") == "SCHEDULED":
        return [("earliest_release_date", "", "is required with release_type SCHEDULED")]
    return []
