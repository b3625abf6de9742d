"""A valid environment for `load_config`, with one default App Store Connect key, for config tests."""

from __future__ import annotations

from bot.appstore.auth import generate_private_key_pem

PEM = generate_private_key_pem()
ISSUER = "57246542-96fe-1a63-e053-0824d011072a"
KEY_ID = "ABC123DEFG"
BOT_TOKEN = "xoxb-1111-2222-secretbottoken"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
WEBHOOK_SECRET = "webhook-secret-0123456789abcdef"


def make_env(**overrides: str | None) -> dict[str, str]:
    """A valid environment; an override of None removes that variable."""
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "ASC_BOT_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "APP_STORE_CONNECT_API_KEY_ISSUER_ID": ISSUER,
        "APP_STORE_CONNECT_API_KEY_KEY_ID": KEY_ID,
        "APP_STORE_CONNECT_API_KEY_KEY": PEM,
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}
