"""Reading App Store Connect's JSON:API documents: primary resources, the `included` index,
relationships, and attributes read defensively (a wrong type reads as missing).

bot/appstore/models.py builds the frozen resource views from these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

T = TypeVar("T")
Resource = dict[str, Any]


class Included:
    """Index of a document's `included` resources by (type, id), built once per document."""

    def __init__(self, document: dict[str, Any] | None = None) -> None:
        items = (document or {}).get("included") or []
        self._by_key = {(r.get("type"), r.get("id")): r for r in items if isinstance(r, dict)}

    def get(self, ref: dict[str, Any] | None) -> Resource | None:
        if not ref:
            return None
        return self._by_key.get((ref.get("type"), ref.get("id")))


def resources(document: dict[str, Any] | None) -> Iterator[Resource]:
    """The primary resources of a document, whether `data` is one object, a list or null."""
    data = (document or {}).get("data")
    if isinstance(data, dict):
        yield data
    elif isinstance(data, list):
        yield from (r for r in data if isinstance(r, dict))


def attrs(resource: Resource) -> dict[str, Any]:
    return resource.get("attributes") or {}


def rel(resource: Resource, name: str) -> Any:
    """The `data` of a relationship: a {type, id} dict, a list of them, or None when not sent."""
    return ((resource.get("relationships") or {}).get(name) or {}).get("data")


def rel_id(resource: Resource, name: str) -> str | None:
    ref = rel(resource, name)
    return ref.get("id") if isinstance(ref, dict) else None


def rel_ids(resource: Resource, name: str) -> tuple[str, ...]:
    refs = rel(resource, name)
    return tuple(r["id"] for r in refs if isinstance(r, dict) and "id" in r) if isinstance(refs, list) else ()


def parse_datetime(value: Any) -> datetime | None:
    """An aware datetime from Apple's ISO 8601 text; None when missing or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def as_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def included_many(
    r: Resource, inc: Included, name: str, parse: Callable[[Resource], T]
) -> tuple[T, ...] | None:
    """A relationship's resources when the answer carried its data (and them); None when it did not,
    or carried only the first `limit[name]` of more (`meta.paging.total`)."""
    relationship = (r.get("relationships") or {}).get(name) or {}
    if "data" not in relationship:
        return None
    refs = relationship["data"]
    refs = refs if isinstance(refs, list) else [refs] if refs else []
    total = ((relationship.get("meta") or {}).get("paging") or {}).get("total")
    if isinstance(total, int) and total > len(refs):
        return None
    found = [inc.get(ref) for ref in refs]
    if any(f is None for f in found):
        return None  # named but not included (a page limit): unknown, not empty
    return tuple(parse(f) for f in found if f is not None)
