"""Runs a ready publication's open steps in order, each claimed by one runner, and decides what next."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot import logsetup
from bot.appstore.errors import AscError
from bot.engine import lifecycle, messages, phased
from bot.engine.actions import ACTIONS, QUESTION, ActionContext, Outcome, ordered
from bot.engine.following import (
    UNKNOWN_STATE_LIMIT,
    follows_beta,
    follows_version,
    rejected,
    unknown_for_too_long,
    unknown_states,
)
from bot.engine.leases import renew_while_working
from bot.engine.lifecycle import State
from bot.engine.parts import EnginePart, EngineParts
from bot.engine.phased import follows_phased
from bot.engine.polling import TRANSIENT
from bot.engine.preflight import CHECK_AGAIN, CHECKLIST
from storage.records import Action, Event, Publication
from storage.repository import NewEvent

log = logging.getLogger(__name__)


class StepRunner(EnginePart):
    """The part of the sweep that talks to App Store Connect on people's behalf."""

    def __init__(self, parts: EngineParts) -> None:
        super().__init__(parts)
        self._parallel = asyncio.Semaphore(parts.settings.max_parallel_actions)

    async def advance_app(self, pubs: list[Publication], follow_every: float | None = None) -> None:
        # One app's steps run one after another: App Store Connect allows one build of an app in beta
        # review and one open review submission at a time, so parallel steps would race each other.
        for pub in sorted(pubs, key=lambda p: p.created_at):
            await self._advance_guarded(pub, follow_every or self._settings.follow_interval)

    async def _advance_guarded(self, pub: Publication, follow_every: float) -> None:
        async with self._parallel:
            try:
                with logsetup.context(publication_id=pub.id, app=pub.app_bundle_id):
                    await self._advance(pub, follow_every)
            except Exception:  # one publication's bug must not stop the others
                log.exception("publication %s: unexpected error while running steps", pub.id)
                now = self._clock.now()
                await lifecycle.apply(
                    self._storage, pub.id, now, lifecycle.poll_at(now + timedelta(seconds=60))
                )

    async def _advance(self, pub: Publication, follow_every: float) -> None:
        """Run the open steps of a ready publication in order, each claimed by one runner."""
        client = self._clients.get(pub.api_key)
        retry_at = None
        for action in ordered([a for a in await self._storage.actions(pub.id) if a.is_open]):
            now = self._clock.now()
            lease, owner = timedelta(seconds=self._settings.action_lease), self._settings.replica
            claimed = await self._storage.claim_action(action.id, now, lease, owner)
            if claimed is None:  # another replica runs it: the later steps wait for it, in order
                break
            renewing = renew_while_working(self._renewer(claimed.id, owner, lease), lease)
            try:
                outcome_or_retry = await self._run_claimed(pub, claimed, client)
            finally:
                renewing.cancel()
            if outcome_or_retry is not None:  # it waits: so do the steps after it
                retry_at = outcome_or_retry
                break
        await self._settle(pub.id, retry_at, follow_every)

    def _renewer(self, action_id: int, owner: str, lease: timedelta) -> Callable[[], Awaitable[bool]]:
        return lambda: self._storage.renew_action(action_id, owner, self._clock.now() + lease)

    async def _run_claimed(self, pub: Publication, claimed: Action, client: Any) -> datetime | None:
        """Run one claimed step and record what came of it; returns when to retry, if it must wait."""
        now = self._clock.now()
        spec = ACTIONS.get(claimed.kind)
        if spec is None:
            await self._storage.finish_action(claimed.id, "skipped", now, error="unknown step")
            return None
        pub = await self._storage.get(pub.id) or pub  # what earlier steps recorded (e.g. the version)
        try:
            with logsetup.context(step=claimed.kind):
                outcome = await spec.run(ActionContext(client, pub, claimed, now))
        except TRANSIENT as exc:
            await self._storage.release_action(claimed.id, self._clock.now(), error=str(exc))
            log.warning("publication %s: %s will be retried: %s", pub.id, claimed.kind, exc)
            return self._clock.now() + timedelta(seconds=self._settings.poll_interval)
        except AscError as exc:
            outcome = Outcome(
                "failed",
                messages.action_failed(spec.title, exc.user_message),
                {"status": exc.status, "code": exc.code},
                announce="broadcast",
            )
        if outcome.status == "wait":
            await self._wait(pub, claimed, outcome)
            return self._clock.now() + timedelta(seconds=outcome.retry_after or self._settings.poll_interval)
        message = outcome.message
        if outcome.status == "failed" and not message.startswith("⚠️"):
            message = messages.action_failed(spec.title, message)
        await self._storage.finish_action(
            claimed.id,
            outcome.status,
            self._clock.now(),
            result=outcome.result,
            error=outcome.message if outcome.status == "failed" else None,
            event=NewEvent(
                f"{claimed.kind}_{outcome.status}",
                actor=outcome.actor,
                message=message,
                announce=outcome.announce,
                data=outcome.result,
            ),
            publication_fields=outcome.fields,
        )
        return None

    async def _wait(self, pub: Publication, action: Action, outcome: Outcome) -> None:
        """Give the step back; ask its question in the thread the first time only."""
        await self._storage.release_action(action.id, self._clock.now(), error=outcome.message or None)
        events = await self._storage.events(pub.id)
        if outcome.checklist is not None:
            await self._tell_checklist(pub, outcome.checklist, events)
        if outcome.question and not any(e.kind == QUESTION for e in events):
            await self._storage.add_event(
                pub.id,
                NewEvent(QUESTION, message=outcome.question, announce="thread", data={"kind": action.kind}),
                self._clock.now(),
            )
        log.info("publication %s: %s waits: %s", pub.id, action.kind, outcome.message)

    async def _tell_checklist(self, pub: Publication, data: dict[str, Any], events: list[Event]) -> None:
        """Post the checklist the first time, when it changed, or when someone asked to check again."""
        last = next(
            (e for e in reversed(events) if e.kind == CHECKLIST and e.data.get("step") == data["step"]), None
        )
        again = last is not None and any(e.kind == CHECK_AGAIN and e.id > last.id for e in events)
        if last is not None and last.data.get("gaps") == data["gaps"] and not again:
            return
        text = messages.checklist(
            data["review"], data["gaps"], again and last is not None and last.data.get("gaps") == data["gaps"]
        )
        await self._storage.add_event(
            pub.id, NewEvent(CHECKLIST, message=text, announce="thread", data=data), self._clock.now()
        )

    async def _settle(self, publication_id: str, retry_at: datetime | None, follow_every: float) -> None:
        """Decide what comes next: more steps, following Apple's review, or the end."""
        now = self._clock.now()
        pub = await self._storage.get(publication_id)
        if pub is None or pub.state != State.READY:
            return
        actions = await self._storage.actions(pub.id)
        change = settled(pub, actions, now, retry_at, follow_every, self._settings.poll_interval)
        await self._apply(pub.id, now, change)

    async def _apply(self, publication_id: str, now: datetime, change: lifecycle.Change) -> None:
        await lifecycle.apply(self._storage, publication_id, now, change)


