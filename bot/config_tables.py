"""The TOML file's [defaults] and [apps."<bundle id>"] settings for bot/config.py: channels, approvers
and publishing options (the webhook's own definitions, bot/publishing_options.py)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from bot.config_values import check_known, shown, toml_label
from bot.publishing_options import CHANNEL, OPTIONS, read_options

_APP_FIELDS = ("channel", "api_key", "approvers", "publishing")
_APPROVER_RE = re.compile(r"[UWS][A-Z0-9]{2,}")
_BUNDLE_ID_RE = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")


def check_channel(label: str, value: Any, problems: list[str]) -> bool:
    """Channel ids, not names: a name breaks when the channel is renamed."""
    if isinstance(value, str) and CHANNEL.fullmatch(value):
        return True
    problems.append(f"{label} must be a channel id like C0123456789 (not a name), got {shown(value)}")
    return False


def toml_channel(table: Mapping[str, Any], path: tuple[str, ...], problems: list[str]) -> str | None:
    """The table's checked channel id, if it has one."""
    value = table.get("channel")
    if value is None or not check_channel(toml_label(*path, "channel"), value, problems):
        return None
    return value


def approvers(table: Mapping[str, Any], path: tuple[str, ...], problems: list[str]) -> tuple[str, ...]:
    """The table's checked approvers: Slack user ids (U…/W…) or user-group ids (S…)."""
    value = table.get("approvers", [])
    label = toml_label(*path, "approvers")
    if not isinstance(value, list):
        problems.append(f"{label} must be a list of Slack user or user-group ids")
        return ()
    for item in value:
        if not isinstance(item, str) or not _APPROVER_RE.fullmatch(item):
            problems.append(f"{label} has {shown(item)}, not a Slack user id (U…/W…) or user-group id (S…)")
    return tuple(value)


def publishing(table: Mapping[str, Any], path: tuple[str, ...], problems: list[str]) -> Mapping[str, Any]:
    """The table's publishing options: the webhook's "publishing" keys, read by the same checks.

    A release date is not required to be in the future here (the step checks that when it runs), and
    release type and date may come from different tables, so they are not checked against each other.
    """
    value = table.get("publishing", {})
    path = (*path, "publishing")
    if not isinstance(value, dict):
        problems.append(f"{toml_label(*path)} must be a table of publishing options")
        return MappingProxyType({})
    check_known(value, OPTIONS, path, problems)
    # TOML parses an unquoted date-time itself; the checks read the ISO text the webhook sends.
    raw = {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in value.items()}
    options, found = read_options(raw, None)
    for name, where, message in found:
        value = raw[name]
        got = f", got {shown(value)}" if not where and isinstance(value, str | int | float) else ""
        problems.append(f"{toml_label(*path, name)}{where} {message}{got}")
    return MappingProxyType({k: tuple(v) if isinstance(v, list) else v for k, v in options.items()})


def apps(table: Mapping[str, Any], key_names: list[str], problems: list[str]) -> dict[str, dict[str, Any]]:
    """Each [apps."<bundle id>"] table's checked settings, as AppSettings keyword arguments."""
    found: dict[str, dict[str, Any]] = {}
    seen: dict[str, str] = {}
    for bundle_id, settings in table.items():
        path = ("apps", bundle_id)
        twin = seen.setdefault(bundle_id.lower(), bundle_id)
        if twin != bundle_id:  # Apple treats them as one app: which table's approvers would apply?
            problems.append(
                f"{toml_label(*path)} is the same app as {toml_label('apps', twin)} (letter case)"
            )
        if not _BUNDLE_ID_RE.fullmatch(bundle_id):
            problems.append(f"{toml_label(*path)} is not a bundle id (letters, digits, '-' and '.')")
        if not isinstance(settings, dict):
            problems.append(f"{toml_label(*path)} must be a table")
            continue
        check_known(settings, _APP_FIELDS, path, problems)
        api_key = settings.get("api_key")
        if api_key is not None and (not isinstance(api_key, str) or api_key not in key_names):
            known = ", ".join(key_names) or "none"
            problems.append(
                f"{toml_label(*path, 'api_key')} names no configured key: {shown(api_key)} (known: {known})"
            )
            api_key = None
        found[bundle_id] = {
            "bundle_id": bundle_id,
            "channel": toml_channel(settings, path, problems),
            "api_key": api_key,
            "approvers": approvers(settings, path, problems),
            "publishing": publishing(settings, path, problems),
        }
    return found
