"""Checks recorded App Store Connect exchanges against Apple's OpenAPI spec (4.4.1) with openapi-core.

`check_exchanges(sim.exchanges)` returns one readable problem per violation: an unknown path or method,
a query parameter the operation does not declare (or a value outside its enum / over its maximum), a
request body that breaks its schema, an answer whose status is not declared or whose body breaks its
schema, and a missing `X-Rate-Limit` header. The spec is loaded once per process (about 3 s).

Where openapi-core or the spec disagree with how App Store Connect really behaves, the workaround is
narrow and explained next to it (see `_GENERIC_ERROR_STATUSES`, `cursor`, `_null_to_one`,
`_without_null_attributes`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.schemas import oas30_read_schema_validators_factory
from werkzeug.datastructures import Headers, ImmutableMultiDict

from bot.sandbox.asc.exchange import Exchange

SPEC_PATH = Path(__file__).resolve().parents[1] / "data" / "app_store_connect_api_4.4.1_openapi.json"
SERVER = "https://api.appstoreconnect.apple.com"

# Apple documents these statuses for every endpoint ("About the HTTP Status Code": 404, 405, 409,
# 410, 415, 422, 429 and any 5xx), but the spec lists only some of them per operation. An answer with
# one of them is checked against ErrorResponse instead of being reported as undeclared.
_GENERIC_ERROR_STATUSES = frozenset({404, 405, 409, 410, 415, 422, 429})
# Statuses with which a server refuses a bad request; a test that sends one on purpose may pass
# `allow_rejected=True` to excuse the request-side problems of exactly those exchanges.
_REJECTIONS = frozenset({400, 401, 403, 404, 405, 409, 415, 422})
_RATE_LIMIT = re.compile(r"^user-hour-lim:\d+;user-hour-rem:\d+;$")


@dataclass(frozen=True)
class _Operation:
    template: str
    method: str
    params: dict[str, dict[str, Any]]  # query parameter name → parameter object
    responses: frozenset[int]
    to_one_related: bool  # GET /v1/{type}/{id}/{relationship} answering one resource


@dataclass
class RecordedRequest:
    """openapi-core's Request protocol over a recorded exchange."""

    host_url: str
    path: str
    method: str
    parameters: RequestParameters
    body: bytes | None
    content_type: str


@dataclass
class RecordedResponse:
    """openapi-core's Response protocol over a recorded exchange."""

    status_code: int
    data: bytes | None
    headers: Headers
    content_type: str


@functools.cache
def _api() -> OpenAPI:
    # spec_validator_cls=None skips the slow whole-spec validation; the file is Apple's, checked upstream.
    # "forbid": an attribute or field the schema does not name is a problem too (Apple rejects
    # unknown attributes in requests, and the simulator must not invent fields in answers).
    config = Config(spec_validator_cls=None, additional_properties_default_policy="forbid")
    # json, not from_file_path: that reads the 3.4 MB file with a YAML loader (about 6 s instead of 0.1 s).
    return OpenAPI.from_dict(json.loads(SPEC_PATH.read_text()), config=config, base_uri=SPEC_PATH.as_uri())


