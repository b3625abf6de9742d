"""What the engine's modules share: one storage, one set of clients, one clock, one guard, one outbox.

`Engine` builds an `EngineParts` once and hands it to each module (uploads, requests, Apple events,
the sweep and its runner, feedback, reminders); each reads what it needs through `EnginePart`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.engine.clients import Clients
from bot.engine.guard import Guard
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


class EnginePart:
    """A module of the engine: it takes the shared parts and reads them under their own names."""

    def __init__(self, parts: EngineParts) -> None:
        self._parts = parts
        self._storage, self._clients, self._clock = parts.storage, parts.clients, parts.clock
        self._settings, self._guard = parts.settings, parts.guard
        self._outbox, self._notifier = parts.outbox, parts.notifier
