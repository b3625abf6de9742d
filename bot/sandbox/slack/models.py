"""Records the Slack simulator keeps: calls it answered, messages users would see, bot replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Refusal(Exception):
    """A Web API method answering `{"ok": false, "error": ...}`; `extra` is merged into the reply."""

    def __init__(self, error: str, *, status: int = 200, extra: dict[str, Any] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra or {}


@dataclass
class SlackCall:
    """One request the simulator answered, as the bot sent it (token removed) and as it was answered."""

    method: str
    args: dict[str, Any]
    ok: bool
    error: str | None
    response: dict[str, Any]
    at: datetime
    status: int = 200
    warnings: list[str] = field(default_factory=list)
    # True when the answer came from inject_error rather than from the method's own rules.
    injected: bool = False
    # Seconds the answer's Retry-After header asked the caller to wait (HTTP 429), if any.
    retry_after: int | None = None


@dataclass(frozen=True)
class Edit:
    """A message's content before one `chat.update` (or response_url replace) changed it."""

    text: str
    blocks: list[dict[str, Any]]
    at: datetime


@dataclass
class Message:
    """A message as a Slack user sees it; edits change it in place and keep the old versions in `edits`."""

    ts: str
    channel: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None
    reply_broadcast: bool = False
    user: str = ""
    edits: list[Edit] = field(default_factory=list)
    deleted: bool = False
    # Set for ephemeral messages: the only user who sees it.
    ephemeral_to: str | None = None
    # Which path created it: chat.postMessage, chat.postEphemeral, response_url, ack, or user.
    via: str = "chat.postMessage"
    bot_id: str | None = None
    # Message metadata ({"event_type", "event_payload"}) as the poster attached it.
    metadata: dict[str, Any] | None = None

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def versions(self) -> list[str]:
        """Every text this message has shown, oldest first."""
        return [edit.text for edit in self.edits] + [self.text]

    def replace(self, text: str | None, blocks: list[dict[str, Any]] | None, at: datetime) -> None:
        """Edit in place; a field left as None keeps its value, as chat.update does."""
        self.edits.append(Edit(self.text, self.blocks, at))
        if text is not None:
            self.text = text
        if blocks is not None:
            self.blocks = blocks

    def to_slack(
        self, team_id: str, app_id: str | None = None, *, with_metadata: bool = False
    ) -> dict[str, Any]:
        """The message object Slack puts in API replies and interaction payloads.

        Metadata is only shown when asked for (conversations.* `include_all_metadata`).
        """
        out: dict[str, Any] = {
            "type": "message",
            "user": self.user,
            "text": self.text,
            "ts": self.ts,
            "team": team_id,
            "blocks": self.blocks,
        }
        if self.bot_id:
            out["bot_id"] = self.bot_id
            if app_id:
                out["app_id"] = app_id
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        if self.edits:
            out["edited"] = {"user": self.user, "ts": self.ts}
        if with_metadata and self.metadata is not None:
            out["metadata"] = self.metadata
        return out


@dataclass(frozen=True)
class BotResponse:
    """What the bot answered to a request the simulator sent it like Slack does."""

    status: int
    body: str
    json: Any
    elapsed_seconds: float
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class InjectedError:
    """A fault queued by `inject_error`; `times=None` means until cleared."""

    error: str
    status: int
    retry_after: int | None
    times: int | None
    # True: the call is carried out, then the answer is replaced (e.g. HTTP 500 after the post happened).
    after: bool = False
    # Only calls naming this channel (None: any).
    channel: str | None = None
