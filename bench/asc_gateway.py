"""An Apple-shaped front for the App Store Connect simulator, for third-party tools in the benchmarks.

asc-bot talks to the simulator directly. codemagic-cli-tools needs three things the simulator does not
give, so its requests pass through this gateway, which forwards each of them to the simulator as
exactly one request (so the simulator still authenticates, rate-limits and records every one):

1. Apple sends every attribute of a resource's schema (`null` when empty) and every relationship
   with its links; the simulator leaves empty attributes and some relationships out. The gateway
   adds what is missing from the schemas of Apple's OpenAPI document (`tests/data/`).
2. Four related-resource paths the simulator does not serve are answered from the one simulator
   request that holds the same data: `GET /v1/builds/{id}/app` and `/preReleaseVersion` from
   `GET /v1/builds/{id}?include=…`; `GET /v1/apps/{id}/betaAppLocalizations` and
   `/betaAppReviewDetail` (TestFlight test information, which the simulator does not model) from
   `GET /v1/apps/{id}`, filled in as a ready app would have them.
3. URLs in answers (`links.self`, `links.related`, `links.next`) name the gateway, so a tool that
   follows them keeps coming through it.

Every request is recorded in `requests` with the path the tool asked for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

SPEC = Path(__file__).absolute().parents[1] / "tests" / "data" / "app_store_connect_api_4.4.1_openapi.json"
HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "keep-alive"}


@dataclass(frozen=True)
class Request:
    """One request a tool sent, as it sent it, and the status it got."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    status: int
    answered_from: str | None = None  # the simulator path used for a synthesized answer


@dataclass(frozen=True)
class Shape:
    """What Apple's schema says one resource type always carries."""

    attributes: tuple[str, ...]
    relationships: tuple[str, ...]


@cache
def schema_shapes() -> dict[str, Shape]:
    """JSON:API type → its attribute and relationship names in Apple's OpenAPI document."""
    spec = json.loads(SPEC.read_text())
    found: dict[str, Shape] = {}
    for name, schema in spec["components"]["schemas"].items():
        props = schema.get("properties", {})
        kinds = props.get("type", {}).get("enum") or []
        if len(kinds) != 1 or "Request" in name or "Response" in name or kinds[0] in found:
            continue
        attrs = tuple(props.get("attributes", {}).get("properties", {}))
        rels = tuple(props.get("relationships", {}).get("properties", {}))
        found[kinds[0]] = Shape(attrs, rels)
    return found


def as_apple_sends(resource: dict[str, Any], base_url: str) -> None:
    """Add what Apple sends and the simulator leaves out: empty attributes as `null`, and every
    relationship of the schema with its links (tools follow `links.related`)."""
    shape = schema_shapes().get(str(resource.get("type")))
    if shape is None:
        return
    if shape.attributes:
        attributes = resource.setdefault("attributes", {})
        for name in shape.attributes:
            attributes.setdefault(name, None)
    if shape.relationships:
        relationships = resource.setdefault("relationships", {})
        url = f"{base_url}/v1/{resource['type']}/{resource['id']}"
        for name in shape.relationships:
            links = {"self": f"{url}/relationships/{name}", "related": f"{url}/{name}"}
            relationships.setdefault(name, {}).setdefault("links", links)


def _related(kind: str) -> Callable[[dict[str, Any]], Any]:
    def pick(doc: dict[str, Any]) -> Any:
        return next(r for r in doc.get("included", []) if r["type"] == kind)

    return pick


def _beta_app_localizations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    app = doc["data"]
    locale = app["attributes"].get("primaryLocale") or "en-US"
    return [
        {
            "type": "betaAppLocalizations",
            "id": f"{app['id']}-{locale}",
            "links": {"self": f"{doc['links']['self']}/betaAppLocalizations/{locale}"},
            "attributes": {
                "locale": locale,
                "feedbackEmail": "beta@example.com",
                "description": "An app under test.",
            },
        }
    ]


def _beta_app_review_detail(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "betaAppReviewDetails",
        "id": doc["data"]["id"],
        "links": {"self": f"{doc['links']['self']}/betaAppReviewDetail"},
        "attributes": {
            "contactFirstName": "Ada",
            "contactLastName": "Lovelace",
            "contactPhone": "+1 555 0100",
            "contactEmail": "review@example.com",
            "demoAccountRequired": False,
        },
    }


# (path pattern, simulator path template, query, how to build the answer's data from the simulator's)
SYNTHESIZED: tuple[tuple[re.Pattern[str], str, dict[str, str], Callable[[dict[str, Any]], Any]], ...] = (
    (re.compile(r"^/v1/builds/([^/]+)/app$"), "/v1/builds/{}", {"include": "app"}, _related("apps")),
    (
        re.compile(r"^/v1/builds/([^/]+)/preReleaseVersion$"),
        "/v1/builds/{}",
        {"include": "preReleaseVersion"},
        _related("preReleaseVersions"),
    ),
    (re.compile(r"^/v1/apps/([^/]+)/betaAppLocalizations$"), "/v1/apps/{}", {}, _beta_app_localizations),
    (re.compile(r"^/v1/apps/([^/]+)/betaAppReviewDetail$"), "/v1/apps/{}", {}, _beta_app_review_detail),
)


class AscGateway:
    """Forwards to the simulator at `upstream`, one simulator request per tool request."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.url = ""
        self.requests: list[Request] = []
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> str:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        self._session = aiohttp.ClientSession(auto_decompress=True)
        schema_shapes()
        return self.url

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        body = await request.read()
        path, query, build = request.path, list(request.query.items()), None
        for pattern, template, extra, builder in SYNTHESIZED:
            match = pattern.match(request.path) if request.method == "GET" else None
            if match:
                path, query, build = template.format(match.group(1)), list(extra.items()), builder
                break
        async with self._session.request(
            request.method, self.upstream + path, params=query, data=body or None, headers=headers
        ) as answer:
            status, content = answer.status, await answer.read()
            reply_headers = {
                k: v.replace(self.upstream, self.url)
                for k, v in answer.headers.items()
                if k.lower() not in HOP_HEADERS | {"content-encoding"}
            }
        asked = tuple(request.query.items())
        self.requests.append(Request(request.method, request.path, asked, status, path if build else None))
        if not content or "json" not in reply_headers.get("Content-Type", ""):
            return web.Response(status=status, body=content or None, headers=reply_headers)
        doc = json.loads(content.decode().replace(self.upstream, self.url))
        if build is not None and status == 200:
            doc = {"data": build(doc), "links": {"self": f"{self.url}{request.path_qs}"}}
        for resource in _resources(doc):
            as_apple_sends(resource, self.url)
        reply_headers.pop("Content-Type", None)
        return web.json_response(doc, status=status, headers=reply_headers)


def _resources(doc: dict[str, Any]) -> list[dict[str, Any]]:
    data = doc.get("data")
    primary = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    return [*primary, *doc.get("included", [])]
