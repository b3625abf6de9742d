"""Query-string parsing checked against the route's allowed parameters, with Apple's 400 answers."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.sandbox.asc.errors import ApiError, bad_parameter
from bot.sandbox.asc.params import Params

DEFAULT_LIMIT = 50


@dataclass
class Query:
    """The parsed, validated query of one request."""

    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: list[str] = field(default_factory=list)
    include: frozenset[str] = frozenset()
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    fields: dict[str, frozenset[str]] = field(default_factory=dict)
    exists: dict[str, bool] = field(default_factory=dict)
    sub_limits: dict[str, int] = field(default_factory=dict)  # limit[relationship] of included data

    def one(self, name: str) -> set[str] | None:
        """The values of `filter[name]` as a set, or None when the filter is absent."""
        values = self.filters.get(name)
        return None if values is None else set(values)

    def booleans(self, name: str) -> set[bool] | None:
        """A true/false filter's values; anything else is Apple's 400."""
        values = self.filters.get(name)
        if values is None:
            return None
        if any(v not in ("true", "false") for v in values):
            raise bad_parameter(
                f"filter[{name}]", f"'{','.join(values)}' is not a valid value for a boolean filter"
            )
        return {v == "true" for v in values}


def encode_cursor(offset: int) -> str:
    """An opaque cursor for `links.next`; clients must not build these themselves."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(value: str) -> int:
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        prefix, _, number = text.partition(":")
        if prefix != "offset" or not number.isdigit():
            raise ValueError(text)
        return int(number)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise bad_parameter("cursor", f"'{value}' is not a valid cursor for this request") from None


def _int(key: str, value: str, maximum: int) -> int:
    if not value.isdigit() or not 1 <= int(value) <= maximum:
        raise bad_parameter(
            key, f"'{value}' is not a valid value for '{key}': it must be between 1 and {maximum}"
        )
    return int(value)


def _choices(key: str, value: str, allowed: Iterable[str] | None) -> list[str]:
    values = value.split(",")
    if not value or "" in values:
        raise bad_parameter(key, f"The parameter '{key}' needs a value")
    if allowed is not None:
        allowed = tuple(allowed)
        for v in values:
            if v not in allowed:
                raise bad_parameter(
                    key, f"'{v}' is not a valid value for '{key}'. Allowed: {', '.join(allowed)}"
                )
    return values


def parse_query(items: Iterable[tuple[str, str]], params: Params) -> Query:
    """Validate every parameter against `params`; the first problem becomes a 400 naming it."""
    q = Query()
    seen: set[str] = set()
    for key, value in items:
        if key in seen:
            raise bad_parameter(key, f"The parameter '{key}' was given more than once")
        seen.add(key)
        inner = key[key.index("[") + 1 : -1] if key.endswith("]") and "[" in key else None
        if key.startswith("filter[") and inner is not None:
            if inner not in params.filters:
                raise bad_parameter(key, f"'{inner}' is not a valid filter type")
            q.filters[inner] = _choices(key, value, params.filters[inner])
        elif key == "sort" and params.sort:
            q.sort = _choices(key, value, params.sort)
        elif key == "include" and params.include:
            q.include = frozenset(_choices(key, value, params.include))
        elif key == "limit" and params.limit is not None:
            q.limit = _int(key, value, params.limit)
        elif key == "cursor" and params.limit is not None:
            q.offset = _decode_cursor(value)
        elif key.startswith("fields[") and inner in params.fields:
            q.fields[inner] = frozenset(_choices(key, value, None))
        elif key.startswith("limit[") and inner in params.sub_limits:
            q.sub_limits[inner] = _int(key, value, params.sub_limits[inner])
        elif key.startswith("exists[") and inner in params.exists:
            if value not in ("true", "false"):
                raise bad_parameter(key, f"'{value}' is not a valid value for '{key}'")
            q.exists[inner] = value == "true"
        else:
            raise bad_parameter(key, f"The parameter '{key}' can not be used with this request")
    for name in params.required:
        if name not in q.filters:
            raise ApiError(
                400,
                "PARAMETER_ERROR.REQUIRED",
                f"The parameter 'filter[{name}]' is required for this request",
                parameter=f"filter[{name}]",
            )
    return q
