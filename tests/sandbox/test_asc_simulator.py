"""The App Store Connect simulator, driven with raw HTTP and a fake clock, and checked against Apple's spec."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from bot.appstore.auth import ApiKey
from bot.sandbox.asc import AscSimulator
from bot.sandbox.clock import FakeClock

BUNDLE = "com.example.app"


def body(response: httpx.Response) -> Any:
    return response.json()


def error(response: httpx.Response) -> dict[str, Any]:
    errors = response.json()["errors"]
    assert len(errors) == 1
    return errors[0]


def builds_query(app_id: str, **extra: str) -> dict[str, str]:
    return {"filter[app]": app_id, "include": "buildBetaDetail,preReleaseVersion", **extra}


def included(doc: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    return [r for r in doc.get("included", []) if r["type"] == type_]


async def processed_build(
    sim: AscSimulator, clock: FakeClock, version: str = "1.4.0", number: str = "412", **kw: Any
) -> str:
    """Upload a build and move the clock until it is processed; returns the build id."""
    sim.upload_build(BUNDLE, version=version, build_number=number, **kw)
    clock.advance(301)
    build_id = sim.build_id_for(BUNDLE, version, number, "IOS", listed_only=True)
    assert build_id is not None
    return build_id


async def test_apps_by_bundle_id_and_by_id(asc_sim: AscSimulator, asc: httpx.AsyncClient) -> None:
    app_id = asc_sim.add_app(BUNDLE, name="Example")
    asc_sim.add_app("com.example.other")
    widget_id = asc_sim.add_app(f"{BUNDLE}.widget")
    found = await asc.get("/v1/apps", params={"filter[bundleId]": BUNDLE, "limit": "2"})
    assert found.status_code == 200
    doc = body(found)
    # Like Apple's, the filter is not exact and not sorted: the client has to find the equal bundleId.
    assert [a["id"] for a in doc["data"]] == [widget_id, app_id]
    assert doc["data"][1]["attributes"]["bundleId"] == BUNDLE
    assert doc["links"]["self"].startswith(asc_sim.base_url)
    assert doc["meta"]["paging"] == {"total": 2, "limit": 2}
    one = await asc.get(f"/v1/apps/{app_id}")
    assert body(one)["data"]["attributes"]["name"] == "Example"
    assert body(one)["links"]["self"] == f"{asc_sim.base_url}/v1/apps/{app_id}"
    missing = await asc.get("/v1/apps/1")
    assert missing.status_code == 404
    assert error(missing)["code"] == "NOT_FOUND"


def test_query_table_matches_the_spec() -> None:
    """The hand-written parameter table says exactly what Apple's spec says for every served route."""
    from bot.sandbox.asc.params import ROUTES
    from bot.sandbox.asc.server import AscServer
    from bot.sandbox.asc.store import Store
    from tests.support.openapi_conformance import SPEC_PATH

    spec = json.loads(SPEC_PATH.read_text())
    served = {
        (route.method, route.resource.canonical)
        for route in AscServer(FakeClock(), Store(), 10, 0).app.router.routes()
        if route.resource is not None and route.method != "HEAD"
    }
    assert served == set(ROUTES)
    for (method, path), table in ROUTES.items():
        op = spec["paths"][path][method.lower()]
        query = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
        enum = {
            n: (p["schema"].get("items", {}).get("enum") or p["schema"].get("enum")) for n, p in query.items()
        }
        assert {f"filter[{k}]": list(v) if v else None for k, v in table.filters.items()} == {
            n: e for n, e in enum.items() if n.startswith("filter[")
        }, path
        assert {f"filter[{n}]" for n in table.required} == {
            n for n, p in query.items() if p.get("required")
        }, path
        assert list(table.sort) == (enum.get("sort") or []), path
        assert list(table.include) == (enum.get("include") or []), path
        assert table.limit == query.get("limit", {}).get("schema", {}).get("maximum"), path
        assert {f"fields[{t}]" for t in table.fields} == {n for n in query if n.startswith("fields[")}, path
        assert {f"limit[{k}]": v for k, v in table.sub_limits.items()} == {
            n: p["schema"]["maximum"] for n, p in query.items() if n.startswith("limit[")
        }, path
        assert {f"exists[{n}]" for n in table.exists} == {n for n in query if n.startswith("exists[")}, path


def _other_key() -> ApiKey:
    from bot.appstore.auth import generate_private_key_pem

    return ApiKey("other", "00000000-0000-0000-0000-000000000000", "OTHERKEY01", generate_private_key_pem())


def _bad_tokens(key: ApiKey, clock: FakeClock) -> dict[str, str | None]:
    import jwt

    from tests.sandbox.conftest import make_token

    now = int(clock.now().timestamp())
    good = make_token(key, clock)
    other = _other_key()
    forged = make_token(ApiKey("x", key.issuer_id, key.key_id, other.private_key), clock)
    hs256 = jwt.encode(
        {"iss": key.issuer_id, "iat": now, "exp": now + 600, "aud": "appstoreconnect-v1"},
        "a-shared-secret-that-is-long-enough-for-hs256",
        algorithm="HS256",
        headers={"kid": key.key_id},
    )
    return {
        "no header": None,
        "not bearer": f"Basic {good}",
        "garbled": "Bearer not.a.jwt",
        "unknown kid": f"Bearer {make_token(other, clock)}",
        "wrong issuer": f"Bearer {make_token(key, clock, iss='11111111-2222-3333-4444-555555555555')}",
        "wrong audience": f"Bearer {make_token(key, clock, aud='appstoreconnect-v2')}",
        "not ES256": f"Bearer {hs256}",
        "expired": f"Bearer {make_token(key, clock, iat=now - 1300, exp=now - 100)}",
        "lives over 20 minutes": f"Bearer {make_token(key, clock, lifetime=20 * 60 + 1)}",
        "bad signature": f"Bearer {forged}",
        "no exp": f"Bearer {make_token(key, clock, exp=None)}",
        "no iat, lives over 20 minutes": f"Bearer {make_token(key, clock, iat=None, lifetime=20 * 60 + 1)}",
    }


