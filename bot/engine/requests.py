"""What people ask of a publication: a step, an approval, a cancel, a second look at a checklist."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.engine import compliance, lifecycle, messages, preflight
from bot.engine.actions import ACTIONS
from bot.engine.guard import HELD, Verdict, final_answer
from bot.engine.lifecycle import FINISHED, State
from bot.engine.parts import EnginePart, EngineParts
from storage.records import Action, Publication
from storage.repository import NewAction, NewEvent

GONE = "This publication no longer exists."


@dataclass(frozen=True)
class RequestResult:
    """The answer to "please do X": created, already asked for, or refused with a reason."""

    status: str  # requested | already | refused | not_approver (then `verdict` says whose call it is)
    publication: Publication | None
    action: Action | None = None
    reason: str | None = None
    warning: str | None = None  # e.g. CI reported failing tests: it runs anyway, but say so
    verdict: Verdict | None = None


class Requests(EnginePart):
    """Checks who may ask, stores what was asked once, and wakes the sweep to do it."""

    def __init__(self, parts: EngineParts, wake: Callable[[], None]) -> None:
        super().__init__(parts)
        self._wake = wake

    async def request(
        self, publication_id: str, kind: str, actor: str, params: dict[str, Any] | None = None
    ) -> RequestResult:
        pub = await self._storage.get(publication_id)
        if pub is None:
            return RequestResult("refused", None, reason=GONE)
        spec = ACTIONS.get(kind)
        if spec is None:
            return RequestResult("refused", pub, reason=f"Unknown step {kind!r}.")
        verdict = await self._guard.check(actor, kind, pub.app_bundle_id, pub.id)
        if not verdict.allowed:
            return RequestResult("not_approver", pub, verdict=verdict)
        actions = await self._storage.actions(pub.id)
        answered = final_answer(kind, actions)
        if answered is not None:  # answers are final: sent to Apple (or on the way), never flipped
            return RequestResult("already", pub, answered)
        if kind == compliance.CHANGE:  # an approver's change of an answer already given
            early = await compliance.vet_change(
                self._storage, pub, actions, actor, params or {}, self._clock.now()
            )
            if early is not None:
                return RequestResult(early[0], pub, early[1], reason=early[2])
        if lifecycle.is_over(pub):
            return RequestResult(
                "refused",
                pub,
                reason=f"{pub.label} is {pub.state.replace('_', ' ')}; "
                "nothing more can be done with this build.",
            )
        now = self._clock.now()
        warning = messages.tests_failed_anyway() if pub.tests_passed is False else None
        outcome = await self._storage.request_action(
            pub.id,
            NewAction(kind, actor, params or {}),
            now,
            event=NewEvent(
                "action_requested",
                actor=actor,
                message=messages.requested(spec.title) + (f" {warning}" if warning else ""),
                announce="thread",
                data={"kind": kind, "params": params or {}},
            ),
        )
        if not outcome.created:
            return RequestResult("already", pub, outcome.action)
        if pub.state in FINISHED:
            pub = await lifecycle.apply(self._storage, pub.id, now, lifecycle.reopen(pub.state, now)) or pub
        self._wake()
        return RequestResult("requested", pub, outcome.action, warning=warning)

    async def check(self, publication_id: str, kind: str, actor: str) -> RequestResult:
        pub = await self._storage.get(publication_id)
        if pub is None:
            return RequestResult("refused", None, reason=GONE)
        verdict = await self._guard.check(actor, kind, pub.app_bundle_id, pub.id)
        return RequestResult("requested" if verdict.allowed else "not_approver", pub, verdict=verdict)

    async def approve(self, publication_id: str, kind: str, actor: str) -> RequestResult:
        step = next((a for a in await self._storage.actions(publication_id) if a.kind == kind), None)
        if step is None or step.status != HELD:
            pub = await self._storage.get(publication_id)
            if step is not None and pub is not None:
                return RequestResult("already", pub, step)
            return RequestResult("refused", pub, reason="No step of this publication waits for an approver.")
        return await self.request(publication_id, kind, actor, step.params)

    async def cancel(self, publication_id: str, actor: str) -> RequestResult:
        pub = await self._storage.get(publication_id)
        if pub is None:
            return RequestResult("refused", None, reason=GONE)
        verdict = await self._guard.check(actor, "cancel", pub.app_bundle_id, pub.id)
        if not verdict.allowed:
            return RequestResult("not_approver", pub, verdict=verdict)
        if not pub.is_active:
            return RequestResult(
                "refused", pub, reason=f"{pub.label} is already {pub.state.replace('_', ' ')}."
            )
        now = self._clock.now()
        event = NewEvent(
            "cancelled", actor=actor, message=messages.cancelled(pub.label), announce="broadcast"
        )
        done = await lifecycle.apply(
            self._storage, pub.id, now, lifecycle.finish(pub.state, State.CANCELLED, now, event)
        )
        if done is None:
            return RequestResult("refused", pub, reason="It changed meanwhile; try again.")
        for action in await self._storage.actions(pub.id):
            if action.is_open:
                await self._storage.finish_action(action.id, "skipped", now, error="cancelled")
        self._wake()
        return RequestResult("requested", done)

    async def check_again(self, publication_id: str, actor: str) -> RequestResult:
        pub = await self._storage.get(publication_id)
        if pub is None:
            return RequestResult("refused", None, reason=GONE)
        held = [a for a in await self._storage.actions(pub.id) if a.is_open and a.kind in preflight.CHECKED]
        if not pub.is_active or not held:
            return RequestResult("refused", pub, reason=messages.nothing_to_check(pub.label))
        now = self._clock.now()
        change = lifecycle.poll_at(now, NewEvent(preflight.CHECK_AGAIN, actor=actor))
        await lifecycle.apply(self._storage, pub.id, now, change)
        self._wake()
        return RequestResult("requested", pub, held[0])
