"""Approval reminders: a step held for an approver pings the app's approvers in its thread.

Once the step has waited `approval_reminder` seconds, and again every `approval_reminder` seconds,
until an approver acts (the step is no longer held) or the publication ends. Each reminder is one
event, added only if none was added within the interval, so restarts and repeated sweeps never
ping twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.engine import messages
from bot.engine.actions import title_of
from bot.engine.guard import HELD
from bot.engine.parts import EnginePart
from storage.reminders import REMINDER
from storage.repository import NewEvent

log = logging.getLogger(__name__)


class Reminders(EnginePart):
    """Pings approvers about steps that wait for them."""

    async def sweep(self, now: datetime) -> int:
        if self._settings.approval_reminder <= 0:
            return 0
        every = timedelta(seconds=self._settings.approval_reminder)
        sent = 0
        for action in await self._storage.held_waiting(HELD, now - every):
            pub = await self._storage.get(action.publication_id)
            if pub is None:
                continue
            approvers = self._guard.approvers(pub.app_bundle_id)
            waited = (now - action.requested_at).total_seconds()
            event = NewEvent(
                REMINDER,
                message=messages.approval_reminder(title_of(action.kind), waited),
                announce="thread",
                data={"kind": action.kind, "approvers": list(approvers)},
            )
            if await self._storage.add_reminder(action, HELD, every, event, now):
                log.info("publication %s: reminded approvers of %s", pub.id, action.kind)
                sent += 1
        return sent
