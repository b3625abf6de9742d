"""One recorded request and its answer, as tests and the spec-conformance checker read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Exchange:
    """A request the simulator received and what it answered (`status` None: connection dropped)."""

    method: str
    path: str
    query: list[tuple[str, str]]
    request_headers: dict[str, str]
    request_body: bytes | None
    status: int | None
    response_headers: dict[str, str]
    response_body: bytes | None
    at: datetime
    fault: str | None = None  # e.g. "error_before", "error_after", "drop_after", "rate_limit"
