"""How the engine tells people what happened, without knowing it is Slack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from storage.records import Action, Event, Publication


@dataclass(frozen=True)
class PublicationView:
    """What a message about a publication shows: the publication and its actions."""

    publication: Publication
    actions: tuple[Action, ...]

    def action(self, kind: str) -> Action | None:
        return next((a for a in self.actions if a.kind == kind), None)


class DeliveryError(Exception):
    """A post the chat surface did not take; `permanent` ones never get better by trying again.

    scope: "post" (this post only), "channel" (every post there), "token" (every call).
    retry_after: seconds the surface asked us to wait (rate limits). in_doubt: the post may exist.
    """

    def __init__(
        self,
        code: str,
        *,
        permanent: bool,
        scope: str = "post",
        hint: str = "",
        retry_after: float | None = None,
        in_doubt: bool = False,
    ) -> None:
        super().__init__(code if not hint else f"{code}: {hint}")
        self.code = code
        self.permanent = permanent
        self.scope = scope
        self.hint = hint
        self.retry_after = retry_after
        self.in_doubt = in_doubt


class Notifier(Protocol):
    """Posts the publication message, redraws it, and replies in its thread.

    Posts carry `outbox_id`, so that `find_post` can tell whether a post whose answer was lost
    happened. Failures raise DeliveryError.
    """

    async def post_publication(self, view: PublicationView, outbox_id: str) -> str:
        """Post the message; return its id (Slack: the ts that roots the thread)."""

    async def update_publication(self, view: PublicationView) -> None: ...

    async def reply(
        self, view: PublicationView, event: Event, outbox_id: str, *, plain: bool = False
    ) -> None:
        """Reply in the publication's thread (`plain`: text only, after the full reply was refused)."""

    async def find_post(
        self, channel: str, thread_ts: str | None, outbox_id: str, since: datetime
    ) -> str | None:
        """The id of a post made with `outbox_id` (in the thread, or the channel when None), if any."""

    async def tell(self, who: str, text: str, outbox_id: str | None = None) -> None:
        """Say something outside the publication's thread: a user id gets a DM, a channel id a post.

        With `outbox_id` the post is tagged like the others, so `find_post(who, None, ...)` finds it."""

    async def channel_problem(self, channel: str) -> str | None:
        """Why posts to `channel` would certainly fail (said to people), or None: fine or cannot tell."""

    async def channel_ready(self, channel: str, code: str) -> bool | None:
        """Whether a channel refused with `code` takes posts again (None: cannot tell now)."""

