"""How the engine tells people what happened, without knowing it is Slack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from storage.records import Action, Event, Publication


@dataclass(frozen=True)
class PublicationView:
    """What a message about a publication shows: the publication and its actions."""

    publication: Publication
    actions: tuple[Action, ...]

    def action(self, kind: str) -> Action | None:
        return next((a for a in self.actions if a.kind == kind), None)


class Notifier(Protocol):
    """Posts the publication message, redraws it, and replies in its thread."""

    async def post_publication(self, view: PublicationView) -> str:
        """Post the message; return its id (Slack: the ts that roots the thread)."""

    async def update_publication(self, view: PublicationView) -> None: ...

    async def reply(self, view: PublicationView, event: Event) -> None:
        """Reply in the publication's thread; `event.announce == "broadcast"` also shows it in the channel."""


class NullNotifier:
    """For runs without a chat surface (e.g. `asc-bot check`): says nothing."""

    async def post_publication(self, view: PublicationView) -> str:
        return "none"

    async def update_publication(self, view: PublicationView) -> None:
        return None

    async def reply(self, view: PublicationView, event: Event) -> None:
        return None
