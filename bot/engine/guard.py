"""The approver rule, in one place: may this actor run this kind of step for the app it resolves to?

The step registry (`bot/engine/actions.py`, `GATED`) says which steps are gated; the approvers
of the *resolved* app (the bundle id the publication was resolved to, matched without regard to
letter case) say who may run them. CI's signed webhook is trusted. Every check of a person against
configured approvers is an audit-log event, allowed or refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Protocol

from bot.clock import Clock
from bot.engine.actions import GATED, title_of
from bot.errors import NotAnApprover
from storage.records import Action, Event
from storage.repository import NewAction, NewEvent, Storage

log = logging.getLogger(__name__)
TRUSTED = frozenset({"webhook"})  # the build-uploaded webhook, signed with the CI's secret
ALLOWED, REFUSED = "approver_allowed", "approver_refused"


class Authority(Protocol):
    """Who the approvers of an app are, and whether a user is one (user groups included)."""

    def approvers(self, bundle_id: str) -> tuple[str, ...]: ...

    async def is_one_of(self, user: str, approvers: tuple[str, ...]) -> bool: ...


class Nobody:
    """No approvers anywhere: anyone may run every step."""

    def approvers(self, bundle_id: str) -> tuple[str, ...]:
        return ()

    async def is_one_of(self, user: str, approvers: tuple[str, ...]) -> bool:
        return False


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    kind: str
    bundle_id: str
    approvers: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return title_of(self.kind)


class Guard:
    """Decides, and audits, whether an actor may run a step of an app."""

    def __init__(self, storage: Storage, clock: Clock, authority: Authority | None = None) -> None:
        self.storage = storage
        self.clock = clock
        self.authority: Authority = authority or Nobody()

    def approvers(self, bundle_id: str) -> tuple[str, ...]:
        return tuple(self.authority.approvers(bundle_id))

    async def may(self, actor: str, bundle_id: str) -> bool:
        """Whether `actor` is an approver of the app (or the app has none); not audited."""
        approvers = self.approvers(bundle_id)
        return actor in TRUSTED or not approvers or await self.authority.is_one_of(actor, approvers)

    async def check(
        self, actor: str, kind: str, bundle_id: str, publication_id: str | None = None
    ) -> Verdict:
        """The verdict for one attempt; a person checked against approvers is audited either way."""
        if kind not in GATED or actor in TRUSTED:
            return Verdict(True, kind, bundle_id)
        approvers = self.approvers(bundle_id)
        if not approvers:
            return Verdict(True, kind, bundle_id)
        allowed = await self.authority.is_one_of(actor, approvers)
        verdict = Verdict(allowed, kind, bundle_id, approvers)
        await self.storage.add_event(
            publication_id,
            NewEvent(
                ALLOWED if allowed else REFUSED,
                actor=actor,
                message=f"{{actor}} {'may' if allowed else 'may not'} {verdict.title.lower()} "
                f"for {bundle_id} (approver check).",
                data={
                    "kind": kind,
                    "step": verdict.title,
                    "bundle_id": bundle_id,
                    "approvers": list(approvers),
                    "allowed": allowed,
                },
            ),
            self.clock.now(),
        )
        if not allowed:
            log.info("refused %s to %s for %s: not an approver", kind, actor, bundle_id)
        return verdict


HELD = "held"  # a gated step from the app's defaults, waiting for an approver to approve it
NEEDS_APPROVER = "needs_approver"  # the thread reply that offers approvers the button


async def gate_initial_steps(
    guard: Guard,
    actor: str,
    bundle_id: str,
    steps: list[NewAction],
    asked: set[str],
) -> tuple[list[NewAction], list[Verdict]]:
    """A person's new publication: gated steps they may not run wait for an approver.

    `asked` are the kinds the person asked for themselves (e.g. `--app-store`): refused outright, before
    anything is stored. Gated steps that only come from the app's defaults are kept as held steps.
    """
    kept: list[NewAction] = []
    held: list[Verdict] = []
    for step in steps:
        verdict = await guard.check(actor, step.kind, bundle_id)
        if verdict.allowed:
            kept.append(replace(step, requested_by=actor) if step.kind in GATED else step)
        elif step.kind in asked:
            raise NotAnApprover(verdict.title, bundle_id, verdict.approvers)
        else:
            kept.append(replace(step, requested_by=actor, status=HELD))
            held.append(verdict)
    return kept, held


def final_answer(kind: str, actions: list[Action]) -> Action | None:
    """An export compliance answer already given (asked for, being sent, or sent): it stays as it is."""
    if kind != "export_compliance":
        return None
    return next(
        (a for a in actions if a.kind == kind and a.status in ("requested", "running", "succeeded", "skipped")),
        None,
    )


AUDITED = (ALLOWED, REFUSED, "click_refused")  # what `/asc audit` lists
AUDIT_LIMIT = 20


async def audit_trail(guard: Guard, actor: str, bundle_id: str | None) -> list[Event] | None:
    """The last approver checks and refused clicks the actor may see, or None when they may see none.

    One app's trail is for that app's approvers; without a bundle id, the events of every app the
    actor approves. Where no approvers are configured anyone may run every step, so anyone may look.
    """
    if bundle_id is not None:
        if not await guard.may(actor, bundle_id):
            return None
        return await guard.storage.audit_trail(AUDITED, bundle_id, AUDIT_LIMIT)
    events = await guard.storage.audit_trail(AUDITED, None, AUDIT_LIMIT * 10)
    allowed: dict[str, bool] = {}
    shown: list[Event] = []
    for event in events:
        app = str(event.data.get("bundle_id") or "")
        if app.lower() not in allowed:
            allowed[app.lower()] = await guard.may(actor, app)
        if allowed[app.lower()]:
            shown.append(event)
    if not shown and not any(allowed.values()) and not await guard.may(actor, ""):
        return None
    return shown[:AUDIT_LIMIT]
