"""The `/asc` slash command: one router for its sub-commands, and their usage."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.engine.engine import Engine
from commands import audit, cancel, publish, status
from commands.approvers import Approvers
from commands.common import slash_text

log = logging.getLogger(__name__)
USAGE = {
    "publish": publish.USAGE,
    "status": status.USAGE,
    "cancel": cancel.USAGE,
    "audit": audit.USAGE,
    "help": "/asc help",
}


def help_text() -> str:
    lines = ["*asc-bot* takes an uploaded build to TestFlight or App Store review.", ""]
    lines += [f"• `{usage}`" for usage in USAGE.values()]
    lines += [
        "",
        "`--beta-group` takes one group (repeat it for several). `--earliest-release-date` is "
        "ISO 8601 on the hour (UTC unless it says otherwise) and implies `--release-type SCHEDULED`. "
        "The flags are `asc-bot notify`'s. The buttons on each build's message do the rest.",
    ]
    return "\n".join(lines)


def register(app: AsyncApp, engine: Engine, approvers: Approvers) -> None:
    @app.command("/asc")
    async def asc(
        ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any], client: AsyncWebClient
    ) -> None:
        verb, _, rest = slash_text(command).strip().partition(" ")
        verb = verb.lower() or "help"
        if verb == "help":
            await ack(help_text())
        elif verb == "status":
            await status.run(rest, ack, engine)
        elif verb == "publish":
            await publish.run(rest, command, ack, respond, client, engine, approvers)
        elif verb == "audit":
            await audit.run(rest, command, ack, engine)
        elif verb == "cancel":
            await cancel.run(rest, command, ack, respond, client, engine, approvers)
        else:
            await ack(
                blocks.usage_problem(
                    "/asc publish|status|cancel|audit|help …", f"Unknown command `{blocks.escape(verb)}`."
                )
                + "\n\n"
                + help_text()
            )
