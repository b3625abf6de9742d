"""Configuration: one frozen `Config` from environment variables and an optional TOML file.

This is the only module that reads the process environment; everything else is handed a `Config`.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from bot import config_keys as ck
from bot import config_tables as tables
from bot import config_tuning as tune
from bot.appstore.auth import ApiKey
from bot.config_values import check_known, read_toml, shown, table, toml_label
from bot.engine.profile import DEFAULT_PROFILE, parse_profile
from bot.errors import ConfigError

ENV_VARS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "SLACK_CHANNEL",
    "APP_STORE_CONNECT_API_KEY_ISSUER_ID",
    "APP_STORE_CONNECT_API_KEY_KEY_ID",
    "APP_STORE_CONNECT_API_KEY_KEY",
    "APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64",
    "APP_STORE_CONNECT_API_KEY_PATH",
    "ASC_API_URL",
    "ASC_BOT_WEBHOOK_SECRET",
    "ASC_BOT_APPLE_WEBHOOK_SECRET",
    "ASC_BOT_ALLOW_UNTIMESTAMPED_SIGNATURES",
    "ASC_BOT_DB",
    "ASC_BOT_CONFIG",
    "ASC_BOT_POLL_INTERVAL",
    "ASC_BOT_FIND_TIMEOUT",
    "ASC_BOT_PROCESSING_TIMEOUT",
    "ASC_BOT_RATE_RESERVE",
    "ASC_BOT_POLL_PROFILE",
    "ASC_BOT_FEEDBACK_POLL_INTERVAL",
    "ASC_BOT_FEEDBACK_DIGEST_THRESHOLD",
    "ASC_BOT_APPROVAL_REMINDER",
    "ASC_BOT_METRICS_TOKEN",
    "ASC_BOT_LOG_FORMAT",
    "ASC_BOT_LOG_LEVEL",
    "ASC_BOT_LEASE_SECONDS",
    "ASC_BOT_FOLLOW_INTERVAL",
)
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_ASC_API_URL = "https://api.appstoreconnect.apple.com"
DEFAULT_DB_PATH = "./asc-bot.db"
MIN_WEBHOOK_SECRET_LENGTH = 16
_DEFAULTS_FIELDS = (
    "channel",
    "approvers",
    "poll_interval",
    "find_timeout",
    "processing_timeout",
    "rate_reserve",
    "poll_profile",
    "publishing",
    "feedback_poll_interval",
    "feedback_digest_threshold",
    "approval_reminder",
    "allow_untimestamped_signatures",
)
_SECRET_FIELDS = frozenset(
    {"slack_bot_token", "slack_signing_secret", "slack_app_token", "webhook_secret", "apple_webhook_secret", "metrics_token"}
)


def _frozen_map() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class AppSettings:
    """Per-app overrides from the TOML file's [apps."<bundle id>"] tables."""

    bundle_id: str
    channel: str | None = None
    api_key: str | None = None
    approvers: tuple[str, ...] = ()
    publishing: Mapping[str, Any] = field(default_factory=_frozen_map)


@dataclass(frozen=True, repr=False)
class Config:
    """Everything the bot needs to run, validated; build it with `load_config`."""

    slack_bot_token: str | None
    slack_signing_secret: str | None
    slack_app_token: str | None
    slack_api_url: str
    slack_channel: str | None
    api_keys: Mapping[str, ApiKey]
    default_api_key: str | None
    asc_api_url: str
    webhook_secret: str | None
    apple_webhook_secret: str | None
    db_path: str
    poll_interval: float
    find_timeout: float
    processing_timeout: float
    apps: Mapping[str, AppSettings]
    approvers: tuple[str, ...] = ()
    publishing_defaults: Mapping[str, Any] = field(default_factory=_frozen_map)
    # Legacy CI that cannot send X-Signature-Timestamp: body-only signatures, replayable forever.
    allow_untimestamped_signatures: bool = False
    metrics_token: str | None = None
    feedback_poll_interval: float = 1800.0  # seconds between safety-net polls of TestFlight feedback; 0: off
    feedback_digest_threshold: int = 20  # feedback replies per app and day before a daily digest; 0: never
    approval_reminder: float = 14400.0  # seconds a held step waits before approvers are pinged; 0: never
    log_format: str = "text"
    log_level: str = "INFO"
    rate_reserve: float = 0.20  # share of each key's hourly budget left to the team's other tools
    poll_profile: tuple[tuple[float, float], ...] = DEFAULT_PROFILE  # processing polls by build age
    # How long a replica's claim on a sweep, a step or an outbox lane lasts unless renewed (None: 60 s
    # for sweeps and lanes, 600 s for steps); a dead replica's work is taken over after it.
    lease_seconds: float | None = None
    follow_interval: float = 120.0  # seconds between reads of a submitted App Store version

    def app(self, bundle_id: str) -> AppSettings:
        """Settings for an app with the global channel, key, approvers and publishing filled in."""
        # Bundle ids are unique at Apple regardless of letter case: COM.Example.App is com.example.app.
        own = self.apps.get(bundle_id) or next(
            (a for name, a in self.apps.items() if name.lower() == bundle_id.lower()), AppSettings(bundle_id)
        )
        return AppSettings(
            bundle_id=own.bundle_id,
            channel=own.channel or self.slack_channel,
            api_key=own.api_key or self.default_api_key,
            approvers=own.approvers or self.approvers,
            publishing=MappingProxyType({**self.publishing_defaults, **own.publishing}),
        )

    def channel_for(self, bundle_id: str) -> str | None:
        """The channel an app's publications go to (its own, else SLACK_CHANNEL / [defaults])."""
        return self.app(bundle_id).channel

    def approvers_for(self, bundle_id: str) -> tuple[str, ...]:
        """Who may submit for review or release this app; empty means anyone."""
        return self.app(bundle_id).approvers

    def key_for(self, bundle_id: str, requested: str | None = None) -> ApiKey:
        """The key named by a request, else the app's, else the default; ConfigError for an unknown name."""
        name = requested or self.app(bundle_id).api_key
        if name is None:
            raise ConfigError([f"no App Store Connect API key is configured (needed for {bundle_id})"])
        key = self.api_keys.get(name)
        if key is None:
            known = ", ".join(self.api_keys) or "none"
            raise ConfigError([f"unknown App Store Connect API key {shown(name)} (configured: {known})"])
        return key

    def __repr__(self) -> str:
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _SECRET_FIELDS and value is not None:
                parts.append(f"{f.name}=***")
            else:  # ApiKey's own repr masks the private keys
                parts.append(f"{f.name}={dict(value) if isinstance(value, Mapping) else value!r}")
        return f"Config({', '.join(parts)})"


