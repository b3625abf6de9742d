"""Who the approvers of an app are, for the engine's guard (bot/engine/guard.py), read from Slack.

Approvers come from the config per app: Slack user ids (U…/W…) and user groups (S…), whose members
are read with usergroups.users.list. The rule itself (which steps, which app) lives in the engine.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)
ApproversFor = Callable[[str], Sequence[str]]
GROUP_TTL = 60.0  # seconds a user group's members are trusted before asking Slack again


class Approvers:
    """The engine's `Authority`: configured approvers, with user groups resolved through Slack."""

    def __init__(self, approvers_for: ApproversFor | None, client: AsyncWebClient) -> None:
        self._approvers_for = approvers_for or (lambda _bundle_id: ())
        self._client = client
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}

    def approvers(self, bundle_id: str) -> tuple[str, ...]:
        """The app's approvers as configured (users and user groups); empty means anyone."""
        return tuple(self._approvers_for(bundle_id))

    async def is_one_of(self, user: str, approvers: tuple[str, ...]) -> bool:
        if user in approvers:
            return True
        for group in (a for a in approvers if a.startswith("S")):
            if user in await self._members(group):
                return True
        return False

    async def _members(self, group: str) -> frozenset[str]:
        cached = self._groups.get(group)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        try:
            response = await self._client.usergroups_users_list(usergroup=group)
        except Exception as exc:
            # Fail closed: an unreadable group grants nothing (missing usergroups:read scope, say).
            log.warning("could not read the members of user group %s: %s", group, exc)
            return frozenset()
        members = frozenset(response.get("users") or [])
        self._groups[group] = (time.monotonic() + GROUP_TTL, members)
        return members
