"""The `/asc` slash command: one router for its sub-commands."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.engine.engine import Engine
from bot.engine.intake import InvalidNotice, UploadNotice

log = logging.getLogger(__name__)
USAGE = {
    "publish": "/asc publish <bundle-id> <version> <build>",
    "status": "/asc status [bundle-id]",
    "help": "/asc help",
}


def help_text() -> str:
    lines = ["*asc-bot* takes an uploaded build to TestFlight or App Store review.", ""]
    lines += [f"• `{usage}`" for usage in USAGE.values()]
    return "\n".join(lines)


def register(app: AsyncApp, engine: Engine) -> None:
    @app.command("/asc")
    async def asc(ack: AsyncAck, command: dict[str, Any]) -> None:
        words = (command.get("text") or "").split()
        verb = words[0].lower() if words else "help"
        if verb == "help":
            await ack(help_text())
        elif verb == "status":
            await ack(await _status(engine, words[1] if len(words) > 1 else None))
        elif verb == "publish":
            await ack(await _publish(engine, words[1:], command))
        else:
            await ack(f"Unknown command `{verb}`.\n{help_text()}")


async def _status(engine: Engine, bundle_id: str | None) -> str:
    pubs = await engine.storage.list(bundle_id=bundle_id, active_only=True)
    if not pubs:
        return f"Nothing in flight{' for ' + bundle_id if bundle_id else ''}."
    return "\n".join(f"• {p.label}: {p.state.replace('_', ' ')}" for p in pubs)


async def _publish(engine: Engine, args: list[str], command: dict[str, Any]) -> str:
    if len(args) != 3:
        return f"Usage: `{USAGE['publish']}` (got {len(args)} argument(s), need 3)."
    bundle_id, version, build = args
    notice = UploadNotice(
        bundle_id=bundle_id,
        apple_id=None,
        platform="IOS",
        version=version,
        build_number=build,
        channel=command.get("channel_id"),
    )
    try:
        intake = await engine.intake(notice, actor=str(command.get("user_id") or "slash"), source="slash")
    except InvalidNotice as exc:
        return "Cannot publish: " + "; ".join(f"{p.field} {p.message}" for p in exc.problems)
    if intake.created:
        return f"Started publication of {bundle_id} {version} ({build}); follow it in the channel."
    return f"{bundle_id} {version} ({build}) is already being published (state {intake.publication.state})."
