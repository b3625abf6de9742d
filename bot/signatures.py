"""HMAC signatures of incoming webhooks: ours (CI) and App Store Connect's own."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Signature-256"
TIMESTAMP_HEADER = "X-Signature-Timestamp"
APPLE_SIGNATURE_HEADER = "x-apple-signature"
MAX_SKEW_SECONDS = 300


def _hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _signed_bytes(body: bytes, timestamp: str | None) -> bytes:
    # With a timestamp the signature covers "<timestamp>.<body>", so an old body cannot be replayed.
    return body if timestamp is None else timestamp.encode() + b"." + body


def sign_ci(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Headers a CI job sends with a build-uploaded webhook."""
    ts = None if timestamp is None else str(int(timestamp))
    headers = {SIGNATURE_HEADER: "sha256=" + _hex(secret, _signed_bytes(body, ts))}
    if ts is not None:
        headers[TIMESTAMP_HEADER] = ts
    return headers


def verify_ci(secret: str, body: bytes, signature: str | None, timestamp: str | None, now: float) -> bool:
    """Constant-time check of `X-Signature-256` (and of the timestamp window when one is sent)."""
    if not signature or not signature.startswith("sha256="):
        return False
    if timestamp is not None and (not timestamp.isdigit() or abs(now - int(timestamp)) > MAX_SKEW_SECONDS):
        return False
    expected = "sha256=" + _hex(secret, _signed_bytes(body, timestamp))
    return hmac.compare_digest(expected.encode(), signature.strip().encode())


def sign_apple(secret: str, body: bytes) -> str:
    return "hmacsha256=" + _hex(secret, body)


def verify_apple(secret: str, body: bytes, header: str | None) -> bool:
    """App Store Connect signs the raw body: `x-apple-signature: hmacsha256=<hex>`."""
    if not header or not header.startswith("hmacsha256="):
        return False
    return hmac.compare_digest(sign_apple(secret, body).encode(), header.strip().encode())
