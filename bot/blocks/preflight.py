"""The pre-flight checklist in the thread: the gaps, and a *Check again* button."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from bot.blocks.base import SECTION_TEXT_MAX, _section, shorten

# The button's action id ("asc_" like every button, so commands/origin.py checks where it was clicked).
CHECK_AGAIN_BUTTON = "asc_preflight_check_again"


def checklist_reply(publication_id: str, text: str) -> tuple[str, list[dict[str, Any]]]:
    """The checklist's text (as the engine wrote it) with the button that runs the check again."""
    text = shorten(text, SECTION_TEXT_MAX)
    button = ButtonElement(
        text="Check again", action_id=CHECK_AGAIN_BUTTON, value=publication_id, style="primary"
    )
    blocks = [_section(text), ActionsBlock(block_id="preflight_checklist", elements=[button])]
    return text, [b.to_dict() for b in blocks]


def checking_again() -> str:
    """The clicker's private answer: the check runs now, its result comes as a thread reply."""
    return "🔁 Checking App Store Connect again; the result follows in this thread."
