"""Let the simulator accept App Store Connect tokens without `iat`, as Apple does.

codemagic-cli-tools signs tokens with `iss`, `exp` and `aud` only (as Apple's own early samples
did); Apple accepts them. The simulator requires `iat`, so for the third-party run the benchmark
swaps in a checker that differs only there: key id, algorithm, signature, issuer and audience are
checked as before, and the expiry is still judged against the simulator's clock on every request.
A token that does carry `iat` goes through the simulator's own checks unchanged.
"""

from __future__ import annotations

import jwt

from bot.sandbox.asc import AscSimulator
from bot.sandbox.asc.auth import AUDIENCE, TokenChecker
from bot.sandbox.asc.errors import AUTH_DETAIL, ApiError


class TokensWithoutIat(TokenChecker):
    """The simulator's token checks, with `iat` optional."""

    def _verify(self, token: str) -> tuple[str, int]:
        try:
            header = jwt.get_unverified_header(token)
            key = self.keys[str(header.get("kid"))]
            claims = jwt.decode(
                token,
                key.public_key,
                algorithms=["ES256"],
                audience=AUDIENCE,
                options={"verify_exp": False, "require": ["exp", "aud"]},
            )
        except (jwt.PyJWTError, KeyError):
            raise ApiError(401, "NOT_AUTHORIZED", AUTH_DETAIL) from None
        if "iat" in claims:
            return super()._verify(token)
        if header.get("alg") != "ES256" or claims.get("iss") != key.issuer_id:
            raise ApiError(401, "NOT_AUTHORIZED", AUTH_DETAIL)
        return key.key_id, int(claims["exp"])


def accept_tokens_without_iat(sim: AscSimulator) -> None:
    """Install the checker on a started simulator (before any key is registered)."""
    sim._server.tokens = TokensWithoutIat()
