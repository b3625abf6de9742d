"""What the engine's modules share: one storage, one set of clients, one clock, one guard, one outbox.

`bot/app.py` builds them once (`EngineParts.build`); the `Engine` facade hands them to each of its
modules (uploads, requests, Apple events, the sweep and its runner, feedback, reminders), and each
reads what it needs through `EnginePart`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.engine.clients import Clients
from bot.engine.guard import Authority, Guard
from bot.engine.notifier import Notifier
from bot.engine.outbox import Outbox
from bot.engine.settings import EngineSettings
from storage.repository import Storage


@dataclass(frozen=True)
class EngineParts:
    storage: Storage
    clients: Clients
    clock: Clock
    settings: EngineSettings
    guard: Guard
    outbox: Outbox
    notifier: Notifier

    @classmethod
    def build(
        cls,
        storage: Storage,
        clients: Clients,
        notifier: Notifier,
        clock: Clock,
        settings: EngineSettings,
        authority: Authority | None = None,
        fallback_channel: str | None = None,
    ) -> EngineParts:
        """The guard over `authority`'s approvers and the outbox posting through `notifier`, with the rest."""
        guard = Guard(storage, clock, authority)
        # Where to say that a publication's own channel refused its posts (else a DM to its starter).
        outbox = Outbox(
            storage, notifier, clock, fallback_channel, owner=settings.replica, lease=settings.sweep_lease
        )
        return cls(storage, clients, clock, settings, guard, outbox, notifier)


class EnginePart:
    """A module of the engine: it takes the shared parts and reads them under their own names."""

    def __init__(self, parts: EngineParts) -> None:
        self._parts = parts
        self._storage, self._clients, self._clock = parts.storage, parts.clients, parts.clock
        self._settings, self._guard = parts.settings, parts.guard
        self._outbox, self._notifier = parts.outbox, parts.notifier
