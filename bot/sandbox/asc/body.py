"""Request documents of writes, checked the way Apple checks them, with JSON pointers in the errors."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from bot.sandbox.asc.errors import ApiError, conflict

T = TypeVar("T")

_MISSING = object()


def _load(raw: bytes | None) -> Any:
    if not raw:
        raise ApiError(
            400, "ENTITY_UNPARSABLE", "The request entity is empty; send a JSON:API document", pointer=""
        )
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(
            400, "ENTITY_UNPARSABLE", f"The request entity is not valid JSON: {exc}", pointer=""
        ) from None


def _invalid(detail: str, pointer: str) -> ApiError:
    return ApiError(409, "ENTITY_ERROR.ATTRIBUTE.INVALID", detail, pointer=pointer)


def _check_linkage(value: Any, type_: str, pointer: str) -> str:
    if not isinstance(value, dict):
        raise ApiError(
            409, "ENTITY_ERROR.RELATIONSHIP.INVALID", "A resource linkage object is expected", pointer=pointer
        )
    if value.get("type") != type_:
        raise ApiError(
            409, "ENTITY_ERROR.TYPE.INVALID", f"The type must be '{type_}'", pointer=f"{pointer}/type"
        )
    if not isinstance(value.get("id"), str) or not value["id"]:
        raise ApiError(
            409, "ENTITY_ERROR.RELATIONSHIP.INVALID", "The id must be a string", pointer=f"{pointer}/id"
        )
    return value["id"]


class Body:
    """The `data` resource object of a create or update request."""

    def __init__(
        self,
        raw: bytes | None,
        type_: str,
        *,
        id_: str | None = None,
        attributes: Iterable[str] = (),
        relationships: Iterable[str] = (),
    ) -> None:
        doc = _load(raw)
        data = doc.get("data") if isinstance(doc, dict) else None
        if not isinstance(data, dict):
            raise ApiError(400, "ENTITY_INVALID", "The request entity needs a 'data' object", pointer="/data")
        if data.get("type") != type_:
            raise ApiError(
                409, "ENTITY_ERROR.TYPE.INVALID", f"The type must be '{type_}'", pointer="/data/type"
            )
        if id_ is not None and data.get("id") != id_:
            raise ApiError(
                409,
                "ENTITY_ERROR.ID.INVALID",
                f"The id must be '{id_}', as in the URL path",
                pointer="/data/id",
            )
        self.attributes = self._section(data, "attributes", set(attributes))
        self.relationships = self._section(data, "relationships", set(relationships))

    @staticmethod
    def _section(data: dict[str, Any], name: str, allowed: set[str]) -> dict[str, Any]:
        section = data.get(name, {})
        if not isinstance(section, dict):
            raise ApiError(400, "ENTITY_INVALID", f"'{name}' must be an object", pointer=f"/data/{name}")
        for key in section:
            if key not in allowed:
                kind = "ATTRIBUTE" if name == "attributes" else "RELATIONSHIP"
                raise ApiError(
                    409,
                    f"ENTITY_ERROR.{kind}.UNKNOWN",
                    f"The {kind.lower()} '{key}' can not be included in this request",
                    pointer=f"/data/{name}/{key}",
                )
        return section

    def has(self, name: str) -> bool:
        """Whether the attribute was sent (even as null)."""
        return name in self.attributes

    def attr(
        self,
        name: str,
        kind: type | tuple[type, ...],
        *,
        required: bool = False,
        enum: Iterable[str] | None = None,
        nullable: bool = True,
    ) -> Any:
        """An attribute's value (None when absent), type- and enum-checked."""
        pointer = f"/data/attributes/{name}"
        value = self.attributes.get(name, _MISSING)
        if value is _MISSING or (value is None and required):
            if required:
                raise ApiError(
                    409,
                    "ENTITY_ERROR.ATTRIBUTE.REQUIRED",
                    f"You must provide a value for the attribute '{name}' with this request",
                    pointer=pointer,
                )
            return None
        if value is None:
            if not nullable:
                raise _invalid(f"The attribute '{name}' can not be null", pointer)
            return None
        # bool is an int in Python; never let true/false pass as a number or the reverse.
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _tuple(kind)):
            raise _invalid(f"'{value}' is not a valid value for the attribute '{name}'", pointer)
        if enum is not None and value not in tuple(enum):
            raise _invalid(f"'{value}' is not a valid value for the attribute '{name}'", pointer)
        return value

    def date(self, name: str) -> datetime | None:
        """A date-time attribute as an aware datetime."""
        value = self.attr(name, str)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise _invalid(f"'{value}' is not a valid date-time", f"/data/attributes/{name}")
        return moment

    def rel(self, name: str, type_: str, *, required: bool = False) -> str | None:
        """The id in a to-one relationship (None when absent)."""
        pointer = f"/data/relationships/{name}"
        rel = self.relationships.get(name)
        if rel is None or (isinstance(rel, dict) and rel.get("data") is None):
            if required:
                raise ApiError(
                    409,
                    "ENTITY_ERROR.RELATIONSHIP.REQUIRED",
                    f"You must provide a value for the relationship '{name}' with this request",
                    pointer=pointer,
                )
            return None
        if not isinstance(rel, dict):
            raise ApiError(
                409, "ENTITY_ERROR.RELATIONSHIP.INVALID", "A relationship object is expected", pointer=pointer
            )
        return _check_linkage(rel["data"], type_, f"{pointer}/data")


def _tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def linkage(raw: bytes | None, type_: str) -> str:
    """The id of a to-one relationship request: {"data": {"type", "id"}}."""
    doc = _load(raw)
    if not isinstance(doc, dict) or "data" not in doc:
        raise ApiError(400, "ENTITY_INVALID", "The request entity needs a 'data' object", pointer="/data")
    return _check_linkage(doc["data"], type_, "/data")


def linkages(raw: bytes | None, type_: str) -> list[str]:
    """The ids of a to-many relationship request: {"data": [{"type", "id"}, …]}."""
    doc = _load(raw)
    data = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(data, list):
        raise ApiError(400, "ENTITY_INVALID", "The request entity needs a 'data' array", pointer="/data")
    return [_check_linkage(item, type_, f"/data/{i}") for i, item in enumerate(data)]


def related(body: Body, name: str, type_: str, table: Mapping[str, T], label: str) -> T:
    """A required relationship's target, or the 409 Apple answers when nothing has that id."""
    target_id = body.rel(name, type_, required=True) or ""
    found = table.get(target_id)
    if found is None:
        raise conflict(
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            f"There is no {label} with id '{target_id}'",
            f"/data/relationships/{name}",
        )
    return found
