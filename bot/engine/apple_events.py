"""An App Store Connect webhook named a changed resource: its publication is polled at once."""

from __future__ import annotations

from bot.appstore.errors import AscError
from bot.engine import lifecycle, messages
from bot.engine.hooks import AppHooks
from bot.engine.lifecycle import State
from bot.engine.parts import EnginePart, EngineParts
from storage.records import Publication
from storage.repository import NewEvent


class AppleEvents(EnginePart):
    """Finds the publications an event is about and moves their next poll to now."""

    def __init__(self, parts: EngineParts, hooks: AppHooks) -> None:
        super().__init__(parts)
        self._hooks = hooks

    async def heard(self, event_type: str, resource_type: str, resource_id: str) -> bool:
        """Whether any active publication follows the resource (each is polled at once)."""
        matches: list[Publication] = []
        if resource_type == "appStoreVersions":
            matches = await self._storage.find_by("version_id", resource_id)
        elif resource_type in ("builds", "buildBetaDetails"):  # a build's beta detail shares its id
            matches = await self._storage.find_by("build_id", resource_id)
        elif resource_type == "buildUploads":
            matches = await self._publications_of_upload(resource_id)
        matches = [p for p in matches if p.is_active]
        for pub in matches:
            self._hooks.heard(pub.app_id, self._clock.now())
            event = NewEvent(
                "apple_event", data={"type": event_type, "resource": resource_type, "id": resource_id}
            )
            now = self._clock.now()
            await lifecycle.apply(self._storage, pub.id, now, lifecycle.poll_at(now, event))
        return bool(matches)

    async def _publications_of_upload(self, upload_id: str) -> list[Publication]:
        for name in self._clients.names():
            try:
                upload = await self._clients.get(name).get_build_upload(upload_id)
            except AscError:
                continue
            if upload.build_id:
                by_build = await self._storage.find_by("build_id", upload.build_id)
                if by_build:
                    return by_build
            active = await self._storage.list(active_only=True, limit=10_000)
            matches = [
                p
                for p in active
                if (p.version, p.build_number, p.platform)
                == (upload.version, upload.build_number, upload.platform)
            ]
            if upload.build_id and len(matches) == 1 and matches[0].state == State.WAITING_FOR_BUILD:
                # The event names the build: found, no search (the poll then reads it by id).
                pub = matches[0]
                self._hooks.heard(pub.app_id, self._clock.now())
                event = NewEvent(
                    "build_found",
                    message=messages.found(pub.label),
                    announce="thread",
                    data={"build_id": upload.build_id},
                )
                change = lifecycle.build_found(State.WAITING_FOR_BUILD, upload.build_id, event)
                found = await lifecycle.apply(self._storage, pub.id, self._clock.now(), change)
                return [found or pub]
            return matches
        return []
