"""Apps: find an app by bundle id or read it by its App Store Connect id."""

from __future__ import annotations

from bot.appstore.base import ResourceFamily
from bot.appstore.cache import APP_LIFETIME
from bot.appstore.documents import resources
from bot.appstore.http import Params, seg
from bot.appstore.models import App, BetaGroup

GROUPS_INCLUDED = 50  # Apple's most for limit[betaGroups]; an app with more gets them listed apart


class AppsMixin(ResourceFamily):
    """`/v1/apps`."""

    async def find_app(self, bundle_id: str) -> App | None:
        """The app with exactly this bundle id, or None.

        Apple's filter also matches look-alikes (com.acme.app finds com.acme.app.beta and
        com.acme.appclip) in no documented order, so every page is read until the exact one.
        """
        params: Params = {
            "filter[bundleId]": bundle_id,
            "limit": 200,
            # The beta groups come along in the same request: a beta groups step needs them later.
            "include": "betaGroups",
            "limit[betaGroups]": GROUPS_INCLUDED,
        }
        doc = await self._http.get_all("/v1/apps", params)
        apps = [App.parse(r) for r in resources(doc)]
        app = next((app for app in apps if app.bundle_id == bundle_id), None)
        if app is not None and len(apps) == 1:
            groups = [BetaGroup.parse(r) for r in doc.get("included") or [] if r.get("type") == "betaGroups"]
            if len(groups) < GROUPS_INCLUDED:  # all of them, not the first page of many
                self._http.cache.put(f"groups:{app.id}", tuple(groups), APP_LIFETIME)
        return app

    async def get_app(self, app_id: str) -> App:
        doc = await self._http.get(f"/v1/apps/{seg(app_id)}")
        return App.parse(doc["data"])
