"""Batched polling of App Store Connect for every publication that waits on Apple.

Per API key and sweep: one request per app for builds not yet found, and one `filter[id]`
request per 200 builds being processed (README, "How it works").
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from bot.appstore import states as apple
from bot.appstore.client import AppStoreConnect
from bot.appstore.errors import AscError, AscRateLimited, AscServerError, AscTransportError
from bot.appstore.models import Build
from bot.engine import lifecycle, messages
from bot.engine.hooks import AppHooks
from bot.engine.lifecycle import Change, State
from bot.engine.profile import next_processing_poll, safety_net
from bot.engine.settings import EngineSettings
from storage.records import Publication
from storage.repository import NewEvent, Storage

log = logging.getLogger(__name__)
TRANSIENT = (AscServerError, AscTransportError, AscRateLimited)


def unexpected(exc: Exception) -> str:
    """The thread's words for an answer the bot could not read (stable, so it is told once)."""
    return f"an answer the bot could not read ({type(exc).__name__})"


POLL_SHARE = 0.5  # polling may use half the key's hourly budget; the rest is for steps and following


def poll_interval(settings: EngineSettings, client: AppStoreConnect, used: int = 0) -> float:
    """The configured interval, stretched so this round's `used` requests, repeated every interval,
    fit in POLL_SHARE of the key's hourly budget, and stretched more when the budget runs low."""
    interval = settings.poll_interval
    budget = client.rate_limit
    limit = budget.limit if budget is not None and budget.limit else 3600
    interval = max(interval, used * 3600.0 / (POLL_SHARE * limit))
    if budget is not None and budget.limit:
        share = budget.remaining / budget.limit
        if share < 0.05:
            interval *= 8
        elif share < 0.10:
            interval *= 4
        elif share < 0.20:
            interval *= 2
    return interval


