"""Checks a recorded request against Apple's OpenAPI spec: path, method, query names and values, body."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from openapi_schema_validator import OAS30Validator, oas30_format_checker

SPEC_PATH = Path(__file__).parents[1] / "data" / "app_store_connect_api_4.4.1_openapi.json"
# Paging links carry a cursor the spec does not list; Apple's own next links add it.
_PAGING_ONLY = {"cursor"}


class Spec:
    """Apple's spec, loaded once, with path templates compiled to regular expressions."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        templates = sorted(document["paths"], key=lambda t: (t.count("{"), t))
        self._templates = [
            (re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(t)) + "$"), t) for t in templates
        ]

    def template(self, path: str) -> str | None:
        return next((t for rx, t in self._templates if rx.match(path)), None)

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            section, name = node["$ref"].split("/")[-2:]
            node = self.document["components"][section][name]
        return node

    def check(self, request: httpx.Request) -> list[str]:
        """Every way this request departs from the spec (empty when it conforms)."""
        where = f"{request.method} {request.url.path}"
        template = self.template(request.url.path)
        if template is None:
            return [f"{where}: no such path in the spec"]
        item = self.document["paths"][template]
        operation = item.get(request.method.lower())
        if operation is None:
            return [f"{where}: {request.method} not allowed on {template}"]
        where = f"{request.method} {template}"
        declared = [self._resolve(p) for p in [*item.get("parameters", []), *operation.get("parameters", [])]]
        query = {p["name"]: p for p in declared if p["in"] == "query"}
        problems: list[str] = []
        sent = dict(request.url.params.multi_items())
        for name, value in request.url.params.multi_items():
            if name in _PAGING_ONLY:
                continue
            if name not in query:
                problems.append(f"{where}: unknown query parameter {name}")
                continue
            problems += [
                f"{where}: {name}: {p}" for p in _check_value(self._resolve(query[name]["schema"]), value)
            ]
        problems += [
            f"{where}: missing required {n}" for n, p in query.items() if p.get("required") and n not in sent
        ]
        problems += self._check_body(where, operation, request)
        return problems

    def _check_body(self, where: str, operation: dict[str, Any], request: httpx.Request) -> list[str]:
        content = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
        if not request.content:
            required = (operation.get("requestBody") or {}).get("required")
            return [f"{where}: body required"] if content and required else []
        if content is None:
            return [f"{where}: sends a body the spec does not take"]
        if request.headers.get("content-type") != "application/json":
            return [f"{where}: body without Content-Type: application/json"]
        schema = {**content["schema"], "components": self.document["components"]}
        validator = OAS30Validator(schema, format_checker=oas30_format_checker)
        return [
            f"{where}: body {'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(json.loads(request.content))
        ]


def _check_value(schema: dict[str, Any], value: str) -> list[str]:
    if schema.get("type") == "array":
        items = schema.get("items", {})
        return [p for part in value.split(",") for p in _check_value(items, part)]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{value!r} is not one of {schema['enum']}"]
    if schema.get("type") == "integer":
        if not value.isdigit():
            return [f"{value!r} is not an integer"]
        if "maximum" in schema and int(value) > schema["maximum"]:
            return [f"{value} is over the maximum {schema['maximum']}"]
    if schema.get("type") == "boolean" and value not in ("true", "false"):
        return [f"{value!r} is not a boolean"]
    return []


@cache
def load_spec() -> Spec:
    return Spec(json.loads(SPEC_PATH.read_text()))
