"""The pre-flight checklist in the thread: the gaps, and a *Check again* button."""

from __future__ import annotations

from typing import Any

from bot.blocks.base import SECTION_TEXT_MAX, actions, button, section, shorten

# The button's action id ("asc_" like every button, so commands/origin.py checks where it was clicked).
CHECK_AGAIN_BUTTON = "asc_preflight_check_again"


def checklist_reply(publication_id: str, text: str) -> tuple[str, list[dict[str, Any]]]:
    """The checklist's text (as the engine wrote it) with the button that runs the check again."""
    text = shorten(text, SECTION_TEXT_MAX)
    again = button("Check again", CHECK_AGAIN_BUTTON, publication_id, "primary")
    return text, [section(text), actions("preflight_checklist", [again])]


def checking_again() -> str:
    """The clicker's private answer: the check runs now, its result comes as a thread reply."""
    return "🔁 Checking App Store Connect again; the result follows in this thread."