class Poller:
    """Moves publications through waiting_for_build → processing → ready (or failed / timed_out)."""

    def __init__(self, storage: Storage, settings: EngineSettings) -> None:
        self._storage = storage
        self._settings = settings
        self.hooks = AppHooks(settings.apple_webhooks)

    async def poll(self, client: AppStoreConnect, publications: list[Publication], now: datetime) -> None:
        """One round for one key. A failure (or an unreadable answer) stays with its app or publication."""
        before = client.requests_sent
        next_at = now + timedelta(seconds=poll_interval(self._settings, client))
        publications = await self._resolve_apps(client, publications, now, next_at)
        for app_id in dict.fromkeys(p.app_id for p in publications if p.app_id):
            await self.hooks.check(client, app_id or "", now)
        young = [p for p in publications if p.state == "waiting_for_build" and self._young(p, now)]
        for pub in young:  # Apple does not list a build the moment its upload ends: look later
            await self._apply(pub, now, lifecycle.poll_at(self._next(pub, now, self._first_find(pub))))
        later = {p.id for p in young}
        publications = [p for p in publications if p.id not in later]
        waiting = [p for p in publications if p.state == "waiting_for_build"]
        processing = [p for p in publications if p.state == "processing" and p.build_id]
        found, failed = await self._find_builds(client, waiting)
        current = await self._current(client, processing, failed)
        next_at = now + timedelta(
            seconds=poll_interval(self._settings, client, client.requests_sent - before)
        )
        for pub in waiting + processing:
            if pub.id in failed:
                await self._trouble([pub], failed[pub.id], now, next_at)
                continue
            try:
                await self._poll_one(client, await self._recovered(pub, now), found, current, now, next_at)
            except Exception as exc:  # one publication's bad answer must not stop the others
                log.exception("publication %s: polling failed", pub.id)
                await self._trouble([pub], exc, now, next_at)

    def _first_find(self, pub: Publication) -> datetime:
        return pub.created_at + timedelta(seconds=self._settings.first_find)

    def _young(self, pub: Publication, now: datetime) -> bool:
        """Too fresh for Apple to list its build (a clock stepped back makes nothing young)."""
        return pub.created_at <= now < self._first_find(pub)

    def _processing_next(self, pub: Publication, now: datetime, floor: datetime) -> datetime:
        """The profile's next processing poll, never sooner than the budget's floor."""
        if self.hooks.hooked(pub.app_id, now):
            return max(floor, safety_net(now, pub.process_deadline))
        if not self._settings.poll_profile:
            return floor
        return max(floor, next_processing_poll(self._settings.poll_profile, pub.created_at, now))

    def _next(self, pub: Publication, now: datetime, floor: datetime) -> datetime:
        """The next look for a build not found yet: the floor, or the safety net when webhooks tell."""
        if self.hooks.hooked(pub.app_id, now):
            return max(floor, safety_net(now, pub.find_deadline))
        return floor

    async def _poll_one(
        self,
        client: AppStoreConnect,
        pub: Publication,
        found: dict[str, Build],
        current: dict[str, Build],
        now: datetime,
        floor: datetime,
    ) -> None:
        next_at = self._processing_next(pub, now, floor)
        if pub.state == "processing":
            build = current.get(pub.build_id or "")
            if build is None:  # not listed any more: look again next time, the deadline still holds
                await self._check_processing_deadline(pub, now, next_at)
            else:
                await self._evaluate(client, pub, build, now, next_at)
            return
        build = found.get(pub.id)
        if build is not None:
            self.hooks.changed(pub.app_id, now)
            pub = (
                await self._apply(
                    pub,
                    now,
                    lifecycle.build_found(
                        State.WAITING_FOR_BUILD,
                        build.id,
                        NewEvent(
                            "build_found",
                            message=messages.found(pub.label),
                            announce="thread",
                            data={"build_id": build.id},
                        ),
                        last_error=None,
                    ),
                )
                or pub
            )
            await self._evaluate(client, pub, build, now, next_at)
        elif pub.find_deadline and now >= pub.find_deadline:
            waited = (pub.find_deadline - pub.created_at).total_seconds()
            await self._finish(
                pub, now, State.TIMED_OUT, "find_timed_out", messages.find_timed_out(pub.label, waited)
            )
        else:
            await self._apply(pub, now, Change(next_poll_at=self._next(pub, now, floor), last_error=None))

    async def _current(
        self, client: AppStoreConnect, processing: list[Publication], failed: dict[str, Exception]
    ) -> dict[str, Build]:
        """Builds being processed, one batched read; when that read fails, one read per app, so only
        the app whose answer is bad waits."""
        if not processing:
            return {}
        try:
            return {b.id: b for b in await client.get_builds([p.build_id or "" for p in processing])}
        except Exception as exc:
            if isinstance(exc, TRANSIENT) or len({p.app_id for p in processing}) == 1:
                failed.update((p.id, exc) for p in processing)
                return {}
        by_app: dict[str | None, list[Publication]] = defaultdict(list)
        for pub in processing:
            by_app[pub.app_id].append(pub)
        current: dict[str, Build] = {}
        for group in by_app.values():
            try:
                current.update((b.id, b) for b in await client.get_builds([p.build_id or "" for p in group]))
            except Exception as exc:
                failed.update((p.id, exc) for p in group)
        return current

    async def _recovered(self, pub: Publication, now: datetime) -> Publication:
        """App Store Connect answered again: the outage's time does not count against the deadlines."""
        if pub.asc_down_since is None:
            return pub
        lost = max(now - pub.asc_down_since, timedelta(0))
        change = Change(
            asc_down_since=None,
            find_deadline=pub.find_deadline + lost if pub.find_deadline else None,
            process_deadline=pub.process_deadline + lost if pub.process_deadline else None,
        )
        log.info("publication %s: %s of App Store Connect outage added to its deadlines", pub.id, lost)
        return await self._apply(pub, now, change) or pub

    async def _resolve_apps(
        self, client: AppStoreConnect, pubs: list[Publication], now: datetime, next_at: datetime
    ) -> list[Publication]:
        resolved: list[Publication] = []
        apps: dict[str, tuple[str, str] | Exception | None] = {}
        for pub in pubs:
            if pub.app_id:
                resolved.append(pub)
                continue
            if pub.app_bundle_id not in apps:
                try:
                    app = await client.find_app(pub.app_bundle_id)
                    apps[pub.app_bundle_id] = (app.id, app.name) if app else None
                except Exception as exc:
                    if not isinstance(exc, AscError):
                        log.exception("finding app %s failed", pub.app_bundle_id)
                    apps[pub.app_bundle_id] = exc
            found = apps[pub.app_bundle_id]
            if isinstance(found, Exception):
                await self._trouble([pub], found, now, next_at)
                continue
            if found is None:
                await self._finish(
                    pub,
                    now,
                    State.FAILED,
                    "app_not_found",
                    messages.app_not_found(pub.app_bundle_id, client.key_name),
                )
                continue
            pub = await self._recovered(pub, now)
            updated = await self._apply(pub, now, Change(app_id=found[0], app_name=found[1], redraw=True))
            resolved.append(updated or pub)
        return resolved

    async def _find_builds(
        self, client: AppStoreConnect, waiting: list[Publication]
    ) -> tuple[dict[str, Build], dict[str, Exception]]:
        """The builds found per publication, and what went wrong per publication (per app)."""
        groups: dict[tuple[str, str], list[Publication]] = defaultdict(list)
        for pub in waiting:
            groups[(pub.app_id or "", pub.platform)].append(pub)
        found: dict[str, Build] = {}
        failed: dict[str, Exception] = {}
        for (app_id, platform), group in groups.items():
            try:
                found.update(await self._find_in_app(client, app_id, platform, group))
            except Exception as exc:
                if not isinstance(exc, AscError):
                    log.exception("polling the builds of app %s failed", app_id)
                failed.update((p.id, exc) for p in group)
        return found, failed

    async def _find_in_app(
        self, client: AppStoreConnect, app_id: str, platform: str, group: list[Publication]
    ) -> dict[str, Build]:
        found: dict[str, Build] = {}
        limit = min(200, max(20, 2 * len(group)))
        builds = await client.list_recent_builds(app_id, platform, limit=limit)
        index = {(b.marketing_version, b.version): b for b in builds}
        for pub in group:
            build = index.get((pub.version, pub.build_number))
            if build is None and len(builds) >= limit:
                # The app uploads faster than one page covers: ask for this build exactly.
                build = await client.find_build(app_id, pub.build_number, pub.version, platform)
            if build is not None:
                found[pub.id] = build
        return found

    async def _evaluate(
        self, client: AppStoreConnect, pub: Publication, build: Build, now: datetime, next_at: datetime
    ) -> None:
        beta = build.beta_detail
        seen: dict[str, Any] = {
            "processing_state": build.processing_state,
            "beta_internal_state": beta.internal_build_state if beta else None,
            "beta_external_state": beta.external_build_state if beta else None,
        }
        changed = any(getattr(pub, k) != v for k, v in seen.items())
        state = build.processing_state
        betas = (beta.internal_build_state, beta.external_build_state) if beta else ()
        unknown = [f"processingState {state or 'null'}"] if state not in apple.BUILD_PROCESSING_STATES else []
        names = ("internalBuildState", "externalBuildState")
        unknown += [
            f"{n} {b or 'null'}" for n, b in zip(names, betas, strict=False) if b not in apple.BETA_BUILD_STATES
        ]
        exception = next((b for b in betas if b in apple.BETA_FAILED_STATES), None)
        if state in apple.BUILD_FAILED_STATES or exception:
            reasons = await self._upload_reasons(client, pub)
            await self._finish(
                pub,
                now,
                State.FAILED,
                "processing_failed",
                messages.processing_failed(
                    state if state in apple.BUILD_FAILED_STATES else exception or "", reasons
                ),
                extra=seen,
            )
        elif state == "VALID" and beta is not None and not unknown and apple.BETA_PROCESSING not in betas:
            self.hooks.changed(pub.app_id, now)
            event = NewEvent("build_ready", message=messages.ready(pub.label), announce="thread", data=seen)
            await self._apply(pub, now, lifecycle.build_ready(State.PROCESSING, now, seen, event))
        elif pub.process_deadline and now >= pub.process_deadline:
            await self._check_processing_deadline(pub, now, next_at, extra=seen)
        else:
            told = ", ".join(unknown) or None
            event = None
            if told and told != pub.unknown_states:
                until = (pub.process_deadline or now).strftime("%Y-%m-%d %H:%M")
                text = messages.unknown_state(pub.label, unknown, until)
                event = NewEvent("unknown_state", message=text, announce="thread", data={"states": unknown})
                log.warning("publication %s: unknown App Store Connect state(s): %s", pub.id, told)
            change = Change(
                next_poll_at=next_at,
                last_error=None,
                unknown_states=told,
                event=event,
                redraw=changed,
                **seen,
            )
            await self._apply(pub, now, change)

    async def _upload_reasons(self, client: AppStoreConnect, pub: Publication) -> list[str]:
        try:
            upload = await client.find_build_upload(
                pub.app_id or "", pub.version, pub.build_number, pub.platform
            )
        except AscError as exc:
            log.warning("could not read upload errors for publication %s: %s", pub.id, exc)
            return []
        if upload is None:
            return []
        return [f"{code}: {text}" if code else text for code, text in upload.errors]

    async def _check_processing_deadline(
        self, pub: Publication, now: datetime, next_at: datetime, extra: dict[str, Any] | None = None
    ) -> None:
        if pub.process_deadline and now >= pub.process_deadline:
            waited = (pub.process_deadline - pub.created_at).total_seconds()
            await self._finish(
                pub,
                now,
                State.TIMED_OUT,
                "processing_timed_out",
                messages.processing_timed_out(pub.label, waited),
                extra=extra,
            )
        else:
            await self._apply(pub, now, Change(next_poll_at=next_at, **(extra or {})))

    async def _finish(
        self,
        pub: Publication,
        now: datetime,
        state: State,
        kind: str,
        text: str,
        extra: dict[str, Any] | None = None,
    ) -> None:
        event = NewEvent(kind, message=text, announce="broadcast")
        await self._apply(
            pub, now, lifecycle.finish(pub.state, state, now, event, error=text, **(extra or {}))
        )

    async def _apply(self, pub: Publication, now: datetime, change: Change) -> Publication | None:
        return await lifecycle.apply(self._storage, pub.id, now, change)

    async def _trouble(
        self, pubs: list[Publication], exc: Exception, now: datetime, next_at: datetime
    ) -> None:
        """App Store Connect failed or answered what the bot cannot read: tell the thread once per kind
        of trouble. When it could not be asked at all (an outage), that time does not count against
        the deadlines; other trouble does, so a permanent error ends at the deadline, said why."""
        detail = exc.user_message if isinstance(exc, AscError) else unexpected(exc)
        outage = isinstance(exc, TRANSIENT)
        retry_at = next_at if outage else next_at + timedelta(seconds=self._settings.poll_interval)
        log.warning("polling %d publication(s) failed: %s", len(pubs), detail)
        for pub in pubs:
            deadline = pub.find_deadline if pub.state == "waiting_for_build" else pub.process_deadline
            down_since = (pub.asc_down_since or now) if outage else None
            if deadline and now >= deadline and (down_since is None or deadline <= down_since):
                waited = (deadline - pub.created_at).total_seconds()
                text = (
                    messages.find_timed_out(pub.label, waited)
                    if pub.state == "waiting_for_build"
                    else messages.processing_timed_out(pub.label, waited)
                )
                await self._finish(pub, now, State.TIMED_OUT, "timed_out", f"{text} Last error: {detail}")
                continue
            event = None
            if pub.last_error != detail:
                event = NewEvent("asc_trouble", message=messages.asc_trouble(detail), announce="thread")
            change = Change(
                next_poll_at=retry_at,
                last_error=detail,
                asc_down_since=down_since if outage else pub.asc_down_since,
                event=event,
            )
            await self._apply(pub, now, change)
