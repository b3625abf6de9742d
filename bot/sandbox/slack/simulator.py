"""SlackSimulator: a Slack workspace on a loopback port that the bot's real AsyncWebClient talks to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.clock import Clock, SystemClock
from bot.sandbox.slack import payloads
from bot.sandbox.slack.interactions import FORM, BotCaller
from bot.sandbox.slack.models import BotResponse, InjectedError, Message, SlackCall
from bot.sandbox.slack.responses import apply_view_ack, show_command_ack
from bot.sandbox.slack.server import ApiServer
from bot.sandbox.slack.socket_mode import SocketModeLink
from bot.sandbox.slack.workspace import ResponseTarget, Workspace

DEFAULT_SIGNING_SECRET = "sim-signing-secret"
DEFAULT_BOT_TOKEN = "xoxb-sim"
DEFAULT_APP_TOKEN = "xapp-sim"


class SlackSimulator:
    """Serves the Web API on 127.0.0.1, records every call, and sends Slack-signed requests to the bot."""

    def __init__(
        self,
        signing_secret: str = DEFAULT_SIGNING_SECRET,
        bot_token: str = DEFAULT_BOT_TOKEN,
        team_id: str = "T0SIM",
        bot_user_id: str = "U0BOT",
        clock: Clock | None = None,
        *,
        app_token: str = DEFAULT_APP_TOKEN,
        app_id: str = "A0SIM",
        bot_id: str = "B0BOT",
        host: str = "127.0.0.1",
    ) -> None:
        clock = clock or SystemClock()
        self.workspace = Workspace(
            team_id=team_id, bot_user_id=bot_user_id, bot_id=bot_id, app_id=app_id, clock=clock
        )
        self.server = ApiServer(self.workspace, bot_token=bot_token, app_token=app_token)
        self.caller = BotCaller(signing_secret)
        self.socket = SocketModeLink(self.server, self.caller)
        # Answers Slack would refuse to show (bad ack bodies, unknown error keys), for tests to assert on.
        self.ack_problems: list[str] = []
        self.host = host
        self.base_url = ""
        self.api_url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Listen on a free port; returns the Web API base URL (with the trailing slash slack_sdk wants)."""
        self._runner = web.AppRunner(self.server.app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, 0).start()
        port = self._runner.addresses[0][1]
        self.base_url = self.workspace.base_url = f"http://{self.host}:{port}"
        self.api_url = f"{self.base_url}/api/"
        await self.caller.open()
        return self.api_url

    async def stop(self) -> None:
        await self.socket.close()
        await self.caller.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SlackSimulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # What happened

    @property
    def calls(self) -> list[SlackCall]:
        return self.server.calls

    def calls_to(self, method: str) -> list[SlackCall]:
        return [call for call in self.server.calls if call.method == method]

    @property
    def messages(self) -> dict[str, list[Message]]:
        """Channel id -> every message in it (parents and thread replies), in posting order."""
        return self.workspace.messages

    @property
    def ephemerals(self) -> list[Message]:
        return self.workspace.ephemerals

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        """Open views by id, as they look now; closed ones move to `closed_views`."""
        return self.workspace.views

    @property
    def closed_views(self) -> dict[str, dict[str, Any]]:
        return self.workspace.closed_views

    @property
    def view_errors(self) -> dict[str, dict[str, str]]:
        return self.workspace.view_errors

    def thread(self, channel: str, ts: str) -> list[Message]:
        return self.workspace.thread(channel, ts)

    def top_level(self, channel: str) -> list[Message]:
        return self.workspace.top_level(channel)

    def find_message(self, channel: str, ts: str) -> Message | None:
        return self.workspace.find(channel, ts)

    @property
    def on_post(self) -> Callable[[Message], Any] | None:
        """Called with each new message and ephemeral message (check `ephemeral_to`)."""
        return self.workspace.on_post

    @on_post.setter
    def on_post(self, hook: Callable[[Message], Any] | None) -> None:
        self.workspace.on_post = hook

    @property
    def on_update(self) -> Callable[[Message], Any] | None:
        """Called with a message after it was edited or deleted."""
        return self.workspace.on_update

    @on_update.setter
    def on_update(self, hook: Callable[[Message], Any] | None) -> None:
        self.workspace.on_update = hook

    # Arranging the workspace

    def inject_error(
        self,
        method: str,
        error: str = "ratelimited",
        times: int | None = 1,
        status: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Make the next `times` calls (None: all) to `method` fail; "ratelimited" answers HTTP 429.

        `method` may also be "response_url" for posts to response URLs.
        """
        if status is None:
            status = 429 if error == "ratelimited" else 200
        self.server.inject(method, InjectedError(error, status, retry_after, times))

    def clear_errors(self) -> None:
        self.server.faults.clear()

    def add_usergroup(self, usergroup_id: str, users: list[str]) -> None:
        self.workspace.usergroups[usergroup_id] = list(users)

    def add_user(self, user_id: str, name: str | None = None, tz: str = "UTC", **extra: Any) -> dict:
        return self.workspace.add_user(user_id, name, tz, **extra)

    def add_channel(self, channel_id: str, name: str, **extra: Any) -> dict[str, Any]:
        info = self.workspace.channel_info(channel_id)
        info.update(name=name, **extra)
        return info

    def add_user_message(
        self, channel: str, text: str, user: str = "U123", thread_ts: str | None = None
    ) -> Message:
        """A message a person posted (the bot may not chat.update it)."""
        return self.workspace.post(channel, text, [], user=user, thread_ts=thread_ts, via="user")

    # Acting as a user, through Slack

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
        block_id, button = payloads.find_element(self.views[view_id].get("blocks") or [], action_id, "button")
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
        if view_id not in self.views:
            raise LookupError(f"view {view_id} is not open")
        user = user or self.workspace.view_users.get(view_id, "U123")
        payload = payloads.view_submission(self.workspace, view_id, values or {}, user)
        reply = await self.caller.deliver(bot_url, "interactive", payload)
        if reply.status == 200:
            self.ack_problems += apply_view_ack(self.workspace, view_id, user, reply.json)
        return reply

    async def close_view(self, bot_url: str, view_id: str, user: str | None = None) -> BotResponse | None:
        """The user presses Cancel; the bot hears of it only when the view asked (notify_on_close)."""
        view = self.views[view_id]
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
