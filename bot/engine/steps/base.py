"""What every step gets and gives back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.appstore.client import AppStoreConnect
from bot.appstore.models import Build
from storage.records import Action, Publication

QUESTION = "export_compliance_question"


@dataclass(frozen=True)
class ActionContext:
    client: AppStoreConnect
    publication: Publication
    action: Action
    now: datetime

    @property
    def build_id(self) -> str:
        assert self.publication.build_id is not None, "steps only run once the build is known"
        return self.publication.build_id

    @property
    def app_id(self) -> str:
        assert self.publication.app_id is not None, "steps only run once the app is known"
        return self.publication.app_id

    def option(self, name: str, default: Any = None) -> Any:
        """A step parameter, else the publication's publishing option of the same name."""
        if name in self.action.params:
            return self.action.params[name]
        return self.publication.options.get(name, default)


@dataclass(frozen=True)
class Outcome:
    """What a step did. `wait`: not yet, look again later; `question` is asked in the thread once."""

    status: str  # succeeded | skipped | failed | wait
    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    announce: str = "thread"
    fields: dict[str, Any] = field(default_factory=dict)  # publication columns to record with the result
    question: str | None = None
    actor: str = "bot"  # whom the result is told as (`{actor}` in the message names them)


def succeeded(message: str, result: dict[str, Any] | None = None, **fields: Any) -> Outcome:
    return Outcome("succeeded", message, result or {}, fields=fields)


def failed(message: str, result: dict[str, Any] | None = None) -> Outcome:
    return Outcome("failed", message, result or {}, announce="broadcast")


def wait(message: str = "", question: str | None = None) -> Outcome:
    return Outcome("wait", message, question=question)


def beta_states(build: Build) -> tuple[str | None, str | None]:
    detail = build.beta_detail
    return (detail.internal_build_state, detail.external_build_state) if detail else (None, None)


async def compliance_gate(ctx: ActionContext, build: Build) -> Outcome | None:
    """Stop at MISSING_EXPORT_COMPLIANCE: answer it from the options, or ask the thread (never guess)."""
    if "MISSING_EXPORT_COMPLIANCE" not in beta_states(build):
        return None
    answer = ctx.publication.options.get("uses_non_exempt_encryption")
    if isinstance(answer, bool):
        await ctx.client.set_uses_non_exempt_encryption(build.id, answer)
        return wait("Answered export compliance from the publishing options; App Store Connect is updating.")
    return wait(
        "Waiting for an export compliance answer.",
        question=(
            "🔐 App Store Connect needs an export compliance answer before testers can get this build: "
            "does the app use non-exempt encryption (anything beyond HTTPS and Apple's own APIs)?"
        ),
    )
