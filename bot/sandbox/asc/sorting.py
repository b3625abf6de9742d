"""Sorting by Apple's `sort` parameter: several keys, each ascending or with `-` descending."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def version_key(text: str) -> tuple[tuple[int, Any], ...]:
    """Order "1.10" after "1.9", and build numbers numerically when they are numbers."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-]", text))


def sort_records(
    records: Sequence[T], sort: Sequence[str], keys: Mapping[str, Callable[[T], Any]]
) -> list[T]:
    """Stable multi-key sort; the first key in `sort` decides first."""
    out = list(records)
    for spec in reversed(sort):
        name = spec.lstrip("-")
        out.sort(key=keys[name], reverse=spec.startswith("-"))
    return out