@pytest.mark.asc_rejections
async def test_auth_refuses_every_bad_token(
    asc_sim: AscSimulator, asc_clock: FakeClock, asc_key: ApiKey
) -> None:
    from tests.sandbox.conftest import make_token

    asc_sim.add_app(BUNDLE)
    async with httpx.AsyncClient(base_url=asc_sim.base_url) as raw:
        for case, header in _bad_tokens(asc_key, asc_clock).items():
            answer = await raw.get("/v1/apps", headers={"Authorization": header} if header else {})
            assert answer.status_code == 401, case
            assert error(answer)["code"] == "NOT_AUTHORIZED", case
            assert answer.headers["X-Rate-Limit"] == "user-hour-lim:3600;user-hour-rem:3600;", case
        token = make_token(asc_key, asc_clock)
        ok = await raw.get("/v1/apps", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
        # A token valid when made stops working once the simulator's clock passes its exp.
        asc_clock.advance(1201)
        stale = await raw.get("/v1/apps", headers={"Authorization": f"Bearer {token}"})
        assert stale.status_code == 401


async def test_tokens_without_iat_are_accepted_as_apple_does(
    asc_sim: AscSimulator, asc_clock: FakeClock, asc_key: ApiKey
) -> None:
    from tests.sandbox.conftest import make_token

    asc_sim.add_app(BUNDLE)
    token = make_token(asc_key, asc_clock, iat=None, lifetime=600)  # iss, exp and aud only
    async with httpx.AsyncClient(base_url=asc_sim.base_url) as raw:
        ok = await raw.get("/v1/apps", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
        asc_clock.advance(601)
        assert (await raw.get("/v1/apps", headers={"Authorization": f"Bearer {token}"})).status_code == 401


async def test_rate_limit_header_counts_down_and_429_over_the_hour(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    asc_sim.hourly_limit = 3
    seen = []
    for _ in range(3):
        answer = await asc.get("/v1/apps")
        assert answer.status_code == 200
        seen.append(answer.headers["X-Rate-Limit"])
        asc_clock.advance(60)
    assert seen == [f"user-hour-lim:3;user-hour-rem:{n};" for n in (2, 1, 0)]
    over = await asc.get("/v1/apps")
    assert over.status_code == 429
    assert error(over)["code"] == "RATE_LIMIT_EXCEEDED"
    assert over.headers["X-Rate-Limit"] == "user-hour-lim:3;user-hour-rem:0;"
    asc_clock.advance(3600 - 180 + 1)  # the first request leaves the rolling hour
    again = await asc.get("/v1/apps")
    assert again.status_code == 200
    assert again.headers["X-Rate-Limit"] == "user-hour-lim:3;user-hour-rem:0;"


async def test_build_is_listed_after_the_delay_and_processed_later(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    app_id = asc_sim.add_app(BUNDLE)
    upload_id = asc_sim.upload_build(BUNDLE, version="1.4.0", build_number="412")
    find = builds_query(
        app_id,
        **{"filter[version]": "412", "filter[preReleaseVersion.version]": "1.4.0"},
        **{"filter[preReleaseVersion.platform]": "IOS", "sort": "-uploadedDate", "limit": "1"},
    )
    assert body(await asc.get("/v1/builds", params=find))["data"] == []
    uploads = await asc.get(
        f"/v1/apps/{app_id}/buildUploads",
        params={
            "filter[cfBundleVersion]": "412",
            "filter[cfBundleShortVersionString]": "1.4.0",
            "filter[platform]": "IOS",
            "limit": "10",
        },
    )
    [upload] = body(uploads)["data"]
    assert upload["id"] == upload_id
    assert upload["attributes"]["state"]["state"] == "PROCESSING"
    assert "build" not in upload.get("relationships", {})

    asc_clock.advance(30)
    doc = body(await asc.get("/v1/builds", params=find))
    [build] = doc["data"]
    assert build["attributes"]["processingState"] == "PROCESSING"
    assert build["relationships"]["buildBetaDetail"]["data"] == {
        "type": "buildBetaDetails",
        "id": build["id"],
    }
    assert "data" not in build["relationships"]["app"]  # only what was included carries data
    [detail] = included(doc, "buildBetaDetails")
    assert (
        detail["attributes"]["internalBuildState"]
        == detail["attributes"]["externalBuildState"]
        == "PROCESSING"
    )
    [pre_release] = included(doc, "preReleaseVersions")
    assert pre_release["attributes"] == {"version": "1.4.0", "platform": "IOS"}

    asc_clock.advance(270)
    one = body(
        await asc.get(f"/v1/builds/{build['id']}", params={"include": "buildBetaDetail,preReleaseVersion"})
    )
    assert one["data"]["attributes"]["processingState"] == "VALID"
    [detail] = included(one, "buildBetaDetails")
    assert detail["attributes"]["internalBuildState"] == "READY_FOR_BETA_TESTING"
    assert detail["attributes"]["externalBuildState"] == "READY_FOR_BETA_SUBMISSION"
    beta = body(await asc.get(f"/v1/builds/{build['id']}/buildBetaDetail"))
    assert beta["data"]["attributes"]["externalBuildState"] == "READY_FOR_BETA_SUBMISSION"
    done = body(await asc.get(f"/v1/buildUploads/{upload_id}", params={"include": "build"}))
    assert done["data"]["attributes"]["state"]["state"] == "COMPLETE"
    assert done["data"]["relationships"]["build"]["data"]["id"] == build["id"]
    assert [r["id"] for r in included(done, "builds")] == [build["id"]]


async def test_invalid_build_shows_upload_errors(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    app_id = asc_sim.add_app(BUNDLE)
    problem = {
        "code": "ITMS-90062",
        "description": "The value for key CFBundleShortVersionString must be higher.",
    }
    upload_id = asc_sim.upload_build(
        BUNDLE, "1.4.0", "7", outcome="INVALID", errors=[problem], processing_time=60, appear_delay=10
    )
    asc_clock.advance(61)
    [build] = body(await asc.get("/v1/builds", params={"filter[app]": app_id}))["data"]
    assert build["attributes"]["processingState"] == "INVALID"
    state = body(await asc.get(f"/v1/buildUploads/{upload_id}"))["data"]["attributes"]["state"]
    assert state == {"state": "FAILED", "errors": [problem], "warnings": [], "infos": []}
    failed = await asc.get(f"/v1/apps/{app_id}/buildUploads", params={"filter[state]": "FAILED"})
    assert [u["id"] for u in body(failed)["data"]] == [upload_id]
    detail = body(await asc.get(f"/v1/builds/{build['id']}/buildBetaDetail"))["data"]["attributes"]
    assert detail["internalBuildState"] == "PROCESSING_EXCEPTION"


async def test_upload_awaits_its_file_then_processes(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    asc_sim.add_app(BUNDLE)
    upload_id = asc_sim.upload_build(BUNDLE, "1.4.0", "9", transfer_time=20)
    states = []
    for step in (0, 20, 280):
        asc_clock.advance(step)
        states.append(
            body(await asc.get(f"/v1/buildUploads/{upload_id}"))["data"]["attributes"]["state"]["state"]
        )
    assert states == ["AWAITING_UPLOAD", "PROCESSING", "COMPLETE"]


async def test_export_compliance_blocks_beta_review_until_answered(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    asc_sim.add_app(BUNDLE)
    build_id = await processed_build(asc_sim, asc_clock, uses_non_exempt_encryption=None)
    detail = body(await asc.get(f"/v1/builds/{build_id}/buildBetaDetail"))["data"]["attributes"]
    assert detail["internalBuildState"] == detail["externalBuildState"] == "MISSING_EXPORT_COMPLIANCE"
    submit = {
        "data": {
            "type": "betaAppReviewSubmissions",
            "relationships": {"build": {"data": {"type": "builds", "id": build_id}}},
        }
    }
    refused = await asc.post("/v1/betaAppReviewSubmissions", json=submit)
    assert refused.status_code == 422
    assert error(refused)["code"].startswith("ENTITY_ERROR")
    assert error(refused)["detail"] == "The build is missing export compliance"
    assert error(refused)["source"] == {"pointer": "/data/relationships/build"}

    patch = {"data": {"type": "builds", "id": build_id, "attributes": {"usesNonExemptEncryption": False}}}
    patched = await asc.patch(f"/v1/builds/{build_id}", json=patch)
    assert patched.status_code == 200
    assert body(patched)["data"]["attributes"]["usesNonExemptEncryption"] is False
    detail = body(await asc.get(f"/v1/builds/{build_id}/buildBetaDetail"))["data"]["attributes"]
    assert (detail["internalBuildState"], detail["externalBuildState"]) == (
        "READY_FOR_BETA_TESTING",
        "READY_FOR_BETA_SUBMISSION",
    )
    created = await asc.post("/v1/betaAppReviewSubmissions", json=submit)
    assert created.status_code == 201
    assert body(created)["data"]["attributes"]["betaReviewState"] == "WAITING_FOR_REVIEW"
    assert asc_sim.beta_states(build_id) == ("READY_FOR_BETA_TESTING", "WAITING_FOR_BETA_REVIEW")


async def test_what_to_test_of_the_primary_locale_appears_by_itself(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    asc_sim.add_app(BUNDLE, primary_locale="en-US")
    asc_sim.upload_build(BUNDLE, "1.4.0", "412")
    asc_clock.advance(30)  # listed, still processing: the localization is already there
    build_id = asc_sim.build_id_for(BUNDLE, "1.4.0", "412", listed_only=True)
    listed = body(
        await asc.get("/v1/betaBuildLocalizations", params={"filter[build]": build_id, "limit": "200"})
    )
    [auto] = listed["data"]
    assert auto["attributes"] == {"locale": "en-US", "whatsNew": None}  # every attribute, null when empty
    new = {
        "data": {
            "type": "betaBuildLocalizations",
            "attributes": {"locale": "en-US", "whatsNew": "Try the new checkout"},
            "relationships": {"build": {"data": {"type": "builds", "id": build_id}}},
        }
    }
    duplicate = await asc.post("/v1/betaBuildLocalizations", json=new)
    assert duplicate.status_code == 409
    assert error(duplicate)["code"].startswith("ENTITY_ERROR")
    assert error(duplicate)["source"] == {"pointer": "/data/attributes/locale"}
    patch = {
        "data": {
            "type": "betaBuildLocalizations",
            "id": auto["id"],
            "attributes": {"whatsNew": "Try the new checkout"},
        }
    }
    patched = await asc.patch(f"/v1/betaBuildLocalizations/{auto['id']}", json=patch)
    assert body(patched)["data"]["attributes"]["whatsNew"] == "Try the new checkout"
    new["data"]["attributes"]["locale"] = "de-DE"
    german = await asc.post("/v1/betaBuildLocalizations", json=new)
    assert german.status_code == 201
    assert [loc.locale for loc in asc_sim.beta_localizations_of(build_id)] == ["en-US", "de-DE"]


def beta_submission(build_id: str) -> dict[str, Any]:
    return {
        "data": {
            "type": "betaAppReviewSubmissions",
            "relationships": {"build": {"data": {"type": "builds", "id": build_id}}},
        }
    }


async def test_beta_review_rules(asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock) -> None:
    app_id = asc_sim.add_app(BUNDLE)
    first = await processed_build(asc_sim, asc_clock, number="1")
    created = await asc.post("/v1/betaAppReviewSubmissions", json=beta_submission(first))
    assert created.status_code == 201
    review_id = body(created)["data"]["id"]
    again = await asc.post("/v1/betaAppReviewSubmissions", json=beta_submission(first))
    assert again.status_code == 409
    assert review_id in error(again)["detail"]
    existing = body(await asc.get("/v1/betaAppReviewSubmissions", params={"filter[build]": first}))
    assert [r["id"] for r in existing["data"]] == [review_id]

    in_review = {
        "filter[app]": app_id,
        "filter[expired]": "false",
        "filter[betaAppReviewSubmission.betaReviewState]": "WAITING_FOR_REVIEW,IN_REVIEW",
        "filter[preReleaseVersion.platform]": "IOS",
        "limit": "200",
    }
    assert [b["id"] for b in body(await asc.get("/v1/builds", params=in_review))["data"]] == [first]
    second = await processed_build(asc_sim, asc_clock, number="2")
    blocked = await asc.post("/v1/betaAppReviewSubmissions", json=beta_submission(second))
    assert blocked.status_code == 422
    assert first in error(blocked)["detail"]

    expire = {"data": {"type": "builds", "id": first, "attributes": {"expired": True}}}
    assert (await asc.patch(f"/v1/builds/{first}", json=expire)).status_code == 200
    assert body(await asc.get("/v1/builds", params=in_review))["data"] == []
    assert asc_sim.beta_states(first) == ("EXPIRED", "EXPIRED")
    assert (await asc.post("/v1/betaAppReviewSubmissions", json=beta_submission(second))).status_code == 201

    asc_sim.approve_beta_review(second)
    assert asc_sim.beta_states(second)[1] == "BETA_APPROVED"
    state = body(await asc.get(f"/v1/betaAppReviewSubmissions/{asc_sim.build(second).beta_review_id}"))
    assert state["data"]["attributes"]["betaReviewState"] == "APPROVED"
    third = await processed_build(asc_sim, asc_clock, number="3")
    await asc.post("/v1/betaAppReviewSubmissions", json=beta_submission(third))
    asc_sim.reject_beta_review(third)
    detail = body(await asc.get(f"/v1/builds/{third}/buildBetaDetail"))["data"]["attributes"]
    assert detail["externalBuildState"] == "BETA_REJECTED"


async def test_beta_review_decides_itself_after_beta_review_time(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    asc_sim.add_app(BUNDLE)
    asc_sim.beta_review_time = 3600
    build_id = await processed_build(asc_sim, asc_clock)
    await asc.post("/v1/betaAppReviewSubmissions", json=beta_submission(build_id))
    asc_clock.advance(1801)
    assert asc_sim.beta_states(build_id)[1] == "IN_BETA_REVIEW"
    asc_clock.advance(1800)
    review = body(await asc.get("/v1/betaAppReviewSubmissions", params={"filter[build]": build_id}))["data"][
        0
    ]
    assert review["attributes"]["betaReviewState"] == "APPROVED"


async def test_builds_join_and_leave_beta_groups(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    app_id = asc_sim.add_app(BUNDLE)
    qa = asc_sim.add_beta_group(app_id, "QA", internal=True)
    friends = asc_sim.add_beta_group(app_id, "Friends", internal=False)
    groups = body(await asc.get("/v1/betaGroups", params={"filter[app]": app_id, "limit": "200"}))
    assert {(g["attributes"]["name"], g["attributes"]["isInternalGroup"]) for g in groups["data"]} == {
        ("QA", True),
        ("Friends", False),
    }
    asc_sim.upload_build(BUNDLE, "1.4.0", "412")
    asc_clock.advance(30)
    build_id = asc_sim.build_id_for(BUNDLE, "1.4.0", "412", listed_only=True)
    link = {"data": [{"type": "betaGroups", "id": qa}, {"type": "betaGroups", "id": friends}]}
    early = await asc.post(f"/v1/builds/{build_id}/relationships/betaGroups", json=link)
    assert early.status_code == 422
    assert error(early)["detail"] == "The build is still processing"
    asc_clock.advance(300)
    added = await asc.post(f"/v1/builds/{build_id}/relationships/betaGroups", json=link)
    assert added.status_code == 204
    assert added.content == b""
    member_of = {"filter[app]": app_id, "filter[builds]": build_id, "limit": "200"}
    assert {g["id"] for g in body(await asc.get("/v1/betaGroups", params=member_of))["data"]} == {qa, friends}
    removed = await asc.request(
        "DELETE",
        f"/v1/betaGroups/{friends}/relationships/builds",
        json={"data": [{"type": "builds", "id": build_id}]},
    )
    assert removed.status_code == 204
    assert [g["id"] for g in body(await asc.get("/v1/betaGroups", params=member_of))["data"]] == [qa]
    assert [g.name for g in asc_sim.beta_groups_of_build(build_id)] == ["QA"]
    internal = body(
        await asc.get("/v1/betaGroups", params={"filter[app]": app_id, "filter[isInternalGroup]": "false"})
    )
    assert [g["id"] for g in internal["data"]] == [friends]


async def test_pages_follow_links_next(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    app_id = asc_sim.add_app(BUNDLE)
    for n in range(1, 8):
        asc_sim.upload_build(BUNDLE, "1.4.0", str(n))
        asc_clock.advance(1)
    asc_clock.advance(300)
    params = {
        **builds_query(app_id),
        "filter[preReleaseVersion.platform]": "IOS",
        "sort": "-uploadedDate",
        "limit": "3",
    }
    answer = await asc.get("/v1/builds", params=params)
    pages = [body(answer)]
    while "next" in pages[-1]["links"]:
        next_url = pages[-1]["links"]["next"]
        assert next_url.startswith(asc_sim.base_url) and "cursor=" in next_url
        pages.append(body(await asc.get(next_url)))
    assert [len(p["data"]) for p in pages] == [3, 3, 1]
    assert [b["attributes"]["version"] for p in pages for b in p["data"]] == [
        "7",
        "6",
        "5",
        "4",
        "3",
        "2",
        "1",
    ]
    assert pages[0]["meta"]["paging"]["total"] == 7
    assert pages[0]["meta"]["paging"]["nextCursor"] in pages[0]["links"]["next"]
    assert "nextCursor" not in pages[-1]["meta"]["paging"]
    # The shared preReleaseVersion is included once per page, not once per build.
    assert len(included(pages[0], "preReleaseVersions")) == 1
    batch = await asc.get(
        "/v1/builds",
        params={
            "filter[id]": ",".join(b["id"] for b in pages[0]["data"]),
            "limit": "200",
            "include": "buildBetaDetail,preReleaseVersion",
        },
    )
    assert len(body(batch)["data"]) == 3


def rel(type_: str, id_: str) -> dict[str, Any]:
    return {"data": {"type": type_, "id": id_}}


async def prepared_version(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock, **attributes: Any
) -> tuple[str, str, str]:
    """An app with a processed build and a new App Store version holding it: (app id, build id, version id)."""
    app_id = asc_sim.add_app(BUNDLE)
    build_id = await processed_build(asc_sim, asc_clock)
    create = {
        "data": {
            "type": "appStoreVersions",
            "attributes": {"platform": "IOS", "versionString": "1.4.0", **attributes},
            "relationships": {"app": rel("apps", app_id), "build": rel("builds", build_id)},
        }
    }
    created = await asc.post("/v1/appStoreVersions", json=create)
    assert created.status_code == 201, created.text
    version_id = body(created)["data"]["id"]
    # The store text of the live version came over; an update still needs its own What's New.
    [loc] = body(await asc.get(f"/v1/appStoreVersions/{version_id}/appStoreVersionLocalizations"))["data"]
    assert loc["attributes"]["description"] and loc["attributes"]["whatsNew"] is None
    text = {"data": {"type": "appStoreVersionLocalizations", "id": loc["id"], "attributes": {"whatsNew": "Faster"}}}
    assert (await asc.patch(f"/v1/appStoreVersionLocalizations/{loc['id']}", json=text)).status_code == 200
    return app_id, build_id, version_id


async def create_submission(asc: httpx.AsyncClient, app_id: str) -> httpx.Response:
    doc = {
        "data": {
            "type": "reviewSubmissions",
            "attributes": {"platform": "IOS"},
            "relationships": {"app": rel("apps", app_id)},
        }
    }
    return await asc.post("/v1/reviewSubmissions", json=doc)


async def submit_version(asc: httpx.AsyncClient, app_id: str, version_id: str) -> str:
    sub_id = body(await create_submission(asc, app_id))["data"]["id"]
    item = {
        "data": {
            "type": "reviewSubmissionItems",
            "relationships": {
                "reviewSubmission": rel("reviewSubmissions", sub_id),
                "appStoreVersion": rel("appStoreVersions", version_id),
            },
        }
    }
    assert (await asc.post("/v1/reviewSubmissionItems", json=item)).status_code == 201
    submitted = {"data": {"type": "reviewSubmissions", "id": sub_id, "attributes": {"submitted": True}}}
    answer = await asc.patch(f"/v1/reviewSubmissions/{sub_id}", json=submitted)
    assert body(answer)["data"]["attributes"]["state"] == "WAITING_FOR_REVIEW"
    return sub_id


async def test_app_store_version_editing(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    app_id, build_id, version_id = await prepared_version(asc_sim, asc, asc_clock)
    listing = await asc.get(
        f"/v1/apps/{app_id}/appStoreVersions",
        params={
            "filter[platform]": "IOS",
            "filter[versionString]": "1.4.0",
            "filter[appVersionState]": "PREPARE_FOR_SUBMISSION,DEVELOPER_REJECTED",
            "include": "build,appStoreVersionPhasedRelease",
            "limit": "200",
        },
    )
    [version] = body(listing)["data"]
    assert version["relationships"]["build"]["data"] == {"type": "builds", "id": build_id}
    assert "app" not in version["relationships"]  # no links in its schema, and not included
    assert [b["id"] for b in included(body(listing), "builds")] == [build_id]
    clash = await asc.post(
        "/v1/appStoreVersions",
        json={
            "data": {
                "type": "appStoreVersions",
                "attributes": {"platform": "IOS", "versionString": "1.5.0"},
                "relationships": {"app": rel("apps", app_id)},
            }
        },
    )
    assert clash.status_code == 409
    assert "1.4.0" in error(clash)["detail"]

    date = "2026-02-01T14:00:00+00:00"
    patch = {
        "data": {
            "type": "appStoreVersions",
            "id": version_id,
            "attributes": {
                "copyright": "2026 Example Ltd",
                "releaseType": "SCHEDULED",
                "earliestReleaseDate": date,
            },
            "relationships": {"build": rel("builds", build_id)},
        }
    }
    patched = body(await asc.patch(f"/v1/appStoreVersions/{version_id}", json=patch))["data"]["attributes"]
    assert (patched["copyright"], patched["releaseType"], patched["earliestReleaseDate"]) == (
        "2026 Example Ltd",
        "SCHEDULED",
        date,
    )
    past = {
        "data": {
            "type": "appStoreVersions",
            "id": version_id,
            "attributes": {"copyright": "x", "earliestReleaseDate": "2020-01-01T00:00:00+00:00"},
        }
    }
    refused = await asc.patch(f"/v1/appStoreVersions/{version_id}", json=past)
    assert refused.status_code == 409
    assert error(refused)["source"] == {"pointer": "/data/attributes/earliestReleaseDate"}
    assert asc_sim.versions[version_id].copyright == "2026 Example Ltd"  # a refused PATCH changes nothing
    other_build = await processed_build(asc_sim, asc_clock, version="1.5.0", number="500")
    mismatch = await asc.patch(
        f"/v1/appStoreVersions/{version_id}/relationships/build", json=rel("builds", other_build)
    )
    assert mismatch.status_code == 409
    relinked = await asc.patch(
        f"/v1/appStoreVersions/{version_id}/relationships/build", json=rel("builds", build_id)
    )
    assert relinked.status_code == 204

    locs = body(
        await asc.get(
            f"/v1/appStoreVersions/{version_id}/appStoreVersionLocalizations", params={"limit": "200"}
        )
    )
    [loc] = locs["data"]
    assert loc["attributes"]["locale"] == "en-US"
    notes = {
        "data": {
            "type": "appStoreVersionLocalizations",
            "id": loc["id"],
            "attributes": {"whatsNew": "Faster checkout"},
        }
    }
    assert (
        body(await asc.patch(f"/v1/appStoreVersionLocalizations/{loc['id']}", json=notes))["data"][
            "attributes"
        ]["whatsNew"]
        == "Faster checkout"
    )
    french = {
        "data": {
            "type": "appStoreVersionLocalizations",
            "attributes": {"locale": "fr-FR", "whatsNew": "Paiement plus rapide"},
            "relationships": {"appStoreVersion": rel("appStoreVersions", version_id)},
        }
    }
    assert (await asc.post("/v1/appStoreVersionLocalizations", json=french)).status_code == 201


async def test_phased_release_lifecycle(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    app_id, _, version_id = await prepared_version(asc_sim, asc, asc_clock, releaseType="MANUAL")
    none = body(await asc.get(f"/v1/appStoreVersions/{version_id}/appStoreVersionPhasedRelease"))
    assert none["data"] is None
    enable = {
        "data": {
            "type": "appStoreVersionPhasedReleases",
            "relationships": {"appStoreVersion": rel("appStoreVersions", version_id)},
        }
    }
    created = await asc.post("/v1/appStoreVersionPhasedReleases", json=enable)
    assert created.status_code == 201
    phased_id = body(created)["data"]["id"]
    assert body(created)["data"]["attributes"]["phasedReleaseState"] == "INACTIVE"
    assert (await asc.post("/v1/appStoreVersionPhasedReleases", json=enable)).status_code == 409
    pause = {
        "data": {
            "type": "appStoreVersionPhasedReleases",
            "id": phased_id,
            "attributes": {"phasedReleaseState": "PAUSED"},
        }
    }
    early = await asc.patch(f"/v1/appStoreVersionPhasedReleases/{phased_id}", json=pause)
    assert early.status_code == 409  # nothing to pause before the release starts
    assert (await asc.delete(f"/v1/appStoreVersionPhasedReleases/{phased_id}")).status_code == 204
    phased_id = body(await asc.post("/v1/appStoreVersionPhasedReleases", json=enable))["data"]["id"]

    await submit_version(asc, app_id, version_id)
    asc_sim.set_version_state(version_id, "PENDING_DEVELOPER_RELEASE")
    release = {
        "data": {
            "type": "appStoreVersionReleaseRequests",
            "relationships": {"appStoreVersion": rel("appStoreVersions", version_id)},
        }
    }
    released = await asc.post("/v1/appStoreVersionReleaseRequests", json=release)
    assert released.status_code == 201
    assert asc_sim.versions[version_id].state == "READY_FOR_DISTRIBUTION"
    assert (await asc.post("/v1/appStoreVersionReleaseRequests", json=release)).status_code == 409
    live = body(await asc.get(f"/v1/appStoreVersions/{version_id}/appStoreVersionPhasedRelease"))["data"]
    assert (live["attributes"]["phasedReleaseState"], live["attributes"]["currentDayNumber"]) == ("ACTIVE", 1)
    asc_clock.advance(86400 * 2)
    pause["data"]["id"] = phased_id
    paused = body(await asc.patch(f"/v1/appStoreVersionPhasedReleases/{phased_id}", json=pause))["data"][
        "attributes"
    ]
    assert (paused["phasedReleaseState"], paused["currentDayNumber"]) == ("PAUSED", 3)
    assert (await asc.delete(f"/v1/appStoreVersionPhasedReleases/{phased_id}")).status_code == 409
    old = [v for v in asc_sim.versions_of(app_id) if v.version_string == "1.0"]
    assert [v.state for v in old] == ["REPLACED_WITH_NEW_VERSION"]


async def test_review_submission_flow(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    app_id, _, version_id = await prepared_version(asc_sim, asc, asc_clock, releaseType="MANUAL")
    sub_id = await submit_version(asc, app_id, version_id)
    assert asc_sim.versions[version_id].state == "WAITING_FOR_REVIEW"
    second = await create_submission(asc, app_id)
    assert second.status_code == 409
    assert error(second)["detail"] == f"There is another reviewSubmissions with id {sub_id} still in progress"
    open_ones = await asc.get(
        "/v1/reviewSubmissions",
        params={
            "filter[app]": app_id,
            "filter[platform]": "IOS",
            "filter[state]": "WAITING_FOR_REVIEW,IN_REVIEW,UNRESOLVED_ISSUES",
            "include": "items,appStoreVersionForReview",
            "limit": "200",
        },
    )
    [sub] = body(open_ones)["data"]
    assert sub["relationships"]["appStoreVersionForReview"]["data"]["id"] == version_id
    assert sub["relationships"]["items"]["meta"]["paging"] == {"total": 1, "limit": 10}
    [item] = included(body(open_ones), "reviewSubmissionItems")
    assert "relationships" not in item  # included resources carry links only, and this one has none
    items = body(await asc.get(f"/v1/reviewSubmissions/{sub_id}/items"))["data"]
    assert [i["id"] for i in items] == [item["id"]]
    assert "relationships" not in items[0]  # without include=appStoreVersion Apple leaves it out
    asked = await asc.get(f"/v1/reviewSubmissions/{sub_id}/items", params={"include": "appStoreVersion"})
    assert body(asked)["data"][0]["relationships"]["appStoreVersion"]["data"]["id"] == version_id

    asc_sim.set_version_state(version_id, "IN_REVIEW")
    assert (
        body(await asc.get(f"/v1/reviewSubmissions/{sub_id}"))["data"]["attributes"]["state"] == "IN_REVIEW"
    )
    cancel = {"data": {"type": "reviewSubmissions", "id": sub_id, "attributes": {"canceled": True}}}
    assert (
        body(await asc.patch(f"/v1/reviewSubmissions/{sub_id}", json=cancel))["data"]["attributes"]["state"]
        == "CANCELING"
    )
    assert (await create_submission(asc, app_id)).status_code == 409  # still canceling
    asc_clock.advance(5)
    assert body(await asc.get(f"/v1/reviewSubmissions/{sub_id}"))["data"]["attributes"]["state"] == "COMPLETE"
    assert asc_sim.versions[version_id].state == "DEVELOPER_REJECTED"
    again = await submit_version(asc, app_id, version_id)
    asc_sim.set_version_state(version_id, "REJECTED")
    assert asc_sim.review_submissions[again].state == "UNRESOLVED_ISSUES"
    asc_sim.set_version_state(version_id, "PENDING_DEVELOPER_RELEASE")
    assert asc_sim.review_submissions[again].state == "COMPLETE"


@pytest.mark.parametrize(
    ("release_type", "states"),
    [
        (
            "MANUAL",
            ["WAITING_FOR_REVIEW", "IN_REVIEW", "PENDING_DEVELOPER_RELEASE", "PENDING_DEVELOPER_RELEASE"],
        ),
        (
            "AFTER_APPROVAL",
            ["WAITING_FOR_REVIEW", "IN_REVIEW", "READY_FOR_DISTRIBUTION", "READY_FOR_DISTRIBUTION"],
        ),
        (
            "SCHEDULED",
            ["WAITING_FOR_REVIEW", "IN_REVIEW", "PENDING_DEVELOPER_RELEASE", "READY_FOR_DISTRIBUTION"],
        ),
    ],
)
async def test_app_review_advances_by_itself(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock, release_type: str, states: list[str]
) -> None:
    asc_sim.app_review_time = 7200
    extra = {"earliestReleaseDate": "2026-01-06T12:00:00+00:00"} if release_type == "SCHEDULED" else {}
    app_id, _, version_id = await prepared_version(asc_sim, asc, asc_clock, releaseType=release_type, **extra)
    await submit_version(asc, app_id, version_id)
    seen = []
    for step in (0, 3601, 3600, 2 * 86400):
        asc_clock.advance(step)
        seen.append(
            body(await asc.get(f"/v1/appStoreVersions/{version_id}"))["data"]["attributes"]["appVersionState"]
        )
    assert seen == states


@pytest.mark.asc_rejections
async def test_bad_query_parameters_are_400_naming_the_parameter(
    asc_sim: AscSimulator, asc: httpx.AsyncClient
) -> None:
    app_id = asc_sim.add_app(BUNDLE)
    cases = [
        (
            "/v1/builds",
            {"filter[app]": app_id, "filter[bogus]": "1"},
            "PARAMETER_ERROR.INVALID",
            "filter[bogus]",
        ),
        (
            "/v1/builds",
            {"filter[preReleaseVersion.platform]": "ANDROID"},
            "PARAMETER_ERROR.INVALID",
            "filter[preReleaseVersion.platform]",
        ),
        ("/v1/builds", {"limit": "201"}, "PARAMETER_ERROR.INVALID", "limit"),
        ("/v1/builds", {"limit": "0"}, "PARAMETER_ERROR.INVALID", "limit"),
        ("/v1/builds", {"sort": "processingState"}, "PARAMETER_ERROR.INVALID", "sort"),
        ("/v1/builds", {"include": "nonsense"}, "PARAMETER_ERROR.INVALID", "include"),
        ("/v1/builds", {"filter[expired]": "maybe"}, "PARAMETER_ERROR.INVALID", "filter[expired]"),
        ("/v1/builds", {"cursor": "not-a-cursor"}, "PARAMETER_ERROR.INVALID", "cursor"),
        ("/v1/betaAppReviewSubmissions", {}, "PARAMETER_ERROR.REQUIRED", "filter[build]"),
        ("/v1/reviewSubmissions", {"filter[platform]": "IOS"}, "PARAMETER_ERROR.REQUIRED", "filter[app]"),
        (f"/v1/apps/{app_id}/webhooks", {"filter[name]": "x"}, "PARAMETER_ERROR.INVALID", "filter[name]"),
        (f"/v1/apps/{app_id}", {"limit": "5"}, "PARAMETER_ERROR.INVALID", "limit"),
    ]
    for path, params, code, parameter in cases:
        answer = await asc.get(path, params=params)
        assert answer.status_code == 400, (path, params)
        assert (error(answer)["code"], error(answer)["source"]) == (code, {"parameter": parameter}), (
            path,
            params,
        )


@pytest.mark.asc_rejections
async def test_bad_request_documents_point_at_the_problem(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    asc_sim.add_app(BUNDLE)
    build_id = await processed_build(asc_sim, asc_clock)
    url = "/v1/betaBuildLocalizations"
    build = {"build": rel("builds", build_id)}
    cases = [
        (b'{"data": {', 400, "ENTITY_UNPARSABLE", ""),
        (
            {"data": {"type": "builds", "attributes": {"locale": "fr-FR"}, "relationships": build}},
            409,
            "ENTITY_ERROR.TYPE.INVALID",
            "/data/type",
        ),
        (
            {
                "data": {
                    "type": "betaBuildLocalizations",
                    "attributes": {"whatsNew": "x"},
                    "relationships": build,
                }
            },
            409,
            "ENTITY_ERROR.ATTRIBUTE.REQUIRED",
            "/data/attributes/locale",
        ),
        (
            {"data": {"type": "betaBuildLocalizations", "attributes": {"locale": "fr-FR"}}},
            409,
            "ENTITY_ERROR.RELATIONSHIP.REQUIRED",
            "/data/relationships/build",
        ),
        (
            {
                "data": {
                    "type": "betaBuildLocalizations",
                    "attributes": {"locale": "fr-FR", "colour": "red"},
                    "relationships": build,
                }
            },
            409,
            "ENTITY_ERROR.ATTRIBUTE.UNKNOWN",
            "/data/attributes/colour",
        ),
        (
            {"data": {"type": "betaBuildLocalizations", "attributes": {"locale": 7}, "relationships": build}},
            409,
            "ENTITY_ERROR.ATTRIBUTE.INVALID",
            "/data/attributes/locale",
        ),
        (
            {
                "data": {
                    "type": "betaBuildLocalizations",
                    "attributes": {"locale": "fr-FR"},
                    "relationships": {"build": rel("builds", "nope")},
                }
            },
            409,
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            "/data/relationships/build",
        ),
    ]
    for doc, status, code, pointer in cases:
        content = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
        answer = await asc.post(url, content=content, headers={"Content-Type": "application/json"})
        assert answer.status_code == status, doc
        assert (error(answer)["code"], error(answer)["source"]) == (code, {"pointer": pointer}), doc
    text = await asc.post(url, content=b"locale=fr-FR", headers={"Content-Type": "text/plain"})
    assert text.status_code == 415
    wrong_id = await asc.patch(
        f"/v1/builds/{build_id}",
        json={"data": {"type": "builds", "id": "other", "attributes": {"expired": True}}},
    )
    assert (wrong_id.status_code, error(wrong_id)["source"]) == (409, {"pointer": "/data/id"})
    assert not asc_sim.build(build_id).expired


async def _statuses(sim: AscSimulator, client: httpx.AsyncClient, n: int) -> list[int | None]:
    out: list[int | None] = []
    for _ in range(n):
        try:
            out.append((await client.get("/v1/apps")).status_code)
        except httpx.RemoteProtocolError:
            out.append(None)
    return out


async def test_faults_are_seeded_and_recorded(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock, asc_key: ApiKey
) -> None:
    from bot.sandbox.asc import Faults
    from tests.sandbox.conftest import ClockAuth
    from tests.support.openapi_conformance import check_exchanges

    faults = Faults(error_rate=0.3, drop_rate=0.1, seed=7)
    asc_sim.faults = faults
    first = await _statuses(asc_sim, asc, 40)
    assert {500, 503, None, 200} <= set(first)
    twin = AscSimulator(clock=asc_clock)
    twin.register_api_key(asc_key)
    await twin.start()
    try:
        twin.faults = faults
        async with httpx.AsyncClient(base_url=twin.base_url, auth=ClockAuth(asc_key, asc_clock)) as client:
            assert await _statuses(twin, client, 40) == first
    finally:
        await twin.stop()
    assert check_exchanges(twin.exchanges) == []
    labels = [e.fault for e in asc_sim.exchanges]
    assert labels.count("drop_before") == first.count(None)
    assert [e.status for e in asc_sim.exchanges] == first
    failed = next(e for e in asc_sim.exchanges if e.status == 503)
    assert json.loads(failed.response_body or b"")["errors"][0]["code"] == "SERVICE_UNAVAILABLE"


async def test_faulted_writes_happen_before_or_after_the_change(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    from bot.sandbox.asc import Faults

    asc_sim.add_app(BUNDLE)
    build_id = await processed_build(asc_sim, asc_clock)
    french = {
        "data": {
            "type": "betaBuildLocalizations",
            "attributes": {"locale": "fr-FR", "whatsNew": "Nouveau"},
            "relationships": {"build": rel("builds", build_id)},
        }
    }
    locales = lambda: [loc.locale for loc in asc_sim.beta_localizations_of(build_id)]  # noqa: E731
    asc_sim.faults = Faults(
        error_rate=1.0, error_statuses=(500,), after_share=0.0, paths=r"^/v1/betaBuildLocalizations$"
    )
    lost = await asc.post("/v1/betaBuildLocalizations", json=french)
    assert lost.status_code == 500
    assert locales() == ["en-US"]  # failed before: nothing changed
    asc_sim.faults = Faults(
        error_rate=1.0, error_statuses=(500,), after_share=1.0, paths=r"^/v1/betaBuildLocalizations$"
    )
    applied = await asc.post("/v1/betaBuildLocalizations", json=french)
    assert applied.status_code == 500
    assert locales() == ["en-US", "fr-FR"]  # failed after: the change is made all the same
    assert asc_sim.exchanges[-1].fault == "error_after"
    asc_sim.faults = Faults(drop_rate=1.0, after_share=1.0, paths=r"^/v1/betaBuildLocalizations$")
    french["data"]["attributes"]["locale"] = "it-IT"
    with pytest.raises(httpx.RemoteProtocolError):
        await asc.post("/v1/betaBuildLocalizations", json=french)
    assert locales() == ["en-US", "fr-FR", "it-IT"]
    assert (asc_sim.exchanges[-1].status, asc_sim.exchanges[-1].fault) == (None, "drop_after")
    asc_sim.faults = Faults()
    retry = await asc.post("/v1/betaBuildLocalizations", json=french)
    assert retry.status_code == 409  # a blind retry of a create is refused, not applied twice


async def test_rate_limit_bursts_carry_retry_after_and_latency_is_real(
    asc_sim: AscSimulator, asc: httpx.AsyncClient
) -> None:
    import time

    from bot.sandbox.asc import Faults

    asc_sim.faults = Faults(rate_limit_bursts=1, burst_length=2, burst_chance=1.0, retry_after=7)
    answers = [await asc.get("/v1/apps") for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["Retry-After"] == "7"
    assert error(answers[0])["code"] == "RATE_LIMIT_EXCEEDED"
    asc_sim.faults = Faults(latency=0.05)
    started = time.monotonic()
    assert (await asc.get("/v1/apps")).status_code == 200
    assert time.monotonic() - started >= 0.05


async def test_webhooks_are_stored_and_receive_signed_events(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    import hashlib
    import hmac

    from aiohttp import web

    received: list[tuple[bytes, str]] = []

    async def receive(request: web.Request) -> web.Response:
        received.append((await request.read(), request.headers["x-apple-signature"]))
        return web.Response(status=200)

    receiver = web.Application()
    receiver.router.add_post("/asc", receive)
    runner = web.AppRunner(receiver, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/asc"
    try:
        app_id = asc_sim.add_app(BUNDLE)
        secret = "This is my secret"
        hook = {
            "data": {
                "type": "webhooks",
                "attributes": {
                    "enabled": True,
                    "eventTypes": [
                        "BUILD_UPLOAD_STATE_UPDATED",
                        "APP_STORE_VERSION_APP_VERSION_STATE_UPDATED",
                    ],
                    "name": "asc-bot",
                    "secret": secret,
                    "url": url,
                },
                "relationships": {"app": rel("apps", app_id)},
            }
        }
        created = await asc.post("/v1/webhooks", json=hook)
        assert created.status_code == 201
        hook_id = body(created)["data"]["id"]
        assert "secret" not in body(created)["data"]["attributes"]
        listed = body(await asc.get(f"/v1/apps/{app_id}/webhooks"))["data"]
        assert [w["id"] for w in listed] == [hook_id]
        rename = {"data": {"type": "webhooks", "id": hook_id, "attributes": {"name": "asc-bot (prod)"}}}
        assert (
            body(await asc.patch(f"/v1/webhooks/{hook_id}", json=rename))["data"]["attributes"]["name"]
            == "asc-bot (prod)"
        )

        upload_id = asc_sim.upload_build(BUNDLE, "1.4.0", "412")
        asc_clock.advance(301)
        await asc_sim.drain_webhooks()
    finally:
        await runner.cleanup()
    events = [json.loads(raw)["data"] for raw, _ in received]
    assert [(e["type"], e["attributes"]["newState"]) for e in events] == [
        ("buildUploadStateUpdated", "PROCESSING"),
        ("buildUploadStateUpdated", "COMPLETE"),
    ]
    assert events[1]["relationships"]["instance"]["data"] == {"type": "buildUploads", "id": upload_id}
    for raw, signature in received:
        assert signature == "hmacsha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    assert [d.status for d in asc_sim.webhook_deliveries] == [200, 200]


def test_checker_reports_what_breaks_the_spec() -> None:
    """The conformance checker is not vacuous: each kind of violation is reported."""
    from datetime import UTC, datetime

    from bot.sandbox.asc import Exchange
    from tests.support.openapi_conformance import check_exchanges

    auth = {"Authorization": "Bearer x"}
    ok_headers = {"X-Rate-Limit": "user-hour-lim:1;user-hour-rem:1;", "Content-Type": "application/json"}
    now = datetime.now(UTC)

    def ex(
        method: str,
        path: str,
        query: list[tuple[str, str]],
        request: Any,
        status: int | None,
        answer: Any,
        headers: Any = None,
    ) -> Exchange:
        raw_request = json.dumps(request).encode() if request is not None else None
        raw_answer = json.dumps(answer).encode() if answer is not None else None
        return Exchange(
            method,
            path,
            query,
            dict(auth),
            raw_request,
            status,
            ok_headers if headers is None else headers,
            raw_answer,
            now,
        )

    bad_build = {
        "data": [{"type": "builds", "id": "1", "attributes": {"processingState": "DONE"}}],
        "links": {"self": "x"},
    }
    cases = {
        "is not in the spec": ex(
            "GET",
            "/v1/nothing",
            [],
            None,
            404,
            {"errors": [{"status": "404", "code": "NOT_FOUND", "title": "t"}]},
        ),
        "not an operation": ex(
            "PUT",
            "/v1/builds",
            [],
            None,
            405,
            {"errors": [{"status": "405", "code": "METHOD_NOT_ALLOWED", "title": "t"}]},
        ),
        "filter[bogus] is not allowed": ex(
            "GET", "/v1/builds", [("filter[bogus]", "1")], None, 200, {"data": [], "links": {"self": "x"}}
        ),
        "greater than the maximum": ex(
            "GET", "/v1/builds", [("limit", "500")], None, 200, {"data": [], "links": {"self": "x"}}
        ),
        "is not one of": ex("GET", "/v1/builds", [], None, 200, bad_build),
        "'relationships' is a required property": ex(
            "POST",
            "/v1/betaAppReviewSubmissions",
            [],
            {"data": {"type": "betaAppReviewSubmissions"}},
            201,
            None,
        ),
        "status 418 is not declared": ex("GET", "/v1/builds", [], None, 418, {}),
        "not an ErrorResponse": ex("GET", "/v1/builds", [], None, 503, {"errors": [{"status": 503}]}),
        "no valid X-Rate-Limit": ex(
            "GET", "/v1/apps", [], None, 200, {"data": [], "links": {"self": "x"}}, {}
        ),
        "has no detail": ex(
            "GET",
            "/v1/apps/1",
            [],
            None,
            404,
            {"errors": [{"status": "404", "code": "NOT_FOUND", "title": "t"}]},
        ),
        "Additional properties": ex(
            "GET", "/v1/apps", [], None, 200, {"data": [], "links": {"self": "x"}, "extra": 1}
        ),
    }
    for expected, exchange in cases.items():
        problems = check_exchanges([exchange])
        assert any(expected in p for p in problems), (expected, problems)
    fine = ex(
        "GET",
        "/v1/builds",
        [("limit", "2"), ("cursor", "abc")],
        None,
        200,
        {"data": [], "links": {"self": "x"}},
    )
    assert check_exchanges([fine]) == []
