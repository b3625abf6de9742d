"""The steps a publication can run once its build is ready, in the order DESIGN.md §3 gives."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.appstore.client import AppStoreConnect
from storage.records import Action, Publication


@dataclass(frozen=True)
class ActionContext:
    client: AppStoreConnect
    publication: Publication
    action: Action
    now: datetime


@dataclass(frozen=True)
class Outcome:
    """What a step did. `wait` means "not yet, look again later" (e.g. Apple still working)."""

    status: str  # succeeded | skipped | failed | wait
    message: str
    result: dict[str, Any] = field(default_factory=dict)
    announce: str = "thread"


Runner = Callable[[ActionContext], Awaitable[Outcome]]


@dataclass(frozen=True)
class ActionSpec:
    kind: str
    title: str
    order: int
    run: Runner


async def submit_to_testflight(ctx: ActionContext) -> Outcome:
    """Beta review submission; checks App Store Connect first so a retry never submits twice."""
    build_id = ctx.publication.build_id
    assert build_id is not None
    existing = await ctx.client.find_beta_review_submission(build_id)
    if existing is not None:
        return Outcome(
            "succeeded",
            f"🚀 Already submitted to TestFlight beta review (state {existing.beta_review_state}).",
            {"submission_id": existing.id, "state": existing.beta_review_state},
        )
    submission = await ctx.client.submit_for_beta_review(build_id)
    return Outcome(
        "succeeded",
        f"🚀 Submitted to TestFlight beta review (state {submission.beta_review_state}).",
        {"submission_id": submission.id, "state": submission.beta_review_state},
    )


ACTIONS: dict[str, ActionSpec] = {
    spec.kind: spec for spec in (ActionSpec("testflight", "Submit to TestFlight", 30, submit_to_testflight),)
}


def ordered(actions: list[Action]) -> list[Action]:
    return sorted(actions, key=lambda a: (ACTIONS[a.kind].order if a.kind in ACTIONS else 999, a.id))
