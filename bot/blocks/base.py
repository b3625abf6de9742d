"""Ids, Slack limits, wording helpers and small builders shared by every payload."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.engine.actions import GATED, label_of
from storage.m011_step_kinds import RENAMED_KINDS
from storage.records import Publication

# Action and callback ids are a contract between these payloads and the listeners in commands/.
SUBMIT_TO_TESTFLIGHT = "asc_submit_to_testflight"
BETA_GROUPS = "asc_add_beta_groups"
SUBMIT_TO_APP_STORE = "asc_submit_to_app_store"
SCHEDULE = "asc_schedule_release"
RELEASE_NOW = "asc_release_now"
PHASED_PAUSE = "asc_phased_pause"
PHASED_RESUME = "asc_phased_resume"
PHASED_COMPLETE = "asc_phased_complete"
COMPLIANCE_YES = "asc_compliance_yes"
COMPLIANCE_NO = "asc_compliance_no"
CHANGE_COMPLIANCE = "asc_compliance_change"  # approvers: another answer, confirmed in CHANGE_COMPLIANCE_VIEW
# The step each button of the publication message asks for; its text is the step's label in the
# step registry (bot/engine/actions.py).
STEP_BUTTONS = {
    SUBMIT_TO_TESTFLIGHT: "submit_to_testflight",
    BETA_GROUPS: "beta_groups",
    SUBMIT_TO_APP_STORE: "submit_to_app_store",
    SCHEDULE: "schedule_release",
    RELEASE_NOW: "release_now",
    PHASED_PAUSE: "phased_pause",
    PHASED_RESUME: "phased_resume",
    PHASED_COMPLETE: "phased_complete",
    CHANGE_COMPLIANCE: "change_export_compliance",
}
# The four buttons of a new publication's message, in order (their texts are a contract).
BUTTONS = tuple(
    (action_id, label_of(STEP_BUTTONS[action_id]))
    for action_id in (SUBMIT_TO_TESTFLIGHT, BETA_GROUPS, SUBMIT_TO_APP_STORE, SCHEDULE)
)
APPROVE = "asc_approve_"  # + the held step's kind: an approver lets it run
WHAT_TO_TEST_VIEW = "asc_what_to_test"
BETA_GROUPS_VIEW = "asc_beta_groups"
# The same text as its button's action id: Bolt matches clicks (block_actions) by action id and
# submissions (view_submission) by callback id, apart.
SUBMIT_TO_APP_STORE_VIEW = "asc_submit_to_app_store"
SCHEDULE_VIEW = "asc_schedule"
CHANGE_COMPLIANCE_VIEW = "asc_change_compliance"
# Ids that releases before the one-name-per-concept renames (issue 13) gave Slack, which keeps them
# on messages already posted and modals already open: each is taken as the id it became (each
# listener matches `accepted(...)`; a click's id is read through `current_action_id`).
LEGACY_ACTION_IDS: dict[str, str] = {
    "asc_submit_testflight": SUBMIT_TO_TESTFLIGHT,
    "asc_submit_review": SUBMIT_TO_APP_STORE,
    # *Approve and run it* under a held (gated) step carries the step's kind as it was then.
    **{APPROVE + old: APPROVE + new for old, new in RENAMED_KINDS.items() if new in GATED},
}
LEGACY_CALLBACK_IDS: dict[str, str] = {"asc_review": SUBMIT_TO_APP_STORE_VIEW}
# Input block ids double as their element's action id and as the keys of `response_action: errors`.
LOCALE = "locale"
WHATS_NEW = "whats_new"
GROUPS = "groups"
RELEASE_TYPE = "release_type"
RELEASE_DATE = "release_date"
COPYRIGHT = "copyright"
SUBMIT_TO_APP_STORE_OPTIONS = "submit_to_app_store_options"  # its ticks: phased release, cancel others
COMPLIANCE_QUESTION = "export_compliance_question"
NEEDS_APPROVER = "needs_approver"
# Input block ids of modals opened before issue 13 (a form open at the upgrade still has them); a
# submission's values are read under the id each became (`current_block_id`).
LEGACY_BLOCK_IDS: dict[str, str] = {"review_options": SUBMIT_TO_APP_STORE_OPTIONS}

# Slack's limits (docs.slack.dev/reference/block-kit); slack_sdk checks most, not the block count.
MAX_BLOCKS = 50
SECTION_TEXT_MAX = 3000
HEADER_MAX = 150
INPUT_MAX = 3000
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
MAX_OPTIONS = 100
CONFIRM_TEXT_MAX = 300

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
    "held": "⏸ waiting for an approver",
}
RELEASE_TYPE_LABELS = {
    "MANUAL": "Manually, when someone presses Release now",
    "AFTER_APPROVAL": "Automatically, as soon as Apple approves it",
    "SCHEDULED": "Automatically, not before the date below",
}
# App Store Connect's localizations, for the What to Test language picker.
# fmt: off
LOCALES = (
    "en-US", "en-GB", "en-AU", "en-CA", "de-DE", "fr-FR", "fr-CA", "es-ES", "es-MX", "it", "ja",
    "ko", "nl-NL", "pt-BR", "pt-PT", "ru", "sv", "da", "fi", "no", "pl", "cs", "sk", "hu", "ro",
    "hr", "el", "tr", "uk", "he", "ar-SA", "hi", "th", "vi", "id", "ms", "ca", "zh-Hans", "zh-Hant",
)
# fmt: on
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


# -- small helpers ----------------------------------------------------------------------------


def accepted(current: str, legacy: Mapping[str, str] = LEGACY_ACTION_IDS) -> re.Pattern[str]:
    """What a listener for the id `current` matches: it, and the old ids (`legacy`) that became it."""
    names = [current, *(old for old, new in legacy.items() if new == current)]
    return re.compile("^(?:" + "|".join(re.escape(name) for name in names) + ")$")


def current_action_id(action_id: str) -> str:
    """A click's action id as it is called today (an old one as the id it became)."""
    return LEGACY_ACTION_IDS.get(action_id, action_id)


