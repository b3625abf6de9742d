"""Replay of recorded App Store Connect bodies (tests/data/recorded, sources in its README)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

RECORDED = Path(__file__).resolve().parents[1] / "data" / "recorded"


def body(name: str) -> dict[str, Any]:
    return json.loads((RECORDED / name).read_text())


def recorded(name: str, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    """An answer whose body is the recorded file, byte for byte."""
    content = (RECORDED / name).read_bytes()
    return httpx.Response(
        status, content=content, headers={"Content-Type": "application/json", **(headers or {})}
    )


EMPTY = httpx.Response(
    200,
    json={
        "data": [],
        "links": {"self": "https://asc.test/v1/x"},
        "meta": {"paging": {"total": 0, "limit": 200}},
    },
)
