"""The Slack face: one module per chat verb, each with its ids and a `register(app, engine, approvers)`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.engine.engine import Engine
from commands import (
    approve,
    asc,
    beta_groups,
    compliance,
    home,
    membership,
    origin,
    preflight,
    release,
    submit_to_app_store,
    submit_to_testflight,
)
from commands.approvers import Approvers

__all__ = ["VERBS", "Approvers", "register_all"]
VERBS = (submit_to_testflight, beta_groups, submit_to_app_store, release, compliance, preflight, approve, asc)


def register_all(app: AsyncApp, engine: Engine, approvers: Approvers) -> None:
    """Register every listener; the engine's guard decides who may run gated steps (`approvers` says
    who the approvers are), and no click acts on a publication other than its message's."""
    origin.register(app, engine)
    membership.register(app, engine)
    for verb in VERBS:
        verb.register(app, engine, approvers)
    home.register(app, engine, approvers)
