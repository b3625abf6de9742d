"""App Store versions: find or create the editable version, attach a build, set What's New."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import Any, Final

from bot.appstore.base import ResourceFamily, csv, document
from bot.appstore.cache import JUST_READ
from bot.appstore.documents import Included, included_many, resources
from bot.appstore.errors import AscConflict
from bot.appstore.http import seg
from bot.appstore.models import AppStoreVersion, AppStoreVersionLocalization
from bot.appstore.states import VERSION_EDITABLE

VERSION_INCLUDE = "build,appStoreVersionPhasedRelease"
LOCALIZATIONS_INCLUDED = 50  # Apple's most for limit[appStoreVersionLocalizations]


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = _Unchanged()


def iso_datetime(value: datetime) -> str:
    """RFC 3339 text for a `date-time` attribute; a naive time would be read in an unknown zone."""
    if value.tzinfo is None:
        raise ValueError("earliest_release_date must be timezone-aware")
    return value.isoformat(timespec="seconds")


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def pick_editable(versions: list[AppStoreVersion], version_string: str | None) -> AppStoreVersion | None:
    """Of some versions, the one a new release should use (see `find_editable_app_store_version`)."""
    editable = [v for v in versions if v.app_version_state in VERSION_EDITABLE]
    exact = [v for v in editable if v.version_string == version_string]
    if exact:
        return exact[0]
    return max(editable, key=lambda v: _version_key(v.version_string), default=None)


class VersionsMixin(ResourceFamily):
    """`/v1/appStoreVersions` and their localizations."""

    async def list_app_store_versions(
        self,
        app_id: str,
        platform: str,
        *,
        version_string: str | None = None,
        states: list[str] | tuple[str, ...] | None = None,
        localizations: bool = False,
    ) -> list[AppStoreVersion]:
        """The app's versions on a platform. `localizations`: their store text comes along
        (include=), kept a moment for the What's New write and the checklist right after."""
        include = f"{VERSION_INCLUDE},appStoreVersionLocalizations" if localizations else VERSION_INCLUDE
        params: dict[str, Any] = {"filter[platform]": platform, "include": include, "limit": 200}
        if localizations:
            params["limit[appStoreVersionLocalizations]"] = LOCALIZATIONS_INCLUDED
        if version_string:
            params["filter[versionString]"] = version_string
        if states:
            params["filter[appVersionState]"] = csv(list(states))
        doc = await self._http.get_all(f"/v1/apps/{seg(app_id)}/appStoreVersions", params)
        included = Included(doc)
        for r in resources(doc) if localizations else ():
            self._http.cache.drop(f"vlocs:{r['id']}")  # this read is newer than any kept before
            locs = included_many(r, included, "appStoreVersionLocalizations", AppStoreVersionLocalization.parse)
            if locs is not None:  # all of them (none when more than the include shows)
                self._http.cache.put(f"vlocsin:{r['id']}", locs, JUST_READ)
        return [AppStoreVersion.parse(r, included) for r in resources(doc)]

    async def find_editable_app_store_version(
        self, app_id: str, platform: str, version_string: str | None = None
    ) -> AppStoreVersion | None:
        """The version a new release should use: the one named `version_string` if it is editable,
        else the highest editable version (its version string can then be changed)."""
        editable = await self.list_app_store_versions(app_id, platform, states=VERSION_EDITABLE)
        return pick_editable(editable, version_string)

    async def get_app_store_version(self, version_id: str) -> AppStoreVersion:
        doc = await self._http.get(f"/v1/appStoreVersions/{seg(version_id)}", {"include": VERSION_INCLUDE})
        return AppStoreVersion.parse(doc["data"], Included(doc))

    async def create_app_store_version(
        self,
        app_id: str,
        platform: str,
        version_string: str,
        *,
        build_id: str | None = None,
        copyright: str | None = None,
        release_type: str | None = None,
        earliest_release_date: datetime | None = None,
    ) -> AppStoreVersion:
        """Create a version; after an ambiguous failure or a 409 the same version string is reused."""
        attributes: dict[str, Any] = {"platform": platform, "versionString": version_string}
        if copyright is not None:
            attributes["copyright"] = copyright
        if release_type is not None:
            attributes["releaseType"] = release_type
        if earliest_release_date is not None:
            attributes["earliestReleaseDate"] = iso_datetime(earliest_release_date)
        relationships = {"app": ("apps", app_id)}
        if build_id is not None:
            relationships["build"] = ("builds", build_id)

        async def find() -> AppStoreVersion | None:
            same = await self.list_app_store_versions(app_id, platform, version_string=version_string)
            return same[0] if same else None

        async def post() -> AppStoreVersion:
            body = document("appStoreVersions", attributes=attributes, relationships=relationships)
            doc = await self._http.post("/v1/appStoreVersions", body)
            created = AppStoreVersion.parse((doc or {})["data"], Included(doc))
            # The answer leaves out relationship data unless asked to include it.
            return dataclasses.replace(created, build_id=created.build_id or build_id)

        try:
            return await self._http.create_once(post, find, what=f"App Store version {version_string}")
        except AscConflict:
            existing = await find()
            if existing is None:
                raise
            return existing

    async def update_app_store_version(
        self,
        version_id: str,
        *,
        version_string: str | None = None,
        copyright: str | None = None,
        release_type: str | None = None,
        earliest_release_date: datetime | _Unchanged | None = UNCHANGED,
        build_id: str | None = None,
    ) -> AppStoreVersion:
        """Change what is given; `earliest_release_date=None` clears the date, leaving it out keeps it."""
        attributes: dict[str, Any] = {}
        if version_string is not None:
            attributes["versionString"] = version_string
        if copyright is not None:
            attributes["copyright"] = copyright
        if release_type is not None:
            attributes["releaseType"] = release_type
        if not isinstance(earliest_release_date, _Unchanged):
            attributes["earliestReleaseDate"] = (
                iso_datetime(earliest_release_date) if earliest_release_date is not None else None
            )
        relationships = {"build": ("builds", build_id)} if build_id is not None else None
        if not attributes and not relationships:
            return await self.get_app_store_version(version_id)
        body = document(
            "appStoreVersions", id_=version_id, attributes=attributes, relationships=relationships
        )
        doc = await self._http.patch(f"/v1/appStoreVersions/{seg(version_id)}", body)
        if not doc or not doc.get("data"):
            return await self.get_app_store_version(version_id)
        version = AppStoreVersion.parse(doc["data"], Included(doc))
        return dataclasses.replace(version, build_id=version.build_id or build_id)

    async def list_version_localizations(
        self, version_id: str, *, fresh: bool = True
    ) -> list[AppStoreVersionLocalization]:
        """The version's localizations; `fresh=False` takes the list this client read moments ago
        (by a What's New write, with its writes in it, or with the versions read), if any."""
        for key in () if fresh else (f"vlocs:{version_id}", f"vlocsin:{version_id}"):
            cached = self._http.cache.get(key)
            if cached is not None:
                return list(cached)
        doc = await self._http.get_all(
            f"/v1/appStoreVersions/{seg(version_id)}/appStoreVersionLocalizations", {"limit": 200}
        )
        return [AppStoreVersionLocalization.parse(r) for r in resources(doc)]

    def _wrote_localization(self, version_id: str, loc: AppStoreVersionLocalization) -> None:
        """A localization this client just made or changed, as App Store Connect answered it."""
        known = self._http.cache.get(f"vlocs:{version_id}", instead_of_request=False)
        if known is None:
            return
        others = tuple(x for x in known if x.id != loc.id)
        self._http.cache.put(f"vlocs:{version_id}", (*others, loc), JUST_READ)

    async def upsert_version_whats_new(
        self, version_id: str, locale: str, whats_new: str
    ) -> AppStoreVersionLocalization:
        """Set What's New for one locale: update the existing localization, else create it."""

        async def find(fresh: bool = True) -> AppStoreVersionLocalization | None:
            found = await self.list_version_localizations(version_id, fresh=fresh)
            # The checklist right after this write reads the store text from here (see _wrote_localization).
            self._http.cache.put(f"vlocs:{version_id}", tuple(found), JUST_READ)
            return next((loc for loc in found if loc.locale == locale), None)

        async def post() -> AppStoreVersionLocalization:
            body = document(
                "appStoreVersionLocalizations",
                attributes={"locale": locale, "whatsNew": whats_new},
                relationships={"appStoreVersion": ("appStoreVersions", version_id)},
            )
            doc = await self._http.post("/v1/appStoreVersionLocalizations", body)
            made = AppStoreVersionLocalization.parse((doc or {})["data"])
            self._wrote_localization(version_id, made)
            return made

        existing = await find(fresh=False)  # the versions read of this step may have carried them
        if existing is None:
            try:
                existing = await self._http.create_once(post, find, what=f"What's New ({locale})")
            except AscConflict:
                existing = await find()
                if existing is None:
                    raise
        if existing.whats_new == whats_new:
            return existing
        body = document("appStoreVersionLocalizations", id_=existing.id, attributes={"whatsNew": whats_new})
        doc = await self._http.patch(f"/v1/appStoreVersionLocalizations/{seg(existing.id)}", body)
        if doc and doc.get("data"):
            written = AppStoreVersionLocalization.parse(doc["data"])
            self._wrote_localization(version_id, written)
            return written
        self._http.cache.drop(f"vlocs:{version_id}")  # no answer to go by: the checklist reads again
        return dataclasses.replace(existing, whats_new=whats_new)
