"""Config from environment variables and the TOML file: every key source, every problem, no secret leaks."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from bot.appstore.auth import generate_private_key_pem, parse_private_key
from bot.config import ENV_VARS, Config, config_from_environment, load_config
from bot.errors import ConfigError
from tests.support.config_env import BOT_TOKEN, ISSUER, KEY_ID, PEM, SIGNING_SECRET, WEBHOOK_SECRET, make_env

OTHER_PEM = generate_private_key_pem()
APP_TOKEN = "xapp-1-A111-2222-secretapptoken"
APPLE_SECRET = "apple-webhook-secret-42"
KEY_VARS = (
    "APP_STORE_CONNECT_API_KEY_ISSUER_ID",
    "APP_STORE_CONNECT_API_KEY_KEY_ID",
    "APP_STORE_CONNECT_API_KEY_KEY",
)
NO_ENV_KEY = dict.fromkeys(KEY_VARS)
PARTLY = "the default App Store Connect key is only partly set"


def problems_of(env: dict[str, str], **kwargs: bool) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(env, **kwargs)
    return info.value.problems


def write(directory: Path, name: str, text: str) -> str:
    path = directory / name
    path.write_text(text)
    return str(path)


def with_toml(tmp_path: Path, text: str, **overrides: str | None) -> dict[str, str]:
    return make_env(ASC_BOT_CONFIG=write(tmp_path, "asc-bot.toml", text), **overrides)


def same_key(pem: str, expected: str = PEM) -> bool:
    return parse_private_key(pem).private_numbers() == parse_private_key(expected).private_numbers()


def other_curve_pem() -> str:
    key = ec.generate_private_key(ec.SECP384R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def fastlane_json(**fields: object) -> str:
    data = {"key_id": KEY_ID, "issuer_id": ISSUER, "key": PEM, "duration": 1200, "in_house": False}
    data.update(fields)
    return json.dumps({k: v for k, v in data.items() if v is not None})


# --- defaults and values ----------------------------------------------------------------------------


def test_defaults() -> None:
    config = load_config(make_env())
    assert config.slack_api_url == "https://slack.com/api/"
    assert config.asc_api_url == "https://api.appstoreconnect.apple.com"
    assert config.db_path == "./asc-bot.db"
    assert (config.poll_interval, config.find_timeout, config.processing_timeout) == (30, 900, 7200)
    assert config.slack_channel is None and config.slack_app_token is None
    assert config.apple_webhook_secret is None
    assert config.default_api_key == "default"
    assert list(config.api_keys) == ["default"]
    assert config.apps == {} and config.approvers == () and config.publishing_defaults == {}


def test_every_variable_is_read(tmp_path: Path) -> None:
    env = make_env(
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL="http://127.0.0.1:9000/api",
        SLACK_CHANNEL="C0123456789",
        ASC_API_URL="http://127.0.0.1:9001/",
        ASC_BOT_APPLE_WEBHOOK_SECRET=APPLE_SECRET,
        ASC_BOT_DB=str(tmp_path / "bot.db"),
        ASC_BOT_POLL_INTERVAL="2.5",
        ASC_BOT_FIND_TIMEOUT="60",
        ASC_BOT_PROCESSING_TIMEOUT="120",
    )
    config = load_config(env)
    assert config.slack_bot_token == BOT_TOKEN and config.slack_signing_secret == SIGNING_SECRET
    assert config.slack_app_token == APP_TOKEN and config.webhook_secret == WEBHOOK_SECRET
    assert config.slack_api_url == "http://127.0.0.1:9000/api/"  # always ends with "/"
    assert config.asc_api_url == "http://127.0.0.1:9001"  # never does
    assert config.slack_channel == "C0123456789"
    assert config.apple_webhook_secret == APPLE_SECRET
    assert config.db_path == str(tmp_path / "bot.db")
    assert (config.poll_interval, config.find_timeout, config.processing_timeout) == (2.5, 60, 120)


def test_env_var_names_are_the_contract() -> None:
    # A contract (README, "Configuration"): renaming one breaks every deployment that sets it.
    assert len(set(ENV_VARS)) == len(ENV_VARS)
    assert set(ENV_VARS) == {
        *("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "SLACK_CHANNEL"),
        *(
            f"APP_STORE_CONNECT_API_KEY_{n}"
            for n in ("ISSUER_ID", "KEY_ID", "KEY", "IS_KEY_CONTENT_BASE64", "PATH")
        ),
        *(
            "ASC_API_URL",
            "ASC_BOT_WEBHOOK_SECRET",
            "ASC_BOT_APPLE_WEBHOOK_SECRET",
            "ASC_BOT_ALLOW_UNTIMESTAMPED_SIGNATURES",
            "ASC_BOT_DB",
            "ASC_BOT_CONFIG",
        ),
        *("ASC_BOT_FEEDBACK_POLL_INTERVAL", "ASC_BOT_FEEDBACK_DIGEST_THRESHOLD", "ASC_BOT_APPROVAL_REMINDER"),
        *("ASC_BOT_POLL_INTERVAL", "ASC_BOT_FIND_TIMEOUT", "ASC_BOT_PROCESSING_TIMEOUT"),
        *("ASC_BOT_METRICS_TOKEN", "ASC_BOT_LOG_FORMAT", "ASC_BOT_LOG_LEVEL"),
        *("ASC_BOT_RATE_RESERVE", "ASC_BOT_POLL_PROFILE"),
        *("ASC_BOT_LEASE_SECONDS", "ASC_BOT_FOLLOW_INTERVAL"),  # issue 15: replicas on PostgreSQL
    }


def test_database_urls_leases_and_follow_interval() -> None:
    pg = load_config(make_env(ASC_BOT_DB="postgresql://bot:pw@db:5432/bot", ASC_BOT_LEASE_SECONDS="15"))
    assert pg.db_path == "postgresql://bot:pw@db:5432/bot" and pg.lease_seconds == 15
    assert pg.follow_interval == 120 and load_config(make_env(ASC_BOT_FOLLOW_INTERVAL="5")).follow_interval == 5
    assert load_config(make_env(ASC_BOT_DB="sqlite:///bot.db")).db_path == "bot.db"
    with pytest.raises(ConfigError) as caught:
        load_config(make_env(ASC_BOT_DB="postgresql:db", ASC_BOT_LEASE_SECONDS="1", ASC_BOT_FOLLOW_INTERVAL="x"))
    text = "\n".join(caught.value.problems)
    assert "ASC_BOT_DB must be a postgresql://" in text
    assert "ASC_BOT_LEASE_SECONDS must be a number of seconds from 2 to 3600" in text
    assert "ASC_BOT_FOLLOW_INTERVAL must be a number of seconds from 1 to 3600" in text


def test_empty_variables_count_as_unset() -> None:
    config = load_config(make_env(SLACK_CHANNEL="", ASC_BOT_POLL_INTERVAL="", SLACK_APP_TOKEN=" "))
    assert config.slack_channel is None and config.poll_interval == 30 and config.slack_app_token is None


def test_slack_and_webhook_secret_can_be_optional() -> None:
    env = make_env(SLACK_BOT_TOKEN=None, SLACK_SIGNING_SECRET=None, ASC_BOT_WEBHOOK_SECRET=None)
    config = load_config(env, require_slack=False, require_webhook_secret=False)
    assert config.slack_bot_token is None and config.webhook_secret is None


def test_socket_mode_needs_no_signing_secret() -> None:
    config = load_config(make_env(SLACK_SIGNING_SECRET=None, SLACK_APP_TOKEN=APP_TOKEN))
    assert config.slack_app_token == APP_TOKEN and config.slack_signing_secret is None


def test_config_is_frozen() -> None:
    config = load_config(make_env())
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.poll_interval = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.api_keys["x"] = config.api_keys["default"]  # type: ignore[index]


def test_config_from_environment_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in make_env(ASC_BOT_POLL_INTERVAL="7").items():
        monkeypatch.setenv(name, value)
    assert config_from_environment().poll_interval == 7


# --- every source of the App Store Connect key ------------------------------------------------------

KeySource = Callable[[Path], dict[str, str | None]]

KEY_SOURCES: dict[str, KeySource] = {
    "pem": lambda d: {},
    "pem, flag false": lambda d: {"APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64": "False"},
    "pem, flag 0": lambda d: {"APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64": "0"},
    "base64, flag true": lambda d: {
        "APP_STORE_CONNECT_API_KEY_KEY": b64(PEM),
        "APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64": "true",
    },
    "base64, flag YES": lambda d: {
        "APP_STORE_CONNECT_API_KEY_KEY": b64(PEM),
        "APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64": "YES",
    },
    "base64 wrapped at 76, flag 1": lambda d: {
        "APP_STORE_CONNECT_API_KEY_KEY": base64.encodebytes(PEM.encode()).decode(),
        "APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64": "1",
    },
    "literal \\n": lambda d: {"APP_STORE_CONNECT_API_KEY_KEY": PEM.strip().replace("\n", "\\n")},
    "literal \\r\\n": lambda d: {"APP_STORE_CONNECT_API_KEY_KEY": PEM.strip().replace("\n", "\\r\\n")},
    "fastlane json": lambda d: {
        **NO_ENV_KEY,
        "APP_STORE_CONNECT_API_KEY_PATH": write(d, "api_key.json", fastlane_json()),
    },
    "fastlane json, base64 key": lambda d: {
        **NO_ENV_KEY,
        "APP_STORE_CONNECT_API_KEY_PATH": write(
            d, "key.json", fastlane_json(key=b64(PEM), is_key_content_base64=True)
        ),
    },
    "fastlane json, ids from env": lambda d: {
        "APP_STORE_CONNECT_API_KEY_KEY": None,
        "APP_STORE_CONNECT_API_KEY_PATH": write(d, "key.json", fastlane_json(issuer_id=None, key_id=None)),
    },
    "p8 path with key id env": lambda d: {
        "APP_STORE_CONNECT_API_KEY_KEY": None,
        "APP_STORE_CONNECT_API_KEY_PATH": write(d, "key.p8", PEM),
    },
    "p8 path, key id from file name": lambda d: {
        "APP_STORE_CONNECT_API_KEY_KEY": None,
        "APP_STORE_CONNECT_API_KEY_KEY_ID": None,
        "APP_STORE_CONNECT_API_KEY_PATH": write(d, f"AuthKey_{KEY_ID}.p8", PEM),
    },
}


@pytest.mark.parametrize("source", KEY_SOURCES.values(), ids=KEY_SOURCES.keys())
def test_default_key_sources(tmp_path: Path, source: KeySource) -> None:
    config = load_config(make_env(**source(tmp_path)))
    key = config.key_for("com.example.app")
    assert (key.name, key.issuer_id, key.key_id) == ("default", ISSUER, KEY_ID)
    assert same_key(key.private_key)


KEY_ID_LINE = f'key_id = "{KEY_ID}"\n'
# Each gives the lines of [keys.acme] after its issuer_id.
TOML_KEY_SOURCES: dict[str, Callable[[Path], str]] = {
    "private_key_path (relative to the TOML file)": lambda d: (
        write(d, "acme.p8", OTHER_PEM) and KEY_ID_LINE + 'private_key_path = "acme.p8"'
    ),
    "private_key_path, key id from file name": lambda d: (
        f'private_key_path = "{write(d, f"AuthKey_{KEY_ID}.p8", OTHER_PEM)}"'
    ),
    "private_key inline": lambda d: KEY_ID_LINE + f"private_key = '''{OTHER_PEM}'''",
    "private_key with \\n": lambda d: (
        KEY_ID_LINE + f'private_key = "{OTHER_PEM.strip()}"'.replace("\n", "\\\\n")
    ),
    "fastlane_json, ids inside": lambda d: (
        f'fastlane_json = "{write(d, "acme.json", fastlane_json(key=OTHER_PEM, issuer_id=None))}"'
    ),
}


@pytest.mark.parametrize("source", TOML_KEY_SOURCES.values(), ids=TOML_KEY_SOURCES.keys())
def test_toml_named_key_sources(tmp_path: Path, source: Callable[[Path], str]) -> None:
    text = f'[keys.acme]\nissuer_id = "{ISSUER}"\n{source(tmp_path)}\n'
    config = load_config(with_toml(tmp_path, text, **NO_ENV_KEY))
    assert config.default_api_key == "acme"  # no env key: the first TOML key is the default
    key = config.key_for("com.example.app")
    assert (key.name, key.issuer_id, key.key_id) == ("acme", ISSUER, KEY_ID)
    assert same_key(key.private_key, OTHER_PEM)


def test_env_key_stays_default_beside_toml_keys(tmp_path: Path) -> None:
    text = f'[keys.acme]\nissuer_id = "{ISSUER}"\nkey_id = "ZZZ999YYYY"\nprivate_key = """{OTHER_PEM}"""\n'
    config = load_config(with_toml(tmp_path, text))
    assert list(config.api_keys) == ["default", "acme"] and config.default_api_key == "default"
    assert config.api_keys["acme"].key_id == "ZZZ999YYYY"


# --- one malformed value, one line that names it ----------------------------------------------------

IS_B64 = "APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64"
ENV_PROBLEMS: dict[str, tuple[KeySource, str]] = {
    "key not PEM": (
        lambda d: {"APP_STORE_CONNECT_API_KEY_KEY": "not a key"},
        "APP_STORE_CONNECT_API_KEY_KEY is not a PEM EC private key (no '-----BEGIN PRIVATE KEY-----' line)",
    ),
    "key garbled": (
        lambda d: {"APP_STORE_CONNECT_API_KEY_KEY": PEM.replace("M", "x", 3)},
        "APP_STORE_CONNECT_API_KEY_KEY is not a PEM EC private key (ValueError)",
    ),
    "key RSA": (
        lambda d: {"APP_STORE_CONNECT_API_KEY_KEY": rsa_pem()},
        "APP_STORE_CONNECT_API_KEY_KEY is not a PEM EC private key (it is a different kind of key)",
    ),
    "key P-384": (
        lambda d: {"APP_STORE_CONNECT_API_KEY_KEY": other_curve_pem()},
        "APP_STORE_CONNECT_API_KEY_KEY is an EC key on secp384r1; App Store Connect keys use P-256",
    ),
    "key id malformed": (
        lambda d: {"APP_STORE_CONNECT_API_KEY_KEY_ID": "abc123"},
        "APP_STORE_CONNECT_API_KEY_KEY_ID must be 10 upper-case letters or digits like ABC123DEFG, "
        "got 'abc123'",
    ),
    "issuer malformed": (
        lambda d: {"APP_STORE_CONNECT_API_KEY_ISSUER_ID": "my-team"},
        "APP_STORE_CONNECT_API_KEY_ISSUER_ID must be a UUID like 57246542-96fe-1a63-e053-0824d011072a, "
        "got 'my-team'",
    ),
    "base64 flag malformed": (
        lambda d: {IS_B64: "maybe"},
        f"{IS_B64} must be true or false, got 'maybe'",
    ),
    "base64 flag on non-base64": (
        lambda d: {IS_B64: "true", "APP_STORE_CONNECT_API_KEY_KEY": "%%%not base64%%%"},
        f"APP_STORE_CONNECT_API_KEY_KEY is not valid base64 ({IS_B64} is true)",
    ),
    "base64 flag on PEM": (
        lambda d: {IS_B64: "true"},
        f"APP_STORE_CONNECT_API_KEY_KEY is PEM text, not base64: set {IS_B64} to false",
    ),
    "base64 without flag": (
        lambda d: {"APP_STORE_CONNECT_API_KEY_KEY": b64(PEM)},
        f"APP_STORE_CONNECT_API_KEY_KEY looks like base64 text: set {IS_B64}=true",
    ),
    "issuer only": (
        lambda d: {"APP_STORE_CONNECT_API_KEY_KEY_ID": None, "APP_STORE_CONNECT_API_KEY_KEY": None},
        "APP_STORE_CONNECT_API_KEY_KEY_ID and APP_STORE_CONNECT_API_KEY_KEY "
        f"(or APP_STORE_CONNECT_API_KEY_PATH) are required: {PARTLY}",
    ),
    "key without issuer": (
        lambda d: {"APP_STORE_CONNECT_API_KEY_ISSUER_ID": None},
        f"APP_STORE_CONNECT_API_KEY_ISSUER_ID is required: {PARTLY}",
    ),
    "key and path": (
        lambda d: {"APP_STORE_CONNECT_API_KEY_PATH": write(d, "key.p8", PEM)},
        "APP_STORE_CONNECT_API_KEY_KEY and APP_STORE_CONNECT_API_KEY_PATH are both set: use one of them",
    ),
    "path missing": (
        lambda d: {"APP_STORE_CONNECT_API_KEY_KEY": None, "APP_STORE_CONNECT_API_KEY_PATH": "/nope/key.p8"},
        "APP_STORE_CONNECT_API_KEY_PATH names a file that does not exist: '/nope/key.p8'",
    ),
    "path is a directory": (
        lambda d: {"APP_STORE_CONNECT_API_KEY_KEY": None, "APP_STORE_CONNECT_API_KEY_PATH": str(d)},
        "APP_STORE_CONNECT_API_KEY_PATH names a directory, not a file: '{d}'",
    ),
    "p8 without key id": (
        lambda d: {
            "APP_STORE_CONNECT_API_KEY_KEY": None,
            "APP_STORE_CONNECT_API_KEY_KEY_ID": None,
            "APP_STORE_CONNECT_API_KEY_PATH": write(d, "key.p8", PEM),
        },
        f"APP_STORE_CONNECT_API_KEY_KEY_ID (or a file named AuthKey_<KEY_ID>.p8) is required: {PARTLY}",
    ),
    "p8 file name disagrees with key id": (
        lambda d: {
            "APP_STORE_CONNECT_API_KEY_KEY": None,
            "APP_STORE_CONNECT_API_KEY_PATH": write(d, "AuthKey_ZZZ999YYYY.p8", PEM),
        },
        "APP_STORE_CONNECT_API_KEY_KEY_ID 'ABC123DEFG' does not match "
        "APP_STORE_CONNECT_API_KEY_PATH's file name 'ZZZ999YYYY'",
    ),
    "p8 file not a key": (
        lambda d: {
            "APP_STORE_CONNECT_API_KEY_KEY": None,
            "APP_STORE_CONNECT_API_KEY_PATH": write(d, "k.p8", "x"),
        },
        "APP_STORE_CONNECT_API_KEY_PATH is not a PEM EC private key (no '-----BEGIN PRIVATE KEY-----' line)",
    ),
    "json invalid": (
        lambda d: {**NO_ENV_KEY, "APP_STORE_CONNECT_API_KEY_PATH": write(d, "k.json", "{'key_id': 1")},
        "APP_STORE_CONNECT_API_KEY_PATH is not valid JSON "
        "(Expecting property name enclosed in double quotes at line 1)",
    ),
    "json not an object": (
        lambda d: {**NO_ENV_KEY, "APP_STORE_CONNECT_API_KEY_PATH": write(d, "k.json", "[]")},
        "APP_STORE_CONNECT_API_KEY_PATH must hold a JSON object (fastlane's API key file format)",
    ),
    "json without key": (
        lambda d: {
            **NO_ENV_KEY,
            "APP_STORE_CONNECT_API_KEY_PATH": write(d, "k.json", fastlane_json(key=None)),
        },
        'APP_STORE_CONNECT_API_KEY_PATH has no "key" (the .p8 private key text)',
    ),
    "json key id malformed": (
        lambda d: {
            **NO_ENV_KEY,
            "APP_STORE_CONNECT_API_KEY_PATH": write(d, "k.json", fastlane_json(key_id="x")),
        },
        'APP_STORE_CONNECT_API_KEY_PATH "key_id" must be 10 upper-case letters or digits like ABC123DEFG, '
        "got 'x'",
    ),
    "json key not base64": (
        lambda d: {
            **NO_ENV_KEY,
            "APP_STORE_CONNECT_API_KEY_PATH": write(
                d, "k.json", fastlane_json(key="!!", is_key_content_base64=True)
            ),
        },
        'APP_STORE_CONNECT_API_KEY_PATH "key" is not valid base64 '
        '(APP_STORE_CONNECT_API_KEY_PATH "is_key_content_base64" is true)',
    ),
    "json in-house key": (
        lambda d: {
            **NO_ENV_KEY,
            "APP_STORE_CONNECT_API_KEY_PATH": write(d, "k.json", fastlane_json(in_house=True)),
        },
        'APP_STORE_CONNECT_API_KEY_PATH "in_house" is true: publishing needs an App Store Connect team key',
    ),
    "json without issuer": (
        lambda d: {
            **NO_ENV_KEY,
            "APP_STORE_CONNECT_API_KEY_PATH": write(d, "k.json", fastlane_json(issuer_id=None)),
        },
        'APP_STORE_CONNECT_API_KEY_ISSUER_ID (or "issuer_id" in APP_STORE_CONNECT_API_KEY_PATH) is required: '
        + PARTLY,
    ),
    "json disagrees with env": (
        lambda d: {
            "APP_STORE_CONNECT_API_KEY_KEY": None,
            "APP_STORE_CONNECT_API_KEY_PATH": write(d, "k.json", fastlane_json(key_id="ZZZ999YYYY")),
        },
        "APP_STORE_CONNECT_API_KEY_KEY_ID 'ABC123DEFG' does not match "
        "APP_STORE_CONNECT_API_KEY_PATH \"key_id\" 'ZZZ999YYYY'",
    ),
    "no key at all": (
        lambda d: NO_ENV_KEY,
        "APP_STORE_CONNECT_API_KEY_ISSUER_ID, APP_STORE_CONNECT_API_KEY_KEY_ID and "
        "APP_STORE_CONNECT_API_KEY_KEY are required (or APP_STORE_CONNECT_API_KEY_PATH, "
        "or [keys.<name>] in ASC_BOT_CONFIG): "
        "no App Store Connect API key is configured",
    ),
    "fastlane's path variable": (
        lambda d: {**NO_ENV_KEY, "APP_STORE_CONNECT_API_KEY_KEY_FILEPATH": "/k.p8"},
        "APP_STORE_CONNECT_API_KEY_ISSUER_ID, APP_STORE_CONNECT_API_KEY_KEY_ID and "
        "APP_STORE_CONNECT_API_KEY_KEY are required (or APP_STORE_CONNECT_API_KEY_PATH "
        "(not fastlane's APP_STORE_CONNECT_API_KEY_KEY_FILEPATH), "
        "or [keys.<name>] in ASC_BOT_CONFIG): no App Store Connect API key is configured",
    ),
    "bot token missing": (
        lambda d: {"SLACK_BOT_TOKEN": None},
        "SLACK_BOT_TOKEN is required (a bot token starting with 'xoxb-')",
    ),
    "bot token is a user token": (
        lambda d: {"SLACK_BOT_TOKEN": "xoxp-123-secret"},
        "SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-'; this looks like a user token",
    ),
    "bot token is an app token": (
        lambda d: {"SLACK_BOT_TOKEN": APP_TOKEN},
        "SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-'; this looks like an app-level token",
    ),
    "app token malformed": (
        lambda d: {"SLACK_APP_TOKEN": BOT_TOKEN},
        "SLACK_APP_TOKEN must be an app-level token starting with 'xapp-'; this looks like a bot token",
    ),
    "no signing secret": (
        lambda d: {"SLACK_SIGNING_SECRET": None},
        "SLACK_SIGNING_SECRET is required (or set SLACK_APP_TOKEN for Socket Mode)",
    ),
    "webhook secret missing": (
        lambda d: {"ASC_BOT_WEBHOOK_SECRET": None},
        "ASC_BOT_WEBHOOK_SECRET is required (the HMAC secret for /webhooks/build-uploaded, "
        "at least 16 characters)",
    ),
    "webhook secret short": (
        lambda d: {"ASC_BOT_WEBHOOK_SECRET": "hunter2"},
        "ASC_BOT_WEBHOOK_SECRET must be at least 16 characters long",
    ),
    "slack url without scheme": (
        lambda d: {"SLACK_API_URL": "slack.com/api/"},
        "SLACK_API_URL must be an http(s) URL, got 'slack.com/api/'",
    ),
    "asc url ftp": (
        lambda d: {"ASC_API_URL": "ftp://example.com"},
        "ASC_API_URL must be an http(s) URL, got 'ftp://example.com'",
    ),
    "asc url with /v1": (
        lambda d: {"ASC_API_URL": "https://api.appstoreconnect.apple.com/v1/"},
        "ASC_API_URL must not end with /v1 (the bot adds it), got 'https://api.appstoreconnect.apple.com/v1'",
    ),
    "channel name": (
        lambda d: {"SLACK_CHANNEL": "#releases"},
        "SLACK_CHANNEL must be a channel id like C0123456789 (not a name), got '#releases'",
    ),
    "db directory missing": (
        lambda d: {"ASC_BOT_DB": "/no/such/dir/bot.db"},
        "ASC_BOT_DB is in a directory that does not exist: '/no/such/dir'",
    ),
    "poll not a number": (
        lambda d: {"ASC_BOT_POLL_INTERVAL": "abc"},
        "ASC_BOT_POLL_INTERVAL must be a number of seconds, got 'abc'",
    ),
    "poll nan": (
        lambda d: {"ASC_BOT_POLL_INTERVAL": "nan"},
        "ASC_BOT_POLL_INTERVAL must be a number of seconds, got 'nan'",
    ),
    "poll too small": (
        lambda d: {"ASC_BOT_POLL_INTERVAL": "0.5"},
        "ASC_BOT_POLL_INTERVAL must be between 1 and 3600 seconds, got 0.5",
    ),
    "poll negative": (
        lambda d: {"ASC_BOT_POLL_INTERVAL": "-30"},
        "ASC_BOT_POLL_INTERVAL must be between 1 and 3600 seconds, got -30",
    ),
    "find timeout huge": (
        lambda d: {"ASC_BOT_FIND_TIMEOUT": "1e9"},
        "ASC_BOT_FIND_TIMEOUT must be between 1 and 604800 seconds, got 1e+09",
    ),
    "find timeout below poll": (
        lambda d: {"ASC_BOT_FIND_TIMEOUT": "10"},
        "ASC_BOT_FIND_TIMEOUT must be at least the poll interval (30 s), got 10",
    ),
    "processing timeout below poll": (
        lambda d: {
            "ASC_BOT_POLL_INTERVAL": "60",
            "ASC_BOT_FIND_TIMEOUT": "60",
            "ASC_BOT_PROCESSING_TIMEOUT": "50",
        },
        "ASC_BOT_PROCESSING_TIMEOUT must be at least the poll interval (60 s), got 50",
    ),
    "processing timeout below find timeout": (
        lambda d: {"ASC_BOT_PROCESSING_TIMEOUT": "600"},
        "ASC_BOT_PROCESSING_TIMEOUT must be at least the find timeout (900 s), got 600",
    ),
    "misspelt variable": (
        lambda d: {"ASC_BOT_POLL_INTERVALL": "10"},
        "ASC_BOT_POLL_INTERVALL is not a known variable (did you mean ASC_BOT_POLL_INTERVAL?)",
    ),
    "config file missing": (
        lambda d: {"ASC_BOT_CONFIG": "/nope/asc-bot.toml"},
        "ASC_BOT_CONFIG names a file that does not exist: '/nope/asc-bot.toml'",
    ),
    "config not TOML": (
        lambda d: {"ASC_BOT_CONFIG": write(d, "c.toml", "[defaults\n")},
        "ASC_BOT_CONFIG is not valid TOML: "
        "Expected ']' at the end of a table declaration (at line 1, column 10)",
    ),
}


@pytest.mark.parametrize("case", ENV_PROBLEMS.values(), ids=ENV_PROBLEMS.keys())
def test_one_env_problem(tmp_path: Path, case: tuple[KeySource, str]) -> None:
    overrides, expected = case
    assert problems_of(make_env(**overrides(tmp_path))) == [expected.replace("{d}", str(tmp_path))]


APP = '[apps."com.example.app"]\n'
TOML_PROBLEMS: dict[str, tuple[str, str]] = {
    "unknown table": (
        "[default]\nchannel = 'C1234'\n",
        "ASC_BOT_CONFIG default is not a known setting (did you mean 'defaults'?)",
    ),
    "unknown top-level key": (
        "poll = 3\n",
        "ASC_BOT_CONFIG poll is not a known setting (known: defaults, keys, apps)",
    ),
    "unknown defaults key": (
        "[defaults]\nchanel = 'C1234'\n",
        "ASC_BOT_CONFIG defaults.chanel is not a known setting (did you mean 'channel'?)",
    ),
    "unknown app key": (
        APP + "aproovers = ['U123']\n",
        'ASC_BOT_CONFIG apps."com.example.app".aproovers is not a known setting '
        "(did you mean 'approvers'?)",
    ),
    "app api_key unknown": (
        APP + "api_key = 'acme'\n",
        "ASC_BOT_CONFIG apps.\"com.example.app\".api_key names no configured key: 'acme' (known: default)",
    ),
    "app channel name": (
        APP + "channel = 'general'\n",
        'ASC_BOT_CONFIG apps."com.example.app".channel must be a channel id like C0123456789 (not a name), '
        "got 'general'",
    ),
    "defaults approver": (
        "[defaults]\napprovers = ['U0OK', 'bob']\n",
        "ASC_BOT_CONFIG defaults.approvers has 'bob', not a Slack user id (U…/W…) or user-group id (S…)",
    ),
    "approvers not a list": (
        APP + "approvers = 'U0AAA'\n",
        'ASC_BOT_CONFIG apps."com.example.app".approvers must be a list of Slack user or user-group ids',
    ),
    "publishing unknown option": (
        "[defaults]\npublishing = { submit_to_testfligth = true }\n",
        "ASC_BOT_CONFIG defaults.publishing.submit_to_testfligth is not a known setting "
        "(did you mean 'submit_to_testflight'?)",
    ),
    "publishing wrong type": (
        APP + "publishing = { submit_to_app_store = 'yes' }\n",
        'ASC_BOT_CONFIG apps."com.example.app".publishing.submit_to_app_store must be true or false, '
        "got 'yes'",
    ),
    "publishing release type": (
        APP + "publishing = { release_type = 'LATER' }\n",
        'ASC_BOT_CONFIG apps."com.example.app".publishing.release_type must be one of '
        "MANUAL, AFTER_APPROVAL, SCHEDULED, got 'LATER'",
    ),
    "publishing beta groups": (
        APP + "publishing = { beta_groups = ['QA', 3] }\n",
        'ASC_BOT_CONFIG apps."com.example.app".publishing.beta_groups[1] must be a beta group name',
    ),
    "publishing not a table": (
        "[defaults]\npublishing = true\n",
        "ASC_BOT_CONFIG defaults.publishing must be a table of publishing options",
    ),
    "bad bundle id": (
        '[apps."com example"]\n',
        "ASC_BOT_CONFIG apps.\"com example\" is not a bundle id (letters, digits, '-' and '.')",
    ),
    "apps not a table": ("apps = 3\n", "ASC_BOT_CONFIG apps must be a table"),
    "app not a table": (
        "[apps]\n'com.example.app' = 3\n",
        'ASC_BOT_CONFIG apps."com.example.app" must be a table',
    ),
    "poll in file": (
        "[defaults]\npoll_interval = 'abc'\n",
        "ASC_BOT_CONFIG defaults.poll_interval must be a number of seconds, got 'abc'",
    ),
    "poll boolean": (
        "[defaults]\npoll_interval = true\n",
        "ASC_BOT_CONFIG defaults.poll_interval must be a number of seconds, got 'True'",
    ),
    "timeout in file below poll": (
        "[defaults]\npoll_interval = 60\nfind_timeout = 30\n",
        "ASC_BOT_CONFIG defaults.find_timeout must be at least the poll interval (60 s), got 30",
    ),
    "key without a private key": (
        f"[keys.acme]\nissuer_id = '{ISSUER}'\nkey_id = '{KEY_ID}'\n",
        "ASC_BOT_CONFIG keys.acme needs exactly one of private_key, private_key_path, fastlane_json",
    ),
    "key with two private keys": (
        f"[keys.acme]\nissuer_id = '{ISSUER}'\nkey_id = '{KEY_ID}'\nprivate_key = '''{PEM}'''\n"
        "private_key_path = 'x.p8'\n",
        "ASC_BOT_CONFIG keys.acme needs exactly one of private_key, private_key_path, fastlane_json",
    ),
    "key unknown field": (
        f"[keys.acme]\nissuer_id = '{ISSUER}'\nkey_id = '{KEY_ID}'\nprivate_key = '''{PEM}'''\n"
        "key_path = 'x'\n",
        "ASC_BOT_CONFIG keys.acme.key_path is not a known setting (did you mean 'private_key_path'?)",
    ),
    "key without key id": (
        f"[keys.acme]\nissuer_id = '{ISSUER}'\nprivate_key = '''{PEM}'''\n",
        "ASC_BOT_CONFIG keys.acme needs key_id",
    ),
    "key with bad private key": (
        f"[keys.acme]\nissuer_id = '{ISSUER}'\nkey_id = '{KEY_ID}'\nprivate_key = 'oops'\n",
        "ASC_BOT_CONFIG keys.acme.private_key is not a PEM EC private key "
        "(no '-----BEGIN PRIVATE KEY-----' line)",
    ),
    "key with bad issuer": (
        f"[keys.acme]\nissuer_id = 'team'\nkey_id = '{KEY_ID}'\nprivate_key = '''{PEM}'''\n",
        "ASC_BOT_CONFIG keys.acme.issuer_id must be a UUID like 57246542-96fe-1a63-e053-0824d011072a, "
        "got 'team'",
    ),
    "key file missing": (
        f"[keys.acme]\nissuer_id = '{ISSUER}'\nkey_id = '{KEY_ID}'\nprivate_key_path = '/nope.p8'\n",
        "ASC_BOT_CONFIG keys.acme.private_key_path names a file that does not exist: '/nope.p8'",
    ),
    "key id not a string": (
        f"[keys.acme]\nissuer_id = '{ISSUER}'\nkey_id = 12\nprivate_key = '''{PEM}'''\n",
        "ASC_BOT_CONFIG keys.acme.key_id must be a string",
    ),
    "key not a table": ("[keys]\nacme = 'x'\n", "ASC_BOT_CONFIG keys.acme must be a table"),
    "key name clashes with env key": (
        f"[keys.default]\nissuer_id = '{ISSUER}'\nkey_id = '{KEY_ID}'\nprivate_key = '''{PEM}'''\n",
        "ASC_BOT_CONFIG keys.default clashes with the key from APP_STORE_CONNECT_API_KEY_KEY_ID and the rest",
    ),
}


@pytest.mark.parametrize("case", TOML_PROBLEMS.values(), ids=TOML_PROBLEMS.keys())
def test_one_toml_problem(tmp_path: Path, case: tuple[str, str]) -> None:
    text, expected = case
    assert problems_of(with_toml(tmp_path, text)) == [expected]


def test_problems_are_reported_together(tmp_path: Path) -> None:
    env = with_toml(
        tmp_path,
        "[defaults]\nchanel = 'C1'\n" + APP + "api_key = 'nope'\n",
        SLACK_BOT_TOKEN=None,
        SLACK_SIGNING_SECRET=None,
        ASC_BOT_WEBHOOK_SECRET="short",
        APP_STORE_CONNECT_API_KEY_KEY_ID="lower",
        APP_STORE_CONNECT_API_KEY_KEY="junk",
        ASC_BOT_POLL_INTERVAL="abc",
        ASC_API_URL="api.example.com",
    )
    with pytest.raises(ConfigError) as info:
        load_config(env)
    names = [problem.split(" ")[0] for problem in info.value.problems]
    assert names == [
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "ASC_BOT_WEBHOOK_SECRET",
        "ASC_API_URL",
        "ASC_BOT_CONFIG",  # defaults.chanel
        "ASC_BOT_POLL_INTERVAL",
        "APP_STORE_CONNECT_API_KEY_KEY_ID",
        "APP_STORE_CONNECT_API_KEY_KEY",
        "ASC_BOT_CONFIG",  # apps."com.example.app".api_key
    ]
    assert all("\n" not in problem for problem in info.value.problems)
    assert str(info.value) == "; ".join(info.value.problems)


# --- secrets ---------------------------------------------------------------------------------------


def pem_body(pem: str) -> str:
    return "".join(line for line in pem.splitlines() if not line.startswith("-----"))[:40]


def test_repr_masks_every_secret(tmp_path: Path) -> None:
    text = f"[keys.acme]\nissuer_id = '{ISSUER}'\nkey_id = 'ZZZ999YYYY'\nprivate_key = '''{OTHER_PEM}'''\n"
    env = with_toml(tmp_path, text, SLACK_APP_TOKEN=APP_TOKEN, ASC_BOT_APPLE_WEBHOOK_SECRET=APPLE_SECRET)
    shown = repr(load_config(env))
    for secret in (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, WEBHOOK_SECRET, APPLE_SECRET, pem_body(PEM)):
        assert secret not in shown
    assert pem_body(OTHER_PEM) not in shown and "PRIVATE KEY" not in shown
    assert "slack_bot_token=***" in shown and "webhook_secret=***" in shown and "key_id='ZZZ999YYYY'" in shown
    assert "slack_app_token=***" in shown and "apple_webhook_secret=***" in shown


def test_no_secret_in_any_message(tmp_path: Path) -> None:
    # Secrets in the wrong places: swapped variables, wrong prefixes, too short, bad base64.
    env = make_env(
        SLACK_BOT_TOKEN="xoxp-9999-user-secret-token",
        SLACK_APP_TOKEN="xoxb-8888-misplaced-secret",
        ASC_BOT_WEBHOOK_SECRET="tiny-secret",
        APP_STORE_CONNECT_API_KEY_KEY_ID=PEM,
        APP_STORE_CONNECT_API_KEY_ISSUER_ID=PEM.strip().replace("\n", "\\n"),
        APP_STORE_CONNECT_API_KEY_KEY=b64(PEM)[:-7] + "!!",
        APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64="true",
        ASC_BOT_CONFIG=write(tmp_path, "c.toml", f"[apps.'com.example.app']\napi_key = '''{OTHER_PEM}'''\n"),
    )
    problems = problems_of(env)
    assert len(problems) == 7
    text = "\n".join(problems)
    for secret in (
        "user-secret-token",
        "misplaced-secret",
        "tiny-secret",
        pem_body(PEM),
        pem_body(OTHER_PEM),
    ):
        assert secret not in text
    assert "(a value of" in text


# --- TOML settings and per-app lookups ---------------------------------------------------------------

FULL_TOML = f"""
[defaults]
channel = "C0123456789"
approvers = ["U0APPROVER"]
poll_interval = 20
find_timeout = 600
processing_timeout = 3600
publishing = {{ submit_to_testflight = true, beta_groups = ["Everyone"] }}

