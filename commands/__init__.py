"""The Slack face: one module per chat verb, each with its ids and a `register(app, engine, approvers)`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.engine.engine import Engine
from commands import asc, beta_groups, compliance, release, review, testflight
from commands.approvers import Approvers, ApproversFor

VERBS = (testflight, beta_groups, review, release, compliance, asc)


def register_all(app: AsyncApp, engine: Engine, approvers_for: ApproversFor | None = None) -> None:
    """Register every listener; `approvers_for(bundle_id)` names who may submit for review or release."""
    approvers = Approvers(engine, approvers_for)
    for verb in VERBS:
        verb.register(app, engine, approvers)
