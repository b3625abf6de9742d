"""A publication row as intake stores it, for tests that write publications into storage directly."""

from __future__ import annotations

import uuid


def fields(**over: object) -> dict[str, object]:
    """A new publication's columns (a fresh id, build 1 of com.example.app 1.0 on iOS); `over` changes them."""
    base = {
        "id": str(uuid.uuid4()),
        "app_bundle_id": "com.example.app",
        "platform": "IOS",
        "version": "1.0",
        "build_number": "1",
        "state": "waiting_for_build",
        "channel": "C1",
    }
    return {**base, **over}
