"""HMAC signatures of incoming webhooks: ours (CI) and App Store Connect's own."""

from __future__ import annotations

import hashlib
import hmac
import re

SIGNATURE_HEADER = "X-Signature-256"
TIMESTAMP_HEADER = "X-Signature-Timestamp"
APPLE_SIGNATURE_HEADER = "x-apple-signature"
MAX_SKEW_SECONDS = 300
# ASCII digits only: str.isdigit() also accepts "²" or Arabic-Indic digits, which int() may refuse.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")


def _hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _signed_bytes(body: bytes, timestamp: str | None) -> bytes:
    # With a timestamp the signature covers "<timestamp>.<body>", so an old body cannot be replayed.
    return body if timestamp is None else timestamp.encode() + b"." + body


def _digest_of(header: str | None, prefix: str) -> str | None:
    """The hex digest after `prefix`, or None when the header is absent or malformed."""
    if not header:
        return None
    value = header.strip()
    if not value.startswith(prefix):
        return None
    digest = value[len(prefix) :]
    # A well-formed digest is 64 ASCII hex digits; anything else cannot match and must not
    # reach compare_digest, which refuses non-ASCII text with a TypeError.
    return digest.lower() if _HEX_DIGEST.fullmatch(digest) else None


def sign_ci(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Headers a CI job sends with a build-uploaded webhook."""
    ts = None if timestamp is None else str(int(timestamp))
    headers = {SIGNATURE_HEADER: "sha256=" + _hex(secret, _signed_bytes(body, ts))}
    if ts is not None:
        headers[TIMESTAMP_HEADER] = ts
    return headers


def verify_ci(
    secret: str,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    now: float,
    *,
    legacy: bool = False,
) -> bool:
    """Constant-time check of `X-Signature-256` and of its signed timestamp's window.

    Without a timestamp a captured request could be replayed forever, so one is required unless
    `legacy` (ASC_BOT_ALLOW_UNTIMESTAMPED_SIGNATURES) allows the body-only signature.
    """
    digest = _digest_of(signature, "sha256=")
    if digest is None or (timestamp is None and not legacy):
        return False
    if timestamp is not None:
        timestamp = timestamp.strip()
        if not _TIMESTAMP.fullmatch(timestamp) or abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
            return False
    return hmac.compare_digest(_hex(secret, _signed_bytes(body, timestamp)), digest)


def verify_apple(secret: str, body: bytes, header: str | None) -> bool:
    """App Store Connect signs the raw body: `x-apple-signature: hmacsha256=<hex>`."""
    digest = _digest_of(header, "hmacsha256=")
    return digest is not None and hmac.compare_digest(_hex(secret, body), digest)
