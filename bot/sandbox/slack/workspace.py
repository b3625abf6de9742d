"""The simulated workspace's state: channels, users, messages, modals, trigger ids and response URLs."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.sandbox.slack.models import Message, Refusal

TRIGGER_LIFETIME = timedelta(seconds=3)
RESPONSE_URL_LIFETIME = timedelta(minutes=30)
RESPONSE_URL_USES = 5
CHANNEL_PREFIXES = ("C", "G", "D")
USER_PREFIXES = ("U", "W")
# The bot scopes manifest.yml asks for (a test keeps the two the same).
DEFAULT_SCOPES = frozenset(
    {
        "commands",
        "chat:write",
        "chat:write.public",
        "channels:read",
        "groups:read",
        "channels:history",
        "groups:history",
        "im:history",
        "im:write",
        "usergroups:read",
    }
)


@dataclass
class Trigger:
    """A trigger_id: single use, valid for 3 s; `view_id` is set when issued from inside a modal."""

    user: str
    issued_at: datetime
    view_id: str | None = None
    used: bool = False


@dataclass
class ResponseTarget:
    """Where a response_url leads: the channel, the message an interaction came from, the user."""

    channel: str | None
    user: str
    issued_at: datetime
    message_ts: str | None = None
    thread_ts: str | None = None
    uses: int = 0


class Workspace:
    """One team as seen by one bot user; all Web API semantics act on this state."""

    def __init__(self, *, team_id: str, bot_user_id: str, bot_id: str, app_id: str, clock: Clock) -> None:
        self.team_id = team_id
        self.team_domain = "asc-sim"
        # Enterprise Grid (SlackSimulator.enterprise_grid): the org's id (E…) and whether the app is
        # installed org-wide, which makes interactions carry `team: null`.
        self.enterprise_id: str | None = None
        self.enterprise_name: str | None = None
        self.org_install = False
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.clock = clock
        self.base_url = ""  # set by the server once it knows its port
        self.messages: dict[str, list[Message]] = {}
        self.ephemerals: list[Message] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.closed_views: dict[str, dict[str, Any]] = {}
        self.view_users: dict[str, str] = {}
        # response_action "errors" answers by view id, as the user saw them under the inputs.
        self.view_errors: dict[str, dict[str, str]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        # Conversations by id; only declared ones exist for the bot's Web API calls.
        self.channels: dict[str, dict[str, Any]] = {}
        self.scopes: set[str] = set(DEFAULT_SCOPES)
        self.usergroups: dict[str, list[str]] = {}
        self.triggers: dict[str, Trigger] = {}
        self.response_targets: dict[str, ResponseTarget] = {}
        self.on_post: Callable[[Message], Any] | None = None
        self.on_update: Callable[[Message], Any] | None = None
        self._index: dict[tuple[str, str], Message] = {}
        self._last_micros = 0
        self._serial = 0

    def now(self) -> datetime:
        return self.clock.now()

    def next_ts(self) -> str:
        """A message ts from the clock, strictly increasing even when a fake clock stands still."""
        micros = max(int(self.now().timestamp() * 1_000_000), self._last_micros + 1)
        self._last_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def serial(self) -> int:
        self._serial += 1
        return self._serial

    # Messages

    def post(self, channel: str, text: str, blocks: list[dict[str, Any]], **fields: Any) -> Message:
        """Add a message; `fields` are Message fields (thread_ts, reply_broadcast, user, via, ...)."""
        fields.setdefault("user", self.bot_user_id)
        if fields["user"] == self.bot_user_id:
            fields.setdefault("bot_id", self.bot_id)
        message = Message(ts=self.next_ts(), channel=channel, text=text, blocks=blocks, **fields)
        if message.ephemeral_to:
            self.ephemerals.append(message)
        else:
            self.messages.setdefault(channel, []).append(message)
        self._index[(channel, message.ts)] = message
        if self.on_post is not None:
            self.on_post(message)
        return message

    def edit(self, message: Message, text: str | None, blocks: list[dict[str, Any]] | None) -> None:
        message.replace(text, blocks, self.now())
        if self.on_update is not None:
            self.on_update(message)

    def delete(self, message: Message) -> None:
        message.deleted = True
        if self.on_update is not None:
            self.on_update(message)

    def find(self, channel: str, ts: str) -> Message | None:
        return self._index.get((channel, ts))

    def thread(self, channel: str, ts: str) -> list[Message]:
        """Replies under the parent `ts`, oldest first (the parent itself excluded)."""
        return [m for m in self.messages.get(channel, []) if m.thread_ts == ts and m.ts != ts]

    def top_level(self, channel: str) -> list[Message]:
        """What the channel shows: parents and replies that were also sent to the channel."""
        return [m for m in self.messages.get(channel, []) if not m.is_reply or m.reply_broadcast]

    def permalink(self, channel: str, message: Message) -> str:
        link = f"https://{self.team_domain}.slack.com/archives/{channel}/p{message.ts.replace('.', '')}"
        if message.is_reply:
            link += f"?thread_ts={message.thread_ts}&cid={channel}"
        return link

    # Directory

    def add_channel(
        self,
        channel: str,
        name: str,
        *,
        member: bool = True,
        archived: bool = False,
        private: bool | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Declare a conversation; `member` says whether the bot was invited (or joined)."""
        if not channel.startswith(CHANNEL_PREFIXES):
            raise ValueError(f"channel ids start with C, G or D; got {channel!r}")
        kind = channel[0]
        private = kind != "C" if private is None else private
        info = self.channels.setdefault(channel, {"id": channel, "created": int(self.now().timestamp())})
        info.update(
            name=name,
            name_normalized=name,
            is_channel=kind == "C" and not private,
            is_group=kind == "G" or (kind == "C" and private),
            is_im=kind == "D",
            is_mpim=False,
            is_private=private,
            is_archived=archived,
            is_member=member,
            **extra,
        )
        return info

    def channel_info(self, channel: Any) -> dict[str, Any]:
        """The channel a person acts in (slash command, click); declared on first use with the bot in it."""
        if not isinstance(channel, str) or not channel.startswith(CHANNEL_PREFIXES):
            raise Refusal("channel_not_found")
        if channel not in self.channels:
            self.add_channel(channel, f"sim-{channel.lower()}")
        return self.channels[channel]

    def conversation(self, channel: Any) -> dict[str, Any]:
        """A channel as the bot's token sees it: unknown ids, and private ones it is not in, are not found."""
        info = self.channels.get(channel) if isinstance(channel, str) else None
        if info is None or (info["is_private"] and not info["is_member"]):
            raise Refusal("channel_not_found")
        return info

    def writable(self, channel: Any) -> dict[str, Any]:
        """A channel the bot may post in (chat.*), or the refusal Slack gives for it."""
        info = self.conversation(channel)
        if info["is_archived"]:
            raise Refusal("is_archived")
        if not info["is_member"] and (info["is_private"] or "chat:write.public" not in self.scopes):
            raise Refusal("not_in_channel")
        return info

    def require_scope(self, *any_of: str) -> None:
        """Refuse with missing_scope unless the token has one of `any_of`, as Slack words it."""
        if not any(scope in self.scopes for scope in any_of):
            raise Refusal(
                "missing_scope", extra={"needed": ",".join(any_of), "provided": ",".join(sorted(self.scopes))}
            )

    def open_im(self, user: str) -> dict[str, Any]:
        """The bot's direct-message channel with `user` (conversations.open), made on first use."""
        for info in self.channels.values():
            if info.get("is_im") and info.get("user") == user:
                return info
        channel = f"D{len(self.channels) + 1:08d}"
        return self.add_channel(channel, user, user=user)

    def user_info(self, user: Any) -> dict[str, Any]:
        """A user's profile; any U…/W… id is a member (with UTC time zone) unless added otherwise."""
        if not isinstance(user, str) or not user.startswith(USER_PREFIXES):
            raise Refusal("user_not_found")
        if user not in self.users:
            self.add_user(user)
        return self.users[user]

    def add_user(self, user: str, name: str | None = None, tz: str = "UTC", **extra: Any) -> dict[str, Any]:
        offset = ZoneInfo(tz).utcoffset(self.now().replace(tzinfo=None))
        name = name or user.lower()
        profile = {"real_name": name, "display_name": name, "email": f"{name}@example.com"}
        self.users[user] = {
            "id": user,
            "team_id": self.team_id,
            "name": name,
            "real_name": name,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "is_bot": user == self.bot_user_id,
            "deleted": False,
            "profile": profile,
            **extra,
        }
        return self.users[user]

    # Trigger ids and response URLs

    def issue_trigger(self, user: str, view_id: str | None = None) -> str:
        trigger_id = f"{self.serial()}.{int(self.now().timestamp())}.{secrets.token_hex(16)}"
        self.triggers[trigger_id] = Trigger(user=user, issued_at=self.now(), view_id=view_id)
        return trigger_id

    def exchange_trigger(self, trigger_id: Any) -> Trigger:
        trigger = self.triggers.get(trigger_id) if isinstance(trigger_id, str) else None
        if trigger is None:
            raise Refusal("invalid_trigger_id")
        if trigger.used:
            raise Refusal("exchanged_trigger_id")
        if self.now() - trigger.issued_at >= TRIGGER_LIFETIME:
            raise Refusal("expired_trigger_id")
        trigger.used = True
        return trigger

    def issue_response_url(self, target: ResponseTarget) -> str:
        url_id = f"{self.serial()}/{secrets.token_hex(8)}"
        self.response_targets[url_id] = target
        return f"{self.base_url}/response_url/{url_id}"
