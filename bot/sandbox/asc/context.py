"""What a route handler gets: the store, the time, the parsed query and body, and answer helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.sandbox.asc.errors import not_found
from bot.sandbox.asc.jsonapi import Renderer, reply
from bot.sandbox.asc.query import Query
from bot.sandbox.asc.resources import KINDS
from bot.sandbox.asc.store import Store


@dataclass
class Ctx:
    """One request, already authenticated and with a validated query."""

    store: Store
    now: datetime
    base_url: str
    path_qs: str
    match: Mapping[str, str]
    query: Query
    body: bytes | None
    beta_review_time: float | None = None
    app_review_time: float | None = None

    @property
    def id(self) -> str:
        """The `{id}` of the URL path."""
        return self.match["id"]

    @property
    def self_url(self) -> str:
        return self.base_url + self.path_qs

    def renderer(self) -> Renderer:
        return Renderer(self.store, KINDS, self.base_url, self.now, self.query)

    def single(self, record: Any, status: int = 200) -> web.Response:
        """A document with one resource; a create (201) links to the new resource itself."""
        if status == 200:
            return reply(status, self.renderer().single(record, self.self_url))
        url = f"{self.base_url}/v1/{KINDS[type(record)].type}/{record.id}"
        response = reply(status, self.renderer().single(record, url))
        response.headers["Location"] = url  # Apple: a 201's Location is the created resource's URI
        return response

    def page(self, records: Sequence[Any]) -> web.Response:
        """One page of a collection."""
        return reply(200, self.renderer().page(records, self.query, self.self_url))

    @staticmethod
    def no_content() -> web.Response:
        return reply(204)


def lookup(table: Mapping[str, Any], type_: str, id_: str) -> Any:
    """A record by id, or Apple's 404."""
    record = table.get(id_)
    if record is None:
        raise not_found(type_, id_)
    return record


Handler = Callable[[Ctx], web.Response]
Route = tuple[str, str, Handler]  # method, path pattern, handler
