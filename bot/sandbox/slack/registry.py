"""The table of Web API methods the simulator serves, with the error codes each may answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.sandbox.slack.limits import check_message, message_warnings
from bot.sandbox.slack.models import Refusal
from bot.sandbox.slack.workspace import Workspace

Handler = Callable[[Workspace, dict[str, Any]], dict[str, Any]]

# Any method can answer these; the server checks them before calling a handler.
COMMON_ERRORS = frozenset(
    {
        "not_authed",
        "invalid_auth",
        "not_allowed_token_type",
        "invalid_json",
        "json_not_object",
        "token_revoked",
        "ratelimited",
    }
)

# Error codes Slack answers today that the vendored spec (last changed Oct 2020) lacks in some enums.
# The spec test allows exactly these beyond each method's enum.
NEWER_THAN_SPEC = {
    "invalid_blocks": "per-field Block Kit violations, with an `errors` list",
    "invalid_blocks_format": "`blocks` that is not a JSON array",
    "invalid_arguments": "missing or malformed arguments, with response_metadata.messages",
    "ratelimited": "what HTTP 429 answers carry (the spec's enums say rate_limited)",
    "no_such_subteam": "usergroups.users.list for an unknown user group",
    "not_allowed_token_type": "a bot token where an app-level token is needed, or the reverse",
    "invalid_json": "a JSON body that does not parse (some enums predate JSON bodies)",
    "json_not_object": "a JSON body that is not an object (some enums predate JSON bodies)",
    "invalid_metadata_format": "message `metadata` that is not a JSON object (metadata came in 2022)",
    "invalid_metadata_schema": "message `metadata` without an event_type or an object event_payload",
    "not_in_channel": "conversations.history/replies in a channel the bot is not in",
    "invalid_cursor": "a `cursor` that is not one Slack handed out",
    "token_revoked": "any method once the app was uninstalled or its token revoked",
    "missing_scope": "a method the token has no scope for, with `needed` and `provided`",
}


@dataclass(frozen=True)
class MethodSpec:
    """One served method: its handler, the errors it may answer, and which token ("bot"/"app") it wants."""

    name: str
    handler: Handler
    errors: frozenset[str]
    wants: str = "bot"


METHODS: dict[str, MethodSpec] = {}


def method(name: str, *, errors: tuple[str, ...] = (), wants: str = "bot") -> Callable[[Handler], Handler]:
    """Register a handler under its Slack method name."""

    def register(handler: Handler) -> Handler:
        METHODS[name] = MethodSpec(name, handler, frozenset(errors) | COMMON_ERRORS, wants)
        return handler

    return register


# Arguments that are ids or short strings on the wire, whatever type a JSON body gave them.
_STRING_ARGS = (
    "channel",
    "ts",
    "thread_ts",
    "message_ts",
    "user",
    "usergroup",
    "trigger_id",
    "view_id",
    "external_id",
    "hash",
    "cursor",
    "users",
)


def normalized(args: dict[str, Any]) -> dict[str, Any]:
    """A copy of `args` with id-like values as strings, so handlers never meet a list or a number there."""
    out = dict(args)
    for name in _STRING_ARGS:
        value = out.get(name)
        if value is not None and not isinstance(value, str):
            out[name] = json.dumps(value) if isinstance(value, list | dict) else str(value)
    return out


def json_arg(args: dict[str, Any], name: str, error: str) -> Any:
    """An argument that form-encoded callers send as a JSON string and JSON callers as a value."""
    value = args.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise Refusal(error) from None
    return value


def flag(args: dict[str, Any], name: str) -> bool:
    return args.get(name) in (True, 1, "1", "true", "True")


def content(args: dict[str, Any], *, keep_missing: bool = False) -> tuple[str | None, Any, list[str]]:
    """(text, blocks, warnings) of a message payload after Slack's checks; raises no_text/invalid_blocks.

    With `keep_missing` (chat.update) an absent field comes back as None, meaning "leave as is".
    """
    blocks = json_arg(args, "blocks", "invalid_blocks_format")
    if blocks is not None and not isinstance(blocks, list):
        raise Refusal("invalid_blocks_format")
    text = args.get("text")
    if not text and not blocks and not args.get("attachments"):
        raise Refusal("no_text")
    errors = check_message({"blocks": blocks})
    if errors:
        raise invalid_blocks(errors)
    warnings = message_warnings({"text": text, "blocks": blocks})
    text = None if text is None and keep_missing else str(text or "")[:40_000]
    if blocks is None and not keep_missing:
        blocks = []
    return text, blocks, warnings


def invalid_blocks(errors: list[str]) -> Refusal:
    messages = [f"[ERROR] {error}" for error in errors]
    return Refusal("invalid_blocks", extra={"errors": errors, "response_metadata": {"messages": messages}})


def with_warnings(response: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """Slack reports accepted-but-questionable input as `warning` plus response_metadata.warnings."""
    if warnings:
        response["warning"] = ",".join(warnings)
        response["response_metadata"] = {"warnings": warnings}
    return response
