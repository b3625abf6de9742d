"""Block Kit rendering as pure functions: data in, Slack payload out, always within Slack's limits."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.engine.actions import ACTIONS
from bot.engine.notifier import PublicationView
from storage.records import Action, Event, Publication

# Action ids are a contract between these buttons and the listeners in commands/.
TESTFLIGHT = "asc_submit_testflight"
BETA_GROUPS = "asc_add_beta_groups"
REVIEW = "asc_submit_review"
SCHEDULE = "asc_schedule_release"
BUTTONS = (
    (TESTFLIGHT, "Submit to TestFlight"),
    (BETA_GROUPS, "Add beta groups"),
    (REVIEW, "Submit for review"),
    (SCHEDULE, "Schedule release"),
)

SECTION_TEXT_MAX = 3000
HEADER_MAX = 150
STATE_LINES = {
    "waiting_for_build": "⏳ Waiting for the build to appear in App Store Connect",
    "processing": "⚙️ Apple is processing the build",
    "ready": "✅ Processed and valid",
    "done": "🎉 Done",
    "failed": "❌ Failed",
    "timed_out": "⏰ Timed out",
    "cancelled": "🚫 Cancelled",
}
STATUS_MARKS = {
    "requested": "🕓 queued",
    "running": "⚙️ running",
    "succeeded": "✅ done",
    "failed": "⚠️ failed",
    "skipped": "⏭️ skipped",
}
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def shorten(text: str, limit: int) -> str:
    """Cut text to Slack's limit, saying so, rather than have Slack reject the whole message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mention(actor: str) -> str:
    if _USER_ID.match(actor):
        return f"<@{actor}>"
    return {"webhook": "CI", "slash": "a slash command", "bot": "asc-bot"}.get(actor, actor)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def state_line(pub: Publication) -> str:
    line = STATE_LINES.get(pub.state, pub.state)
    if pub.state == "processing" and pub.processing_state == "VALID":
        line = "⚙️ Processed; waiting for TestFlight's beta details"
    if pub.state in ("failed", "timed_out") and pub.last_error:
        line += f": {escape(pub.last_error)}"
    return line


def _action_line(action: Action) -> str:
    title = ACTIONS[action.kind].title if action.kind in ACTIONS else action.kind
    who = mention(action.requested_by)
    line = f"• {title}: {STATUS_MARKS.get(action.status, action.status)} (asked by {who})"
    if action.status == "failed" and action.error:
        line += f" — {escape(action.error)}"
    return line


def publication_message(view: PublicationView) -> tuple[str, list[dict[str, Any]]]:
    """The publication message: title, state, details, steps, and the four buttons while they apply."""
    pub = view.publication
    name = pub.app_name or pub.app_bundle_id
    title = f"{name} {pub.version} ({pub.build_number})"
    details = [f"*State:* {state_line(pub)}", f"*App:* {escape(pub.app_bundle_id)} · {pub.platform}"]
    source = pub.source or {}
    if source.get("url"):
        details.append(f"*Source:* <{source['url']}|{escape(source.get('name') or source['url'])}>")
    elif source.get("name"):
        details.append(f"*Source:* {escape(source['name'])}")
    if pub.tests_passed is False:
        details.append("*Tests:* ❌ failed in CI")
    blocks: list[Any] = [
        HeaderBlock(text=shorten(f"📱 {title}", HEADER_MAX)),
        SectionBlock(text=MarkdownTextObject(text=shorten("\n".join(details), SECTION_TEXT_MAX))),
    ]
    if view.actions:
        steps = "\n".join(_action_line(a) for a in view.actions)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=shorten(steps, SECTION_TEXT_MAX))))
    if pub.state not in ("timed_out", "cancelled") and pub.processing_state not in ("INVALID", "FAILED"):
        blocks.append(ActionsBlock(block_id="publication_actions", elements=_buttons(pub)))
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Publication `{pub.id}` · uploaded {pub.created_at:%Y-%m-%d %H:%M} UTC"
                )
            ]
        )
    )
    text = shorten(f"{title}: {state_line(pub)}", SECTION_TEXT_MAX)
    return text, [b.to_dict() for b in blocks]


def _buttons(pub: Publication) -> list[ButtonElement]:
    buttons = []
    for action_id, label in BUTTONS:
        confirm = None
        if action_id == REVIEW:
            confirm = ConfirmObject(
                title="Submit for App Store review?",
                text=shorten(
                    f"Submit {pub.app_name or pub.app_bundle_id} {pub.version} ({pub.build_number}) "
                    "to App Store review?",
                    300,
                ),
                confirm="Submit",
                deny="Cancel",
            )
        style = "primary" if action_id == TESTFLIGHT else None
        buttons.append(
            ButtonElement(text=label, action_id=action_id, value=pub.id, style=style, confirm=confirm)
        )
    return buttons


def event_text(event: Event) -> str:
    """A thread reply for an event, with the actor as a Slack mention."""
    text = event.message or event.kind.replace("_", " ")
    return shorten(text.replace("{actor}", mention(event.actor)), SECTION_TEXT_MAX)


def already_requested(title: str, action: Action) -> str:
    return (
        f"{title} was already requested by {mention(action.requested_by)} at "
        f"{_hhmm(action.requested_at)} UTC ({STATUS_MARKS.get(action.status, action.status)})."
    )


def not_available(title: str) -> str:
    return (
        f"*{title}* is not available yet in this version of asc-bot. "
        "It is coming; for now please do it in App Store Connect."
    )


def _hhmm(when: datetime) -> str:
    return f"{when:%H:%M}"
