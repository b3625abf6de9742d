"""The webhook's `publishing` object and the TOML file's publishing tables take the same options with
the same checks (bot/publishing_options.py), and both use one Slack channel id rule."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_config
from bot.engine.intake import InvalidNotice, parse_notice
from bot.errors import ConfigError
from bot.openapi import PUBLISHING
from tests.support.config_env import make_env

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
FUTURE = "2099-12-01T14:00:00+00:00"
PAYLOAD = {"app": {"bundle_id": "com.example.app"}, "version": "1.4.0", "build_number": "412"}
# A value each option takes, and values it refuses (wrong type, out of its limits, unreadable).
GOOD: dict[str, Any] = {
    "submit_to_testflight": True,
    "expire_build_submitted_for_review": False,
    "submit_to_app_store": True,
    "cancel_previous_submissions": True,
    "phased_release": False,
    "publish_even_if_tests_fail": True,
    "uses_non_exempt_encryption": False,
    "beta_groups": ["QA", " Friends "],
    "release_type": "MANUAL",
    "copyright": " 2026 Example Ltd ",
    "earliest_release_date": FUTURE,
}
BAD: dict[str, list[Any]] = {
    **{name: ["yes", 1] for name, value in GOOD.items() if isinstance(value, bool)},
    "beta_groups": ["QA", ["QA", ""], ["QA", 3], ["x"] * 51, ["y" * 101], ["a\x00b"]],
    "release_type": ["LATER", "manual", True],
    "copyright": ["", "c" * 201, "a\nb", 2026],
    "earliest_release_date": ["soon", "2099-12-01T14:00:00", "2099-12-01T14:30:00+00:00", 5],
}


def webhook(publishing: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """What the webhook keeps of the options, and its problems as 'field message'."""
    try:
        notice = parse_notice({**PAYLOAD, "publishing": publishing}, now=NOW)
    except InvalidNotice as exc:
        return {}, {f"{p.field} {p.message}" for p in exc.problems}
    return notice.publishing, set()


def toml(tmp_path: Path, publishing: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """What the TOML file's [defaults.publishing] keeps, and its problems without the value quoted."""
    path = tmp_path / "asc-bot.toml"
    # JSON's strings, numbers, booleans and lists are TOML's too.
    lines = [f"{name} = {json.dumps(value)}" for name, value in publishing.items()]
    path.write_text("[defaults.publishing]\n" + "\n".join(lines) + "\n")
    try:
        config = load_config(make_env(ASC_BOT_CONFIG=str(path)))
    except ConfigError as exc:
        found = {re.sub(r", got .*$", "", p) for p in exc.problems}
        return {}, {p.removeprefix("ASC_BOT_CONFIG defaults.") for p in found}
    kept = {k: list(v) if isinstance(v, tuple) else v for k, v in config.publishing_defaults.items()}
    return kept, set()


def test_both_know_the_same_options() -> None:
    assert set(GOOD) == set(
        PUBLISHING["properties"]
    )  # the webhook's keys, as its OpenAPI document lists them


@pytest.mark.parametrize("name", sorted(GOOD))
def test_every_option_is_taken_alike(tmp_path: Path, name: str) -> None:
    by_webhook, refused = webhook({name: GOOD[name]})
    assert not refused
    assert toml(tmp_path, {name: GOOD[name]}) == (by_webhook, set())
    assert name in by_webhook


@pytest.mark.parametrize(("name", "value"), [(n, v) for n, values in BAD.items() for v in values])
def test_every_option_is_refused_alike(tmp_path: Path, name: str, value: Any) -> None:
    _, by_webhook = webhook({name: value})
    _, by_toml = toml(tmp_path, {name: value})
    assert by_webhook and by_toml == by_webhook


def test_an_unknown_option_is_refused_by_both(tmp_path: Path) -> None:
    assert webhook({"autopilot": True})[1] == {"publishing.autopilot unknown option"}
    [problem] = toml(tmp_path, {"autopilot": True})[1]
    assert problem.startswith("publishing.autopilot is not a known setting (known: ")
    listed = problem.split("known: ", 1)[1].rstrip(")").split(", ")
    assert set(listed) == set(GOOD)


def test_uses_non_exempt_encryption_may_be_a_default(tmp_path: Path) -> None:
    assert toml(tmp_path, {"uses_non_exempt_encryption": False}) == (
        {"uses_non_exempt_encryption": False},
        set(),
    )


def test_only_a_request_needs_a_future_date_and_a_matching_release_type(tmp_path: Path) -> None:
    # A default date is checked for its shape at start-up; the step checks it is still ahead when it runs.
    past = "2026-01-01T14:00:00+00:00"
    assert webhook({"earliest_release_date": past})[1] == {
        "publishing.earliest_release_date must be in the future"
    }
    assert toml(tmp_path, {"earliest_release_date": past}) == ({"earliest_release_date": past}, set())
    # Release type and date may come from different tables ([defaults] and the app's).
    assert toml(tmp_path, {"release_type": "SCHEDULED"}) == ({"release_type": "SCHEDULED"}, set())
    assert (
        "publishing.earliest_release_date is required with release_type SCHEDULED"
        in webhook({"release_type": "SCHEDULED"})[1]
    )


@pytest.mark.parametrize(
    ("channel", "taken"),
    [
        ("C0123456789", True),
        ("G0PRIVATE1", True),
        ("D0DIRECT12", True),
        ("C" + "1" * 23, True),
        ("C" + "1" * 24, False),
        ("#releases", False),
        ("U0123456789", False),
        ("c0123456789", False),
    ],
)
def test_one_channel_rule(channel: str, taken: bool) -> None:
    assert (not _channel_problems(channel)) is taken
    try:
        load_config(make_env(SLACK_CHANNEL=channel))
    except ConfigError as exc:
        assert not taken and "SLACK_CHANNEL must be a channel id" in exc.problems[0]
    else:
        assert taken


def _channel_problems(channel: str) -> set[str]:
    try:
        parse_notice({**PAYLOAD, "channel": channel}, now=NOW)
    except InvalidNotice as exc:
        return {f"{p.field} {p.message}" for p in exc.problems}
    return set()
