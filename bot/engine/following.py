"""After a submission the bot keeps following it: TestFlight beta review and the App Store version.

Beta review states come for free with the batched builds read; each followed App Store version
costs one GET per follow interval (App Store Connect webhooks make it immediate).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from bot.appstore.client import AppStoreConnect
from bot.appstore.errors import AscError
from bot.appstore.models import AppStoreVersion, Build
from bot.appstore.states import (
    APP_VERSION_STATES,
    BETA_BUILD_STATES,
    BETA_REVIEW_PENDING,
    VERSION_FOLLOWED,
    VERSION_REJECTED,
)
from bot.engine import lifecycle, messages
from bot.engine.phased import day_text, follows_phased
from bot.engine.polling import unexpected
from bot.engine.steps.appstore import version_fields
from storage.records import Publication
from storage.repository import NewEvent, Storage

log = logging.getLogger(__name__)
# buildBetaDetail.externalBuildState → betaAppReviewSubmission.betaReviewState
BETA_FROM_EXTERNAL = {
    "WAITING_FOR_BETA_REVIEW": "WAITING_FOR_REVIEW",
    "IN_BETA_REVIEW": "IN_REVIEW",
    "BETA_APPROVED": "APPROVED",
    "IN_BETA_TESTING": "APPROVED",
    "BETA_REJECTED": "REJECTED",
    "EXPIRED": "EXPIRED",
    # TestFlight's processing failed after the build was ready: no review will decide it any more.
    "PROCESSING_EXCEPTION": "PROCESSING_EXCEPTION",
}


# A state Apple added later is neither "under review" nor "done": it is followed, named in the
# thread, for this long; then the bot stops and says so, instead of asking Apple forever.
UNKNOWN_STATE_LIMIT = timedelta(hours=48)


def unknown_for_too_long(pub: Publication, now: datetime | None) -> bool:
    """The followed review has been in an undocumented state past the limit (never without `now`)."""
    return (
        now is not None and pub.unknown_since is not None and now - pub.unknown_since >= UNKNOWN_STATE_LIMIT
    )


def unknown_states(pub: Publication) -> list[str]:
    """The publication's App Store Connect states that Apple does not document (null included)."""
    found = []
    if pub.version_id is not None and pub.version_state not in APP_VERSION_STATES:
        found.append(pub.version_state or "null")
    if follows_beta(pub) and pub.beta_external_state not in BETA_BUILD_STATES:
        found.append(pub.beta_external_state or "null")
    return found


def unknown_until(pub: Publication, now: datetime) -> datetime:
    return (pub.unknown_since or now) + UNKNOWN_STATE_LIMIT


def follows_beta(pub: Publication, now: datetime | None = None) -> bool:
    return (
        pub.build_id is not None
        and pub.beta_review_state in BETA_REVIEW_PENDING
        and not unknown_for_too_long(pub, now)
    )


def follows_version(pub: Publication, now: datetime | None = None) -> bool:
    state = pub.version_state
    return (
        pub.version_id is not None
        and (state in VERSION_FOLLOWED or (state is not None and state not in APP_VERSION_STATES))
        and not unknown_for_too_long(pub, now)
    )


def rejected(pub: Publication) -> bool:
    return pub.version_state in VERSION_REJECTED or pub.beta_review_state == "REJECTED"


def beta_text(state: str) -> tuple[str, str]:
    if state == "APPROVED":
        return "✅ TestFlight beta review approved: external testers can install the build.", "thread"
    if state == "REJECTED":
        return "❌ TestFlight beta review rejected the build; App Store Connect says why.", "broadcast"
    if state == "IN_REVIEW":
        return "🔍 TestFlight beta review has started.", "thread"
    if state == "EXPIRED":
        return "⌛ The build expired in TestFlight (a newer build replaced it).", "thread"
    if state == "PROCESSING_EXCEPTION":
        return (
            "❌ TestFlight could not process the build (PROCESSING_EXCEPTION): testers cannot get it and "
            "beta review will not decide it. Upload a new build.",
            "broadcast",
        )
    return f"TestFlight beta review: {state}.", "thread"


