"""A new upload becomes a publication: its app, key and channel resolved, its first steps asked for."""

from __future__ import annotations

import logging
from typing import Any

from bot.engine import lifecycle, messages
from bot.engine.guard import NEEDS_APPROVER, Verdict, gate_initial_steps
from bot.engine.intake import InvalidNotice, Problem, UploadNotice
from bot.engine.parts import EnginePart
from storage.ids import new_ulid
from storage.repository import Intake, NewAction, NewEvent

log = logging.getLogger(__name__)

APP_STORE_OPTIONS = (
    "release_type",
    "earliest_release_date",
    "copyright",
    "phased_release",
    "cancel_previous_submissions",
)


class Uploads(EnginePart):
    """Stores a new publication (or finds the one this upload already made)."""

    async def _refuse_unusable(self, channel: str) -> None:
        """Refuse a publication whose channel certainly cannot take its posts; doubt lets it through."""
        # A channel whose posts are held already (Slack refused it) is refused until it is fixed.
        problem = await self._outbox.known_problem(channel) or await self._notifier.channel_problem(channel)
        if problem is not None:
            raise InvalidNotice([Problem("channel", problem)])

    async def intake(self, notice: UploadNotice, *, actor: str, source: str) -> Intake:
        now = self._clock.now()
        bundle_id, app_id, app_name = notice.bundle_id, notice.apple_id, None
        defaults = self._settings.defaults_for(bundle_id) if bundle_id else None
        try:
            key = self._clients.resolve(notice.api_key or (defaults.api_key if defaults else None))
        except Exception as exc:
            raise InvalidNotice([Problem("api_key", getattr(exc, "user_message", str(exc)))]) from None
        if notice.channel is not None:
            await self._refuse_unusable(notice.channel)  # before anything is asked of App Store Connect
        if bundle_id is None:
            app = await self._clients.get(key).get_app(app_id or "")
            bundle_id, app_name = app.bundle_id, app.name
            defaults = self._settings.defaults_for(bundle_id)
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
            actions, waiting = await gate_initial_steps(self._guard, actor, bundle_id, actions, asked)
        created = messages.created(
            f"{bundle_id} {notice.version} ({notice.build_number})", self._settings.find_timeout
        )
        fields: dict[str, Any] = {
            "id": new_ulid(),
            "app_bundle_id": bundle_id,
            "app_id": app_id,
            "app_name": app_name,
            "platform": notice.platform,
            "version": notice.version,
            "build_number": notice.build_number,
            "options": options,
            "release_notes": list(notice.release_notes),
            "source": notice.source,
            "tests_passed": notice.tests_passed,
            "api_key": key,
            "channel": channel,
            **lifecycle.start(now, self._settings.find_timeout, self._settings.processing_timeout),
        }
        result = await self._storage.create_publication(
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
            await self._storage.add_event(
                result.publication_id,
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
                result.publication_id,
                bundle_id,
                notice.version,
                notice.build_number,
                actor,
            )
        return result


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
        actions.append(NewAction("submit_to_testflight", "webhook"))
    if options.get("beta_groups"):
        actions.append(NewAction("beta_groups", "webhook", {"groups": list(options["beta_groups"])}))
    if options.get("submit_to_app_store"):
        params = {k: options[k] for k in APP_STORE_OPTIONS if k in options}
        actions.append(NewAction("submit_to_app_store", "webhook", params))
    return actions
