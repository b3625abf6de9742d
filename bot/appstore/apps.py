"""Apps: find an app by bundle id or read it by its App Store Connect id."""

from __future__ import annotations

from bot.appstore.base import ResourceFamily
from bot.appstore.cache import APP_LIFETIME
from bot.appstore.documents import resources
from bot.appstore.http import Params, seg
from bot.appstore.models import App, BetaGroup
from bot.appstore.testinfo import (
    TEST_INFO_INCLUDE,
    TEST_INFO_PARAMS,
    TestInfoMixin,
    included_test_information,
)

GROUPS_INCLUDED = 50  # Apple's most for limit[betaGroups]; an app with more gets them listed apart


class AppsMixin(TestInfoMixin, ResourceFamily):
    """`/v1/apps`."""

    async def find_app(self, bundle_id: str) -> App | None:
        """The app with exactly this bundle id, or None.

        Apple's filter also matches look-alikes (com.acme.app finds com.acme.app.beta and
        com.acme.appclip) in no documented order, so every page is read until the exact one.
        """
        params: Params = {
            "filter[bundleId]": bundle_id,
            "limit": 200,
            # The beta groups and the TestFlight test information come along in the same request:
            # a beta groups step and the beta review pre-flight checklist need them later.
            "include": ",".join(("betaGroups", *TEST_INFO_INCLUDE)),
            "limit[betaGroups]": GROUPS_INCLUDED,
            **TEST_INFO_PARAMS,
        }
        doc = await self._http.get_all("/v1/apps", params)
        listed = list(resources(doc))
        found = next((r for r in listed if App.parse(r).bundle_id == bundle_id), None)
        if found is None:
            return None
        app = App.parse(found)
        info = included_test_information(found, doc)  # by its own relationships: look-alikes may be listed
        if info is not None:
            self.remember_test_information(app.id, info)
        if len(listed) == 1:
            groups = [BetaGroup.parse(r) for r in doc.get("included") or [] if r.get("type") == "betaGroups"]
            if len(groups) < GROUPS_INCLUDED:  # all of them, not the first page of many
                self._http.cache.put(f"groups:{app.id}", tuple(groups), APP_LIFETIME)
        return app

    async def get_app(self, app_id: str) -> App:
        doc = await self._http.get(f"/v1/apps/{seg(app_id)}")
        return App.parse(doc["data"])
