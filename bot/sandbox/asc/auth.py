"""Bearer-token checks as App Store Connect makes them: ES256, known key id, issuer, audience, lifetime."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from bot.sandbox.asc.errors import AUTH_DETAIL, ApiError

AUDIENCE = "appstoreconnect-v1"
MAX_LIFETIME = 20 * 60  # seconds between iat (or first sight) and exp


@dataclass(frozen=True)
class RegisteredKey:
    """A key the simulator accepts: tokens must name `key_id` as kid and `issuer_id` as iss."""

    key_id: str
    issuer_id: str | None  # None: an individual key, whose tokens carry sub="user" instead of iss
    public_key: ec.EllipticCurvePublicKey


class TokenChecker:
    """Verifies tokens; the signature check is cached per token, the expiry is checked on every request."""

    def __init__(self) -> None:
        self.keys: dict[str, RegisteredKey] = {}
        self._verified: dict[str, tuple[str, int]] = {}  # token → (key id, exp)

    def register(self, key_id: str, issuer_id: str | None, public_key_pem: str) -> None:
        """Accept tokens signed by this key from now on."""
        public = load_pem_public_key(public_key_pem.encode())
        if not isinstance(public, ec.EllipticCurvePublicKey):
            raise ValueError("App Store Connect keys are EC P-256 keys")
        self.keys[key_id] = RegisteredKey(key_id, issuer_id, public)
        self._verified.clear()

    def check(self, authorization: str | None, now: datetime) -> str:
        """The key id of a valid `Authorization` header value; otherwise a 401 ApiError."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme != "Bearer" or not token:
            raise _denied()
        cached = self._verified.get(token)
        if cached is None:
            cached = self._verify(token, now)
            if len(self._verified) > 10_000:  # tokens rotate every few minutes; keep memory bounded
                self._verified.clear()
            self._verified[token] = cached
        key_id, exp = cached
        if exp <= now.timestamp():
            raise _denied()
        return key_id

    def _verify(self, token: str, now: datetime) -> tuple[str, int]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _denied() from None
        key = self.keys.get(str(header.get("kid")))
        if header.get("alg") != "ES256" or key is None:
            raise _denied()
        try:
            # Expiry is judged against the simulator's clock below, not the machine's.
            claims = jwt.decode(
                token,
                key.public_key,
                algorithms=["ES256"],
                audience=AUDIENCE,
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "require": ["exp", "aud"],
                },
            )
        except jwt.PyJWTError:
            raise _denied() from None
        if key.issuer_id is None:
            if claims.get("sub") != "user":
                raise _denied()
        elif claims.get("iss") != key.issuer_id:
            raise _denied()
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, int) or (iat is not None and not isinstance(iat, int)):
            raise _denied()
        # Apple accepts tokens without `iat` (codemagic-cli-tools signs them that way); their lifetime
        # is then judged from when the token is first seen.
        issued = iat if iat is not None else int(now.timestamp())
        if exp - issued > MAX_LIFETIME:
            raise _denied()
        return key.key_id, exp


def _denied() -> ApiError:
    return ApiError(401, "NOT_AUTHORIZED", AUTH_DETAIL)
