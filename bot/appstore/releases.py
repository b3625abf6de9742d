"""Releasing a version: phased release controls and the release request for an approved version."""

from __future__ import annotations

from bot.appstore.base import ResourceFamily, document
from bot.appstore.documents import Included
from bot.appstore.errors import AscConflict, AscNotFound, AscUnprocessable
from bot.appstore.http import seg
from bot.appstore.models import AppStoreVersion, PhasedRelease
from bot.appstore.states import VERSION_RELEASED
from bot.appstore.versions import VERSION_INCLUDE


class ReleasesMixin(ResourceFamily):
    """`/v1/appStoreVersionPhasedReleases` and `/v1/appStoreVersionReleaseRequests`."""

    async def get_phased_release(self, version_id: str) -> PhasedRelease | None:
        try:
            doc = await self._http.get(f"/v1/appStoreVersions/{seg(version_id)}/appStoreVersionPhasedRelease")
        except AscNotFound:
            return None
        data = doc.get("data")
        return PhasedRelease.parse(data) if isinstance(data, dict) else None

    async def enable_phased_release(
        self, version_id: str, *, known: bool = False, existing: PhasedRelease | None = None
    ) -> PhasedRelease:
        """Turn on the 7-day phased release for a version; returns the existing one if already on.
        `known=True`: the caller read `existing` moments ago (a version just created has none)."""
        if not known:
            existing = await self.get_phased_release(version_id)
        else:
            self._http.cache.skipped("phased release read (the version's answer says)")
        if existing is not None:
            return existing

        async def post() -> PhasedRelease:
            body = document(
                "appStoreVersionPhasedReleases",
                relationships={"appStoreVersion": ("appStoreVersions", version_id)},
            )
            doc = await self._http.post("/v1/appStoreVersionPhasedReleases", body)
            return PhasedRelease.parse((doc or {})["data"])

        try:
            return await self._http.create_once(
                post, lambda: self.get_phased_release(version_id), what="phased release"
            )
        except AscConflict:
            raced = await self.get_phased_release(version_id)
            if raced is None:
                raise
            return raced

    async def set_phased_release_state(self, phased_id: str, state: str) -> PhasedRelease:
        """ACTIVE starts or resumes, PAUSED pauses, COMPLETE releases to everyone at once."""
        body = document(
            "appStoreVersionPhasedReleases", id_=phased_id, attributes={"phasedReleaseState": state}
        )
        doc = await self._http.patch(f"/v1/appStoreVersionPhasedReleases/{seg(phased_id)}", body)
        if doc and doc.get("data"):
            return PhasedRelease.parse(doc["data"])
        return PhasedRelease(phased_id, state, None)

    async def disable_phased_release(self, phased_id: str) -> None:
        """Remove a phased release that has not started; one already gone counts as removed."""
        try:
            await self._http.delete(f"/v1/appStoreVersionPhasedReleases/{seg(phased_id)}")
        except AscNotFound:
            return

    async def request_release(self, version_id: str) -> AppStoreVersion:
        """Release a version that is PENDING_DEVELOPER_RELEASE; it cannot be undone, so never post twice."""

        async def released() -> AppStoreVersion | None:
            version = await self._read_version(version_id)
            return version if version.app_version_state in VERSION_RELEASED else None

        async def post() -> AppStoreVersion:
            body = document(
                "appStoreVersionReleaseRequests",
                relationships={"appStoreVersion": ("appStoreVersions", version_id)},
            )
            await self._http.post("/v1/appStoreVersionReleaseRequests", body)
            return await self._read_version(version_id)

        try:
            return await self._http.create_once(post, released, what="release request")
        except (AscConflict, AscUnprocessable):
            # Already released (by a person, or by our own earlier attempt): that is the goal reached.
            done = await released()
            if done is None:
                raise
            return done

    async def _read_version(self, version_id: str) -> AppStoreVersion:
        doc = await self._http.get(f"/v1/appStoreVersions/{seg(version_id)}", {"include": VERSION_INCLUDE})
        return AppStoreVersion.parse(doc["data"], Included(doc))
