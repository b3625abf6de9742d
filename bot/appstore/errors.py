"""Errors from App Store Connect: Apple's error fields plus a sentence a release manager can act on.

They sit under the bot's one error root, `AscBotError`; bot/errors.py draws the whole tree.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.errors import AscBotError, ConfigError

# Apple names the blocking submission only in prose, at the top or nested in meta.associatedErrors.
_OPEN_SUBMISSION = re.compile(r"another reviewSubmissions? with id\s+['\"]?([\w-]+)", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"attribute '([^']+)'")
_FIELD_WORDS = {
    "supportUrl": "support URL",
    "marketingUrl": "marketing URL",
    "privacyPolicyUrl": "privacy policy URL",
    "privacyPolicyText": "privacy policy text",
    "whatsNew": "What's New",
    "promotionalText": "promotional text",
    "usesNonExemptEncryption": "export compliance answer (usesNonExemptEncryption)",
    "contactFirstName": "contact first name",
    "contactLastName": "contact last name",
    "contactPhone": "contact phone",
    "contactEmail": "contact e-mail",
}
_RESOURCE_WORDS = {
    "appStoreVersions": "App Store version",
    "appStoreVersionLocalizations": "localization",
    "builds": "build",
    "appInfoLocalizations": "app info localization",
    "appStoreReviewDetails": "review details",
}


def associated_errors(errors: tuple[dict[str, Any], ...]) -> list[tuple[str, dict[str, Any]]]:
    """Apple's nested errors as (resource path, error): `meta.associatedErrors` is keyed by the path
    of the resource at fault ("/v1/appStoreVersionLocalizations/<id>"), each holding a list."""
    found: list[tuple[str, dict[str, Any]]] = []
    for err in errors:
        meta = err.get("meta")
        nested = meta.get("associatedErrors") if isinstance(meta, dict) else None
        if isinstance(nested, dict):
            for key, items in nested.items():
                items = items if isinstance(items, list) else [items]
                found.extend((str(key), e) for e in items if isinstance(e, dict))
        elif isinstance(nested, list):
            found.extend(("", e) for e in nested if isinstance(e, dict))
    return found


def _strings(value: Any) -> list[str]:
    """Every text inside an error object, however deeply Apple nests it."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _missing_attribute(err: dict[str, Any]) -> str | None:
    if not str(err.get("code") or "").startswith("ENTITY_ERROR.ATTRIBUTE.REQUIRED"):
        return None
    source = err.get("source")
    pointer = source.get("pointer") if isinstance(source, dict) else None
    if isinstance(pointer, str) and pointer.startswith("/data/attributes/"):
        return pointer.rsplit("/", 1)[-1]
    match = _ATTRIBUTE.search(str(err.get("detail") or ""))
    return match.group(1) if match else None


def _resource_label(path: str) -> str:
    parts = [p for p in path.split("/") if p and p != "v1"]
    if not parts:
        return ""
    word = _RESOURCE_WORDS.get(parts[0], parts[0])
    return f"{word} {parts[1]}" if len(parts) > 1 else word


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


class AscAuthError(ConfigError):
    """A configured API key cannot be used to sign tokens (malformed or wrong kind of key)."""

    def __init__(self, key_name: str, key_id: str, reason: str) -> None:
        super().__init__([f"App Store Connect key '{key_name}' ({key_id}): private key {reason}"])
        self.key_name = key_name
        self.key_id = key_id


class AscError(AscBotError):
    """A failed App Store Connect request, carrying Apple's first error object and where it happened.

    `str(error)` is the technical summary (method, path, status, code) for logs; `user_message` is
    the sentence for a person, refined per status by the subclasses."""

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
        # Filled in by whoever knows more than the path: what the request was about
        # ("App Store version 2.1") and names for resource paths (a localization's path -> "en-US").
        self.context = ""
        self.labels: dict[str, str] = {}
        super().__init__(self._summary())

    @property
    def associated(self) -> list[tuple[str, dict[str, Any]]]:
        return associated_errors(self.errors)

    @property
    def missing_fields(self) -> dict[str, list[str]]:
        """Required attributes Apple says are missing, by resource path, in Apple's order."""
        missing: dict[str, list[str]] = {}
        for path, err in self.associated:
            name = _missing_attribute(err)
            if name and name not in missing.setdefault(path, []):
                missing[path].append(name)
        return {path: names for path, names in missing.items() if names}

    @property
    def associated_summary(self) -> str:
        """What Apple's nested errors say, as one sentence a person can act on."""
        parts: list[str] = []
        for path, names in self.missing_fields.items():
            where = self.labels.get(path) or _resource_label(path)
            words = [_FIELD_WORDS.get(n, n) for n in names]
            verb = "is" if len(words) == 1 else "are"
            parts.append(f"{_and(words)} {verb} missing" + (f" in {where}" if where else ""))
        for _, err in self.associated:
            if _missing_attribute(err):
                continue
            text = " - ".join(str(err[k]) for k in ("title", "detail") if err.get(k))
            if text and text not in parts:
                parts.append(text)
        if not parts:
            return ""
        return f"{self.context}: {'; '.join(parts)}" if self.context else "; ".join(parts)

    def _summary(self) -> str:
        what = self.detail or self.title or self.code or "no details"
        nested = self.associated_summary
        if nested:
            what = f"{what} ({nested})"
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
        reason = self.detail or self.title or f"HTTP {self.status}"
        nested = self.associated_summary
        return f"{reason.rstrip('.')}. {nested}" if nested else reason

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
        for text in [self.detail or "", *_strings(list(self.errors))]:
            match = _OPEN_SUBMISSION.search(text)
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
