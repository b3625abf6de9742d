"""Client operations: read before write, no duplicate creates after ambiguous failures, 409 reuse."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from bot.appstore.errors import AscConflict
from tests.appstore.fakes import answer, body_of, doc, error, make_client, res, routes

SUB = res("betaAppReviewSubmissions", "r1", betaReviewState="WAITING_FOR_REVIEW")
LOST = httpx.ReadTimeout("answer lost")


async def test_submit_for_beta_review_returns_the_existing_submission_without_posting() -> None:
    client, rec, _, _ = make_client(routes({("GET", "/v1/betaAppReviewSubmissions"): doc([SUB])}))
    submission = await client.submit_for_beta_review("b1")
    assert submission.id == "r1" and submission.build_id == "b1"
    assert [m for m, _ in rec.calls()] == ["GET"]


async def test_submit_for_beta_review_after_a_lost_answer_reads_back_instead_of_reposting() -> None:
    client, rec, _, _ = make_client(
        routes(
            {
                ("GET", "/v1/betaAppReviewSubmissions"): [doc([]), doc([SUB])],
                ("POST", "/v1/betaAppReviewSubmissions"): LOST,
            }
        )
    )
    assert (await client.submit_for_beta_review("b1")).id == "r1"
    assert rec.calls().count(("POST", "/v1/betaAppReviewSubmissions")) == 1


async def test_submit_for_beta_review_posts_again_when_the_failed_post_did_not_land() -> None:
    client, rec, sleeps, _ = make_client(
        routes(
            {
                ("GET", "/v1/betaAppReviewSubmissions"): doc([]),
                ("POST", "/v1/betaAppReviewSubmissions"): [
                    error(500, "INTERNAL"),
                    answer(201, {"data": SUB}),
                ],
            }
        )
    )
    assert (await client.submit_for_beta_review("b1")).id == "r1"
    assert rec.calls().count(("POST", "/v1/betaAppReviewSubmissions")) == 2
    assert len(sleeps.calls) == 1


async def test_submit_for_beta_review_409_from_a_race_returns_the_winner() -> None:
    client, _, _, _ = make_client(
        routes(
            {
                ("GET", "/v1/betaAppReviewSubmissions"): [doc([]), doc([SUB])],
                ("POST", "/v1/betaAppReviewSubmissions"): error(409, "ENTITY_ERROR", "already submitted"),
            }
        )
    )
    assert (await client.submit_for_beta_review("b1")).id == "r1"


async def test_create_review_submission_reuses_the_one_named_in_a_409() -> None:
    detail = "There is another reviewSubmissions with id s-open still in progress"
    client, rec, _, _ = make_client(
        routes(
            {
                ("POST", "/v1/reviewSubmissions"): error(409, "ENTITY_ERROR", detail),
                ("GET", "/v1/reviewSubmissions/s-open"): doc(
                    res("reviewSubmissions", "s-open", state="READY_FOR_REVIEW")
                ),
            }
        )
    )
    submission = await client.create_review_submission("a1", "IOS")
    assert submission.id == "s-open"
    assert rec.calls().count(("POST", "/v1/reviewSubmissions")) == 1


async def test_create_review_submission_other_409_without_open_one_raises() -> None:
    client, _, _, _ = make_client(
        routes(
            {
                ("POST", "/v1/reviewSubmissions"): error(409, "ENTITY_ERROR", "something else"),
                ("GET", "/v1/reviewSubmissions"): doc([]),
            }
        )
    )
    with pytest.raises(AscConflict):
        await client.create_review_submission("a1", "IOS")


async def test_add_review_submission_item_skips_a_version_already_in_the_submission() -> None:
    item = res("reviewSubmissionItems", "i1", {"appStoreVersion": {"type": "appStoreVersions", "id": "v1"}})
    client, rec, _, _ = make_client(routes({("GET", "/v1/reviewSubmissions/s1/items"): doc([item])}))
    assert (await client.add_review_submission_item("s1", "v1")).id == "i1"
    assert all(m == "GET" for m, _ in rec.calls())


async def test_upsert_beta_localization_skips_unchanged_and_patches_after_duplicate_409() -> None:
    same = res("betaBuildLocalizations", "l1", locale="en-US", whatsNew="notes")
    client, rec, _, _ = make_client(routes({("GET", "/v1/betaBuildLocalizations"): doc([same])}))
    assert (await client.upsert_beta_build_localization("b1", "en-US", "notes")).id == "l1"
    assert rec.calls() == [("GET", "/v1/betaBuildLocalizations")]

    auto = res("betaBuildLocalizations", "l2", locale="en-US", whatsNew=None)
    client, rec, _, _ = make_client(
        routes(
            {
                ("GET", "/v1/betaBuildLocalizations"): [doc([]), doc([auto])],
                ("POST", "/v1/betaBuildLocalizations"): error(409, "ENTITY_ERROR.DUPLICATE", "locale exists"),
                ("PATCH", "/v1/betaBuildLocalizations/l2"): lambda r: answer(200, body_of(r)),
            }
        )
    )
    loc = await client.upsert_beta_build_localization("b1", "en-US", "notes")
    assert (loc.id, loc.whats_new) == ("l2", "notes")
    assert rec.calls()[-1] == ("PATCH", "/v1/betaBuildLocalizations/l2")


async def test_update_app_store_version_release_date_sentinel() -> None:
    version = res("appStoreVersions", "v1", versionString="1.0")
    client, rec, _, _ = make_client(
        routes({("PATCH", "/v1/appStoreVersions/v1"): answer(200, {"data": version, "links": {"self": "x"}})})
    )
    await client.update_app_store_version("v1", copyright="2026 Example")
    await client.update_app_store_version("v1", earliest_release_date=None)
    await client.update_app_store_version("v1", earliest_release_date=datetime(2026, 12, 1, 14, tzinfo=UTC))
    sent = [body_of(r)["data"]["attributes"] for r in rec.requests]
    assert sent == [
        {"copyright": "2026 Example"},
        {"earliestReleaseDate": None},
        {"earliestReleaseDate": "2026-12-01T14:00:00+00:00"},
    ]
    with pytest.raises(ValueError, match="timezone"):
        await client.update_app_store_version("v1", earliest_release_date=datetime(2026, 12, 1))  # noqa: DTZ001


async def test_create_app_store_version_after_a_lost_answer_reuses_the_created_version() -> None:
    created = res("appStoreVersions", "v9", versionString="2.0", appVersionState="PREPARE_FOR_SUBMISSION")
    client, rec, _, _ = make_client(
        routes(
            {
                ("POST", "/v1/appStoreVersions"): LOST,
                ("GET", "/v1/apps/a1/appStoreVersions"): doc([created]),
            }
        )
    )
    assert (await client.create_app_store_version("a1", "IOS", "2.0")).id == "v9"
    assert rec.calls().count(("POST", "/v1/appStoreVersions")) == 1
    assert rec.requests[-1].url.params["filter[versionString]"] == "2.0"


async def test_find_editable_version_prefers_the_exact_string_else_the_highest() -> None:
    versions = [
        res("appStoreVersions", "v1", versionString="1.9.0", appVersionState="PREPARE_FOR_SUBMISSION"),
        res("appStoreVersions", "v2", versionString="1.10.0", appVersionState="DEVELOPER_REJECTED"),
    ]
    client, rec, _, _ = make_client(routes({("GET", "/v1/apps/a1/appStoreVersions"): doc(versions)}))
    assert (await client.find_editable_app_store_version("a1", "IOS", "1.9.0")).id == "v1"
    assert (await client.find_editable_app_store_version("a1", "IOS", "2.0.0")).id == "v2"
    states = rec.requests[0].url.params["filter[appVersionState]"].split(",")
    assert "PREPARE_FOR_SUBMISSION" in states and "IN_REVIEW" not in states


async def test_get_builds_batches_200_ids_per_request() -> None:
    client, rec, _, _ = make_client(routes({("GET", "/v1/builds"): doc([])}))
    ids = [f"b{i}" for i in range(450)] + ["b0"]
    assert await client.get_builds(ids) == []
    batches = [r.url.params["filter[id]"].split(",") for r in rec.requests]
    assert [len(b) for b in batches] == [200, 200, 50]


async def test_find_app_requires_an_exact_bundle_id() -> None:
    lookalike = res("apps", "a2", bundleId="com.example.app.widget", name="W")
    exact = res("apps", "a1", bundleId="com.example.app", name="App")
    client, _, _, _ = make_client(routes({("GET", "/v1/apps"): [doc([lookalike]), doc([lookalike, exact])]}))
    assert await client.find_app("com.example.app") is None
    assert (await client.find_app("com.example.app")).id == "a1"


async def test_phased_release_missing_and_already_enabled() -> None:
    phased = res("appStoreVersionPhasedReleases", "ph1", phasedReleaseState="INACTIVE")
    client, rec, _, _ = make_client(
        routes(
            {
                ("GET", "/v1/appStoreVersions/v1/appStoreVersionPhasedRelease"): [
                    error(404, "NOT_FOUND"),
                    doc(phased),
                ],
                ("DELETE", "/v1/appStoreVersionPhasedReleases/ph1"): error(404, "NOT_FOUND"),
            }
        )
    )
    assert await client.get_phased_release("v1") is None
    assert (await client.enable_phased_release("v1")).id == "ph1"
    await client.disable_phased_release("ph1")  # already gone: fine
    assert ("POST", "/v1/appStoreVersionPhasedReleases") not in rec.calls()


async def test_submit_review_submission_already_submitted_is_success() -> None:
    waiting = res("reviewSubmissions", "s1", state="WAITING_FOR_REVIEW")
    client, _, _, _ = make_client(
        routes(
            {
                ("PATCH", "/v1/reviewSubmissions/s1"): error(409, "ENTITY_ERROR", "already submitted"),
                ("GET", "/v1/reviewSubmissions/s1"): doc(waiting),
            }
        )
    )
    assert (await client.submit_review_submission("s1")).state == "WAITING_FOR_REVIEW"


async def test_request_release_is_not_repeated_once_the_version_moved_on() -> None:
    released = res("appStoreVersions", "v1", appVersionState="PROCESSING_FOR_DISTRIBUTION")
    client, rec, _, _ = make_client(
        routes(
            {
                ("POST", "/v1/appStoreVersionReleaseRequests"): error(500, "INTERNAL"),
                ("GET", "/v1/appStoreVersions/v1"): doc(released),
            }
        )
    )
    version = await client.request_release("v1")
    assert version.app_version_state == "PROCESSING_FOR_DISTRIBUTION"
    assert rec.calls().count(("POST", "/v1/appStoreVersionReleaseRequests")) == 1


async def test_client_exposes_key_budget_and_request_count() -> None:
    client, _, _, _ = make_client(
        lambda r: answer(200, {"data": []}, {"X-Rate-Limit": "user-hour-lim:3600;user-hour-rem:3599;"})
    )
    async with client:
        assert client.rate_limit is None and client.requests_sent == 0
        await client.list_beta_groups("a1")
        assert client.key_name == "default"
        assert client.rate_limit is not None and client.rate_limit.remaining == 3599
        assert client.requests_sent == 1
