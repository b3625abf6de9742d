"""The approver rule, in one place: who may submit for review, schedule or release an app.

Approvers come from the config per app: Slack user ids (U…/W…) and user groups (S…), whose members
are read with usergroups.users.list. Every check is an audit-log event, allowed or refused.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.engine.engine import Engine
from commands.common import Where, tell

log = logging.getLogger(__name__)
ApproversFor = Callable[[str], Sequence[str]]
GROUP_TTL = 60.0  # seconds a user group's members are trusted before asking Slack again


class Approvers:
    """Checks a Slack user against an app's approvers, audits the attempt, and refuses privately."""

    def __init__(self, engine: Engine, approvers_for: ApproversFor | None) -> None:
        self._engine = engine
        self._approvers_for = approvers_for or (lambda _bundle_id: ())
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}

    async def allow(
        self,
        client: AsyncWebClient,
        *,
        user: str,
        bundle_id: str,
        title: str,
        where: Where,
        publication_id: str | None = None,
        quiet: bool = False,
    ) -> bool:
        """True when `user` may do `title` for the app; otherwise told why (unless `quiet`). Audited."""
        approvers = self.of(bundle_id)
        if not approvers:
            return True  # no approvers configured: anyone in the channel may
        allowed = user in approvers or await self._in_groups(
            client, user, [a for a in approvers if a.startswith("S")]
        )
        verdict = "allowed" if allowed else "refused"
        await self._engine.audit(
            publication_id,
            user,
            f"approver_{verdict}",
            f"{{actor}} {'may' if allowed else 'may not'} {title.lower()} for {bundle_id} (approver check).",
            {"step": title, "bundle_id": bundle_id, "approvers": list(approvers), "allowed": allowed},
        )
        if not allowed:
            log.info("refused %s to %s for %s: not an approver", title, user, bundle_id)
            if not quiet:
                await tell(client, where, user, blocks.not_an_approver(title, bundle_id, approvers))
        return allowed

    def of(self, bundle_id: str) -> tuple[str, ...]:
        """The app's approvers as configured (users and user groups); empty means anyone."""
        return tuple(self._approvers_for(bundle_id))

    async def _in_groups(self, client: AsyncWebClient, user: str, groups: list[str]) -> bool:
        for group in groups:
            if user in await self._members(client, group):
                return True
        return False

    async def _members(self, client: AsyncWebClient, group: str) -> frozenset[str]:
        cached = self._groups.get(group)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        try:
            response = await client.usergroups_users_list(usergroup=group)
        except Exception as exc:
            # Fail closed: an unreadable group grants nothing (missing usergroups:read scope, say).
            log.warning("could not read the members of user group %s: %s", group, exc)
            return frozenset()
        members = frozenset(response.get("users") or [])
        self._groups[group] = (time.monotonic() + GROUP_TTL, members)
        return members
