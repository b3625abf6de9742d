"""Apps: find an app by bundle id or read it by its App Store Connect id."""

from __future__ import annotations

from bot.appstore.base import ResourceFamily
from bot.appstore.http import seg
from bot.appstore.models import App, resources


class AppsMixin(ResourceFamily):
    """`/v1/apps`."""

    async def find_app(self, bundle_id: str) -> App | None:
        """The app with exactly this bundle id, or None (Apple's filter may also match look-alikes)."""
        doc = await self._http.get("/v1/apps", {"filter[bundleId]": bundle_id, "limit": 2})
        apps = [App.parse(r) for r in resources(doc)]
        return next((app for app in apps if app.bundle_id == bundle_id), None)

    async def get_app(self, app_id: str) -> App:
        doc = await self._http.get(f"/v1/apps/{seg(app_id)}")
        return App.parse(doc["data"])
