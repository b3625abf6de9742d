"""The registry of steps a publication can run once its build is ready, and the order they run in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.engine.steps import appstore, testflight
from bot.engine.steps.base import QUESTION, ActionContext, Outcome
from storage.records import Action

Runner = Callable[[ActionContext], Awaitable[Outcome]]
__all__ = [
    "ACTIONS",
    "CONTROLS",
    "GATED",
    "QUESTION",
    "ActionContext",
    "ActionSpec",
    "Outcome",
    "label_of",
    "ordered",
    "title_of",
]


@dataclass(frozen=True)
class ActionSpec:
    """One step: its kind (stored with each action), the title people read, where it runs among the
    open steps, what runs it, and whether only approvers may ask for it."""

    kind: str
    title: str
    order: int
    run: Runner
    gated: bool = False  # puts a build in front of Apple's review or the public: approvers only
    button: str = ""  # the button's text, where it is shorter than the title

    @property
    def label(self) -> str:
        """The text of the button that asks for this step."""
        return self.button or self.title


ACTIONS: dict[str, ActionSpec] = {
    spec.kind: spec
    for spec in (
        ActionSpec(
            "expire_build_submitted_for_review",
            "Expire the build in beta review",
            10,
            testflight.expire_build_submitted_for_review,
        ),
        ActionSpec("export_compliance", "Answer export compliance", 15, testflight.export_compliance),
        ActionSpec("what_to_test", "Set What to Test", 20, testflight.what_to_test),
        ActionSpec("submit_to_testflight", "Submit to TestFlight", 30, testflight.submit_to_testflight),
        ActionSpec("beta_groups", "Add beta groups", 40, testflight.beta_groups),
        # Changing an answer already sent to Apple is an approver's call (the first answer is anyone's).
        ActionSpec(
            "change_export_compliance",
            "Change the export compliance answer",
            16,
            testflight.change_export_compliance,
            gated=True,
            button="Change export compliance",
        ),
        ActionSpec("submit_to_app_store", "Submit for review", 50, appstore.submit_to_app_store, gated=True),
        ActionSpec("schedule_release", "Schedule release", 60, appstore.schedule_release, gated=True),
        ActionSpec("release_now", "Release now", 70, appstore.release_now, gated=True),
        ActionSpec("phased_pause", "Pause phased release", 80, appstore.phased, gated=True),
        ActionSpec("phased_resume", "Resume phased release", 81, appstore.phased, gated=True),
        ActionSpec("phased_complete", "Release to all users", 82, appstore.phased, gated=True),
    )
}
# Not steps, but controls under the same approver rule.
CONTROLS: dict[str, str] = {"cancel": "Cancel a publication", "audit": "Read the audit log"}
# Whom the approver rule applies to: read this, never a list of its own.
GATED = frozenset({spec.kind for spec in ACTIONS.values() if spec.gated} | set(CONTROLS))


def title_of(kind: str) -> str:
    """The title of a step or control, for every message that names one."""
    spec = ACTIONS.get(kind)
    return spec.title if spec is not None else CONTROLS.get(kind, kind.replace("_", " "))


def label_of(kind: str) -> str:
    """The text of the button that asks for a step."""
    return ACTIONS[kind].label


def ordered(actions: list[Action]) -> list[Action]:
    """Open steps in the order they run (unknown kinds last)."""
    return sorted(actions, key=lambda a: (ACTIONS[a.kind].order if a.kind in ACTIONS else 999, a.id))
