"""Whether App Store Connect's own webhooks tell the bot about an app's builds, so polling can rest.

An app counts as hooked when one of its webhooks is enabled, points at the bot's
`/webhooks/app-store-connect` and carries BUILD_UPLOAD_STATE_UPDATED (one read per app every few
hours), and as long as its events keep arriving: a safety-net poll that finds a change no event
announced puts the app back on the normal polling profile for a while.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.apple_webhooks import PATH
from bot.appstore.client import AppStoreConnect
from bot.appstore.errors import AscError

log = logging.getLogger(__name__)
RECHECK = timedelta(hours=6)  # webhooks are registered once and rarely change
QUIET = timedelta(hours=6)  # after a change no event announced, poll normally this long
HEARD = timedelta(minutes=2)  # an event this recent explains a change a poll then sees
EVENT = "BUILD_UPLOAD_STATE_UPDATED"


class AppHooks:
    """Per app: are App Store Connect webhooks registered for the bot, and are they arriving?"""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled  # the bot checks App Store Connect's signatures (it has the secret)
        self._checked: dict[str, tuple[datetime, bool]] = {}
        self._heard: dict[str, datetime] = {}
        self._silent_until: dict[str, datetime] = {}

    async def check(self, client: AppStoreConnect, app_id: str, now: datetime) -> bool:
        """Whether the app is hooked; reads its webhooks when not known or known for too long."""
        if not self.enabled or not app_id:
            return False
        known = self._checked.get(app_id)
        if known is None or now - known[0] >= RECHECK:
            try:
                hooks = await client.list_app_webhooks(app_id)
            except AscError as exc:  # not allowed (role) or not now: poll as usual
                log.info("could not read the webhooks of app %s: %s", app_id, exc)
                hooks = []
            registered = any(
                h.enabled and h.url.rstrip("/").endswith(PATH) and EVENT in h.event_types for h in hooks
            )
            self._checked[app_id] = known = (now, registered)
        return self.hooked(app_id, now)

    def hooked(self, app_id: str | None, now: datetime) -> bool:
        """What is known, without asking App Store Connect."""
        known = self._checked.get(app_id or "")
        if known is None or not known[1]:
            return False
        return now >= self._silent_until.get(app_id or "", now)

    def heard(self, app_id: str | None, now: datetime) -> None:
        """An event about one of the app's builds arrived."""
        if app_id:
            self._heard[app_id] = now

    def changed(self, app_id: str | None, now: datetime) -> None:
        """A poll saw one of the app's builds move on; without an event for it, stop trusting them."""
        if not app_id or not self.hooked(app_id, now):
            return
        heard = self._heard.get(app_id)
        if heard is None or now - heard > HEARD:
            log.warning("app %s: a build changed without a webhook event; polling it normally", app_id)
            self._silent_until[app_id] = now + QUIET
