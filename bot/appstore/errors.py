"""Errors from App Store Connect: Apple's error fields plus a sentence a release manager can act on."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.errors import ConfigError

# Apple names the blocking submission only in prose; the wording has been stable for years.
_OPEN_SUBMISSION = re.compile(r"another reviewSubmissions? with id\s+['\"]?([\w-]+)", re.IGNORECASE)


class AscAuthError(ConfigError):
    """A configured API key cannot be used to sign tokens (malformed or wrong kind of key)."""

    def __init__(self, key_name: str, key_id: str, reason: str) -> None:
        super().__init__([f"App Store Connect key '{key_name}' ({key_id}): private key {reason}"])
        self.key_name = key_name
        self.key_id = key_id


class AscError(Exception):
    """A failed App Store Connect request, carrying Apple's first error object and where it happened."""

    def __init__(
        self,
        *,
        status: int,
        code: str = "",
        title: str = "",
        detail: str | None = None,
        source: dict[str, Any] | None = None,
        key_name: str = "",
        key_id: str = "",
        method: str = "",
        path: str = "",
        errors: tuple[dict[str, Any], ...] = (),
        maybe_applied: bool = False,
    ) -> None:
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.source = source
        self.key_name = key_name
        self.key_id = key_id
        self.method = method
        self.path = path
        self.errors = errors
        # True when a non-idempotent write failed in a way that may still have taken effect.
        self.maybe_applied = maybe_applied
        super().__init__(self._summary())

    def _summary(self) -> str:
        what = self.detail or self.title or self.code or "no details"
        code = f" {self.code}" if self.code else ""
        return f"{self.method} {self.path} -> HTTP {self.status}{code}: {what}"

    def matches(self, code_prefix: str) -> bool:
        """Whether Apple's dot-separated code is `code_prefix` or lies under it."""
        return any(
            code == code_prefix or code.startswith(code_prefix + ".")
            for code in [self.code, *(str(e.get("code", "")) for e in self.errors)]
        )

    @property
    def _reason(self) -> str:
        return self.detail or self.title or f"HTTP {self.status}"

    @property
    def user_message(self) -> str:
        return f"App Store Connect rejected {self.method} {self.path}: {self._reason}"


class AscUnauthorized(AscError):
    """401: the token was not accepted."""

    @property
    def user_message(self) -> str:
        return (
            f"App Store Connect refused key '{self.key_name}' ({self.key_id}): check the issuer id, key id "
            "and that the key is not revoked and has the App Manager role"
        )


class AscForbidden(AscError):
    """403: the key is valid but may not do this."""

    @property
    def user_message(self) -> str:
        return (
            f"App Store Connect refused key '{self.key_name}' ({self.key_id}) for {self.method} {self.path}: "
            f"{self._reason}. Check that the key has the App Manager role and that the latest agreements "
            "are accepted in App Store Connect"
        )


class AscNotFound(AscError):
    """404: the resource does not exist or the key cannot see it."""

    @property
    def user_message(self) -> str:
        return f"App Store Connect has no such resource ({self.path}): {self._reason}"


class AscConflict(AscError):
    """409: the request conflicts with the resource's current state."""

    @property
    def open_submission_id(self) -> str | None:
        """The review submission Apple says is still open, when the conflict names one."""
        for text in [self.detail, *(e.get("detail") for e in self.errors)]:
            match = _OPEN_SUBMISSION.search(text or "")
            if match:
                return match.group(1)
        return None

    @property
    def user_message(self) -> str:
        return f"App Store Connect refused the change: {self._reason}"


class AscUnprocessable(AscError):
    """422: the request is well-formed but cannot be done in the current state."""

    @property
    def user_message(self) -> str:
        return f"App Store Connect cannot do this now: {self._reason}"


class AscRateLimited(AscError):
    """429: the key's hourly request budget is spent."""

    def __init__(self, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(**kwargs)

    @property
    def user_message(self) -> str:
        return (
            f"App Store Connect's hourly request limit for key '{self.key_name}' is used up; "
            "the bot will try again later"
        )


class AscServerError(AscError):
    """5xx: Apple's side failed; usually worth retrying later."""

    @property
    def user_message(self) -> str:
        return f"App Store Connect is having trouble (HTTP {self.status}); the bot will try again later"


class AscTransportError(AscError):
    """The request never got an HTTP answer: connection refused or dropped, or a time-out."""

    @property
    def user_message(self) -> str:
        return f"Could not reach App Store Connect ({self._reason}); the bot will try again later"


_BY_STATUS: dict[int, type[AscError]] = {
    401: AscUnauthorized,
    403: AscForbidden,
    404: AscNotFound,
    409: AscConflict,
    422: AscUnprocessable,
    429: AscRateLimited,
}


def error_from_response(
    status: int,
    body: bytes,
    *,
    key_name: str,
    key_id: str,
    method: str,
    path: str,
    reason: str = "",
    retry_after: float | None = None,
    maybe_applied: bool = False,
) -> AscError:
    """Build the right `AscError` subclass from an error answer, tolerating bodies that are not JSON."""
    errors: tuple[dict[str, Any], ...] = ()
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("errors"), list):
        errors = tuple(e for e in parsed["errors"] if isinstance(e, dict))
    first = errors[0] if errors else {}
    detail = first.get("detail")
    if not errors and body:
        # 406 and proxies answer in plain text or HTML; keep a short, printable excerpt.
        detail = body[:200].decode("utf-8", "replace").strip() or None
    source = first.get("source")
    kwargs: dict[str, Any] = {
        "status": status,
        "code": str(first.get("code") or ""),
        "title": str(first.get("title") or reason or ""),
        "detail": str(detail) if detail is not None else None,
        "source": source if isinstance(source, dict) else None,
        "key_name": key_name,
        "key_id": key_id,
        "method": method,
        "path": path,
        "errors": errors,
        "maybe_applied": maybe_applied,
    }
    cls = AscServerError if status >= 500 else _BY_STATUS.get(status, AscError)
    if cls is AscRateLimited:
        return AscRateLimited(retry_after=retry_after, **kwargs)
    return cls(**kwargs)
