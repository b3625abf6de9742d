"""What a Slack user does that reaches the bot: clicks, modal submissions, slash commands."""

from __future__ import annotations

import json
from typing import Any

from bot.sandbox.slack import events, payloads
from bot.sandbox.slack.interactions import FORM, SOCKET_MODE, BotCaller
from bot.sandbox.slack.models import BotResponse, Message
from bot.sandbox.slack.responses import apply_view_ack, show_command_ack
from bot.sandbox.slack.workspace import ResponseTarget, Workspace


class ActsAsUser:
    """Sends the bot what Slack would for a user's action, then applies the bot's answer as Slack does.

    `bot_url` is the bot's request URL, or SOCKET_MODE to deliver over the Socket Mode connection.
    """

    workspace: Workspace
    caller: BotCaller
    ack_problems: list[str]

    async def click_button(
        self, bot_url: str, message: Message, action_id: str, user: str = "U123", value: str | None = None
    ) -> BotResponse:
        """Click a button of `message` (confirm dialogs are taken as confirmed)."""
        if message.deleted:
            raise LookupError(f"message {message.ts} was deleted")
        block_id, button = payloads.find_element(message.blocks, action_id, "button")
        if value is not None:
            button = {**button, "value": value}
        target = ResponseTarget(message.channel, user, self.workspace.now(), message.ts, message.thread_ts)
        response_url = self.workspace.issue_response_url(target)
        payload = payloads.block_actions(self.workspace, message, block_id, button, user, response_url)
        return await self.caller.deliver(bot_url, "interactive", payload)

    async def click_view_button(
        self, bot_url: str, view_id: str, action_id: str, user: str | None = None
    ) -> BotResponse:
        """Click a button inside an open modal."""
        block_id, button = payloads.find_element(
            self.workspace.views[view_id].get("blocks") or [], action_id, "button"
        )
        user = user or self.workspace.view_users.get(view_id, "U123")
        payload = payloads.view_block_actions(self.workspace, view_id, block_id, button, user)
        return await self.caller.deliver(bot_url, "interactive", payload)

    async def submit_view(
        self,
        bot_url: str,
        view_id: str,
        values: dict[str, dict[str, dict]] | None = None,
        user: str | None = None,
    ) -> BotResponse:
        """Submit an open modal with `values` ({block_id: {action_id: state}}) and apply the bot's answer."""
        if view_id not in self.workspace.views:
            raise LookupError(f"view {view_id} is not open")
        user = user or self.workspace.view_users.get(view_id, "U123")
        payload = payloads.view_submission(self.workspace, view_id, values or {}, user)
        reply = await self.caller.deliver(bot_url, "interactive", payload)
        if reply.status == 200:
            self.ack_problems += apply_view_ack(self.workspace, view_id, user, reply.json)
        return reply

    async def close_view(self, bot_url: str, view_id: str, user: str | None = None) -> BotResponse | None:
        """The user presses Cancel; the bot hears of it only when the view asked (notify_on_close)."""
        view = self.workspace.views[view_id]
        reply = None
        if view.get("notify_on_close"):
            user = user or self.workspace.view_users.get(view_id, "U123")
            reply = await self.caller.deliver(
                bot_url, "interactive", payloads.view_closed(self.workspace, view_id, user)
            )
        self.workspace.closed_views[view_id] = self.workspace.views.pop(view_id)
        return reply

    async def slash_command(
        self, bot_url: str, command: str, text: str = "", user: str = "U123", channel: str = "C123"
    ) -> BotResponse:
        """Run `/command text` in `channel`; a text ack is shown to the user as Slack would."""
        target = ResponseTarget(channel, user, self.workspace.now())
        response_url = self.workspace.issue_response_url(target)
        fields = payloads.slash_command(self.workspace, command, text, user, channel, response_url)
        reply = await self.caller.deliver(bot_url, "slash_commands", fields)
        if reply.status == 200:
            self.ack_problems += show_command_ack(self.workspace, channel, user, reply.json or reply.body)
        return reply

    async def send_event(self, bot_url: str, event: dict[str, Any]) -> BotResponse:
        """Deliver one Events API event (wrapped in its event_callback envelope), signed JSON or Socket Mode."""
        payload = events.event_callback(self.workspace, event)
        if bot_url == SOCKET_MODE:
            return await self.caller.deliver(bot_url, "events_api", payload)
        return await self.caller.send_signed(bot_url, json.dumps(payload).encode(), "application/json")

    async def invite_bot(
        self, channel: str, bot_url: str | None = None, inviter: str = "U123"
    ) -> BotResponse | None:
        """`/invite @asc-bot` in `channel`: the bot becomes a member; with `bot_url`, Slack tells it
        with a member_joined_channel event (the app subscribes to it, see manifest.yml)."""
        self.workspace.channels[channel]["is_member"] = True
        if bot_url is None:
            return None
        event = events.member_joined_channel(self.workspace, channel, self.workspace.bot_user_id, inviter)
        return await self.send_event(bot_url, event)

    async def open_app_home(self, bot_url: str, user: str = "U123") -> BotResponse:
        """The user opens the app's Home tab: Slack sends `app_home_opened` (Events API)."""
        return await self.caller.deliver(bot_url, "events_api", payloads.app_home_opened(self.workspace, user))

    def home_view(self, user: str) -> dict | None:
        """The Home tab the app last published for `user`."""
        from bot.sandbox.slack.web_views import home_of

        return home_of(self.workspace, user)

    async def send_signed(
        self,
        bot_url: str,
        body: bytes,
        content_type: str = FORM,
        timestamp: int | str | None = None,
        signature: str | None = None,
    ) -> BotResponse:
        """Low level: POST raw `body` signed like Slack, or with a forged `signature`/stale `timestamp`."""
        return await self.caller.send_signed(bot_url, body, content_type, timestamp, signature)
