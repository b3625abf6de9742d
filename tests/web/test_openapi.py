"""The OpenAPI document: valid, served, true to every answer, and in step with the validator."""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.request.exceptions import SecurityValidationError
from openapi_spec_validator import validate
from werkzeug.datastructures import Headers, ImmutableMultiDict

from bot.openapi import BUILD_UPLOADED, document
from bot.sandbox.world import World
from bot.web import MAX_BODY
from tests.support.openapi_conformance import RecordedRequest, RecordedResponse
from tests.web.conftest import AppleEndpoint, apple_event
from tests.web.strategies import MUTATIONS, Mutation, broken_payloads, put, valid_payloads

SCHEMA = jsonschema.Draft202012Validator(BUILD_UPLOADED, format_checker=jsonschema.FormatChecker())


def check(api: OpenAPI, response: httpx.Response, *, validate_request: bool = False) -> None:
    """Raise if the answer (and optionally the request) breaks the document."""
    sent = response.request
    headers = Headers(list(sent.headers.items()))
    params = RequestParameters(
        query=ImmutableMultiDict(), header=headers, cookie=ImmutableMultiDict(), path={}
    )
    request = RecordedRequest(
        f"{sent.url.scheme}://{sent.url.netloc.decode()}",
        sent.url.path,
        sent.method.lower(),
        params,
        sent.content or None,
        headers.get("Content-Type", ""),
    )
    answer = RecordedResponse(
        response.status_code,
        response.content,
        Headers(list(response.headers.items())),
        response.headers.get("Content-Type", "").split(";")[0],
    )
    if validate_request:
        api.validate_request(request)
    api.validate_response(request, answer)


def test_the_document_is_valid_openapi() -> None:
    doc = document()
    validate(doc)
    assert doc["openapi"].startswith("3.")
    json.dumps(doc)  # plain data


async def test_it_is_served_and_every_answer_matches_it(world: World, apple: AppleEndpoint) -> None:
    assert world.bot is not None
    async with httpx.AsyncClient() as http:
        served = await http.get(world.bot.url + "/openapi.json")
        health = await http.get(world.bot.url + "/healthz")
    assert served.status_code == 200 and served.json() == document()
    api = OpenAPI.from_dict(served.json())
    check(api, served)
    check(api, health)

    good = world.upload_payload(
        "com.example.app", "1.4.0", "412", delivery_id="d1", publishing={"beta_groups": ["QA"]}
    )
    body = json.dumps(good).encode()
    answers = [
        await world.send_upload(good),  # 202
        await world.send_upload(good),  # 200
        await world.send_upload({"app": {}, "version": "x"}),  # 400
        await world.send_upload(good, secret="wrong-wrong-wrong-wrong"),  # 401
        await world.send_upload(body + b" " * MAX_BODY),  # 413
        await world.send_upload(body, headers={"Content-Type": "text/plain"}),  # 415
    ]
    assert [a.status_code for a in answers] == [202, 200, 400, 401, 413, 415]
    for answer in answers:
        check(api, answer)
    now = int(world.clock.now().timestamp())
    stamped = await world.send_upload(body, timestamp=now)
    check(api, stamped, validate_request=True)
    check(api, answers[0], validate_request=True)

    apple_answers = [
        await apple.send(apple_event("webhookPingCreated", None, None)),
        await apple.send(apple_event("buildUploadStateUpdated", "buildUploads", "nope", newState="COMPLETE")),
        await apple.send(apple_event("betaFeedbackCrashSubmissionCreated", None, None)),
        await apple.send(b"[]"),
        await apple.send(b"{}", secret="wrong"),
        await apple.send(b" " * (MAX_BODY + 1)),
    ]
    assert [a.status_code for a in apple_answers] == [200, 200, 200, 400, 401, 413]
    for answer in apple_answers:
        check(api, answer)


async def test_the_document_requires_the_signature(world: World) -> None:
    assert world.bot is not None
    async with httpx.AsyncClient() as http:
        response = await http.post(world.bot.url + "/webhooks/build-uploaded", json={"app": {}})
    with pytest.raises(SecurityValidationError):
        check(OpenAPI.from_dict(document()), response, validate_request=True)


@settings(max_examples=150, deadline=None)
@given(valid_payloads())
def test_what_the_validator_accepts_the_document_accepts(payload: dict[str, Any]) -> None:
    errors = [e.message for e in SCHEMA.iter_errors(payload)]
    assert errors == []


@settings(max_examples=150, deadline=None)
@given(broken_payloads())
def test_what_the_document_forbids_the_validator_refuses(case: tuple[dict[str, Any], list[Mutation]]) -> None:
    payload, mutations = case
    static = [m for m in mutations if m.static]
    if static:
        assert not SCHEMA.is_valid(payload), (payload, [m.field for m in static])


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([m for m in MUTATIONS if m.static]).flatmap(lambda m: st.tuples(st.just(m), m.values)))
def test_each_static_mutation_alone_breaks_the_schema(drawn: tuple[Mutation, Any]) -> None:
    mutation, value = drawn
    broken = put(
        {"app": {"bundle_id": "com.example.app"}, "version": "1.0", "build_number": "1"}, mutation.path, value
    )
    assert not SCHEMA.is_valid(broken), (mutation.field, value)
