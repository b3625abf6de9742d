"""The registry of steps a publication can run once its build is ready, in DESIGN.md §3's order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.engine.steps import appstore, testflight
from bot.engine.steps.base import QUESTION, ActionContext, Outcome
from storage.records import Action

Runner = Callable[[ActionContext], Awaitable[Outcome]]
__all__ = ["ACTIONS", "GATED", "QUESTION", "ActionContext", "ActionSpec", "Outcome", "ordered"]


@dataclass(frozen=True)
class ActionSpec:
    kind: str
    title: str
    order: int
    run: Runner


ACTIONS: dict[str, ActionSpec] = {
    spec.kind: spec
    for spec in (
        ActionSpec("expire_previous", "Expire the build in beta review", 10, testflight.expire_previous),
        ActionSpec("export_compliance", "Answer export compliance", 15, testflight.export_compliance),
        ActionSpec("what_to_test", "Set What to Test", 20, testflight.what_to_test),
        ActionSpec("testflight", "Submit to TestFlight", 30, testflight.testflight),
        ActionSpec("beta_groups", "Add beta groups", 40, testflight.beta_groups),
        ActionSpec("app_store", "Submit for review", 50, appstore.app_store),
        ActionSpec("schedule_release", "Schedule release", 60, appstore.schedule_release),
        ActionSpec("release_now", "Release now", 70, appstore.release_now),
        ActionSpec("phased_pause", "Pause phased release", 80, appstore.phased),
        ActionSpec("phased_resume", "Resume phased release", 81, appstore.phased),
        ActionSpec("phased_complete", "Release to all users", 82, appstore.phased),
    )
}
# Steps that put a build in front of Apple's review or the public: approvers apply to these.
GATED = frozenset(
    {"app_store", "schedule_release", "release_now", "phased_pause", "phased_resume", "phased_complete"}
)


def ordered(actions: list[Action]) -> list[Action]:
    return sorted(actions, key=lambda a: (ACTIONS[a.kind].order if a.kind in ACTIONS else 999, a.id))