def version_text(pub: Publication, state: str) -> tuple[str, str]:
    when = pub.earliest_release_date
    texts = {
        "WAITING_FOR_REVIEW": ("📮 Waiting for App Store review.", "thread"),
        "IN_REVIEW": ("🔍 Apple is reviewing the app.", "thread"),
        "PENDING_APPLE_RELEASE": ("✅ Approved; Apple is releasing it.", "broadcast"),
        "PROCESSING_FOR_DISTRIBUTION": ("📦 Approved; Apple is preparing it for the App Store.", "thread"),
        "READY_FOR_DISTRIBUTION": ("🎉 Live on the App Store.", "broadcast"),
        "DEVELOPER_REJECTED": ("↩️ The submission was withdrawn from review.", "broadcast"),
        "WAITING_FOR_EXPORT_COMPLIANCE": ("🔐 App Store Connect waits for export compliance.", "thread"),
    }
    if state == "PENDING_DEVELOPER_RELEASE":
        if pub.release_type == "SCHEDULED" and when:
            return (
                f"✅ Approved! It goes live automatically from {when[:16].replace('T', ' ')} UTC.",
                "broadcast",
            )
        return "✅ Approved! It waits for you: press *Release now* when you are ready.", "broadcast"
    if state in VERSION_REJECTED:
        return (
            f"❌ App Store review did not accept it ({state}); see the Resolution Center in "
            "App Store Connect.",
            "broadcast",
        )
    return texts.get(state, (f"App Store version state: {state}.", "thread"))


FOLLOW_SHARE = 0.25  # following may use a quarter of the key's hourly budget


def follow_interval(base: float, client: AppStoreConnect, used: int) -> float:
    """`base`, stretched so this round's `used` requests, repeated every interval, fit FOLLOW_SHARE
    of the key's hourly budget, and stretched more when App Store Connect says the budget runs low."""
    budget = client.rate_limit
    limit = budget.limit if budget is not None and budget.limit else 3600
    interval = max(base, used * 3600.0 / (FOLLOW_SHARE * limit))
    if budget is not None and budget.limit and budget.remaining / budget.limit < 0.10:
        interval *= 4
    return interval


