"""Plumbing shared by the resource-family mixins: the HTTP layer and JSON:API body builders."""

from __future__ import annotations

from typing import Any

from bot.appstore.http import AscHttp


class ResourceFamily:
    """Base of the mixins that make up `AppStoreConnect`; each family only needs `_http`."""

    _http: AscHttp


def ref(type_: str, id_: str) -> dict[str, str]:
    """A JSON:API resource identifier."""
    return {"type": type_, "id": id_}


def document(
    type_: str,
    *,
    id_: str | None = None,
    attributes: dict[str, Any] | None = None,
    relationships: dict[str, tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """A JSON:API request body; relationships are given as name -> (type, id)."""
    data: dict[str, Any] = {"type": type_}
    if id_ is not None:
        data["id"] = id_
    if attributes:
        data["attributes"] = attributes
    if relationships:
        data["relationships"] = {name: {"data": ref(*target)} for name, target in relationships.items()}
    return {"data": data}


def csv(values: list[str] | tuple[str, ...]) -> str:
    """Array query parameters are comma-separated (OpenAPI `style: form, explode: false`)."""
    return ",".join(values)
