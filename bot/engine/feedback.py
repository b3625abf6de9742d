"""TestFlight feedback into the build's thread: from App Store Connect's webhooks, and a slow poll.

Each submission is fetched, matched to the publication of its build (by build id) and recorded once
with its thread reply in one transaction, so a redelivered webhook, a restart or the poll seeing the
same submission again never posts it twice. Past the app's daily threshold, submissions wait for a
digest, posted once per app and day in the thread of the newest build they are about.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from bot.appstore.client import AppStoreConnect
from bot.appstore.errors import AscError
from bot.appstore.feedback import CRASH, FEEDBACK_TYPES, KIND_OF_TYPE, SCREENSHOT, TesterFeedback
from bot.engine import feedback_messages as words
from bot.engine.parts import EnginePart, EngineParts
from storage.feedback import HeldFeedback, NewFeedback, utc_day
from storage.records import Publication
from storage.repository import NewEvent

log = logging.getLogger(__name__)
# Webhook event types (as delivered, camelCase) → the kind of submission they announce.
EVENTS = {
    "betaFeedbackScreenshotSubmissionCreated": SCREENSHOT,
    "betaFeedbackCrashSubmissionCreated": CRASH,
}
WINDOW = timedelta(days=30)  # finished publications whose builds are still polled for feedback
FEEDBACK, DIGEST = "tester_feedback", "feedback_digest"


class FeedbackRelay(EnginePart):
    """Turns testers' submissions into thread replies (or digest lines), each exactly once."""

    def __init__(self, parts: EngineParts) -> None:
        super().__init__(parts)
        self._last_poll: datetime | None = None  # in memory: a restart polls at once, which is harmless

    async def on_event(self, event_type: str, resource_type: str | None, resource_id: str) -> str:
        """A BETA_FEEDBACK_* webhook: 'posted', 'digest', 'duplicate' or 'unknown_build'."""
        kind = EVENTS.get(event_type) or KIND_OF_TYPE.get(resource_type or "", SCREENSHOT)
        if await self._storage.feedback_known(resource_id):
            return "duplicate"
        for name in self._clients.names():
            try:
                item = await self._clients.get(name).get_feedback(kind, resource_id)
            except AscError as exc:
                log.info("feedback %s not readable with key %s: %s", resource_id, name, exc)
                continue
            pubs = await self._storage.find_by("build_id", item.build_id) if item.build_id else []
            if not pubs:
                log.info(
                    "feedback %s is about build %s, which no publication follows", item.id, item.build_id
                )
                return "unknown_build"
            return await self._record(self._clients.get(name), item, _newest(pubs), "webhook")
        log.warning("feedback %s could not be read with any key; the next poll will look again", resource_id)
        return "unreadable"

    async def sweep(self, now: datetime) -> None:
        """The safety-net poll when its interval has passed, then any digest that is due."""
        interval = self._settings.feedback_poll_interval
        if interval > 0 and (self._last_poll is None or now - self._last_poll >= timedelta(seconds=interval)):
            self._last_poll = now
            await self.poll(now)
        await self.post_digests(now)

    async def poll(self, now: datetime) -> int:
        """List the feedback of every app with publications in flight or recent; record what is new."""
        groups: dict[tuple[str, str], list[Publication]] = defaultdict(list)
        for pub in await self._storage.feedback_publications(now - WINDOW):
            groups[(pub.api_key or "", pub.app_id or "")].append(pub)
        recorded = 0
        for (key, app_id), pubs in groups.items():
            by_build: dict[str, Publication] = {}
            for pub in pubs:  # newest first: a build followed twice goes to its newest publication
                by_build.setdefault(pub.build_id or "", pub)
            try:
                client = self._clients.get(key or None)
                for kind in FEEDBACK_TYPES:
                    for item in await client.list_feedback(app_id, kind, list(by_build)):
                        of = by_build.get(item.build_id or "")
                        if of is not None and not await self._storage.feedback_known(item.id):
                            recorded += (await self._record(client, item, of, "poll")) != "duplicate"
            except Exception as exc:  # one app's trouble must not stop the others
                log.warning("polling TestFlight feedback of app %s failed: %s", app_id, exc)
        return recorded

    async def _record(self, client: AppStoreConnect, item: TesterFeedback, pub: Publication, via: str) -> str:
        crash_log = None
        if item.kind == CRASH:
            try:
                crash_log = await client.get_crash_log(item.id)
            except AscError as exc:  # the reply still goes out, with the link to the full log
                log.info("crash log of %s not readable: %s", item.id, exc)
        label = f"{pub.version} ({pub.build_number})"
        text = words.reply(item, label, pub.app_id, crash_log)
        event = NewEvent(
            FEEDBACK,
            actor="testflight",
            message=text,
            announce="thread",
            data={"feedback_id": item.id, "kind": item.kind, "build_id": item.build_id, "via": via},
        )
        new = NewFeedback(
            item.id,
            item.kind,
            pub.app_bundle_id,
            item.build_id or "",
            pub.id,
            via,
            event,
            words.summary(item, label),
        )
        mode = await self._storage.record_feedback(
            new, self._clock.now(), self._settings.feedback_digest_threshold
        )
        if mode is None:
            return "duplicate"
        log.info("feedback %s on publication %s (%s, via %s)", item.id, pub.id, mode, via)
        return "posted" if mode == "reply" else "digest"

    async def post_digests(self, now: datetime) -> int:
        """Post each app's digest of the days before today, once."""
        posted = 0
        for bundle_id, held in (await self._storage.held_feedback(utc_day(now))).items():
            by_day: dict[str, list[HeldFeedback]] = defaultdict(list)
            for item in held:
                by_day[item.day].append(item)
            for day, items in sorted(by_day.items()):
                newest = await self._storage.get(items[-1].publication_id)
                if newest is None:
                    continue
                text = words.digest(
                    bundle_id,
                    day,
                    [i.summary for i in items],
                    self._settings.feedback_digest_threshold,
                    newest.app_id,
                )
                event = NewEvent(
                    DIGEST,
                    actor="testflight",
                    message=text,
                    announce="broadcast",
                    data={"day": day, "count": len(items)},
                )
                posted += await self._storage.post_digest(
                    [i.feedback_id for i in items], newest.id, event, now
                )
        return posted


def _newest(pubs: list[Publication]) -> Publication:
    return max(pubs, key=lambda p: p.created_at)