class Follower:
    """Refreshes what ready publications follow and tells the thread about every change.

    Beta review states ride on one batched builds read; App Store versions are read with one
    request per app (all of its followed versions at once), or a single GET when only one is followed.
    """

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._failed: dict[str, str] = {}  # publication id → what went wrong in this round

    async def refresh(
        self, client: AppStoreConnect, pubs: list[Publication], now: datetime
    ) -> tuple[list[Publication], int]:
        """The publications as refreshed, and how many requests that cost (for the follow interval)."""
        before = client.requests_sent
        self._failed = {}
        builds = await self._builds(client, [p for p in pubs if follows_beta(p, now)])
        versions = await self._versions(
            client, [p for p in pubs if follows_version(p, now) or follows_phased(p)]
        )
        out = [await self._told(await self._apply(pub, builds, versions, now), now) for pub in pubs]
        return out, client.requests_sent - before

    def _fail(self, pubs: list[Publication], exc: Exception) -> None:
        detail = exc.user_message if isinstance(exc, AscError) else unexpected(exc)
        self._failed.update((p.id, detail) for p in pubs)

    async def _told(self, pub: Publication, now: datetime) -> Publication:
        """Tell the thread once when following failed; forget it when a read works again."""
        detail = self._failed.get(pub.id)
        followed = follows_beta(pub) or follows_version(pub) or follows_phased(pub)
        if detail == pub.last_error or (detail is None and not followed):
            return pub
        event = (
            NewEvent("asc_trouble", message=messages.asc_trouble(detail), announce="thread")
            if detail
            else None
        )
        change = lifecycle.Change(last_error=detail, event=event)
        return await lifecycle.apply(self._storage, pub.id, now, change) or pub

    async def _builds(self, client: AppStoreConnect, beta: list[Publication]) -> dict[str, Build]:
        if not beta:
            return {}
        try:
            return {b.id: b for b in await client.get_builds([p.build_id for p in beta if p.build_id])}
        except Exception as exc:  # an unreadable answer waits for the next round, like an error
            log.warning(
                "could not refresh %d beta review(s): %s",
                len(beta),
                exc,
                exc_info=not isinstance(exc, AscError),
            )
            self._fail(beta, exc)
            return {}

    async def _versions(
        self, client: AppStoreConnect, followed: list[Publication]
    ) -> dict[str, AppStoreVersion]:
        by_app: dict[tuple[str, str], list[Publication]] = defaultdict(list)
        for pub in followed:
            by_app[(pub.app_id or "", pub.platform)].append(pub)
        found: dict[str, AppStoreVersion] = {}
        for (app_id, platform), group in by_app.items():
            try:
                if len(group) == 1:
                    version = await client.get_app_store_version(group[0].version_id or "")
                    found[version.id] = version
                else:
                    for version in await client.list_app_store_versions(app_id, platform):
                        found[version.id] = version
            except Exception as exc:  # one app's bad answer must not stop the other apps
                log.warning(
                    "could not refresh the App Store versions of app %s: %s",
                    app_id,
                    exc,
                    exc_info=not isinstance(exc, AscError),
                )
                self._fail(group, exc)
        return found

    async def _apply(
        self, pub: Publication, builds: dict[str, Build], versions: dict[str, AppStoreVersion], now: datetime
    ) -> Publication:
        changes: dict[str, Any] = {}
        events: list[NewEvent] = []
        until = f"{unknown_until(pub, now):%Y-%m-%d %H:%M}"
        build = builds.get(pub.build_id or "")
        if build is not None and build.beta_detail is not None:
            external = build.beta_detail.external_build_state
            state = BETA_FROM_EXTERNAL.get(external or "")
            if external != pub.beta_external_state:
                changes["beta_external_state"] = external
                if external not in BETA_BUILD_STATES:
                    text = messages.unknown_state(
                        pub.label, [f"externalBuildState {external or 'null'}"], until
                    )
                    events.append(NewEvent("unknown_state", message=text, announce="thread"))
            if state and state != pub.beta_review_state:
                changes["beta_review_state"] = state
                text, announce = beta_text(state)
                events.append(NewEvent("beta_review_" + state.lower(), message=text, announce=announce))
        version = versions.get(pub.version_id or "")
        if version is not None:
            fields = version_fields(version)
            changes.update({k: v for k, v in fields.items() if getattr(pub, k) != v})
            state = version.app_version_state
            if state and state != pub.version_state:
                text, announce = version_text(pub, state)
                if state not in APP_VERSION_STATES:
                    text = messages.unknown_state(pub.label, [f"appVersionState {state}"], until)
                events.append(NewEvent("version_" + state.lower(), message=text, announce=announce))
            day = fields.get("phased_day")
            if fields.get("phased_state") == "ACTIVE" and isinstance(day, int) and day != pub.phased_day:
                events.append(
                    NewEvent("phased_day", message=day_text(day), announce="thread", data={"day": day})
                )
        unknown = (
            build is not None
            and build.beta_detail is not None
            and follows_beta(pub)
            and build.beta_detail.external_build_state not in BETA_BUILD_STATES
        ) or (version is not None and version.app_version_state not in APP_VERSION_STATES)
        if unknown and pub.unknown_since is None:
            changes["unknown_since"] = now
        elif not unknown and pub.unknown_since is not None and (build is not None or version is not None):
            changes["unknown_since"] = None
        if not changes:
            return pub
        for event in events[:-1]:
            await self._storage.add_event(pub.id, event, now)
        change = lifecycle.Change(redraw=True, event=events[-1] if events else None, **changes)
        updated = await lifecycle.apply(self._storage, pub.id, now, change)
        return updated or pub
