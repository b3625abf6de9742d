"""The App Home tab: publications in flight per app, each with its next step and who must act."""

from __future__ import annotations

from typing import Any

from bot.blocks.base import context, escape, fit, header, mention_approver, section
from bot.blocks.modals import message_link
from bot.engine.overview import ANYONE, APPLE, APPROVERS, BOT, Item, Overview

MAX_HOME_BLOCKS = 100  # Slack's limit for a Home tab
CALLBACK_ID = "asc_home"


def _who(item: Item) -> str:
    step = item.step
    if step.who == APPROVERS:
        return ", ".join(mention_approver(a) for a in step.approvers[:10]) or "anyone"
    if step.who == ANYONE:
        channel = item.publication.channel
        return f"anyone in <#{channel}>" if channel else "anyone"
    return {APPLE: "Apple", BOT: "asc-bot"}.get(step.who, step.who)


def _line(item: Item) -> str:
    pub = item.publication
    label = f"{escape(pub.version)} ({escape(pub.build_number)})"
    link = message_link(pub)
    shown = f"<{link}|{label}>" if link else label
    return f"*{shown}* · next: {item.step.text} · who: {_who(item)}"


def home_view(overview: Overview) -> dict[str, Any]:
    """The Home tab: the viewer's pending approvals first, then every app's publications in flight."""
    blocks: list[dict[str, Any]] = []
    if overview.approvals:
        blocks.append(header("Waiting for your approval"))
        for item in overview.approvals:
            pub = item.publication
            blocks.append(section(f"{escape(pub.app_name or pub.app_bundle_id)} {_line(item)}"))
        blocks.append({"type": "divider"})
    elif overview.is_approver:
        blocks.append(context("✅ Nothing waits for your approval."))
    blocks.append(header("Publications in flight"))
    if not overview.apps:
        blocks.append(
            section("Nothing is in flight. CI's build-uploaded webhook or `/asc publish` starts one.")
        )
    for bundle_id, items in overview.apps.items():
        name = items[0].publication.app_name
        title = f"*{escape(name)}* ({escape(bundle_id)})" if name else f"*{escape(bundle_id)}*"
        blocks.append(section(title + "\n" + "\n".join(f"• {_line(i)}" for i in items[:20])))
        if len(items) > 20:
            blocks.append(context(f"…and {len(items) - 20} more: `/asc status {bundle_id}`"))
    blocks.append(context("Updated each time you open this tab."))
    return {"type": "home", "callback_id": CALLBACK_ID, "blocks": fit(blocks, MAX_HOME_BLOCKS)}
