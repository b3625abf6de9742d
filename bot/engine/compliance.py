"""Changing an export compliance answer already given: an approver's call (the step is gated), and
only while no review has the build. Apple sets `usesNonExemptEncryption` once per build; the step
tries once and, when Apple refuses, says so and what to do instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.engine.guard import final_answer
from storage.records import Action, Publication
from storage.repository import NewEvent, Storage

ANSWER, CHANGE = "export_compliance", "change_export_compliance"
KEY = "uses_non_exempt_encryption"
SET_ONCE = "set_once"  # in a failed change's result: Apple refused, asking again changes nothing
# App Store version states in which nobody at Apple is looking at the build yet.
NOT_IN_REVIEW = (None, "PREPARE_FOR_SUBMISSION", "DEVELOPER_REJECTED")
OPEN = ("requested", "running")


def said(value: object) -> str:
    answers: dict[object, str] = {True: "uses", False: "does not use"}
    return answers.get(value, "was answered about")


def current_answer(actions: list[Action]) -> tuple[Action | None, bool | None]:
    """The step whose answer stands (a change, sent or on its way, else the first answer) and that
    answer; a change Apple refused leaves the first answer standing."""
    change = next((a for a in actions if a.kind == CHANGE and a.status in (*OPEN, "succeeded")), None)
    given = change or final_answer(ANSWER, actions)
    value = given.params.get(KEY) if given is not None else None
    return given, value if isinstance(value, bool) else None


def in_review(pub: Publication) -> str | None:
    """Which review has the build (too late for a new answer), or None."""
    if pub.beta_review_state:
        return f"TestFlight beta review ({pub.beta_review_state.replace('_', ' ').lower()})"
    if pub.version_state not in NOT_IN_REVIEW:
        return f"App Store review ({str(pub.version_state).replace('_', ' ').lower()})"
    return None


def changeable(pub: Publication, actions: list[Action]) -> bool:
    """Whether to offer approvers the control: an answer was given and no review has the build."""
    return current_answer(actions)[1] is not None and in_review(pub) is None


def change_problem(pub: Publication, actions: list[Action], value: object) -> str | None:
    """Why the answer cannot be changed to `value` now, or None."""
    if not isinstance(value, bool):
        return "export compliance needs a yes or no answer."
    _, current = current_answer(actions)
    if current is None:
        return "no export compliance answer was given yet: answer the question in the thread."
    review = in_review(pub)
    if review is not None:
        return f"the build is already in {review}; Apple takes no other answer for it now."
    refused = next((a for a in actions if a.kind == CHANGE and a.status == "failed"), None)
    if refused is not None and (refused.result or {}).get(SET_ONCE):
        return (
            "App Store Connect already refused to change this build's answer (it is set once per "
            "build); upload a new build with the right answer instead."
        )
    return None


async def replace_pending(storage: Storage, actions: list[Action], actor: str, now: datetime) -> bool:
    """A first answer not yet sent is dropped for the change (claimed first, so never half-sent)."""
    first = next((a for a in actions if a.kind == ANSWER and a.status == "requested"), None)
    if first is None:
        return False
    claimed = await storage.claim_action(first.id, now, timedelta(seconds=60))
    if claimed is None:  # the runner took it meanwhile: the change runs after it, and Apple decides
        return False
    await storage.finish_action(
        claimed.id,
        "skipped",
        now,
        error="replaced by a change before it was sent",
        event=NewEvent("export_compliance_replaced", actor=actor, data={"replaced": claimed.params}),
    )
    return True


async def vet_change(
    storage: Storage,
    pub: Publication,
    actions: list[Action],
    actor: str,
    params: dict[str, Any],
    now: datetime,
) -> tuple[str, Action | None, str | None] | None:
    """Before a change is stored: (status, action, reason) when it is refused or already so, else None
    (a first answer still waiting to be sent is dropped in favour of the change)."""
    value = params.get(KEY)
    problem = change_problem(pub, actions, value)
    if problem is not None:
        return "refused", None, problem[0].upper() + problem[1:]
    given, current = current_answer(actions)
    pending = next((a for a in actions if a.kind == CHANGE and a.status in OPEN), None)
    if pending is None and current is value:
        return "already", given, None  # that is the answer already: nothing to do
    if pending is None:
        await replace_pending(storage, actions, actor, now)
    return None
