"""Numbers and switches that come from an environment variable or the TOML file's [defaults], for
bot/config.py: poll intervals and time-outs, tuning knobs, the rate reserve, legacy signatures.

The environment wins over [defaults], which wins over the built-in default; `get` reads the
environment (bot/config.py is the only module that does).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from bot.config_values import parse_bool, shown, toml_label

Get = Callable[[str], "str | None"]
# (env variable, TOML [defaults] name, default seconds, upper bound): a day-long poll or a month-long
# timeout is a typo, not a choice.
_SECONDS = (
    ("ASC_BOT_POLL_INTERVAL", "poll_interval", 30.0, 3600.0),
    ("ASC_BOT_FIND_TIMEOUT", "find_timeout", 900.0, 7 * 86400.0),
    ("ASC_BOT_PROCESSING_TIMEOUT", "processing_timeout", 7200.0, 7 * 86400.0),
)
# (env variable, TOML [defaults] name, default, lower bound other than 0 (= off), upper bound, unit).
_TUNING = (
    ("ASC_BOT_FEEDBACK_POLL_INTERVAL", "feedback_poll_interval", 1800.0, 60.0, 86400.0, "seconds"),
    ("ASC_BOT_FEEDBACK_DIGEST_THRESHOLD", "feedback_digest_threshold", 20.0, 1.0, 10000.0, "a whole number"),
    ("ASC_BOT_APPROVAL_REMINDER", "approval_reminder", 14400.0, 60.0, 30 * 86400.0, "seconds"),
)


def seconds_or_none(name: str, raw: str | None, lowest: float, problems: list[str]) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not lowest <= value <= 3600.0:
        problems.append(f"{name} must be a number of seconds from {lowest:g} to 3600, got {shown(raw)}")
        return None
    return value


def seconds(get: Get, defaults: Mapping[str, Any], problems: list[str]) -> list[float]:
    """Poll interval and time-outs: env wins over [defaults], which wins over the built-in default."""
    values: list[float] = []
    labels: list[str] = []
    valid: list[bool] = []
    for env_name, toml_name, default, upper in _SECONDS:
        raw, label = get(env_name), env_name
        if raw is None and toml_name in defaults:
            raw, label = defaults[toml_name], toml_label("defaults", toml_name)
        number = default if raw is None else _number(raw)
        if number is None:
            problems.append(f"{label} must be a number of seconds, got {shown(raw)}")
        elif not 1 <= number <= upper:
            problems.append(f"{label} must be between 1 and {upper:g} seconds, got {number:g}")
        values.append(default if number is None else number)
        labels.append(label)
        valid.append(number is not None and 1 <= number <= upper)
    # Cross-checks only between values that are fine on their own, so one mistake is reported once.
    (poll, find, process), (poll_ok, find_ok, process_ok) = values, valid
    if poll_ok and find_ok and find < poll:
        problems.append(f"{labels[1]} must be at least the poll interval ({poll:g} s), got {find:g}")
    if poll_ok and process_ok and process < poll:
        problems.append(f"{labels[2]} must be at least the poll interval ({poll:g} s), got {process:g}")
    elif find_ok and process_ok and process < find:
        # Both deadlines run from upload time, so a build found late could never finish processing.
        problems.append(f"{labels[2]} must be at least the find timeout ({find:g} s), got {process:g}")
    return values


def legacy_signatures(get: Get, defaults: Mapping[str, Any], problems: list[str]) -> bool:
    """Body-only build-uploaded signatures: the env wins over [defaults], which wins over false."""
    raw, label = get("ASC_BOT_ALLOW_UNTIMESTAMPED_SIGNATURES"), "ASC_BOT_ALLOW_UNTIMESTAMPED_SIGNATURES"
    if raw is None and "allow_untimestamped_signatures" in defaults:
        raw, label = (
            defaults["allow_untimestamped_signatures"],
            toml_label("defaults", "allow_untimestamped_signatures"),
        )
        if isinstance(raw, bool):  # TOML's own true/false
            return raw
    value = parse_bool(raw) if isinstance(raw, str) else (False if raw is None else None)
    if value is None:
        problems.append(f"{label} must be true or false, got {shown(raw)}")
    return bool(value)


def reserve(get: Get, defaults: Mapping[str, Any], problems: list[str]) -> float:
    """The percentage of each key's hourly budget the bot leaves alone: env, else [defaults], else 20."""
    raw, label = get("ASC_BOT_RATE_RESERVE"), "ASC_BOT_RATE_RESERVE"
    if raw is None and "rate_reserve" in defaults:
        raw, label = defaults["rate_reserve"], toml_label("defaults", "rate_reserve")
    if raw is None:
        return 0.20
    number = _number(raw.strip().removesuffix("%") if isinstance(raw, str) else raw)
    if number is None or not 0 <= number <= 90:
        problems.append(f"{label} must be a percentage between 0 and 90, got {shown(raw)}")
        return 0.20
    return number / 100


def tuning(get: Get, defaults: Mapping[str, Any], problems: list[str]) -> list[float]:
    """Feedback polling and digests, approval reminders: 0 turns each off; env wins over [defaults]."""
    values: list[float] = []
    for env_name, toml_name, default, lower, upper, unit in _TUNING:
        raw, label = get(env_name), env_name
        if raw is None and toml_name in defaults:
            raw, label = defaults[toml_name], toml_label("defaults", toml_name)
        number = default if raw is None else _number(raw)
        if number is None or (unit == "a whole number" and not number.is_integer()):
            wanted = "a number of seconds" if unit == "seconds" else unit
            problems.append(f"{label} must be {wanted}, got {shown(raw)}")
        elif number != 0 and not lower <= number <= upper:
            problems.append(f"{label} must be 0 (off) or between {lower:g} and {upper:g}, got {number:g}")
        else:
            values.append(number)
            continue
        values.append(default)
    return values


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool):  # TOML's true would otherwise count as 1 second
        return None
    try:
        number = float(raw)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
