"""Tokens: ES256 with Apple's header and claims, reused until a minute before they expire."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from bot.appstore.auth import ApiKey, TokenProvider
from bot.appstore.errors import AscAuthError
from bot.errors import ConfigError
from bot.sandbox.clock import FakeClock
from tests.appstore.fakes import make_key


def decode(token: str, key: ApiKey) -> dict:
    """Verify the signature and audience; the fake clock's time is not the real one, so skip exp."""
    return jwt.decode(
        token,
        key.public_key_pem(),
        algorithms=["ES256"],
        audience="appstoreconnect-v1",
        options={"verify_exp": False, "verify_iat": False},
    )


def test_token_has_apples_header_and_claims() -> None:
    key, clock = make_key(), FakeClock()
    token = TokenProvider(key, clock).token()
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "ES256", "kid": key.key_id, "typ": "JWT"}
    claims = decode(token, key)
    assert claims["iss"] == key.issuer_id
    assert claims["aud"] == "appstoreconnect-v1"
    assert claims["iat"] == int(clock.now().timestamp())
    assert claims["exp"] - claims["iat"] == 19 * 60
    assert set(claims) == {"iss", "iat", "exp", "aud"}


def test_token_is_reused_then_renewed_a_minute_before_expiry() -> None:
    clock = FakeClock()
    tokens = TokenProvider(make_key(), clock)
    first = tokens.token()
    clock.advance(timedelta(minutes=17, seconds=59))
    assert tokens.token() == first
    clock.advance(timedelta(seconds=1))  # 18 minutes: one minute before the 19-minute expiry
    second = tokens.token()
    assert second != first
    assert tokens.tokens_issued == 2


def test_invalidate_forces_a_new_token() -> None:
    clock = FakeClock()
    tokens = TokenProvider(make_key(), clock)
    first = tokens.token()
    clock.advance(1)
    tokens.invalidate()
    assert tokens.token() != first


def test_lifetime_over_twenty_minutes_is_refused() -> None:
    with pytest.raises(ValueError, match="20 minutes"):
        TokenProvider(make_key(), FakeClock(), lifetime=timedelta(minutes=21))


@pytest.mark.parametrize(
    "pem", ["", "not a key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"]
)
def test_malformed_key_gives_one_line_error_naming_the_key(pem: str) -> None:
    key = ApiKey(name="ci", issuer_id="issuer", key_id="ABC123", private_key=pem)
    with pytest.raises(AscAuthError) as caught:
        TokenProvider(key, FakeClock())
    message = caught.value.user_message
    assert isinstance(caught.value, ConfigError)
    assert "'ci'" in message and "ABC123" in message
    assert "\n" not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
