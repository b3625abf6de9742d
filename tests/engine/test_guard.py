"""Property: for random users, apps (bundle id in any letter case), step kinds and configured
approvers, the guard lets a gated step run only for an approver of the resolved app."""

from __future__ import annotations

import asyncio
from datetime import datetime
from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import AppSettings, Config
from bot.engine.actions import ACTIONS, GATED
from bot.engine.guard import Guard
from bot.sandbox.clock import FakeClock

USERS = ("U0AAA", "U0BBB", "U0CCC", "W0DDD")
APPS = ("com.example.one", "com.example.two")
KINDS = sorted({*ACTIONS, *GATED})


class Recorder:
    """Just enough storage for the guard: it only appends audit events."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    async def add_event(self, publication_id: str | None, event: Any, now: datetime) -> None:
        self.events.append(event)


class ConfiguredApprovers:
    def __init__(self, config: Config) -> None:
        self.config = config

    def approvers(self, bundle_id: str) -> tuple[str, ...]:
        return self.config.approvers_for(bundle_id)

    async def is_one_of(self, user: str, approvers: tuple[str, ...]) -> bool:
        return user in approvers


def config_with(per_app: dict[str, tuple[str, ...]], global_: tuple[str, ...]) -> Config:
    apps = {b: AppSettings(b, approvers=a) for b, a in per_app.items()}
    return Config(
        slack_bot_token=None,
        slack_signing_secret=None,
        slack_app_token=None,
        slack_api_url="https://slack.com/api/",
        slack_channel=None,
        api_keys={},
        default_api_key=None,
        asc_api_url="https://api.appstoreconnect.apple.com",
        webhook_secret=None,
        apple_webhook_secret=None,
        db_path=":memory:",
        poll_interval=30,
        find_timeout=900,
        processing_timeout=7200,
        apps=MappingProxyType(apps),
        approvers=global_,
    )


def spelled(bundle_id: str, flips: list[bool]) -> str:
    return "".join(c.upper() if f else c for c, f in zip(bundle_id, flips + [False] * 40, strict=False))


approver_sets = st.lists(st.sampled_from(USERS), max_size=3, unique=True).map(tuple)


@settings(max_examples=60, deadline=None)
@given(
    per_app=st.dictionaries(st.sampled_from(APPS), approver_sets, max_size=2),
    global_=approver_sets,
    user=st.sampled_from((*USERS, "webhook")),
    app=st.sampled_from(APPS),
    flips=st.lists(st.booleans(), max_size=20),
    kind=st.sampled_from(KINDS),
)
def test_a_gated_step_runs_only_for_an_approver_of_the_resolved_app(
    per_app: dict[str, tuple[str, ...]],
    global_: tuple[str, ...],
    user: str,
    app: str,
    flips: list[bool],
    kind: str,
) -> None:
    config = config_with(per_app, global_)
    storage = Recorder()
    guard = Guard(storage, FakeClock(), ConfiguredApprovers(config))  # type: ignore[arg-type]
    typed = spelled(app, flips)
    verdict = asyncio.run(guard.check(user, kind, typed))
    approvers = per_app.get(app) or global_  # the app's own, else [defaults]: never the typed spelling's
    expected = kind not in GATED or user == "webhook" or not approvers or user in approvers
    assert verdict.allowed is expected
    audited = kind in GATED and user != "webhook" and bool(approvers)
    assert len(storage.events) == (1 if audited else 0)
