"""Ephemeral answers: only the person who acted sees them."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks.base import STATUS_MARKS, escape, mention, mention_approver, when
from storage.records import Action, Event, Publication

# -- ephemeral answers -------------------------------------------------------------------------


def already_requested(title: str, action: Action) -> str:
    return (
        f"*{title}* was already requested by {mention(action.requested_by)} at "
        f"{when(action.requested_at)} ({STATUS_MARKS.get(action.status, action.status)})."
    )


def already_answered(action: Action) -> str:
    """A stale click on an export compliance question: the answer stands, and who gave it when."""
    value = action.params.get("uses_non_exempt_encryption")
    saying: dict[object, str] = {True: "uses", False: "does not use"}
    said = saying.get(value, "was answered about")
    return (
        f"🔐 Export compliance was already answered by {mention(action.requested_by)} at {when(action.requested_at)}: the app "
        f"{said} non-exempt encryption. Answers sent to Apple are final."
    )


def click_refused() -> str:
    return (
        "🚫 This button does not belong to the message it was clicked on, so nothing was done; "
        "the attempt was logged."
    )


def foreign_refused() -> str:
    return (
        "🚫 asc-bot takes requests only from people of the workspace it is installed in, so nothing "
        "was done; the attempt was logged."
    )


def requested(title: str, pub: Publication) -> str:
    """Said privately after a request: queued until the build is ready, or starting now."""
    if pub.state in ("waiting_for_build", "processing"):
        return f"🕓 *{title}* is queued: it runs as soon as Apple has processed {escape(pub.label)}."
    return f"⚙️ *{title}* for {escape(pub.label)} is starting; the thread shows how it goes."


def refused(title: str, reason: str | None) -> str:
    return f"🚫 *{title}* cannot be done: {reason or 'not now.'}"


def gone() -> str:
    return "This publication no longer exists; start a new one with `/asc publish`."


def not_an_approver(title: str, bundle_id: str, approvers: Sequence[str]) -> str:
    who = ", ".join(mention_approver(a) for a in approvers[:20]) + (" …" if len(approvers) > 20 else "")
    return (
        f"🔒 Only approvers may *{title.lower()}* for {escape(bundle_id)}: {who}. "
        "Ask one of them; your attempt was logged."
    )


def cancelled(label: str) -> str:
    return f"🚫 Cancelled {label}: the bot stops waiting and running steps for it (the thread says so)."


def not_found(label: str) -> str:
    return f"No publication of {label} is known to the bot; `/asc status` lists those in flight."


def audit(trail: Sequence[Event], bundle_id: str | None) -> str:
    """`/asc audit`: the newest approver checks and refused clicks, one line each, newest first."""
    scope = f" for {escape(bundle_id)}" if bundle_id else ""
    if not trail:
        return f"No approver checks or refused clicks are on record{scope}."
    lines = [f"*Last {len(trail)} approver checks and refused clicks{scope}* (newest first):"]
    for event in trail:
        text = (event.message or event.kind).replace("{actor}", mention(event.actor))
        lines.append(f"• {when(event.at)}: {'🔒 ' if event.kind != 'approver_allowed' else ''}{text}")
    return "\n".join(lines)


def audit_refused(bundle_id: str | None) -> str:
    scope = f"{escape(bundle_id)}'s" if bundle_id else "the"
    return f"🔒 Only approvers may read {scope} audit trail; ask one of them."


# Why Slack would not open a modal, by the error code views.open answered.
_TRIGGER_ERRORS = ("expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id")
_RATE_ERRORS = ("ratelimited", "rate_limited")
_INVALID_VIEW = ("invalid_arguments", "invalid_blocks", "view_too_large", "duplicate_external_id")


def modal_not_opened(title: str, error: str, detail: str = "") -> str:
    """Said privately when Slack refused to open a form: what happened, and what to do now."""
    if error in _TRIGGER_ERRORS:
        return (
            f"⌛ The *{title}* form did not open: Slack allows 3 seconds between a click and its form, "
            "and that time ran out. Click the button again."
        )
    if error in _RATE_ERRORS:
        return (
            f"🐢 The *{title}* form did not open: Slack is limiting how fast asc-bot may open forms "
            "right now. Wait a minute, then click the button again."
        )
    if error in _INVALID_VIEW:
        said = f" ({escape(detail)})" if detail else ""
        return (
            f"⚠️ The *{title}* form did not open: Slack refused it as invalid{said}. That is a bug in "
            "asc-bot, not something you did; please report it to whoever runs the bot (its log has "
            "the details)."
        )
    return (
        f"⚠️ The *{title}* form did not open: Slack answered `{escape(error)}`. Click the button again "
        "in a moment; if it keeps failing, the bot's log has the details."
    )


def question_not_updated(error: str) -> str:
    """The export compliance answer was taken, but Slack would not let the question show it."""
    if error in _RATE_ERRORS:
        why = "Slack is limiting how fast asc-bot may edit messages right now"
    else:
        why = f"Slack answered `{escape(error)}`"
    return (
        f"🔐 Your export compliance answer was recorded, but the question's buttons could not be "
        f"replaced by it ({why}). Nothing else to do: the thread shows the outcome."
    )


def modal_not_filled(title: str, error: str) -> str:
    """A form opened (showing "loading"), but Slack would not let the bot fill it in."""
    if error in _RATE_ERRORS:
        why = "Slack is limiting how fast asc-bot may update forms right now"
    else:
        why = f"Slack answered `{escape(error)}`"
    return (
        f"🐢 The *{title}* form opened but could not be filled in ({why}). Close it and click the "
        "button again in a minute."
    )
