"""JSON:API rendering as App Store Connect does it: resources, relationships, `included`, paging."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from yarl import URL

from bot.sandbox.asc.query import Query, encode_cursor
from bot.sandbox.asc.schema_attributes import ATTRIBUTES
from bot.sandbox.asc.store import Store

# Related resources shown per included to-many relationship without `limit[name]` (recorded:
# fastlane's testflight/apps.json, `meta.paging.limit` 10 on its included appStoreVersions).
DEFAULT_INCLUDED_LIMIT = 10
Attributes = Callable[[Store, Any, datetime], dict[str, Any]]


@dataclass(frozen=True)
class Rel:
    """A relationship of a resource type as the spec's schema has it."""

    name: str
    many: bool = False
    links: bool = True  # the schema has links.self/related; without them the data is always shown
    get: Callable[[Store, Any], Any] | None = None  # the related record(s), for data and include


@dataclass(frozen=True)
class Kind:
    """How one record class is shown: its JSON:API type, attributes and relationships."""

    type: str
    attributes: Attributes
    rels: tuple[Rel, ...] = ()


def iso(moment: datetime | None) -> str | None:
    """Apple's date-time format (seconds precision, with offset)."""
    return None if moment is None else moment.isoformat(timespec="seconds")


class Renderer:
    """Renders the documents of one request (knows the include and fields asked for)."""

    def __init__(
        self,
        store: Store,
        kinds: Mapping[type, Kind],
        base_url: str,
        now: datetime,
        query: Query | None = None,
    ) -> None:
        self.store = store
        self.kinds = kinds
        self.base_url = base_url
        self.now = now
        self.include = query.include if query else frozenset()
        self.fields = query.fields if query else {}
        self.sub_limits = query.sub_limits if query else {}
        self._included: dict[tuple[str, str], dict[str, Any]] = {}
        self._primary: set[tuple[str, str]] = set()

    def resource(self, record: Any, *, primary: bool = True) -> dict[str, Any]:
        """One resource object as Apple renders it (recorded: fastlane's spaceship fixtures).

        Every attribute of the type's schema is present, `null` when empty. A relationship whose
        schema has links always shows them; its `data` (and, to-many, `meta.paging`) appears only on
        primary resources whose request names it in `include`. A relationship without links in the
        schema is shown only then. Included resources and create/update answers carry links only.
        """
        kind = self.kinds[type(record)]
        url = f"{self.base_url}/v1/{kind.type}/{record.id}"
        wanted = self.fields.get(kind.type)
        values = kind.attributes(self.store, record, self.now)
        names = dict.fromkeys((*ATTRIBUTES.get(kind.type, ()), *values))
        attributes = {k: values.get(k) for k in names if wanted is None or k in wanted}
        relationships: dict[str, Any] = {}
        for rel in kind.rels:
            if wanted is not None and rel.name not in wanted:
                continue
            out: dict[str, Any] = {}
            if rel.links:
                out["links"] = {"self": f"{url}/relationships/{rel.name}", "related": f"{url}/{rel.name}"}
            if primary and rel.name in self.include and rel.get is not None:
                out.update(self._related(rel, rel.get(self.store, record)))
            if out:
                relationships[rel.name] = out
        doc: dict[str, Any] = {"type": kind.type, "id": record.id}
        if attributes:
            doc["attributes"] = attributes
        if relationships:
            doc["relationships"] = relationships
        doc["links"] = {"self": url}
        return doc

    def _related(self, rel: Rel, target: Any) -> dict[str, Any]:
        """`data` of an included relationship (to-many: at most `limit[name]`, with `meta.paging`)."""
        if not rel.many:
            if target is None:
                return {}  # Apple sends `data: null`; the spec's relationship schemas do not allow it
            self._add_included(target)
            return {"data": self._linkage(target)}
        targets = list(target or ())
        limit = self.sub_limits.get(rel.name, DEFAULT_INCLUDED_LIMIT)
        shown = targets[:limit]
        for t in shown:
            self._add_included(t)
        out: dict[str, Any] = {"data": [self._linkage(t) for t in shown]}
        if rel.links:
            out["meta"] = {"paging": {"total": len(targets), "limit": limit}}
        return out

    def _linkage(self, record: Any) -> dict[str, str]:
        return {"type": self.kinds[type(record)].type, "id": record.id}

    def _add_included(self, record: Any) -> None:
        key = (self.kinds[type(record)].type, record.id)
        if key not in self._included:
            self._included[key] = self.resource(record, primary=False)

    def _finish(self, doc: dict[str, Any]) -> dict[str, Any]:
        included = [v for k, v in self._included.items() if k not in self._primary]
        if included:
            doc["included"] = included
        return doc

    def single(self, record: Any, self_url: str) -> dict[str, Any]:
        """A document with one resource as primary data."""
        self._primary.add((self.kinds[type(record)].type, record.id))
        data = self.resource(record)
        return self._finish({"data": data, "links": {"self": self_url}})

    def page(self, records: Sequence[Any], query: Query, self_url: str) -> dict[str, Any]:
        """One page of a collection with `links.next` (absolute, with `cursor`) and `meta.paging`."""
        start, end = query.offset, query.offset + query.limit
        chunk = records[start:end]
        self._primary.update((self.kinds[type(r)].type, r.id) for r in chunk)
        data = [self.resource(r) for r in chunk]
        links = {"self": self_url}
        paging: dict[str, Any] = {"total": len(records), "limit": query.limit}
        if end < len(records):
            cursor = encode_cursor(end)
            links["next"] = str(URL(self_url).update_query(cursor=cursor))
            paging["nextCursor"] = cursor
        return self._finish({"data": data, "links": links, "meta": {"paging": paging}})


def reply(status: int, document: dict[str, Any] | None = None) -> web.Response:
    """A JSON answer (or an empty 204)."""
    if document is None:
        return web.Response(status=status)
    body = json.dumps(document, separators=(",", ":")).encode()
    return web.Response(status=status, body=body, content_type="application/json")
