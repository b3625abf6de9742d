"""The Slack face: one module per chat verb, each with its ids and a `register(app, engine)`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.engine.engine import Engine
from commands import asc, beta_groups, release, review, testflight

VERBS = (testflight, beta_groups, review, release, asc)


def register_all(app: AsyncApp, engine: Engine) -> None:
    for verb in VERBS:
        verb.register(app, engine)
