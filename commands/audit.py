"""`/asc audit [bundle-id]`: the last approver checks and refused clicks, for approvers only."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck

from bot import blocks
from bot.engine.engine import Engine

log = logging.getLogger(__name__)
USAGE = "/asc audit [bundle-id]"


async def run(text: str, command: dict[str, Any], ack: AsyncAck, engine: Engine) -> None:
    words = text.split()
    if len(words) > 1:
        await ack(blocks.usage_problem(USAGE, f"audit takes at most one bundle id; got {len(words)} words."))
        return
    bundle_id = words[0] if words else None
    user = str(command.get("user_id") or "")
    trail = await engine.audit_trail(user, bundle_id)
    if trail is None:
        log.info("refused the audit trail of %s to %s: not an approver", bundle_id or "every app", user)
        await ack(blocks.audit_refused(bundle_id))
        return
    await ack(blocks.audit(trail, bundle_id))
