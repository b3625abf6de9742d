"""App Store Connect API keys and the ES256 tokens made from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from bot.appstore.errors import AscAuthError
from bot.clock import Clock


@dataclass(frozen=True, repr=False)
class ApiKey:
    """One App Store Connect team API key: issuer, key id and the .p8 private key (PEM text)."""

    name: str
    issuer_id: str
    key_id: str
    private_key: str

    def __repr__(self) -> str:
        return (
            f"ApiKey(name={self.name!r}, issuer_id={self.issuer_id!r}, key_id={self.key_id!r}, "
            "private_key=***)"
        )

    def public_key_pem(self) -> str:
        """The PEM public key that App Store Connect (or the simulator) verifies tokens with."""
        public = parse_private_key(self.private_key).public_key()
        return public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()


def parse_private_key(pem: str) -> ec.EllipticCurvePrivateKey:
    """Load a .p8 key; raise ValueError saying what is wrong when it is not a P-256 EC private key."""
    text = pem.strip()
    if "-----BEGIN" not in text:
        raise ValueError("is not a PEM EC private key (no '-----BEGIN PRIVATE KEY-----' line)")
    try:
        key = serialization.load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"is not a PEM EC private key ({exc.__class__.__name__})") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("is not a PEM EC private key (it is a different kind of key)")
    if not isinstance(key.curve, ec.SECP256R1):
        raise ValueError(f"is an EC key on {key.curve.name}; App Store Connect keys use P-256")
    return key


def generate_private_key_pem() -> str:
    """A fresh P-256 key in PKCS#8 PEM, as Apple's .p8 files are (for the sandbox and tests)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


# Apple rejects tokens that live longer than 20 minutes; 19 leaves room for clock skew.
TOKEN_LIFETIME = timedelta(minutes=19)
MAX_TOKEN_LIFETIME = timedelta(minutes=20)
# Renew this long before expiry so a token never expires while a request is in flight.
RENEW_BEFORE = timedelta(seconds=60)
AUDIENCE = "appstoreconnect-v1"


class TokenProvider:
    """Signs ES256 team-key tokens for one API key and reuses each until shortly before it expires."""

    def __init__(self, key: ApiKey, clock: Clock, *, lifetime: timedelta = TOKEN_LIFETIME) -> None:
        if not timedelta(minutes=2) <= lifetime <= MAX_TOKEN_LIFETIME:
            raise ValueError("token lifetime must be between 2 and 20 minutes")
        try:
            # Load once up front so a bad key fails at start-up with its name, not on the first request.
            self._private_key = parse_private_key(key.private_key)
        except ValueError as exc:
            raise AscAuthError(key.name, key.key_id, str(exc)) from None
        self._key = key
        self._clock = clock
        self._lifetime = lifetime
        self._token: str | None = None
        self._expires_at: datetime | None = None
        self.tokens_issued = 0

    @property
    def key(self) -> ApiKey:
        return self._key

    def token(self) -> str:
        """A valid bearer token, signing a new one only when the cached one is about to expire."""
        now = self._clock.now()
        if self._token is None or self._expires_at is None or now >= self._expires_at - RENEW_BEFORE:
            self._token, self._expires_at = self._sign(now)
        return self._token

    def invalidate(self) -> None:
        """Forget the cached token (after a 401) so the next call signs a fresh one."""
        self._token = None
        self._expires_at = None

    def _sign(self, now: datetime) -> tuple[str, datetime]:
        issued = int(now.timestamp())
        expires = issued + int(self._lifetime.total_seconds())
        payload = {"iss": self._key.issuer_id, "iat": issued, "exp": expires, "aud": AUDIENCE}
        headers = {"kid": self._key.key_id, "typ": "JWT"}
        token = jwt.encode(payload, self._private_key, algorithm="ES256", headers=headers)
        self.tokens_issued += 1
        return token, datetime.fromtimestamp(expires, tz=UTC)
