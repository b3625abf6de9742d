"""These tests run on both storage engines: SQLite and PostgreSQL (skipped, saying why, without a server)."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)
