"""The engine's front door: everything the chat surface, the webhooks and the runtime ask of it.

A facade over small modules, each with one job:

- `uploads` — a CI upload (or `/asc publish`) becomes a publication;
- `requests` — people ask for steps, approve, cancel, check again;
- `apple_events` — an App Store Connect webhook moves a publication's next poll to now;
- `sweep` — the periodic pass: `polling`, `following`, `runner` (the steps), `feedback`,
  `reminders`, `outbox` (Slack posts);
- `lifecycle` — the states and the one change type every state change goes through.

Nothing outside `bot/engine` reaches past this class.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.appstore.models import BetaGroup
from bot.engine import lookups
from bot.engine.apple_events import AppleEvents
from bot.engine.feedback import FeedbackRelay
from bot.engine.guard import audit_trail
from bot.engine.intake import UploadNotice
from bot.engine.notifier import PublicationView
from bot.engine.overview import Overview, overview
from bot.engine.parts import EnginePart, EngineParts
from bot.engine.requests import RequestResult, Requests
from bot.engine.sweep import Sweep
from bot.engine.uploads import Uploads
from storage.records import Event, Publication
from storage.repository import Intake, NewEvent

__all__ = ["Engine", "RequestResult"]
log = logging.getLogger(__name__)


class Engine(EnginePart):
    """Owns every state change of publications; the chat surface and webhooks only ask it.

    Built over the parts its modules share: `Engine(EngineParts.build(storage, clients, …))`."""

    def __init__(self, parts: EngineParts) -> None:
        super().__init__(parts)
        self.settings = parts.settings
        self.feedback = FeedbackRelay(parts)
        self._sweep = Sweep(parts, self.feedback)
        self._uploads = Uploads(parts)
        self._requests = Requests(parts, self.wake)
        self._apple = AppleEvents(parts, self._sweep.hooks)
        self.on_wake: Callable[[], None] | None = None

    def wake(self) -> None:
        """Ask for a sweep soon (the scheduler wires this to a run-now job)."""
        if self.on_wake is not None:
            self.on_wake()

    def now(self) -> datetime:
        """The engine's clock (modals show dates relative to it)."""
        return self._clock.now()

    # -- what comes in ------------------------------------------------------------------------

    async def intake(self, notice: UploadNotice, *, actor: str = "webhook", source: str = "ci") -> Intake:
        """Store a new publication (or find the one this upload already made)."""
        result = await self._uploads.intake(notice, actor=actor, source=source)
        if result.created:
            self.wake()
        return result

    async def apple_event(self, event_type: str, resource_type: str, resource_id: str) -> bool:
        """An App Store Connect webhook named a changed resource: poll its publication at once."""
        matched = await self._apple.heard(event_type, resource_type, resource_id)
        if matched:
            self.wake()
        return matched

    async def feedback_event(self, event_type: str, resource_type: str | None, resource_id: str) -> str:
        """A TestFlight feedback webhook: relay it to its publication's thread on the next sweep."""
        result = await self.feedback.on_event(event_type, resource_type, resource_id)
        self.wake()
        return result

    async def remember_delivery(self, source: str, delivery_id: str) -> bool:
        """Whether this webhook delivery is new (False: a repeat, already handled)."""
        return await self._storage.remember_delivery(source, delivery_id, self._clock.now())

    # -- requests from people -----------------------------------------------------------------

    async def request(
        self, publication_id: str, kind: str, actor: str, params: dict[str, Any] | None = None
    ) -> RequestResult:
        """Ask for one step; it runs once the build is ready. Asking twice stores it once."""
        return await self._requests.request(publication_id, kind, actor, params)

    async def check(self, publication_id: str, kind: str, actor: str) -> RequestResult:
        """Whether `actor` may ask for `kind` here (before opening a modal for it); audited."""
        return await self._requests.check(publication_id, kind, actor)

    async def approve(self, publication_id: str, kind: str, actor: str) -> RequestResult:
        """An approver lets a held step (from the app's defaults) run, with its stored params."""
        return await self._requests.approve(publication_id, kind, actor)

    async def cancel(self, publication_id: str, actor: str) -> RequestResult:
        """Stop following a publication: no more polling or steps (what was done at Apple stays done)."""
        return await self._requests.cancel(publication_id, actor)

    async def check_again(self, publication_id: str, actor: str) -> RequestResult:
        """*Check again* under a pre-flight checklist: the held step looks at App Store Connect now."""
        return await self._requests.check_again(publication_id, actor)

    # -- what people see ----------------------------------------------------------------------

    async def view(self, publication_id: str) -> PublicationView | None:
        """The publication and its steps (what its Slack message shows)."""
        pub = await self._storage.get(publication_id)
        if pub is None:
            return None
        return PublicationView(pub, tuple(await self._storage.actions(pub.id)))

    async def find(
        self, bundle_id: str, version: str, build_number: str, platform: str = "IOS"
    ) -> Publication | None:
        """The publication of one uploaded build, if the bot has one."""
        return await self._storage.find(bundle_id, platform, version, build_number)

    async def status(self, bundle_id: str | None = None) -> list[Publication]:
        return await self._storage.list(bundle_id=bundle_id, active_only=True)

    async def overview(self, user: str) -> Overview:
        """The App Home tab's content for one person: what waits for them and what runs."""
        return await overview(self._storage, self._guard, user, self._clock.now())

    async def beta_groups(self, publication_id: str) -> list[BetaGroup]:
        """The app's beta groups, read from App Store Connect (for the chat surface's picker)."""
        return await lookups.beta_groups(self._storage, self._clients, publication_id)

    async def audit_trail(self, actor: str, bundle_id: str | None = None) -> list[Event] | None:
        """`/asc audit`: the last approver checks and refused clicks the actor may see (None: none)."""
        return await audit_trail(self._guard, actor, bundle_id)

    async def audit(
        self,
        publication_id: str | None,
        actor: str,
        kind: str,
        message: str,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Append an audit-log entry (e.g. an approver check) without changing any state."""
        event = NewEvent(kind, actor=actor, message=message, data=data or {})
        await self._storage.add_event(publication_id, event, self._clock.now())

    # -- Slack posts --------------------------------------------------------------------------

    async def flush_outbox(self) -> None:
        """Post what waits to be posted (also the last step of every sweep)."""
        await self._outbox.flush()

    async def channel_fixed(self, channel: str) -> int:
        """The bot was let into a channel that refused its posts: release what it held there."""
        return await self._outbox.channel_fixed(channel)

    # -- the sweep ----------------------------------------------------------------------------

    async def sweep(self) -> None:
        """Do everything that is due. A call during a sweep makes it run once more and waits for it."""
        await self._sweep.run()

    async def recover(self) -> int:
        """Call once at start-up: resume steps a crashed process left half done."""
        return await self._sweep.recover()

    async def wait_idle(self, within: float = 10.0) -> bool:
        """Wait (bounded) for a running sweep to finish, e.g. before shutting down."""
        return await self._sweep.wait_idle(within)
