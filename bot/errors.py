"""Errors that carry a message a release manager can act on."""

from __future__ import annotations


class AscBotError(Exception):
    """Base of the bot's own errors; `user_message` is safe to show in Slack or a terminal."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class ConfigError(AscBotError):
    """The configuration is missing or malformed; `problems` lists every one found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class InvalidInput(AscBotError):
    """A request field is invalid."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotAnApprover(AscBotError):
    """The Slack user may not perform this step for this app (the app it resolved to)."""

    def __init__(self, title: str, bundle_id: str, approvers: tuple[str, ...]) -> None:
        super().__init__(f"Only approvers may {title.lower()} for {bundle_id}.")
        self.title = title
        self.bundle_id = bundle_id
        self.approvers = approvers
