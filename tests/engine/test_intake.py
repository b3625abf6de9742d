"""The build-uploaded contract: valid payloads parse; every problem of a bad one is listed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings

from bot.engine.intake import InvalidNotice, parse_notice
from tests.web.strategies import NOW as STRATEGY_NOW
from tests.web.strategies import Mutation, broken_payloads, names, valid_payloads

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
VALID = {
    "delivery_id": "run-1",
    "app": {"bundle_id": "com.example.app", "apple_id": "1234567890"},
    "platform": "IOS",
    "version": "1.4.0",
    "build_number": "412",
    "channel": "C0123456789",
    "tests_passed": True,
    "api_key": "default",
    "source": {"name": "GitHub Actions", "url": "https://ci.example.com/runs/1"},
    "publishing": {
        "submit_to_testflight": True,
        "expire_build_submitted_for_review": True,
        "beta_groups": ["QA", "Friends"],
        "submit_to_app_store": False,
        "cancel_previous_submissions": True,
        "release_type": "SCHEDULED",
        "earliest_release_date": "2026-12-01T14:00:00+00:00",
        "copyright": "2026 Example Ltd",
        "phased_release": True,
        "publish_even_if_tests_fail": False,
    },
    "release_notes": [{"language": "en-US", "text": "What to test in this build"}],
}


def problems(payload: object) -> dict[str, str]:
    with pytest.raises(InvalidNotice) as caught:
        parse_notice(payload, now=NOW)
    return {p.field: p.message for p in caught.value.problems}


def test_the_design_example_parses() -> None:
    notice = parse_notice(VALID, now=NOW)
    assert (notice.bundle_id, notice.version, notice.build_number) == ("com.example.app", "1.4.0", "412")
    assert notice.publishing["beta_groups"] == ["QA", "Friends"]
    assert notice.release_notes == ({"language": "en-US", "text": "What to test in this build"},)


def test_minimal_payload_and_numeric_build_number() -> None:
    notice = parse_notice({"app": {"bundle_id": "a.b"}, "version": "1.0", "build_number": 7}, now=NOW)
    assert notice.build_number == "7" and notice.platform == "IOS" and notice.publishing == {}


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"app": {}}, "app", "bundle_id or apple_id"),
        ({"app": "com.example.app"}, "app", "is required"),
        ({"platform": "ANDROID"}, "platform", "IOS, MAC_OS"),
        ({"version": "one"}, "version", "CFBundleShortVersionString"),
        ({"build_number": None}, "build_number", "is required"),
        ({"channel": "#releases"}, "channel", "channel id"),
        ({"tests_passed": "yes"}, "tests_passed", "true or false"),
        ({"surprise": 1}, "surprise", "unknown field"),
        ({"source": {"url": "ftp://x"}}, "source.url", "http"),
        (
            {"publishing": {"submit_to_testflight": "true"}},
            "publishing.submit_to_testflight",
            "true or false",
        ),
        ({"publishing": {"release_type": "LATER"}}, "publishing.release_type", "MANUAL"),
        ({"publishing": {"beta_groups": "QA"}}, "publishing.beta_groups", "list"),
        ({"publishing": {"autopilot": True}}, "publishing.autopilot", "unknown option"),
        ({"publishing": {"release_type": "SCHEDULED"}}, "publishing.earliest_release_date", "required"),
        (
            {
                "publishing": {
                    "release_type": "SCHEDULED",
                    "earliest_release_date": "2020-01-01T10:00:00+00:00",
                }
            },
            "publishing.earliest_release_date",
            "future",
        ),
        (
            {
                "publishing": {
                    "release_type": "SCHEDULED",
                    "earliest_release_date": "2026-12-01T14:30:00+00:00",
                }
            },
            "publishing.earliest_release_date",
            "on the hour",
        ),
        (
            {"publishing": {"release_type": "SCHEDULED", "earliest_release_date": "2026-12-01T14:00:00"}},
            "publishing.earliest_release_date",
            "time zone",
        ),
        ({"release_notes": [{"language": "english", "text": "x"}]}, "release_notes[0].language", "locale"),
        ({"release_notes": [{"language": "en-US", "text": "x" * 4001}]}, "release_notes[0].text", "4000"),
    ],
)
def test_each_bad_field_is_named(change: dict[str, object], field: str, fragment: str) -> None:
    found = problems({**VALID, **change})
    assert field in found, found
    assert fragment in found[field]


def test_all_problems_are_reported_at_once() -> None:
    found = problems({"app": {}, "version": "x", "platform": "PS5", "extra": True})
    assert {"app", "version", "build_number", "platform", "extra"} <= set(found)


def test_not_an_object() -> None:
    assert problems([1, 2]) == {"$": "the body must be a JSON object"}


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"delivery_id": "a\ud800b"}, "delivery_id", "Unicode"),
        ({"delivery_id": "line\nbreak"}, "delivery_id", "control characters"),
        ({"api_key": "k" * 65}, "api_key", "at most 64"),
        ({"app": {"bundle_id": "com..example"}}, "app.bundle_id", "not valid"),
        ({"app": {"apple_id": -3}}, "app.apple_id", "string"),
        ({"publishing": {"beta_groups": ["QA", 5, ""]}}, "publishing.beta_groups[1]", "name"),
        ({"publishing": {"beta_groups": ["x"] * 51}}, "publishing.beta_groups", "at most 50"),
        ({"publishing": {"copyright": "a\x00b"}}, "publishing.copyright", "control"),
        (
            {"publishing": {"earliest_release_date": "0001-01-01T00:00:00+05:00"}},
            "publishing.earliest_release_date",
            "range",
        ),
        ({"release_notes": [{"language": "en-US\n", "text": "x"}]}, "release_notes[0].language", "locale"),
        ({"release_notes": [{"language": "en-US", "text": "a\x00"}]}, "release_notes[0].text", "control"),
        (
            {"release_notes": [{"language": "en-US", "text": "x", "lang": 1}]},
            "release_notes[0].lang",
            "unknown",
        ),
    ],
)
def test_texts_that_cannot_be_stored_or_shown_are_refused(
    change: dict[str, object], field: str, fragment: str
) -> None:
    found = problems({**VALID, **change})
    assert field in found, found
    assert fragment in found[field]


def test_a_release_note_with_two_problems_reports_both() -> None:
    found = problems({**VALID, "release_notes": [{"language": "english", "text": ""}]})
    assert {"release_notes[0].language", "release_notes[0].text"} <= set(found)


def test_thousands_of_unknown_keys_get_a_short_answer() -> None:
    found = problems({**VALID, **{f"k{i}": i for i in range(5000)}})
    assert len(found) == 21
    assert found["$"] == "and 4980 more unknown fields"
    long_key = problems({**VALID, "x" * 5000: 1})
    assert all(len(k) <= 64 for k in long_key)


def test_multiline_notes_and_null_platform_are_fine() -> None:
    notice = parse_notice(
        {**VALID, "platform": None, "release_notes": [{"language": "en-US", "text": "Fixed:\n\t- crash"}]},
        now=NOW,
    )
    assert notice.platform == "IOS"
    assert notice.release_notes[0]["text"] == "Fixed:\n\t- crash"


@settings(max_examples=200, deadline=None)
@given(valid_payloads())
def test_every_valid_payload_parses(payload: dict[str, object]) -> None:
    notice = parse_notice(payload, now=STRATEGY_NOW)
    assert notice.version == payload["version"]


@settings(max_examples=500, deadline=None)
@given(broken_payloads())
def test_every_broken_field_is_named_in_one_answer(case: tuple[dict[str, object], list[Mutation]]) -> None:
    payload, mutations = case
    with pytest.raises(InvalidNotice) as caught:
        parse_notice(payload, now=STRATEGY_NOW)
    fields = {p.field for p in caught.value.problems}
    for mutation in mutations:
        assert names(mutation.field, fields), (mutation.field, fields)