[keys.acme]
issuer_id = "{ISSUER}"
key_id = "ZZZ999YYYY"
private_key = '''{OTHER_PEM}'''

[apps."com.example.app"]
channel = "C0987654321"
api_key = "acme"
approvers = ["U0AAA", "S0RELEASE", "W0ENTERPRISE"]

[apps."com.example.app".publishing]
beta_groups = ["QA"]
submit_to_app_store = false
earliest_release_date = 2026-12-01T14:00:00Z

[apps."com.example.quiet"]
"""


def test_toml_settings(tmp_path: Path) -> None:
    config = load_config(with_toml(tmp_path, FULL_TOML))
    assert (config.poll_interval, config.find_timeout, config.processing_timeout) == (20, 600, 3600)
    assert config.slack_channel == "C0123456789" and config.approvers == ("U0APPROVER",)
    assert config.publishing_defaults == {"submit_to_testflight": True, "beta_groups": ("Everyone",)}
    app = config.apps["com.example.app"]
    assert app.approvers == ("U0AAA", "S0RELEASE", "W0ENTERPRISE") and app.api_key == "acme"
    assert app.publishing["earliest_release_date"] == "2026-12-01T14:00:00+00:00"


def test_env_wins_over_the_file(tmp_path: Path) -> None:
    env = with_toml(tmp_path, FULL_TOML, ASC_BOT_POLL_INTERVAL="5", SLACK_CHANNEL="G0PRIVATE1")
    config = load_config(env)
    assert (config.poll_interval, config.find_timeout) == (5, 600)
    assert config.channel_for("com.example.quiet") == "G0PRIVATE1"
    assert config.channel_for("com.example.app") == "C0987654321"


def test_per_app_lookups(tmp_path: Path) -> None:
    config = load_config(with_toml(tmp_path, FULL_TOML))
    assert config.channel_for("com.example.app") == "C0987654321"
    assert config.channel_for("com.example.quiet") == "C0123456789"  # the [defaults] channel
    assert config.channel_for("com.unknown") == "C0123456789"
    assert config.approvers_for("com.example.app") == ("U0AAA", "S0RELEASE", "W0ENTERPRISE")
    assert config.approvers_for("com.unknown") == ("U0APPROVER",)
    assert config.key_for("com.example.app").name == "acme"
    assert config.key_for("com.example.quiet").name == "default"
    assert config.key_for("com.example.app", "default").name == "default"
    merged = config.app("com.example.app").publishing
    assert merged["submit_to_testflight"] is True and merged["beta_groups"] == ("QA",)
    assert merged["submit_to_app_store"] is False
    assert config.app("com.unknown").publishing == config.publishing_defaults


def test_key_for_an_unknown_name_names_it(tmp_path: Path) -> None:
    config = load_config(with_toml(tmp_path, FULL_TOML))
    with pytest.raises(ConfigError) as info:
        config.key_for("com.example.app", "globex")
    assert info.value.problems == ["unknown App Store Connect API key 'globex' (configured: default, acme)"]


def test_lookups_without_a_file() -> None:
    config = load_config(make_env())
    assert config.channel_for("com.example.app") is None
    assert config.approvers_for("com.example.app") == ()
    assert config.app("com.example.app").publishing == {}


def test_a_config_can_be_built_directly() -> None:
    config = Config(
        slack_bot_token=None,
        slack_signing_secret=None,
        slack_app_token=None,
        slack_api_url="http://127.0.0.1/api/",
        slack_channel="C1",
        api_keys={},
        default_api_key=None,
        asc_api_url="http://127.0.0.1",
        webhook_secret=None,
        apple_webhook_secret=None,
        db_path=":memory:",
        poll_interval=1,
        find_timeout=10,
        processing_timeout=10,
        apps={},
    )
    assert config.channel_for("x") == "C1"
    with pytest.raises(ConfigError, match="no App Store Connect API key"):
        config.key_for("x")


def test_untimestamped_signatures_are_off_unless_asked_for() -> None:
    assert load_config(make_env()).allow_untimestamped_signatures is False
    on = make_env(ASC_BOT_ALLOW_UNTIMESTAMPED_SIGNATURES="true")
    assert load_config(on).allow_untimestamped_signatures is True
    [problem] = problems_of(make_env(ASC_BOT_ALLOW_UNTIMESTAMPED_SIGNATURES="sometimes"))
    assert problem == "ASC_BOT_ALLOW_UNTIMESTAMPED_SIGNATURES must be true or false, got 'sometimes'"


def test_untimestamped_signatures_from_the_file_with_the_env_winning(tmp_path: Path) -> None:
    on = "[defaults]\nallow_untimestamped_signatures = true\n"
    assert load_config(with_toml(tmp_path, on)).allow_untimestamped_signatures is True
    off = "[defaults]\nallow_untimestamped_signatures = false\n"
    assert load_config(with_toml(tmp_path, off)).allow_untimestamped_signatures is False
    # The environment wins over [defaults], both ways, as for every other setting.
    env_off = with_toml(tmp_path, on, ASC_BOT_ALLOW_UNTIMESTAMPED_SIGNATURES="false")
    assert load_config(env_off).allow_untimestamped_signatures is False
    env_on = with_toml(tmp_path, off, ASC_BOT_ALLOW_UNTIMESTAMPED_SIGNATURES="true")
    assert load_config(env_on).allow_untimestamped_signatures is True
    # A bad value in the environment is reported even when the file has a good one.
    bad_env = with_toml(tmp_path, on, ASC_BOT_ALLOW_UNTIMESTAMPED_SIGNATURES="maybe")
    assert problems_of(bad_env) == ["ASC_BOT_ALLOW_UNTIMESTAMPED_SIGNATURES must be true or false, got 'maybe'"]


@pytest.mark.parametrize(
    ("value", "shown_as"),
    [("'sometimes'", "'sometimes'"), ("1", "'1'"), ("[true]", "'[True]'")],
)
def test_a_bad_untimestamped_signatures_value_in_the_file_names_the_key(
    tmp_path: Path, value: str, shown_as: str
) -> None:
    env = with_toml(tmp_path, f"[defaults]\nallow_untimestamped_signatures = {value}\n")
    assert problems_of(env) == [
        f"ASC_BOT_CONFIG defaults.allow_untimestamped_signatures must be true or false, got {shown_as}"
    ]


def test_a_secret_as_the_untimestamped_signatures_value_is_not_echoed(tmp_path: Path) -> None:
    token = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUv"
    env = with_toml(tmp_path, f"[defaults]\nallow_untimestamped_signatures = '{token}'\n")
    [problem] = problems_of(env)
    assert token not in problem and "defaults.allow_untimestamped_signatures" in problem
    assert "looks like a Slack bot token; not shown" in problem


def test_a_secret_in_the_wrong_variable_is_described_never_printed(tmp_path: Path) -> None:
    token = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUv"  # 52 characters: short enough to echo
    key_b64 = "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t"
    found = problems_of(make_env(SLACK_CHANNEL=token, ASC_BOT_POLL_INTERVAL=key_b64))
    text = "\n".join(found)
    assert token not in text and key_b64 not in text
    assert "SLACK_CHANNEL must be a channel id" in text and "looks like a Slack bot token; not shown" in text
    assert "ASC_BOT_POLL_INTERVAL must be a number of seconds" in text and "looks like a secret or key" in text
    config = write(
        tmp_path,
        "bot.toml",
        f'[defaults]\nchannel = "{SIGNING_SECRET}"\napprovers = ["{token}"]\n'
        f'[apps."com.example.app"]\napi_key = "{WEBHOOK_SECRET}"\n'
        f'publishing = {{ release_type = "{APP_TOKEN}" }}\n',
    )
    found = problems_of(make_env(ASC_BOT_CONFIG=config))
    text = "\n".join(found)
    assert len(found) == 4, found
    for secret in (SIGNING_SECRET, token, WEBHOOK_SECRET, APP_TOKEN):
        assert secret not in text
    assert text.count("not shown") == 4


def test_rate_reserve_and_poll_profile_defaults_and_errors() -> None:
    config = load_config(make_env())
    assert config.rate_reserve == 0.20
    assert config.poll_profile == ((0, 300), (300, 60), (1200, 120), (3600, 300))
    config = load_config(make_env(ASC_BOT_RATE_RESERVE="35%", ASC_BOT_POLL_PROFILE="0:120, 600:30"))
    assert config.rate_reserve == 0.35 and config.poll_profile == ((0, 120), (600, 30))
    problems = problems_of(make_env(ASC_BOT_RATE_RESERVE="95", ASC_BOT_POLL_PROFILE="60:30,10:5"))
    assert any("ASC_BOT_RATE_RESERVE must be a percentage between 0 and 90" in p for p in problems)
    assert any(p.startswith("ASC_BOT_POLL_PROFILE: ") for p in problems), problems
    assert any("ASC_BOT_POLL_PROFILE" in p for p in problems_of(make_env(ASC_BOT_POLL_PROFILE="0:x")))
def test_feedback_and_reminder_settings_from_env_and_toml(tmp_path: Path) -> None:
    text = "[defaults]\nfeedback_digest_threshold = 5\napproval_reminder = 0\n"
    config = load_config(with_toml(tmp_path, text, ASC_BOT_FEEDBACK_POLL_INTERVAL="600"))
    settings = (config.feedback_poll_interval, config.feedback_digest_threshold, config.approval_reminder)
    assert settings == (600, 5, 0)
    assert load_config(make_env()).approval_reminder == 14400  # four hours unless set
    assert problems_of(
        make_env(
            ASC_BOT_FEEDBACK_POLL_INTERVAL="5",
            ASC_BOT_FEEDBACK_DIGEST_THRESHOLD="2.5",
            ASC_BOT_APPROVAL_REMINDER="soon",
        )
    ) == [
        "ASC_BOT_FEEDBACK_POLL_INTERVAL must be 0 (off) or between 60 and 86400, got 5",
        "ASC_BOT_FEEDBACK_DIGEST_THRESHOLD must be a whole number, got '2.5'",
        "ASC_BOT_APPROVAL_REMINDER must be a number of seconds, got 'soon'",
    ]
