"""Apps: find an app by bundle id or read it by its App Store Connect id."""

from __future__ import annotations

from bot.appstore.base import ResourceFamily
from bot.appstore.http import seg
from bot.appstore.models import App, resources


class AppsMixin(ResourceFamily):
    """`/v1/apps`."""

    async def find_app(self, bundle_id: str) -> App | None:
        """The app with exactly this bundle id, or None.

        Apple's filter also matches look-alikes (com.acme.app finds com.acme.app.beta and
        com.acme.appclip) in no documented order, so every page is read until the exact one.
        """
        params = {"filter[bundleId]": bundle_id, "limit": 200}
        doc = await self._http.get_all("/v1/apps", params)
        apps = [App.parse(r) for r in resources(doc)]
        return next((app for app in apps if app.bundle_id == bundle_id), None)

    async def get_app(self, app_id: str) -> App:
        doc = await self._http.get(f"/v1/apps/{seg(app_id)}")
        return App.parse(doc["data"])
