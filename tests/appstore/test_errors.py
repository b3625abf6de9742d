"""Error answers become the right `AscError` subclass with Apple's fields and a readable message."""

from __future__ import annotations

import json
import re

import pytest

from bot.appstore.errors import (
    AscConflict,
    AscError,
    AscForbidden,
    AscNotFound,
    AscRateLimited,
    AscServerError,
    AscUnauthorized,
    AscUnprocessable,
    error_from_response,
)


def make(status: int, body: object, **kwargs: object) -> AscError:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return error_from_response(
        status, raw, key_name="default", key_id="KEY123", method="POST", path="/v1/x", **kwargs
    )


def apple(status: int, code: str, detail: str | None = None, **extra: object) -> dict:
    err = {"id": "e1", "status": str(status), "code": code, "title": "Something failed", **extra}
    if detail is not None:
        err["detail"] = detail
    return {"errors": [err]}


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, AscUnauthorized),
        (403, AscForbidden),
        (404, AscNotFound),
        (409, AscConflict),
        (422, AscUnprocessable),
        (429, AscRateLimited),
        (500, AscServerError),
        (503, AscServerError),
        (400, AscError),
    ],
)
def test_status_picks_the_subclass(status: int, cls: type[AscError]) -> None:
    err = make(status, apple(status, "SOME_ERROR", "details"))
    assert type(err) is cls
    assert err.status == status and err.code == "SOME_ERROR" and err.detail == "details"
    assert err.key_name == "default" and err.method == "POST" and err.path == "/v1/x"
    assert err.user_message


def test_fields_and_source_are_kept() -> None:
    body = apple(
        400, "PARAMETER_ERROR.INVALID", "'emaill' is not a valid filter type", source={"parameter": "x"}
    )
    err = make(400, body)
    assert err.title == "Something failed"
    assert err.source == {"parameter": "x"}
    assert "'emaill' is not a valid filter type" in str(err)


def test_missing_detail_is_tolerated() -> None:
    err = make(422, apple(422, "ENTITY_UNPROCESSABLE"))
    assert err.detail is None
    assert "Something failed" in err.user_message


def test_non_json_body_keeps_a_short_excerpt() -> None:
    err = make(406, b"Not Acceptable" + b"!" * 500, reason="Not Acceptable")
    assert err.code == "" and err.title == "Not Acceptable"
    assert err.detail is not None and len(err.detail) <= 200
    assert make(502, b"").detail is None


def test_unauthorized_message_names_key_and_what_to_check() -> None:
    message = make(401, apple(401, "NOT_AUTHORIZED")).user_message
    assert "'default'" in message and "KEY123" in message
    assert "issuer id" in message and "revoked" in message and "App Manager" in message
    assert "App Manager" in make(403, apple(403, "FORBIDDEN_ERROR")).user_message


def test_matches_hierarchical_codes_by_prefix() -> None:
    err = make(409, apple(409, "ENTITY_ERROR.ATTRIBUTE.INVALID"))
    assert err.matches("ENTITY_ERROR")
    assert err.matches("ENTITY_ERROR.ATTRIBUTE")
    assert err.matches("ENTITY_ERROR.ATTRIBUTE.INVALID")
    assert not err.matches("ENTITY")
    assert not err.matches("PARAMETER_ERROR")


def test_conflict_names_the_open_review_submission() -> None:
    detail = (
        "There is another reviewSubmissions with id 'd2f3e4a5-1234-4bcd-9e8f-000000000001' still in progress"
    )
    err = make(409, apple(409, "ENTITY_ERROR", detail))
    assert isinstance(err, AscConflict)
    assert err.open_submission_id == "d2f3e4a5-1234-4bcd-9e8f-000000000001"
    plain = make(
        409, apple(409, "ENTITY_ERROR", "There is another reviewSubmissions with id abc123 still in progress")
    )
    assert isinstance(plain, AscConflict) and plain.open_submission_id == "abc123"
    other = make(409, apple(409, "ENTITY_ERROR", "A duplicate locale"))
    assert isinstance(other, AscConflict) and other.open_submission_id is None


def test_rate_limited_carries_retry_after() -> None:
    err = make(429, apple(429, "RATE_LIMIT_EXCEEDED"), retry_after=12.0)
    assert isinstance(err, AscRateLimited) and err.retry_after == 12.0


def test_one_error_root_whose_tree_is_drawn_in_bot_errors() -> None:
    """Every error the bot shows a person is an `AscBotError`, and bot/errors.py draws each of them."""
    import bot.engine.clients  # UnknownKey, defined beside the clients, is then among the subclasses
    import bot.errors

    def tree(cls: type) -> list[type]:
        return [cls, *(c for sub in cls.__subclasses__() for c in tree(sub))]

    classes = tree(bot.errors.AscBotError)
    assert AscError in classes and AscRateLimited in classes
    doc = bot.errors.__doc__ or ""
    drawn = set(re.findall(r"^[ |]*[*+] (\w+) ", doc, re.M))
    assert {c.__name__ for c in classes} == drawn


def test_an_apple_error_is_shown_by_its_user_message_under_the_root() -> None:
    from bot.errors import AscBotError

    err = make(404, apple(404, "NOT_FOUND", "There is no build"))
    assert isinstance(err, AscBotError)
    assert err.user_message.startswith("App Store Connect has no such resource (/v1/x)")
    assert str(err).startswith("POST /v1/x -> HTTP 404 NOT_FOUND")