def settled(
    pub: Publication,
    actions: list[Action],
    now: datetime,
    retry_at: datetime | None,
    follow_every: float,
    poll_interval: float,
) -> lifecycle.Change:
    """What comes after a round of steps of a ready publication: more steps, following Apple's
    review (or a phased release), resting, or the end (done, or failed saying why)."""
    if any(a.is_open for a in actions):
        running = [a.lease_until for a in actions if a.status == "running" and a.lease_until]
        return lifecycle.poll_at(retry_at or min(running, default=now))
    if follows_version(pub, now) or follows_beta(pub, now) or follows_phased(pub):
        interval = follow_every if follows_version(pub, now) else poll_interval
        if not (follows_version(pub, now) or follows_beta(pub, now)):
            interval = phased.LOOK_EVERY  # a running phased release moves on once a day
        return lifecycle.poll_at(now + timedelta(seconds=interval))
    failed = [ACTIONS[a.kind].title for a in actions if a.status == "failed" and a.kind in ACTIONS]
    if not actions:
        return lifecycle.poll_at(None)
    if failed or rejected(pub) or unknown_for_too_long(pub, now):
        if failed:
            text = messages.some_failed(pub.label, failed)
        elif rejected(pub):
            text = messages.rejected(pub.label)
        else:
            text = messages.unknown_state_too_long(
                pub.label, unknown_states(pub), UNKNOWN_STATE_LIMIT / timedelta(hours=1)
            )
        event = NewEvent("finished", message=text, announce="broadcast")
        return lifecycle.finish(State.READY, State.FAILED, now, event, error=text)
    event = NewEvent("finished", message=messages.all_done(pub.label), announce="broadcast")
    return lifecycle.finish(State.READY, State.DONE, now, event)
