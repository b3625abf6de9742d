"""Runs codemagic-cli-tools' installed `app-store-connect` CLI against a local App Store Connect.

Executed with the python of the benchmark's own virtual environment (bench/.venv-codemagic), never
imported by asc-bot. It only points the tool at the simulator and gives it a virtual clock; the tool's
own code runs unchanged. Environment:

- BENCH_ASC_API_URL: the simulator's base URL (the tool's `API_URL` becomes `<base>/v1`);
- BENCH_CLOCK_URL: a loopback URL that advances the simulator's clock by `?seconds=N`.

Every `time.sleep(n)` of the tool's publish, build-wait and App Store submission modules advances
the virtual clock (and the simulator's) by n seconds instead of waiting, so a 30 s poll interval and a
10-minute processing wait keep their real number of polls and take no real time.
"""

from __future__ import annotations

import os
import sys
import time as real_time
import urllib.request
from typing import Any

PATCHED_MODULES = (
    "codemagic.tools.app_store_connect.actions.publish_action",
    "codemagic.tools.app_store_connect.action_groups.builds_action_group",
    "codemagic.tools.app_store_connect.actions.submit_to_app_store_action",
)


class VirtualTime:
    """Stands in for the `time` module inside the tool's waiting loops."""

    def __init__(self, clock_url: str) -> None:
        self.clock_url = clock_url
        self.offset = 0.0
        self.slept = 0.0

    def time(self) -> float:
        return real_time.time() + self.offset

    def sleep(self, seconds: float) -> None:
        self.offset += seconds
        self.slept += seconds
        # The benchmark's own loopback clock endpoint (http://127.0.0.1:…), never a user-given URL.
        with urllib.request.urlopen(f"{self.clock_url}?seconds={seconds}", data=b"", timeout=10):  # noqa: S310
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(real_time, name)


def main() -> int:
    import importlib

    from codemagic.apple.app_store_connect.api_client import AppStoreConnectApiClient
    from codemagic.tools import AppStoreConnect

    AppStoreConnectApiClient.API_URL = os.environ["BENCH_ASC_API_URL"].rstrip("/") + "/v1"
    virtual = VirtualTime(os.environ["BENCH_CLOCK_URL"])
    for name in PATCHED_MODULES:
        importlib.import_module(name).time = virtual  # type: ignore[attr-defined]
    try:
        return AppStoreConnect.invoke_cli() or 0
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        print(f"bench: virtual seconds slept {virtual.slept:.0f}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
