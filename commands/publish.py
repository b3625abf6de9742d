"""`/asc publish`: start a publication from Slack, validated exactly as the build-uploaded webhook is."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.appstore.states import PLATFORMS, RELEASE_TYPES
from bot.ci_client import RENAMED_FLAGS, SWITCH_FLAGS, VALUED_FLAGS
from bot.engine.engine import Engine
from bot.engine.intake import InvalidNotice, parse_notice
from bot.errors import NotAnApprover
from commands.approvers import Approvers

USAGE = (
    "/asc publish <bundle-id> <version> <build> [--testflight] [--beta-group NAME]… [--app-store] "
    "[--release-type MANUAL|AFTER_APPROVAL|SCHEDULED] [--earliest-release-date 2026-12-01T14:00Z] "
    "[--phased-release] [--platform IOS|MAC_OS|TV_OS|VISION_OS]"
)
# The flags are asc-bot notify's (bot/ci_client.py defines them, and the names they had before).
SWITCHES = {SWITCH_FLAGS[o]: o for o in ("submit_to_testflight", "submit_to_app_store", "phased_release")}
VALUED = {VALUED_FLAGS[o]: o for o in ("beta_groups", "release_type", "earliest_release_date")}
VALUED |= {"--platform": "platform"}  # a field of the webhook, not a publishing option
# What the webhook's field names are called on this command line, for its error messages.
NAMES = {
    "app": "<bundle-id>",
    "app.bundle_id": "<bundle-id>",
    "app.apple_id": "<bundle-id>",
    "version": "<version>",
    "build_number": "<build>",
    "platform": "--platform",
    **{f"publishing.{option}": flag for flag, option in VALUED.items() if option in VALUED_FLAGS},
    "channel": "this channel",
}
# Slack turns typed quotes into typographic ones unless the user is careful. An apostrophe inside a
# word (Tim's, or Tim\u2019s) is part of a name, never a quote: it is kept as typed.
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'"})
_IN_WORD = re.compile(r"(?<=\w)['\u2019](?=\w)")
_HIDE = {"'": "\ue000", "\u2019": "\ue001"}  # private-use stand-ins while shlex reads the line
_UNHIDE = str.maketrans({hidden: typed for typed, hidden in _HIDE.items()})


class UsageError(Exception):
    """The command line does not parse; the message says exactly what is wrong."""


@dataclass(frozen=True)
class PublishCommand:
    """A parsed `/asc publish` line."""

    app: str
    version: str
    build: str
    platform: str = "IOS"
    publishing: dict[str, Any] = field(default_factory=dict)

    def payload(self, channel: str, user_name: str) -> dict[str, Any]:
        """The same JSON body the build-uploaded webhook takes (README, "The build-uploaded webhook")."""
        app_key = "apple_id" if self.app.isdigit() else "bundle_id"
        return {
            "app": {app_key: self.app},
            "platform": self.platform,
            "version": self.version,
            "build_number": self.build,
            "channel": channel,
            "source": {"name": blocks.shorten(f"/asc publish by @{user_name}", 80)},
            "publishing": self.publishing,
        }


def parse(text: str) -> PublishCommand:
    """Parse the words after `publish`; raises UsageError naming the problem."""
    try:
        words = _split(text)
    except ValueError as exc:
        raise UsageError(f"Cannot read the command: {exc} (check the quotes).") from None
    positional: list[str] = []
    publishing: dict[str, Any] = {}
    platform = "IOS"
    i = 0
    while i < len(words):
        word = words[i]
        name, has_value, inline = word.partition("=")
        if name in RENAMED_FLAGS:
            raise UsageError(f"{name} is now called {RENAMED_FLAGS[name]}; nothing was started.")
        if name in SWITCHES and not has_value:
            publishing[SWITCHES[name]] = True
        elif name in VALUED:
            value = inline if has_value else (words[i + 1] if i + 1 < len(words) else "")
            i += 0 if has_value else 1
            if not value or value.startswith("--"):
                raise UsageError(f"{name} needs a value.")
            platform = _option(name, value, publishing) or platform
        elif word.startswith("--"):
            raise UsageError(f"Unknown option {word}.")
        else:
            positional.append(word)
        i += 1
    if len(positional) != 3:
        raise UsageError(f"publish needs <bundle-id> <version> <build>; got {len(positional)} of them.")
    if "earliest_release_date" in publishing:
        publishing.setdefault("release_type", "SCHEDULED")
    return PublishCommand(positional[0], positional[1], positional[2], platform, publishing)


def _split(text: str) -> list[str]:
    """Shell-like words; typographic quotes quote, apostrophes inside words are kept as typed."""
    hidden = _IN_WORD.sub(lambda m: _HIDE[m.group()], text)
    return [word.translate(_UNHIDE) for word in shlex.split(hidden.translate(_QUOTES))]


def _option(name: str, value: str, publishing: dict[str, Any]) -> str | None:
    """Store one valued option; returns the platform when that was the option."""
    option = VALUED[name]
    if option == "beta_groups":  # one group per flag, as asc-bot notify: a name may hold a comma
        publishing.setdefault(option, []).append(value)
    elif option == "release_type":
        kind = value.upper().replace("-", "_")
        if kind not in RELEASE_TYPES:
            raise UsageError(f"{name} must be one of {', '.join(RELEASE_TYPES)}; got {value}.")
        publishing["release_type"] = kind
    elif option == "earliest_release_date":
        publishing[option] = _utc_if_naive(value)
    else:
        platform = value.upper()
        if platform not in PLATFORMS:
            raise UsageError(f"--platform must be one of {', '.join(PLATFORMS)}; got {value}.")
        return platform
    return None


def _utc_if_naive(value: str) -> str:
    """A date typed without a time zone means UTC; anything unreadable is left for the validator."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


async def run(
    text: str,
    command: dict[str, Any],
    ack: AsyncAck,
    respond: AsyncRespond,
    client: AsyncWebClient,
    engine: Engine,
    approvers: Approvers,
) -> None:
    """Validate and ack at once; the publication is created after the ack and reported privately."""
    channel, user = str(command.get("channel_id") or ""), str(command.get("user_id") or "")
    try:
        parsed = parse(text)
        notice = parse_notice(
            parsed.payload(channel, str(command.get("user_name") or user)), now=engine.now()
        )
    except UsageError as exc:
        await ack(blocks.usage_problem(USAGE, str(exc)))
        return
    except InvalidNotice as exc:
        problems = [(NAMES.get(p.field, p.field), p.message) for p in exc.problems]
        await ack(blocks.publish_invalid(problems, USAGE))
        return
    await ack()
    try:
        intake = await engine.intake(notice, actor=user or "slash", source="slash")
    except InvalidNotice as exc:
        await respond(
            blocks.publish_invalid([(NAMES.get(p.field, p.field), p.message) for p in exc.problems], USAGE)
        )
        return
    except NotAnApprover as exc:  # decided on the app the command resolved to, not the id as typed
        await respond(blocks.not_an_approver(exc.title, exc.bundle_id, exc.approvers))
        return
    pub = intake.publication
    await respond(
        blocks.publish_started(pub.label, pub.channel or channel)
        if intake.created
        else blocks.publish_exists(pub)
    )
