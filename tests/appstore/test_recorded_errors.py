"""Recorded (and clearly marked reconstructed) error bodies: the class, Apple's fields, and a message
that says what Apple said, including what `meta.associatedErrors` names."""

from __future__ import annotations

import pytest

from bot.appstore.errors import (
    AscConflict,
    AscForbidden,
    AscNotFound,
    AscRateLimited,
    AscUnauthorized,
    AscUnprocessable,
)
from bot.engine import messages
from tests.appstore.fakes import make_client, routes
from tests.appstore.recorded import EMPTY, recorded


async def test_401_recorded_is_unauthorized_after_one_fresh_token() -> None:
    client, rec, _, _ = make_client(
        routes({("GET", "/v1/apps/1"): recorded("errors/401_not_authorized.json", 401)})
    )
    with pytest.raises(AscUnauthorized) as caught:
        await client.get_app("1")
    assert caught.value.code == "NOT_AUTHORIZED" and len(rec.requests) == 2
    assert "key 'default'" in caught.value.user_message


async def test_403_recorded_keeps_apples_reason() -> None:
    client, _, _, _ = make_client(
        routes({("GET", "/v1/apps/1"): recorded("errors/403_forbidden_membership.json", 403)})
    )
    with pytest.raises(AscForbidden) as caught:
        await client.get_app("1")
    assert caught.value.code == "FORBIDDEN_ERROR"
    assert "is not associated with an active membership" in caught.value.user_message


async def test_404_reconstructed() -> None:
    client, _, _, _ = make_client(
        routes({("GET", "/v1/builds/gone-1"): recorded("reconstructed/404_not_found.json", 404)})
    )
    with pytest.raises(AscNotFound) as caught:
        await client.get_build("gone-1")
    assert "There is no resource of type 'builds' with id 'gone-1'" in caught.value.user_message


async def test_409_recorded_without_detail_uses_the_title() -> None:
    client, _, _, _ = make_client(
        routes(
            {
                ("GET", "/v1/reviewSubmissions/s1/items"): EMPTY,
                ("POST", "/v1/reviewSubmissionItems"): recorded(
                    "errors/409_relationship_invalid_no_detail.json", 409
                ),
            }
        )
    )
    with pytest.raises(AscConflict) as caught:
        await client.add_review_submission_item("s1", "v1")
    err = caught.value
    assert err.detail is None and err.source == {"pointer": "/data/relationships/primarySubcategoryOne"}
    assert err.matches("ENTITY_ERROR.RELATIONSHIP") and err.open_submission_id is None
    assert "includes a relationship with an invalid value" in err.user_message


async def test_409_recorded_review_submission_for_unknown_app_is_not_reused() -> None:
    client, _, _, _ = make_client(
        routes(
            {
                ("POST", "/v1/reviewSubmissions"): recorded(
                    "errors/409_review_submission_app_not_found.json", 409
                ),
                ("GET", "/v1/reviewSubmissions"): EMPTY,
            }
        )
    )
    with pytest.raises(AscConflict) as caught:
        await client.create_review_submission("xxxxxxxx", "IOS")
    assert "cannot be found" in caught.value.user_message


async def test_409_recorded_associated_errors_reach_the_message() -> None:
    client, _, _, _ = make_client(
        routes(
            {
                ("GET", "/v1/reviewSubmissions/s1/items"): EMPTY,
                ("POST", "/v1/reviewSubmissionItems"): recorded(
                    "errors/409_state_error_associated_errors.json", 409
                ),
            }
        )
    )
    with pytest.raises(AscConflict) as caught:
        await client.add_review_submission_item("s1", "v1")
    err = caught.value
    assert err.missing_fields == {
        "/v1/builds/d710b6fa-5235-4fe4-b791-2b80d6818db0": ["usesNonExemptEncryption"]
    }
    text = messages.action_failed("Submit for App Store review", err.user_message)
    assert "Submit for review errors found" in text
    assert "export compliance answer (usesNonExemptEncryption) is missing in build d710b6fa" in text
    # The two identical screenshot errors are told once.
    assert text.count("App screenshot missing (APP_WATCH_SERIES_4).") == 1


def test_409_missing_fields_per_locale_named_by_the_caller() -> None:
    from bot.appstore.errors import error_from_response
    from tests.appstore.recorded import RECORDED

    raw = (RECORDED / "reconstructed/409_version_localization_missing_fields.json").read_bytes()
    err = error_from_response(
        409, raw, key_name="k", key_id="K", method="POST", path="/v1/reviewSubmissionItems"
    )
    assert isinstance(err, AscConflict)
    assert "description, keywords and support URL are missing in localization loc-en" in err.user_message
    err.context = "App Store version 2.1"
    err.labels["/v1/appStoreVersionLocalizations/loc-en"] = "en-US"
    assert (
        "App Store version 2.1: description, keywords and support URL are missing in en-US"
        in err.user_message
    )


async def test_409_blocking_submission_id_found_in_associated_errors() -> None:
    client, _, _, _ = make_client(
        routes(
            {
                ("GET", "/v1/reviewSubmissions/s-new/items"): EMPTY,
                ("POST", "/v1/reviewSubmissionItems"): recorded(
                    "reconstructed/409_already_added_to_another_submission.json", 409
                ),
            }
        )
    )
    with pytest.raises(AscConflict) as caught:
        await client.add_review_submission_item("s-new", "v-21")
    assert caught.value.open_submission_id == "s-blocking"
    assert "already added to another reviewSubmission with id s-blocking" in caught.value.user_message


async def test_422_reconstructed_without_detail() -> None:
    client, _, _, _ = make_client(
        routes(
            {
                ("PATCH", "/v1/reviewSubmissions/s1"): recorded(
                    "reconstructed/422_entity_unprocessable.json", 422
                ),
                ("GET", "/v1/reviewSubmissions/s1"): recorded(
                    "fastlane/tunes/review_submission_created.json"
                ),
            }
        )
    )
    with pytest.raises(AscUnprocessable) as caught:
        await client.submit_review_submission("s1")
    assert caught.value.code == "ENTITY_UNPROCESSABLE"
    assert "The request entity is not processable" in caught.value.user_message


async def test_429_reconstructed_is_retried_then_told() -> None:
    client, rec, sleeps, _ = make_client(
        routes(
            {
                ("GET", "/v1/apps/1"): recorded(
                    "reconstructed/429_rate_limit_exceeded.json",
                    429,
                    {"X-Rate-Limit": "user-hour-lim:3600;user-hour-rem:0;"},
                )
            }
        )
    )
    with pytest.raises(AscRateLimited) as caught:
        await client.get_app("1")
    assert caught.value.code == "RATE_LIMIT_EXCEEDED" and len(rec.requests) > 1 and sleeps.calls
    assert "hourly request limit" in caught.value.user_message


def test_log_line_of_a_409_carries_the_associated_errors() -> None:
    from bot.appstore.errors import error_from_response
    from tests.appstore.recorded import RECORDED

    raw = (RECORDED / "errors/409_state_error_associated_errors.json").read_bytes()
    err = error_from_response(
        409, raw, key_name="k", key_id="K", method="POST", path="/v1/reviewSubmissionItems"
    )
    assert "HTTP 409 STATE_ERROR: Submit for review errors found." in str(err)
    assert "usesNonExemptEncryption" in str(err)
