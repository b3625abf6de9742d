"""All simulator state: records by id, the indexes the routes need, a timeline of due changes, events."""

from __future__ import annotations

import heapq
import itertools
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.sandbox.asc.records import (
    App,
    BetaGroup,
    BetaLocalization,
    BetaReview,
    Build,
    BuildUpload,
    Feedback,
    PhasedRelease,
    PreReleaseVersion,
    ReleaseRequest,
    ReviewItem,
    ReviewSubmission,
    Version,
    VersionLocalization,
    Webhook,
)


@dataclass(frozen=True)
class Event:
    """A state change App Store Connect would announce through a webhook."""

    event_type: str  # WebhookEventType, e.g. BUILD_UPLOAD_STATE_UPDATED
    app_id: str
    instance_type: str
    instance_id: str
    attributes: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None


class Store:
    """Records plus indexes so that every route is O(1) or O(size of the collection it reads)."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)
        self._app_numbers = itertools.count(1_600_000_001)
        self._seq = itertools.count()
        self._timeline: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        self.listeners: list[Callable[[Event], None]] = []

        self.apps: dict[str, App] = {}
        self.apps_by_bundle: dict[str, App] = {}
        self.pre_releases: dict[str, PreReleaseVersion] = {}
        self.pre_release_keys: dict[tuple[str, str, str], PreReleaseVersion] = {}
        self.uploads: dict[str, BuildUpload] = {}
        self.uploads_by_app: dict[str, list[BuildUpload]] = {}
        self.builds: dict[str, Build] = {}
        self.builds_by_app: dict[str, list[Build]] = {}
        self.groups: dict[str, BetaGroup] = {}
        self.groups_by_app: dict[str, list[BetaGroup]] = {}
        self.beta_localizations: dict[str, BetaLocalization] = {}
        self.beta_localizations_by_build: dict[str, list[BetaLocalization]] = {}
        self.beta_reviews: dict[str, BetaReview] = {}
        self.versions: dict[str, Version] = {}
        self.versions_by_app: dict[str, list[Version]] = {}
        self.version_localizations: dict[str, VersionLocalization] = {}
        self.version_localizations_by_version: dict[str, list[VersionLocalization]] = {}
        self.phased_releases: dict[str, PhasedRelease] = {}
        self.submissions: dict[str, ReviewSubmission] = {}
        self.submissions_by_app: dict[str, list[ReviewSubmission]] = {}
        self.items: dict[str, ReviewItem] = {}
        self.release_requests: dict[str, ReleaseRequest] = {}
        self.webhooks: dict[str, Webhook] = {}
        self.feedback: dict[str, Feedback] = {}  # screenshot and crash submissions, oldest first

    # ids: seeded, so two runs with the same seed hand out the same ids
    def new_id(self) -> str:
        """A UUID-shaped id, as Apple uses for most resources."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def new_app_id(self) -> str:
        """A numeric Apple ID, as apps have."""
        return str(next(self._app_numbers))

    # the timeline: changes that happen by themselves once the clock passes a moment
    def at(self, when: datetime, change: Callable[[datetime], None]) -> None:
        """Run `change(when)` at the first settle() whose time is at or after `when`."""
        heapq.heappush(self._timeline, (when, next(self._seq), change))

    def settle(self, now: datetime) -> None:
        """Apply every due change in time order, so a clock jump has the same effect as waiting."""
        timeline = self._timeline
        while timeline and timeline[0][0] <= now:
            when, _, change = heapq.heappop(timeline)
            change(when)

    def emit(self, event: Event) -> None:
        """Tell listeners (the webhook sender) about a state change."""
        for listener in self.listeners:
            listener(event)

    # lookups used by several resource families
    def pre_release_for(self, app_id: str, version: str, platform: str) -> PreReleaseVersion:
        """The preReleaseVersion of an app's marketing version on a platform, made on first use."""
        key = (app_id, version, platform)
        found = self.pre_release_keys.get(key)
        if found is None:
            found = PreReleaseVersion(self.new_id(), app_id, version, platform)
            self.pre_releases[found.id] = found
            self.pre_release_keys[key] = found
        return found

    def add_version(self, version: Version) -> None:
        """Store a new App Store version."""
        self.versions[version.id] = version
        self.versions_by_app.setdefault(version.app_id, []).append(version)

    def add_version_localization(self, loc: VersionLocalization) -> None:
        """Store a new version localization."""
        self.version_localizations[loc.id] = loc
        self.version_localizations_by_version.setdefault(loc.version_id, []).append(loc)

    def add_beta_localization(self, loc: BetaLocalization) -> None:
        """Store a new What to Test localization."""
        self.beta_localizations[loc.id] = loc
        self.beta_localizations_by_build.setdefault(loc.build_id, []).append(loc)

    def remove_beta_localization(self, loc: BetaLocalization) -> None:
        """Delete a What to Test localization."""
        del self.beta_localizations[loc.id]
        self.beta_localizations_by_build[loc.build_id].remove(loc)

    def listed_builds(self, app_id: str) -> list[Build]:
        """An app's builds that App Store Connect lists already, oldest first."""
        return [b for b in self.builds_by_app.get(app_id, ()) if b.listed]