@functools.cache
def _operations() -> tuple[list[tuple[re.Pattern[str], str]], dict[tuple[str, str], _Operation]]:
    spec = json.loads(SPEC_PATH.read_text())
    parameters = spec["components"].get("parameters", {})
    patterns, operations = [], {}
    for template, item in spec["paths"].items():
        regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        patterns.append((re.compile(regex), template))
        for method, op in item.items():
            if method == "parameters":
                continue
            params = {}
            for p in op.get("parameters", []):
                p = parameters[p["$ref"].rsplit("/", 1)[-1]] if "$ref" in p else p
                if p["in"] == "query":
                    params[p["name"]] = p
            ok = (
                op["responses"]
                .get("200", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
            )
            data = spec["components"]["schemas"].get(ok.get("$ref", "#/").rsplit("/", 1)[-1], {})
            to_one = template.count("/") == 4 and "$ref" in data.get("properties", {}).get("data", {})
            operations[(template, method.upper())] = _Operation(
                template,
                method.upper(),
                params,
                frozenset(int(s) for s in op["responses"] if s.isdigit()),
                to_one,
            )
    # Literal segments win over {id}: /v1/builds/{id} must not swallow a longer literal route.
    patterns.sort(key=lambda p: (p[1].count("{"), -len(p[1])))
    return patterns, operations


@functools.cache
def _error_response_validator() -> Any:
    api = _api()
    schema = api.spec / "components" / "schemas" / "ErrorResponse"
    return oas30_read_schema_validators_factory.create(
        api.spec, schema, forbid_unspecified_additional_properties=True
    )


def _find(method: str, path: str) -> tuple[_Operation | None, str | None]:
    patterns, operations = _operations()
    templates = [t for regex, t in patterns if regex.match(path)]
    if not templates:
        return None, f"path {path} is not in the spec"
    for template in templates:
        op = operations.get((template, method))
        if op is not None:
            return op, None
    return None, f"{method} is not an operation of {templates[0]}"


def _causes(exc: BaseException) -> str:
    inner = exc.__cause__
    schema_errors = getattr(inner, "schema_errors", None) or getattr(exc, "schema_errors", None)
    if schema_errors:
        name = getattr(exc, "name", None)
        where = f"parameter {name}" if isinstance(name, str) else "body"
        return "; ".join(
            f"{'/'.join([where, *map(str, e.absolute_path)])}: {e.message}" for e in schema_errors
        )
    return f"{exc}" + (f" ({inner})" if inner else "")


def _query_problems(ex: Exchange, op: _Operation) -> Iterator[str]:
    seen: set[str] = set()
    for name, _ in ex.query:
        if name in seen:
            yield f"query parameter {name} is repeated"
        seen.add(name)
        # Apple's links.next carries `cursor`, which the spec never declares; it is only valid where
        # the operation pages (declares `limit`).
        if name == "cursor" and "limit" in op.params:
            continue
        if name not in op.params:
            yield f"query parameter {name} is not allowed on {op.method} {op.template}"


def _request_problems(ex: Exchange, op: _Operation) -> Iterator[str]:
    yield from _query_problems(ex, op)
    request = _to_request(ex)
    for error in _api().iter_request_errors(request):
        yield f"request: {_causes(error)}"


def _to_request(ex: Exchange) -> RecordedRequest:
    headers = Headers(ex.request_headers)
    query = ImmutableMultiDict([(k, v) for k, v in ex.query if k != "cursor"])
    params = RequestParameters(query=query, header=headers, cookie=ImmutableMultiDict(), path={})
    content_type = headers.get("Content-Type", "application/json" if ex.request_body else "")
    return RecordedRequest(SERVER, ex.path, ex.method.lower(), params, ex.request_body, content_type.lower())


def _null_to_one(op: _Operation, body: Any) -> bool:
    # JSON:API answers an empty to-one relationship's related URL with `"data": null`; the spec's
    # schemas for these GET /v1/{type}/{id}/{relationship} answers do not mark `data` nullable.
    return op.to_one_related and op.method == "GET" and isinstance(body, dict) and body.get("data", 0) is None


def _without_null_attributes(body: Any) -> Any:
    """The body with `null` attribute values of its resources left out, nothing else changed.

    App Store Connect sends every attribute of a resource, `null` when it has no value (recorded:
    tests/data/recorded/fastlane/tunes/review_submission_created.json `"submittedDate" : null`,
    review_submission_items.json `"earliestReleaseDate" : null` and `"watchStoreIcon" : null` on an
    included appStoreVersions), but the spec marks no attribute `nullable`. A null attribute is read
    as an absent one; its name must still be one the schema declares, and nothing else is excused:
    not a null relationship `data`, not a null inside an attribute's value, not a null `data`.
    """
    if not isinstance(body, dict):
        return body
    out = dict(body)
    for key in ("data", "included"):
        value = body.get(key)
        if isinstance(value, dict):
            out[key] = _strip_resource(value)
        elif isinstance(value, list):
            out[key] = [_strip_resource(r) for r in value]
    return out


def _strip_resource(resource: Any) -> Any:
    if not isinstance(resource, dict) or not isinstance(resource.get("attributes"), dict):
        return resource
    attributes = {k: v for k, v in resource["attributes"].items() if v is not None}
    return {**resource, "attributes": attributes}


def _null_attribute_names(ex: Exchange, body: Any) -> Iterator[str]:
    """Null attributes are excused from their type, never from being named by the schema."""
    resources = []
    for key in ("data", "included"):
        value = body.get(key) if isinstance(body, dict) else None
        resources += value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    for r in resources:
        if not isinstance(r, dict) or not isinstance(r.get("attributes"), dict):
            continue
        declared = _declared_attributes(r.get("type"))
        for name, value in r["attributes"].items():
            if value is None and declared is not None and name not in declared:
                yield f"answer: {r.get('type')} {r.get('id')}: attribute {name} is not in the schema"


@functools.cache
def _declared_attributes(type_: Any) -> frozenset[str] | None:
    for schema in _spec()["components"]["schemas"].values():
        props = schema.get("properties", {})
        if props.get("type", {}).get("enum") == [type_] and {"id", "links"} <= set(props):
            return frozenset(props.get("attributes", {}).get("properties", {}))
    return None


@functools.cache
def _spec() -> dict[str, Any]:
    return json.loads(SPEC_PATH.read_text())


def _response_problems(ex: Exchange, op: _Operation) -> Iterator[str]:
    status = ex.status
    assert status is not None
    if not _RATE_LIMIT.match(ex.response_headers.get("X-Rate-Limit", "")):
        yield "answer has no valid X-Rate-Limit header"
    if status == 204:
        if ex.response_body:
            yield "a 204 answer must have no body"
        if 204 not in op.responses:
            yield f"status 204 is not declared for {op.method} {op.template}"
        return
    try:
        body = json.loads(ex.response_body or b"")
    except ValueError:
        yield f"status {status} answer is not JSON"
        return
    if status in op.responses:
        if status == 200 and _null_to_one(op, body):
            if set(body) != {"data", "links"} or not isinstance(body["links"].get("self"), str):
                yield "a data:null answer must carry only data and links.self"
            return
        request = _to_request(ex)
        content_type = ex.response_headers.get("Content-Type", "").lower()
        data = json.dumps(_without_null_attributes(body)).encode() if status < 300 else ex.response_body
        response = RecordedResponse(status, data, Headers(ex.response_headers), content_type)
        if status < 300:
            yield from _null_attribute_names(ex, body)
        for error in _api().iter_response_errors(request, response):
            yield f"answer {status}: {_causes(error)}"
        if status >= 400:
            yield from _detail_problems(status, body)
    elif status in _GENERIC_ERROR_STATUSES or status >= 500:
        yield from _error_body_problems(status, body)
    else:
        yield f"status {status} is not declared for {op.method} {op.template}"


def _error_body_problems(status: int, body: Any) -> Iterator[str]:
    try:
        _error_response_validator().validate(body)
    except Exception as exc:  # openapi-core's InvalidSchemaValue, with the jsonschema errors inside
        yield f"answer {status} is not an ErrorResponse: {_causes(exc)}"
        return
    yield from _detail_problems(status, body)


def _detail_problems(status: int, body: Any) -> Iterator[str]:
    errors = body.get("errors") if isinstance(body, dict) else None
    if not errors:
        yield f"answer {status} has no errors[]"
        return
    # Apple's own error schema requires `detail`; the SDK patch behind the vendored spec relaxed it.
    for i, item in enumerate(errors):
        if not isinstance(item, dict) or not isinstance(item.get("detail"), str):
            yield f"answer {status}: errors/{i} has no detail (Apple's schema requires it)"


def _exchange_problems(ex: Exchange, allow_rejected: bool) -> Iterator[str]:
    op, missing = _find(ex.method, ex.path)
    rejected = allow_rejected and ex.status in _REJECTIONS
    if op is None:
        if not rejected:
            yield missing or "unknown operation"
        if ex.status is not None:
            yield from _error_body_problems(ex.status, json.loads(ex.response_body or b"null"))
        return
    request_problems = list(_request_problems(ex, op))
    if not rejected:
        yield from request_problems
    if ex.status is not None:
        yield from _response_problems(ex, op)


def check_exchanges(exchanges: Iterable[Exchange], *, allow_rejected: bool = False) -> list[str]:
    """Every spec violation in the exchanges, one line each ("#index METHOD path?query: problem").

    With `allow_rejected`, request-side problems of an exchange the server refused (400, 401, 403,
    404, 405, 409, 415, 422) are not reported: that is how a test that sends bad requests on purpose
    keeps checking everything else, including that the refusal itself is a valid ErrorResponse.
    """
    problems = []
    for index, ex in enumerate(exchanges):
        query = "&".join(f"{k}={v}" for k, v in ex.query)
        where = f"#{index} {ex.method} {ex.path}{'?' + query if query else ''}"
        problems.extend(f"{where}: {problem}" for problem in _exchange_problems(ex, allow_rejected))
    return problems
