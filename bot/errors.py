"""The bot's errors: one root, each carrying a `user_message` a release manager can act on.

The tree (as httpx draws its own in httpx/_exceptions.py):

* AscBotError - `user_message` is safe to show in Slack or a terminal
  + ConfigError - the configuration is missing or malformed; `problems` lists every one found
  | + AscAuthError (bot/appstore/errors.py) - an API key cannot sign tokens
  + NotAnApprover - the Slack user may not perform this step for this app
  + UnknownKey (bot/engine/clients.py) - a publication names an API key the config does not have
  + AscError (bot/appstore/errors.py) - a failed App Store Connect request: Apple's status, code,
    | detail, source, and the method and path that failed
    + AscUnauthorized - 401, the token was not accepted
    + AscForbidden - 403, the key may not do this
    + AscNotFound - 404
    + AscConflict - 409, e.g. another review submission is open (`open_submission_id`)
    + AscUnprocessable - 422
    + AscRateLimited - 429, the hourly budget is spent (`retry_after`)
    + AscServerError - 5xx
    + AscTransportError - no HTTP answer (refused, dropped, timed out)

Errors become user-facing text in three places only: Bolt's error handler, the aiohttp layer, and the
engine's thread replies. Exceptions that never reach a person (the outbox's `DeliveryError`, the
intake's `InvalidNotice`, which the web layer turns into a 400 body) are not part of the tree.
"""

from __future__ import annotations


class AscBotError(Exception):
    """Base of the bot's own errors; `user_message` is safe to show in Slack or a terminal."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self._user_message = user_message

    @property
    def user_message(self) -> str:
        return self._user_message


class ConfigError(AscBotError):
    """The configuration is missing or malformed; `problems` lists every one found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class NotAnApprover(AscBotError):
    """The Slack user may not perform this step for this app (the app it resolved to)."""

    def __init__(self, title: str, bundle_id: str, approvers: tuple[str, ...]) -> None:
        super().__init__(f"Only approvers may {title.lower()} for {bundle_id}.")
        self.title = title
        self.bundle_id = bundle_id
        self.approvers = approvers
