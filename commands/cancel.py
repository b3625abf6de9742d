"""`/asc cancel <bundle-id> <version> <build>`: stop a publication (a gated control: approvers only, when configured)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.appstore.states import PLATFORMS
from bot.engine.actions import title_of
from bot.engine.engine import Engine
from commands.approvers import Approvers

USAGE = "/asc cancel <bundle-id> <version> <build> [--platform IOS|MAC_OS|TV_OS|VISION_OS]"
TITLE = title_of("cancel")


async def run(
    text: str,
    command: dict[str, Any],
    ack: AsyncAck,
    respond: AsyncRespond,
    client: AsyncWebClient,
    engine: Engine,
    approvers: Approvers,
) -> None:
    words = text.split()
    platform = "IOS"
    if len(words) == 5 and words[3] == "--platform":
        platform = words[4].upper()
        words = words[:3]
    if len(words) != 3 or platform not in PLATFORMS:
        problem = (
            f"unknown platform {platform}"
            if platform not in PLATFORMS
            else f"cancel takes a bundle id, a version and a build; got {len(words)} word(s)."
        )
        await ack(blocks.usage_problem(USAGE, problem))
        return
    await ack()
    bundle_id, version, build = words
    label = f"{bundle_id} {version} ({build})"
    pub = await engine.find(bundle_id, version, build, platform)
    if pub is None:
        await respond(blocks.not_found(label))
        return
    user = str(command.get("user_id") or "slash")
    result = await engine.cancel(pub.id, user)
    if result.status == "not_approver" and result.verdict is not None:
        await respond(blocks.not_an_approver(TITLE, result.verdict.bundle_id, result.verdict.approvers))
    elif result.status == "refused":
        await respond(blocks.refused(TITLE, result.reason))
    else:
        await respond(blocks.cancelled(label))
