"""SlackSimulator: a Slack workspace on a loopback port that the bot's real AsyncWebClient talks to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.clock import Clock, SystemClock
from bot.sandbox.slack.acting import ActsAsUser
from bot.sandbox.slack.interactions import BotCaller
from bot.sandbox.slack.limits_rate import RateLimits
from bot.sandbox.slack.models import InjectedError, Message, SlackCall
from bot.sandbox.slack.server import ApiServer
from bot.sandbox.slack.socket_mode import SocketModeLink
from bot.sandbox.slack.workspace import Workspace

DEFAULT_SIGNING_SECRET = "sim-signing-secret"
DEFAULT_BOT_TOKEN = "xoxb-sim"
DEFAULT_APP_TOKEN = "xapp-sim"


class SlackSimulator(ActsAsUser):
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
        *,
        after: bool = False,
        channel: str | None = None,
    ) -> None:
        """Make the next `times` calls (None: all) to `method` fail; "ratelimited" answers HTTP 429.

        `after=True` carries the call out first and then loses the answer (e.g. status=500: the post
        happened, the bot cannot know). `channel` limits the fault to calls naming that channel.
        `method` may also be "response_url" for posts to response URLs.
        """
        if status is None:
            status = 429 if error == "ratelimited" else 200
        self.server.inject(method, InjectedError(error, status, retry_after, times, after, channel))

    def revoke_token(self) -> None:
        """The app was uninstalled or its token revoked: every call with it answers token_revoked."""
        self.server.revoked.add(self.server.tokens["bot"])

    def pace_posts(self, burst: int = 3, per_second: float = 1.0) -> None:
        """Rate-limit chat.postMessage per channel as Slack does (~1/s after a burst; HTTP 429)."""
        self.server.post_rate = (burst, per_second)

    @property
    def rate_limits(self) -> RateLimits:
        """Per-method tier limits (on by default); `rate_limits.now` may be set to a test's clock."""
        return self.server.rate_limits

    def limit_rate(self, method: str, per_minute: int | None) -> None:
        """Allow `per_minute` calls to `method` in any minute (HTTP 429 beyond); None lifts the limit."""
        self.server.rate_limits.limit(method, per_minute)

    def clear_errors(self) -> None:
        self.server.faults.clear()
        self.server.delays.clear()

    def slow_down(self, method: str, seconds: float) -> None:
        """Make every call to `method` take `seconds` by the simulator's clock (0 for normal speed)."""
        self.server.delays[method] = seconds

    def enterprise_grid(self, enterprise_id: str = "E0SIM", *, org_install: bool = True) -> None:
        """Make this an Enterprise Grid workspace; an org-wide install sends `team: null` in interactions."""
        self.workspace.enterprise_id = enterprise_id
        self.workspace.enterprise_name = "ASC Sim Org"
        self.workspace.org_install = org_install

    def issue_trigger(self, user: str = "U123", view_id: str | None = None) -> str:
        """A fresh trigger_id, as an interaction by `user` (inside modal `view_id`, if given) would carry."""
        return self.workspace.issue_trigger(user, view_id)

    def add_usergroup(self, usergroup_id: str, users: list[str]) -> None:
        self.workspace.usergroups[usergroup_id] = list(users)

    def add_user(self, user_id: str, name: str | None = None, tz: str = "UTC", **extra: Any) -> dict:
        return self.workspace.add_user(user_id, name, tz, **extra)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        member: bool = True,
        archived: bool = False,
        private: bool | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Declare a channel (ids the bot's calls name must exist); `member`: the bot was invited.

        Posting answers like Slack: unknown ids and private channels without the bot
        `channel_not_found`, archived ones `is_archived`, public ones without the bot
        `not_in_channel` unless the token has chat:write.public.
        """
        return self.workspace.add_channel(
            channel_id, name, member=member, archived=archived, private=private, **extra
        )

    def archive_channel(self, channel_id: str) -> None:
        self.workspace.channels[channel_id]["is_archived"] = True

    def unarchive_channel(self, channel_id: str) -> None:
        self.workspace.channels[channel_id]["is_archived"] = False

    def remove_bot(self, channel_id: str) -> None:
        """Someone removed the bot from the channel (/kick @asc-bot)."""
        self.workspace.channels[channel_id]["is_member"] = False

    def delete_message(self, channel: str, ts: str) -> None:
        """A person deleted a message (the bot's chat.update of it then answers message_not_found)."""
        message = self.workspace.find(channel, ts)
        if message is None:
            raise LookupError(f"no message {ts} in {channel}")
        self.workspace.delete(message)

    @property
    def scopes(self) -> set[str]:
        """The bot token's scopes (default: the manifest's); remove one to see missing_scope."""
        return self.workspace.scopes

    def add_user_message(
        self, channel: str, text: str, user: str = "U123", thread_ts: str | None = None
    ) -> Message:
        """A message a person posted (the bot may not chat.update it)."""
        return self.workspace.post(channel, text, [], user=user, thread_ts=thread_ts, via="user")
