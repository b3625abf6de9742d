"""What the engine needs to know about the deployment, without depending on the config module."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AppDefaults:
    """Per-app defaults: where to post, which key to use, which publishing options apply."""

    channel: str | None = None
    api_key: str | None = None
    bundle_id: str | None = None  # the app's bundle id as configured (the same app in any letter case)
    publishing: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EngineSettings:
    poll_interval: float = 30.0
    find_timeout: float = 900.0
    processing_timeout: float = 7200.0
    action_lease: float = 600.0
    follow_interval: float = 120.0  # App Store review takes hours; webhooks make changes immediate
    max_parallel_actions: int = 8
    # Processing polls by the build's age; empty: every poll_interval (see bot/engine/profile.py).
    poll_profile: tuple[tuple[float, float], ...] = ()
    first_find: float = 0.0  # seconds after the upload before the first look for the build
    # Read apps' App Store Connect webhooks and only keep a safety-net poll while they arrive.
    apple_webhooks: bool = False
    feedback_poll_interval: float = 1800.0  # the safety net under the feedback webhooks; 0: off
    feedback_digest_threshold: int = 20  # replies per app and day before the rest wait for a digest; 0: never
    approval_reminder: float = 14400.0  # seconds a held step waits before approvers are pinged; 0: never
    sweep_lease: float = 60.0  # a replica's claim on due publications and on an outbox lane
    replica: str = field(default_factory=lambda: replica_id())  # owner of this process's leases
    defaults_for: Callable[[str], AppDefaults] = field(default=lambda bundle_id: AppDefaults())


def replica_id() -> str:
    """Who holds a lease: host, process and a random part (a restarted process is a new owner)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
