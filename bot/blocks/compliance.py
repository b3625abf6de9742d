"""Changing an export compliance answer: the approver's confirmation modal and what they are told."""

from __future__ import annotations

from typing import Any

from bot.blocks.base import CHANGE_COMPLIANCE_VIEW, context, escape, mention, section, when
from bot.blocks.forms import modal
from bot.engine.compliance import said
from storage.records import Action, Publication


def change_compliance_modal(pub: Publication, given: Action, current: bool, meta: str) -> dict[str, Any]:
    """Confirm a change: the answer that stands (who gave it, when) and the one it would become."""
    text = (
        f"*{escape(pub.app_name or pub.app_bundle_id)} {escape(pub.version)} ({escape(pub.build_number)})*\n"
        f"Current answer: the app *{said(current)}* non-exempt encryption "
        f"(answered by {mention(given.requested_by)} at {when(given.requested_at)}).\n"
        f"New answer: the app *{said(not current)}* non-exempt encryption."
    )
    note = (
        "App Store Connect takes one answer per build: once the current one has reached Apple it "
        "refuses another, and the thread will say so. The change is logged."
    )
    blocks = [section(text), context(note)]
    return modal(
        CHANGE_COMPLIANCE_VIEW, "Export compliance", blocks, meta, submit="Change it", close="Keep it"
    )


def compliance_unchanged(action: Action) -> str:
    """A change to the answer that already stands: nothing to do."""
    value = action.params.get("uses_non_exempt_encryption")
    return (
        f"🔐 Nothing to change: the export compliance answer is already that the app {said(value)} "
        f"non-exempt encryption (given by {mention(action.requested_by)} at {when(action.requested_at)})."
    )
