"""The publication engine: takes uploads in, polls App Store Connect, runs requested steps once."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.appstore.errors import AscError
from bot.appstore.models import BetaGroup
from bot.appstore.scheduler import Priority, priority
from bot.clock import Clock
from bot.engine import compliance, messages, preflight
from bot.engine.actions import ACTIONS
from bot.engine.clients import Clients
from bot.engine.feedback import FeedbackRelay
from bot.engine.following import Follower, follow_interval
from bot.engine.guard import (
    HELD,
    NEEDS_APPROVER,
    Authority,
    Guard,
    Verdict,
    audit_trail,
    final_answer,
    gate_initial_steps,
)
from bot.engine.intake import InvalidNotice, Problem, UploadNotice
from bot.engine.leases import renew_while_working
from bot.engine.notifier import Notifier, PublicationView
from bot.engine.outbox import Outbox
from bot.engine.polling import Poller
from bot.engine.reminders import Reminders
from bot.engine.runner import StepRunner
from bot.engine.settings import EngineSettings
from bot.errors import AscBotError
from storage.records import Action, Event, Publication
from storage.repository import DIRTY, Intake, NewAction, NewEvent, Storage

log = logging.getLogger(__name__)
REOPENABLE = ("done", "failed")


@dataclass(frozen=True)
class RequestResult:
    """The answer to "please do X": created, already asked for, or refused with a reason."""

    status: str  # requested | already | refused | not_approver (then `verdict` says whose call it is)
    publication: Publication | None
    action: Action | None = None
    reason: str | None = None
    warning: str | None = None  # e.g. CI reported failing tests: it runs anyway, but say so
    verdict: Verdict | None = None


class Engine:
    """Owns every state change of publications; the chat surface and webhooks only ask it."""

    def __init__(
        self,
        storage: Storage,
        clients: Clients,
        notifier: Notifier,
        clock: Clock,
        settings: EngineSettings,
        authority: Authority | None = None,
        *,
        fallback_channel: str | None = None,
    ) -> None:
        self.storage = storage
        self.guard = Guard(storage, clock, authority)
        self.clients = clients
        self.clock = clock
        self.settings = settings
        self._notifier = notifier
        # Where to say that a publication's own channel refused its posts (else a DM to its starter).
        self.outbox = Outbox(
            storage, notifier, clock, fallback_channel, owner=settings.replica, lease=settings.sweep_lease
        )
        self._poller = Poller(storage, settings)
        self._follower = Follower(storage)
        self._sweeping = False
        self._again = False
        self._idle = asyncio.Event()
        self._idle.set()
        self._runner = StepRunner(storage, clients, clock, settings)
        self.feedback = FeedbackRelay(storage, clients, clock, settings)
        self._reminders = Reminders(storage, self.guard, settings)
        self.on_wake: Callable[[], None] | None = None

    async def _refuse_unusable(self, channel: str) -> None:
        """Refuse a publication whose channel certainly cannot take its posts; doubt lets it through."""
        # A channel whose posts are held already (Slack refused it) is refused until it is fixed.
        problem = await self.outbox.known_problem(channel) or await self._notifier.channel_problem(channel)
        if problem is not None:
            raise InvalidNotice([Problem("channel", problem)])

    def wake(self) -> None:
        """Ask for a sweep soon (the scheduler wires this to a run-now job)."""
        if self.on_wake is not None:
            self.on_wake()

    # -- intake -------------------------------------------------------------------------------

    async def intake(self, notice: UploadNotice, *, actor: str = "webhook", source: str = "ci") -> Intake:
        """Store a new publication (or find the one this upload already made)."""
        now = self.clock.now()
        bundle_id, app_id, app_name = notice.bundle_id, notice.apple_id, None
        defaults = self.settings.defaults_for(bundle_id) if bundle_id else None
        try:
            key = self.clients.resolve(notice.api_key or (defaults.api_key if defaults else None))
        except Exception as exc:
            raise InvalidNotice([Problem("api_key", getattr(exc, "user_message", str(exc)))]) from None
        if notice.channel is not None:
            await self._refuse_unusable(notice.channel)  # before anything is asked of App Store Connect
        if bundle_id is None:
            app = await self.clients.get(key).get_app(app_id or "")
            bundle_id, app_name = app.bundle_id, app.name
            defaults = self.settings.defaults_for(bundle_id)
        assert defaults is not None
        bundle_id = defaults.bundle_id or bundle_id  # as configured, whatever letter case was typed
        channel = notice.channel or defaults.channel
        if channel is None:
            raise InvalidNotice(
                [
                    Problem(
                        "channel",
                        "no channel given and none configured for this app "
                        "(SLACK_CHANNEL or the app's channel in ASC_BOT_CONFIG)",
                    )
                ]
            )
        if notice.channel is None:
            await self._refuse_unusable(channel)
        options = {**defaults.publishing, **notice.publishing}
        held = notice.tests_passed is False and not options.get("publish_even_if_tests_fail", False)
        actions = [] if held else initial_actions(options, list(notice.release_notes))
        waiting: list[Verdict] = []
        if source != "ci":  # a person: the app's defaults give them no step they may not run
            asked = {a.kind for a in initial_actions(dict(notice.publishing), [])}
            actions, waiting = await gate_initial_steps(self.guard, actor, bundle_id, actions, asked)
        created = messages.created(
            f"{bundle_id} {notice.version} ({notice.build_number})", self.settings.find_timeout
        )
        fields: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "app_bundle_id": bundle_id,
            "app_id": app_id,
            "app_name": app_name,
            "platform": notice.platform,
            "version": notice.version,
            "build_number": notice.build_number,
            "state": "waiting_for_build",
            "options": options,
            "release_notes": list(notice.release_notes),
            "source": notice.source,
            "tests_passed": notice.tests_passed,
            "api_key": key,
            "channel": channel,
            "find_deadline": now + timedelta(seconds=self.settings.find_timeout),
            "process_deadline": now + timedelta(seconds=self.settings.processing_timeout),
            "next_poll_at": now,
            "message_dirty": 1,
        }
        result = await self.storage.create_publication(
            fields,
            actions,
            delivery=(source, notice.delivery_id or notice.natural_key),
            now=now,
            event=NewEvent(
                "created",
                actor=actor,
                announce="thread",
                message=created + (" " + messages.tests_failed() if held else ""),
                data={"source": notice.source, "options": options},
            ),
        )
        for verdict in waiting if result.created else []:
            await self.storage.add_event(
                result.publication.id,
                NewEvent(
                    NEEDS_APPROVER,
                    actor=actor,
                    announce="thread",
                    message=messages.needs_approver(verdict.title),
                    data={"kind": verdict.kind, "approvers": list(verdict.approvers)},
                ),
                now,
            )
        if result.created:
            log.info(
                "publication %s created for %s %s (%s) by %s",
                result.publication.id,
                bundle_id,
                notice.version,
                notice.build_number,
                actor,
            )
            self.wake()
        return result

    # -- requests from people -----------------------------------------------------------------

    async def request(
        self, publication_id: str, kind: str, actor: str, params: dict[str, Any] | None = None
    ) -> RequestResult:
        """Ask for one step; it runs once the build is ready. Asking twice stores it once."""
        pub = await self.storage.get(publication_id)
        if pub is None:
            return RequestResult("refused", None, reason="This publication no longer exists.")
        spec = ACTIONS.get(kind)
        if spec is None:
            return RequestResult("refused", pub, reason=f"Unknown step {kind!r}.")
        verdict = await self.guard.check(actor, kind, pub.app_bundle_id, pub.id)
        if not verdict.allowed:
            return RequestResult("not_approver", pub, verdict=verdict)
        actions = await self.storage.actions(pub.id)
        answered = final_answer(kind, actions)
        if answered is not None:  # answers are final: sent to Apple (or on the way), never flipped
            return RequestResult("already", pub, answered)
        if kind == compliance.CHANGE:  # an approver's change of an answer already given
            early = await compliance.vet_change(self.storage, pub, actions, actor, params or {}, self.clock.now())
            if early is not None:
                return RequestResult(early[0], pub, early[1], reason=early[2])
        if (
            pub.state in ("timed_out", "cancelled")
            or pub.processing_state in ("INVALID", "FAILED")
            or (pub.state == "failed" and pub.build_id is None)
        ):
            return RequestResult(
                "refused",
                pub,
                reason=f"{pub.label} is {pub.state.replace('_', ' ')}; "
                "nothing more can be done with this build.",
            )
        now = self.clock.now()
        warning = messages.tests_failed_anyway() if pub.tests_passed is False else None
        outcome = await self.storage.request_action(
            pub.id,
            NewAction(kind, actor, params or {}),
            now,
            event=NewEvent(
                "action_requested",
                actor=actor,
                message=messages.requested(spec.title) + (f" {warning}" if warning else ""),
                announce="thread",
                data={"kind": kind, "params": params or {}},
            ),
        )
        if not outcome.created:
            return RequestResult("already", pub, outcome.action)
        if pub.state in REOPENABLE:
            pub = (
                await self.storage.update(
                    pub.id,
                    now,
                    expect_state=REOPENABLE,
                    state="ready",
                    finished_at=None,
                    next_poll_at=now,
                    message_dirty=DIRTY,
                )
                or pub
            )
        self.wake()
        return RequestResult("requested", pub, outcome.action, warning=warning)

    async def check(self, publication_id: str, kind: str, actor: str) -> RequestResult:
        """Whether `actor` may ask for `kind` here (before opening a modal for it); audited."""
        pub = await self.storage.get(publication_id)
        if pub is None:
            return RequestResult("refused", None, reason="This publication no longer exists.")
        verdict = await self.guard.check(actor, kind, pub.app_bundle_id, pub.id)
        return RequestResult("requested" if verdict.allowed else "not_approver", pub, verdict=verdict)

    async def approve(self, publication_id: str, kind: str, actor: str) -> RequestResult:
        """An approver lets a held step (from the app's defaults) run, with its stored params."""
        step = next((a for a in await self.storage.actions(publication_id) if a.kind == kind), None)
        if step is None or step.status != HELD:
            pub = await self.storage.get(publication_id)
            if step is not None and pub is not None:
                return RequestResult("already", pub, step)
            return RequestResult("refused", pub, reason="No step of this publication waits for an approver.")
        return await self.request(publication_id, kind, actor, step.params)

    async def publication(self, publication_id: str) -> PublicationView | None:
        pub = await self.storage.get(publication_id)
        if pub is None:
            return None
        return PublicationView(pub, tuple(await self.storage.actions(pub.id)))

    async def find(
        self, bundle_id: str, version: str, build_number: str, platform: str = "IOS"
    ) -> Publication | None:
        """The publication of one uploaded build, if the bot has one."""
        return await self.storage.find(bundle_id, platform, version, build_number)

    async def status(self, bundle_id: str | None = None) -> list[Publication]:
        return await self.storage.list(bundle_id=bundle_id, active_only=True)

    async def beta_groups(self, publication_id: str) -> list[BetaGroup]:
        """The app's beta groups, read from App Store Connect (for the chat surface's picker)."""
        pub = await self.storage.get(publication_id)
        if pub is None:
            raise AscBotError("This publication no longer exists.")
        client = self.clients.get(pub.api_key)
        try:
            with priority(Priority.PERSON):  # someone waits for the modal
                return await self._beta_groups(client, pub)
        except AscError as exc:
            raise AscBotError(f"Could not read the beta groups: {exc.user_message}") from None

    async def _beta_groups(self, client: Any, pub: Publication) -> list[BetaGroup]:
        app_id = pub.app_id
        if app_id is None:
            app = await client.find_app(pub.app_bundle_id)
            if app is None:
                raise AscBotError(messages.app_not_found(pub.app_bundle_id, client.key_name))
            app_id = app.id
        return await client.list_beta_groups(app_id)

    async def apple_event(self, event_type: str, resource_type: str, resource_id: str) -> bool:
        """An App Store Connect webhook named a changed resource: poll its publication at once."""
        matches: list[Publication] = []
        if resource_type == "appStoreVersions":
            matches = await self.storage.find_by("version_id", resource_id)
        elif resource_type in ("builds", "buildBetaDetails"):  # a build's beta detail shares its id
            matches = await self.storage.find_by("build_id", resource_id)
        elif resource_type == "buildUploads":
            matches = await self._publications_of_upload(resource_id)
        matches = [p for p in matches if p.is_active]
        for pub in matches:
            self._poller.hooks.heard(pub.app_id, self.clock.now())
            await self.storage.update(
                pub.id,
                self.clock.now(),
                next_poll_at=self.clock.now(),
                event=NewEvent(
                    "apple_event", data={"type": event_type, "resource": resource_type, "id": resource_id}
                ),
            )
        if matches:
            self.wake()
        return bool(matches)

    async def _publications_of_upload(self, upload_id: str) -> list[Publication]:
        for name in self.clients.names():
            try:
                upload = await self.clients.get(name).get_build_upload(upload_id)
            except AscError:
                continue
            if upload.build_id:
                by_build = await self.storage.find_by("build_id", upload.build_id)
                if by_build:
                    return by_build
            active = await self.storage.list(active_only=True, limit=10_000)
            matches = [
                p
                for p in active
                if (p.version, p.build_number, p.platform)
                == (upload.version, upload.build_number, upload.platform)
            ]
            if upload.build_id and len(matches) == 1 and matches[0].state == "waiting_for_build":
                # The event names the build: found, no search (the poll then reads it by id).
                pub = matches[0]
                self._poller.hooks.heard(pub.app_id, self.clock.now())
                found = await self.storage.update(
                    pub.id,
                    self.clock.now(),
                    expect_state="waiting_for_build",
                    state="processing",
                    build_id=upload.build_id,
                    message_dirty=DIRTY,
                    event=NewEvent(
                        "build_found",
                        message=messages.found(pub.label),
                        announce="thread",
                        data={"build_id": upload.build_id},
                    ),
                )
                return [found or pub]
            return matches
        return []

    async def cancel(self, publication_id: str, actor: str) -> RequestResult:
        """Stop following a publication: no more polling or steps (what was done at Apple stays done)."""
        pub = await self.storage.get(publication_id)
        if pub is None:
            return RequestResult("refused", None, reason="This publication no longer exists.")
        verdict = await self.guard.check(actor, "cancel", pub.app_bundle_id, pub.id)
        if not verdict.allowed:
            return RequestResult("not_approver", pub, verdict=verdict)
        if not pub.is_active:
            return RequestResult(
                "refused", pub, reason=f"{pub.label} is already {pub.state.replace('_', ' ')}."
            )
        now = self.clock.now()
        done = await self.storage.update(
            pub.id,
            now,
            expect_state=pub.state,
            state="cancelled",
            next_poll_at=None,
            finished_at=now,
            message_dirty=DIRTY,
            event=NewEvent(
                "cancelled", actor=actor, message=messages.cancelled(pub.label), announce="broadcast"
            ),
        )
        if done is None:
            return RequestResult("refused", pub, reason="It changed meanwhile; try again.")
        for action in await self.storage.actions(pub.id):
            if action.is_open:
                await self.storage.finish_action(action.id, "skipped", now, error="cancelled")
        self.wake()
        return RequestResult("requested", done)

    async def audit_trail(self, actor: str, bundle_id: str | None = None) -> list[Event] | None:
        """`/asc audit`: the last approver checks and refused clicks the actor may see (None: none)."""
        return await audit_trail(self.guard, actor, bundle_id)

    async def audit(
        self,
        publication_id: str | None,
        actor: str,
        kind: str,
        message: str,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Append an audit-log entry (e.g. an approver check) without changing any state."""
        await self.storage.add_event(
            publication_id, NewEvent(kind, actor=actor, message=message, data=data or {}), self.clock.now()
        )

    async def check_again(self, publication_id: str, actor: str) -> RequestResult:
        """*Check again* under a pre-flight checklist: the held step looks at App Store Connect now."""
        pub = await self.storage.get(publication_id)
        if pub is None:
            return RequestResult("refused", None, reason="This publication no longer exists.")
        held = [a for a in await self.storage.actions(pub.id) if a.is_open and a.kind in preflight.CHECKED]
        if not pub.is_active or not held:
            return RequestResult("refused", pub, reason=messages.nothing_to_check(pub.label))
        now = self.clock.now()
        await self.storage.update(
            pub.id, now, next_poll_at=now, event=NewEvent(preflight.CHECK_AGAIN, actor=actor)
        )
        self.wake()
        return RequestResult("requested", pub, held[0])

    async def refresh(self, publication_id: str) -> None:
        """Poll this publication at once (an App Store Connect webhook said it changed)."""
        await self.storage.update(publication_id, self.clock.now(), next_poll_at=self.clock.now())
        self.wake()

    # -- the sweep ----------------------------------------------------------------------------

    async def sweep(self) -> None:
        """Do everything that is due. A call during a sweep makes it run once more and waits for it."""
        if self._sweeping:
            self._again = True
            await self._idle.wait()
            return
        self._sweeping = True
        self._idle.clear()
        try:
            while True:
                self._again = False
                await self._sweep_once()
                if not self._again:
                    break
        finally:
            self._sweeping = False
            self._idle.set()

    async def recover(self) -> int:
        """Call once at start-up: resume steps a crashed process left half done."""
        await self.storage.forget_dead_leases()
        count = await self.storage.recover_running(self.clock.now())
        if count:
            log.info("resuming %d step(s) left running by the previous process", count)
        return count

    async def wait_idle(self, within: float = 10.0) -> bool:
        """Wait (bounded) for a running sweep to finish, e.g. before shutting down."""
        try:
            async with asyncio.timeout(within):
                await self._idle.wait()
        except TimeoutError:
            return False
        return True

    async def _sweep_once(self) -> None:
        now = self.clock.now()
        jumped = await self.storage.undo_clock_jump(now)
        if jumped:
            log.warning("the clock went back %s; the schedule and deadlines moved back with it", jumped)
        # Claimed with a lease: another replica on the same database sweeps the others meanwhile.
        owner, lease = self.settings.replica, timedelta(seconds=self.settings.sweep_lease)
        due = await self.storage.claim_due(now, owner, lease)
        renewing = renew_while_working(
            lambda: self.storage.renew_due(owner, [p.id for p in due], self.clock.now() + lease), lease
        )
        try:
            by_key: dict[str, list[Publication]] = defaultdict(list)
            for pub in due:
                if pub.state in ("waiting_for_build", "processing"):
                    by_key[pub.api_key or ""].append(pub)
            await asyncio.gather(*(self._poll_key(key, pubs, now) for key, pubs in by_key.items()))
            ready: dict[str, list[Publication]] = defaultdict(list)
            for pub in await self.storage.held_due(now, owner):
                if pub.state == "ready":
                    ready[pub.api_key or ""].append(pub)
            await asyncio.gather(*(self._follow_and_advance(key, pubs, now) for key, pubs in ready.items()))
        finally:
            renewing.cancel()
            await self.storage.release_due(owner, [p.id for p in due])
        await self.feedback.sweep(now)
        await self._reminders.sweep(now)
        await self.outbox.flush()

    async def _poll_key(self, key: str, pubs: list[Publication], now: Any) -> None:
        try:
            client = self.clients.get(key or None)
        except Exception as exc:
            log.error("cannot poll %d publication(s): %s", len(pubs), exc)
            return
        try:
            with priority(Priority.POLL):
                await self._poller.poll(client, pubs, now)
        except Exception:  # one key's trouble must not stop the other keys or the outbox
            log.exception("polling %d publication(s) of key %s failed", len(pubs), key or "default")

    async def _follow_and_advance(self, key: str, pubs: list[Publication], now: Any) -> None:
        try:
            client = self.clients.get(key or None)
        except Exception as exc:
            log.error("cannot advance %d publication(s): %s", len(pubs), exc)
            return
        with priority(Priority.FOLLOW):
            pubs, used = await self._follower.refresh(client, pubs, now)
        every = follow_interval(self.settings.follow_interval, client, used)
        by_app: dict[str, list[Publication]] = defaultdict(list)
        for pub in pubs:
            by_app[pub.app_bundle_id].append(pub)
        with priority(Priority.STEP):
            await asyncio.gather(*(self._runner.advance_app(group, every) for group in by_app.values()))


APP_STORE_OPTIONS = (
    "release_type",
    "earliest_release_date",
    "copyright",
    "phased_release",
    "cancel_previous_submissions",
)


def initial_actions(options: dict[str, Any], release_notes: list[dict[str, str]]) -> list[NewAction]:
    """The steps the publishing options ask for, requested on behalf of the webhook."""
    actions = []
    wants_beta = bool(options.get("submit_to_testflight") or options.get("beta_groups"))
    # expire_build_submitted_for_review is applied inside the beta review submission itself.
    if isinstance(options.get("uses_non_exempt_encryption"), bool):
        actions.append(
            NewAction(
                "export_compliance",
                "webhook",
                {"uses_non_exempt_encryption": options["uses_non_exempt_encryption"]},
            )
        )
    if release_notes and (wants_beta or not options.get("submit_to_app_store")):
        actions.append(NewAction("what_to_test", "webhook", {"notes": release_notes}))
    if options.get("submit_to_testflight"):
        actions.append(NewAction("testflight", "webhook"))
    if options.get("beta_groups"):
        actions.append(NewAction("beta_groups", "webhook", {"groups": list(options["beta_groups"])}))
    if options.get("submit_to_app_store"):
        params = {k: options[k] for k in APP_STORE_OPTIONS if k in options}
        actions.append(NewAction("app_store", "webhook", params))
    return actions