def config_from_environment(*, require_slack: bool = True, require_webhook_secret: bool = True) -> Config:
    """The Config for this process, from os.environ (the one place that reads it)."""
    return load_config(os.environ, require_slack=require_slack, require_webhook_secret=require_webhook_secret)


def load_config(
    env: Mapping[str, str], *, require_slack: bool = True, require_webhook_secret: bool = True
) -> Config:
    """Build a Config from a mapping of environment variables; raise one ConfigError listing every problem."""
    problems: list[str] = []

    def get(name: str) -> str | None:
        # CI systems often define unused variables as empty strings: treat those as unset.
        return (env.get(name) or "").strip() or None

    _check_env_typos(env, problems)
    slack = _slack(get, require_slack, problems)
    webhook_secret = get("ASC_BOT_WEBHOOK_SECRET")
    if webhook_secret is None and require_webhook_secret:
        problems.append(
            "ASC_BOT_WEBHOOK_SECRET is required (the HMAC secret for /webhooks/build-uploaded, "
            f"at least {MIN_WEBHOOK_SECRET_LENGTH} characters)"
        )
    elif webhook_secret is not None and len(webhook_secret) < MIN_WEBHOOK_SECRET_LENGTH:
        problems.append(
            f"ASC_BOT_WEBHOOK_SECRET must be at least {MIN_WEBHOOK_SECRET_LENGTH} characters long"
        )
    slack_api_url = _url("SLACK_API_URL", get("SLACK_API_URL") or DEFAULT_SLACK_API_URL, problems)
    asc_api_url = _url("ASC_API_URL", get("ASC_API_URL") or DEFAULT_ASC_API_URL, problems).rstrip("/")
    if asc_api_url.endswith("/v1"):
        problems.append(f"ASC_API_URL must not end with /v1 (the bot adds it), got {shown(asc_api_url)}")
    db_path = get("ASC_BOT_DB") or DEFAULT_DB_PATH
    if db_path.startswith("sqlite:///"):
        db_path = db_path[len("sqlite:///") :]
    if db_path.startswith(("postgres:", "postgresql:")):
        if not db_path.startswith(("postgres://", "postgresql://")):
            problems.append("ASC_BOT_DB must be a postgresql://user:password@host:port/database URL")
    elif db_path != ":memory:" and not db_path.startswith("file:"):
        parent = Path(db_path).expanduser().parent
        if not parent.is_dir():
            problems.append(f"ASC_BOT_DB is in a directory that does not exist: {shown(parent)}")

    config_path = get("ASC_BOT_CONFIG")
    document = read_toml(Path(config_path).expanduser(), problems) if config_path else {}
    check_known(document, ("defaults", "keys", "apps"), (), problems)
    defaults = table(document, "defaults", problems)
    check_known(defaults, _DEFAULTS_FIELDS, ("defaults",), problems)

    channel = get("SLACK_CHANNEL")
    if channel is not None:
        tables.check_channel("SLACK_CHANNEL", channel, problems)
    else:
        channel = tables.toml_channel(defaults, ("defaults",), problems)
    seconds = tune.seconds(get, defaults, problems)
    rate_reserve = tune.reserve(get, defaults, problems)
    poll_profile = DEFAULT_PROFILE
    raw_profile, profile_label = get("ASC_BOT_POLL_PROFILE"), "ASC_BOT_POLL_PROFILE"
    if raw_profile is None and "poll_profile" in defaults:
        raw_profile, profile_label = defaults["poll_profile"], toml_label("defaults", "poll_profile")
    if raw_profile is not None:
        try:
            poll_profile = parse_profile(str(raw_profile))
        except ValueError as exc:
            problems.append(f"{profile_label}: {exc}")
    tuning = tune.tuning(get, defaults, problems)
    legacy = tune.legacy_signatures(get, defaults, problems)

    base = Path(config_path).expanduser().parent if config_path else Path()
    api_keys, key_names = ck.load_keys(env, document.get("keys", {}), base, problems)
    apps = {
        bundle_id: AppSettings(**kw)
        for bundle_id, kw in tables.apps(table(document, "apps", problems), key_names, problems).items()
    }
    approvers = tables.approvers(defaults, ("defaults",), problems)
    publishing_defaults = tables.publishing(defaults, ("defaults",), problems)

    log_format = (get("ASC_BOT_LOG_FORMAT") or "text").lower()
    if log_format not in LOG_FORMATS:
        problems.append(f"ASC_BOT_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
    log_level = (get("ASC_BOT_LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        problems.append(f"ASC_BOT_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    lease_seconds = tune.seconds_or_none("ASC_BOT_LEASE_SECONDS", get("ASC_BOT_LEASE_SECONDS"), 2.0, problems)
    follow_interval = tune.seconds_or_none("ASC_BOT_FOLLOW_INTERVAL", get("ASC_BOT_FOLLOW_INTERVAL"), 1.0, problems)
    if problems:
        raise ConfigError(problems)
    return Config(
        **slack,
        slack_api_url=slack_api_url if slack_api_url.endswith("/") else slack_api_url + "/",
        slack_channel=channel,
        api_keys=MappingProxyType(api_keys),
        default_api_key=key_names[0],
        asc_api_url=asc_api_url,
        webhook_secret=webhook_secret,
        apple_webhook_secret=get("ASC_BOT_APPLE_WEBHOOK_SECRET"),
        db_path=db_path,
        poll_interval=seconds[0],
        find_timeout=seconds[1],
        processing_timeout=seconds[2],
        apps=MappingProxyType(apps),
        approvers=approvers,
        publishing_defaults=publishing_defaults,
        allow_untimestamped_signatures=bool(legacy),
        metrics_token=get("ASC_BOT_METRICS_TOKEN"),
        feedback_poll_interval=tuning[0],
        feedback_digest_threshold=int(tuning[1]),
        approval_reminder=tuning[2],
        log_format=log_format,
        log_level=log_level,
        rate_reserve=rate_reserve,
        poll_profile=poll_profile,
        lease_seconds=lease_seconds,
        follow_interval=follow_interval or 120.0,
    )


def _check_env_typos(env: Mapping[str, str], problems: list[str]) -> None:
    # A misspelt ASC_BOT_* variable would otherwise silently fall back to a default.
    ours = [name for name in ENV_VARS if name.startswith("ASC_BOT_")]
    for name in env:
        if name.startswith("ASC_BOT_") and name not in ours:
            close = difflib.get_close_matches(name, ours, n=1, cutoff=0.85)
            if close:
                problems.append(f"{name} is not a known variable (did you mean {close[0]}?)")


def _token_kind(token: str) -> str:
    kinds = {"xoxb-": "a bot token", "xoxp-": "a user token", "xapp-": "an app-level token"}
    kind = next((k for prefix, k in kinds.items() if token.startswith(prefix)), None)
    return f"; this looks like {kind}" if kind else ""


def _slack(get: Any, require: bool, problems: list[str]) -> dict[str, str | None]:
    bot, signing, app = get("SLACK_BOT_TOKEN"), get("SLACK_SIGNING_SECRET"), get("SLACK_APP_TOKEN")
    if bot is None and require:
        problems.append("SLACK_BOT_TOKEN is required (a bot token starting with 'xoxb-')")
    elif bot is not None and not bot.startswith("xoxb-"):
        problems.append(f"SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-'{_token_kind(bot)}")
    if app is not None and not app.startswith("xapp-"):
        problems.append(f"SLACK_APP_TOKEN must be an app-level token starting with 'xapp-'{_token_kind(app)}")
    if require and signing is None and app is None:
        problems.append("SLACK_SIGNING_SECRET is required (or set SLACK_APP_TOKEN for Socket Mode)")
    return {"slack_bot_token": bot, "slack_signing_secret": signing, "slack_app_token": app}


def _url(name: str, value: str, problems: list[str]) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problems.append(f"{name} must be an http(s) URL, got {shown(value)}")
    return value