def current_block_id(block_id: str) -> str:
    """A submitted input block's id as it is called today (an old one as the id it became)."""
    return LEGACY_BLOCK_IDS.get(block_id, block_id)


def shorten(text: str, limit: int) -> str:
    """Cut text to Slack's limit, saying so, rather than have Slack reject the whole message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mention(actor: str) -> str:
    """A Slack mention for user ids; CI and the bot by name."""
    if _USER_ID.match(actor):
        return f"<@{actor}>"
    return {"webhook": "CI", "slash": "a slash command", "bot": "asc-bot"}.get(actor, actor)


def mention_approver(approver: str) -> str:
    """A user (U…/W…) or user group (S…) as Slack shows it."""
    return f"<!subteam^{approver}>" if approver.startswith("S") else f"<@{approver}>"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def when(moment: datetime) -> str:
    """A time every reader sees in their own time zone (Slack's date token), UTC as the fallback."""
    stamp = int(moment.timestamp())
    fallback = f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{fallback}>"


def fit(blocks: list[dict[str, Any]], limit: int = MAX_BLOCKS) -> list[dict[str, Any]]:
    """At most `limit` blocks: the rest is replaced by a note, never sent for Slack to refuse."""
    if len(blocks) <= limit:
        return blocks
    return [*blocks[: limit - 1], context(f"…and {len(blocks) - limit + 1} more not shown.")]


# -- blocks as the JSON Slack takes ------------------------------------------------------------
# Plain dicts, exactly as slack_sdk's models give them (`to_dict`: keys sorted, except a confirm's;
# None and empty values left out): building and validating the models cost ~1 ms per publication
# message, which the outbox posts for every webhook (benchmark 5), and ~25% of the bot's CPU in a
# burst of modals and replies (issue 14; form parts are in forms.py). Each caller keeps within
# Slack's limits (`shorten`); tests/test_message_payloads.py and tests/test_blocks_payloads.py check
# the results against recordings made with slack_sdk's models, and against the models themselves.


def plain_text(text: str) -> dict[str, Any]:
    return {"emoji": True, "text": text, "type": "plain_text"}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"text": text, "type": "mrkdwn"}


def section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block = {"text": mrkdwn(shorten(text, SECTION_TEXT_MAX)), "type": "section"}
    return {"block_id": block_id, **block} if block_id else block


def context(text: str) -> dict[str, Any]:
    return {"elements": [mrkdwn(shorten(text, SECTION_TEXT_MAX))], "type": "context"}


def header(text: str) -> dict[str, Any]:
    return {"text": plain_text(shorten(text, HEADER_MAX)), "type": "header"}


def actions(block_id: str, elements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"block_id": block_id, "elements": elements, "type": "actions"}


def confirm(title: str, text: str, yes: str, no: str = "Cancel") -> dict[str, Any]:
    """A confirmation dialog (its keys in slack_sdk's order: title, text, confirm, deny)."""
    return {
        "title": plain_text(title),
        "text": mrkdwn(shorten(text, CONFIRM_TEXT_MAX)),
        "confirm": plain_text(yes),
        "deny": plain_text(no),
    }


def button(
    text: str, action_id: str, value: str, style: str | None = None, ask: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A button; `ask` is its confirmation dialog (`confirm`)."""
    element: dict[str, Any] = {"action_id": action_id}
    if ask:
        element["confirm"] = ask
    if style:
        element["style"] = style
    element.update(text=plain_text(text), type="button", value=value)
    return element


def _humane(state: str) -> str:
    return state.replace("_", " ").capitalize()


def _release_date(pub: Publication) -> datetime | None:
    raw = pub.earliest_release_date or pub.options.get("earliest_release_date")
    try:
        return datetime.fromisoformat(str(raw).replace("Z", "+00:00")) if raw else None
    except ValueError:
        return None
