"""`asc-bot serve | demo | check | notify | webhooks register`: the command line (the only place that prints)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot import ci_client

# Everything else is imported by the command that needs it: `asc-bot notify` runs in CI on every
# build and should not load Slack, aiohttp, APScheduler or the App Store Connect client.
if TYPE_CHECKING:
    from bot.appstore.client import AppStoreConnect
    from bot.clock import Clock
    from bot.config import Config


def build_parser() -> argparse.ArgumentParser:
    """Every sub-command and its options."""
    parser = argparse.ArgumentParser(
        prog="asc-bot", description="App Store Connect post-processing from Slack."
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve", help="run the bot (HTTP mode, or Socket Mode when SLACK_APP_TOKEN is set)"
    )
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")  # noqa: S104
    serve.add_argument("--port", type=int, default=3000, help="port to listen on (default 3000)")
    demo = sub.add_parser("demo", help="run everything offline against built-in simulators")
    demo.add_argument("--port", type=int, default=0, help="port for the bot (default: any free port)")
    demo.add_argument("--processing", type=float, default=8.0, help="simulated processing time in seconds")
    demo.add_argument("--once", action="store_true", help="stop when the sample publication is done")
    demo.add_argument("--web", action="store_true", help="serve the demo as a page on 127.0.0.1 instead")
    demo.add_argument("--web-port", type=int, default=8080, help="port of the --web page (default 8080)")
    sub.add_parser("check", help="validate configuration and credentials, and say exactly what is wrong")
    notify = sub.add_parser(
        "notify",
        help="tell the bot a build was uploaded: signed, retried, for any CI (reads the secret from env)",
    )
    ci_client.add_arguments(notify)
    db = sub.add_parser("db", help="the bot's SQLite database")
    backup = db.add_subparsers(dest="db_command", required=True).add_parser(
        "backup", help="copy the database (safe while the bot runs: SQLite's online backup)"
    )
    backup.add_argument("file", help="where to write the copy (must not exist)")
    hooks = sub.add_parser("webhooks", help="App Store Connect's own webhooks to the bot")
    register_cmd = hooks.add_subparsers(dest="webhooks_command", required=True).add_parser(
        "register", help="create or update an app's App Store Connect webhook with a fresh secret"
    )
    register_cmd.add_argument("--app", action="append", required=True, metavar="BUNDLE_ID", help="repeatable")
    register_cmd.add_argument("--url", required=True, help="the bot's public https URL")
    register_cmd.add_argument("--name", default="asc-bot", help="the webhook's name (default asc-bot)")
    register_cmd.add_argument(
        "--keep-secret", action="store_true", help="reuse ASC_BOT_APPLE_WEBHOOK_SECRET instead of a fresh one"
    )
    return parser


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("asc-bot")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


class _Version(argparse.Action):
    """argparse's "version" action, but importlib.metadata is only loaded when asked."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        print(f"asc-bot {package_version()}")
        parser.exit()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "notify":  # no asyncio: see bot/ci_client.py
        try:
            return run_notify(args, os.environ)
        except KeyboardInterrupt:
            return 130
    import asyncio

    try:
        if args.command == "serve":
            return asyncio.run(_serve(args.host, args.port))
        if args.command == "check":
            return asyncio.run(_check())
        if args.command == "db":
            return db_backup(args.file)
        if args.command == "webhooks":
            return asyncio.run(
                webhooks_register(args.app, args.url, name=args.name, keep_secret=args.keep_secret)
            )
        if args.web:
            from bot.demo_web import run_web_demo

            return asyncio.run(run_web_demo(port=args.web_port, processing=args.processing, out=sys.stdout))
        from bot.demo import run_demo

        return asyncio.run(run_demo(port=args.port, processing=args.processing, once=args.once))
    except KeyboardInterrupt:
        return 130


def db_backup(target: str, db_path: str | None = None) -> int:
    """`asc-bot db backup FILE`: a consistent copy of ASC_BOT_DB, even while the bot writes to it."""
    from bot.config import DEFAULT_DB_PATH
    from storage.database import backup

    source = db_path or os.environ.get("ASC_BOT_DB") or DEFAULT_DB_PATH
    if source.startswith(("postgres://", "postgresql://")):
        print("asc-bot db backup copies SQLite files; back a PostgreSQL database up with pg_dump", file=sys.stderr)
        return 2
    source = source[len("sqlite:///") :] if source.startswith("sqlite:///") else source
    if not os.path.exists(source):
        print(f"asc-bot db backup: there is no database at {source} (ASC_BOT_DB)", file=sys.stderr)
        return 2
    if os.path.exists(target):
        print(f"asc-bot db backup: {target} exists; choose a new file", file=sys.stderr)
        return 2
    try:
        pages = backup(source, target)
    except Exception as exc:
        print(f"asc-bot db backup: {exc}", file=sys.stderr)
        return 1
    print(f"backed up {source} to {target} ({pages} pages)")
    return 0


def _load(**kwargs: bool) -> Config | None:
    from bot.config import config_from_environment
    from bot.errors import ConfigError

    try:
        return config_from_environment(**kwargs)
    except ConfigError as exc:
        print("asc-bot: the configuration is not usable:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return None


async def _serve(host: str, port: int) -> int:
    import asyncio
    import contextlib
    import logging
    import signal

    config = _load()
    if config is None:
        return 2
    from bot import logsetup

    logsetup.configure(config.log_level, secrets=_secrets(config), fmt=config.log_format)
    from bot.app import build_app
    from storage.database import DatabaseInUse

    bot = build_app(config)
    try:
        await bot.start()
    except DatabaseInUse as exc:
        print(f"asc-bot: {exc}", file=sys.stderr)
        await bot.stop()
        return 2
    await bot.serve(host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        logging.getLogger("asc-bot").info("stopping")
        await bot.stop()
    return 0


async def _check() -> int:
    config = _load()
    if config is None:
        return 2
    from bot.appstore.client import AppStoreConnect
    from bot.appstore.errors import AscAuthError, AscError
    from bot.appstore.scheduler import Budgets, Priority, priority
    from bot.clock import SystemClock

    ok = True
    clock = SystemClock()
    budgets = Budgets(clock, reserve=config.rate_reserve)  # someone waits at the terminal
    for name, key in config.api_keys.items():
        client = AppStoreConnect(key, config.asc_api_url, clock=clock, budget=budgets.for_key(key))
        try:
            with priority(Priority.PERSON):
                await client.find_app("io.asc-bot.credentials-check")
            limit = client.rate_limit
            budget = f", {limit.remaining}/{limit.limit} requests left this hour" if limit else ""
            print(f"ok   App Store Connect key '{name}' ({key.key_id}) is accepted{budget}")
        except (AscError, AscAuthError) as exc:
            ok = False
            print(f"FAIL App Store Connect key '{name}' ({key.key_id}): {getattr(exc, 'user_message', exc)}")
        finally:
            await client.aclose()
    if config.slack_bot_token:
        from slack_sdk.errors import SlackApiError
        from slack_sdk.web.async_client import AsyncWebClient

        slack = AsyncWebClient(token=config.slack_bot_token, base_url=config.slack_api_url)
        try:
            answer = await slack.auth_test()
            print(f"ok   Slack bot token works: @{answer.get('user')} in {answer.get('team')}")
            ok = await _check_channels(config, slack) and ok
            from bot.held_channels import check_held

            for fine, said in await check_held(config, slack):
                ok = ok and fine
                print(f"{'ok  ' if fine else 'FAIL'} {said}")
        except SlackApiError as exc:
            ok = False
            print(
                f"FAIL Slack bot token: Slack answered {exc.response.get('error')!r}; "
                "check SLACK_BOT_TOKEN and that the app is installed"
            )
        except Exception as exc:
            ok = False
            print(f"FAIL Slack is not reachable at {config.slack_api_url}: {exc}")
    print("configuration OK" if ok else "configuration has problems (see above)")
    return 0 if ok else 1


async def _check_channels(config: Config, slack: Any) -> bool:
    """Every configured channel (the default and each app's) is one the bot can post in."""
    from bot.slack_channels import ChannelCheck

    channels = {config.slack_channel} | {app.channel for app in config.apps.values()}
    checker, ok = ChannelCheck(slack), True
    for channel in sorted(c for c in channels if c):
        verdict, said = await checker.check(channel)
        ok = ok and verdict == "ok"
        print(f"{'ok  ' if verdict == 'ok' else 'FAIL'} {said}")
    return ok


def run_notify(
    args: argparse.Namespace,
    env: Mapping[str, str],
    *,
    now: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """`asc-bot notify`: 0 accepted, 1 refused by the bot, 2 a usage problem, 3 gave up on retries."""
    for warning in ci_client.renamed_warnings(args):
        print(f"asc-bot notify: {warning}", file=sys.stderr)
    try:
        payload = ci_client.build_payload(args, env)
        url = ci_client.endpoint(args.url)
    except ci_client.NotifyError as exc:
        print(f"asc-bot notify: {exc}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    secret = (env.get(args.secret_env) or "").strip()
    if not secret:
        print(f"asc-bot notify: {args.secret_env} is not set (the bot's webhook secret)", file=sys.stderr)
        return 2

    def retrying(attempt: int, problem: str, delay: float) -> None:
        print(
            f"asc-bot notify: attempt {attempt} failed ({problem}); again in {delay:.0f} s", file=sys.stderr
        )

    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    answer = ci_client.deliver(
        url,
        body,
        secret,
        attempts=args.attempts,
        request_timeout=args.timeout,
        timestamp=not args.no_timestamp,
        now=now,
        sleep=sleep,
        on_retry=retrying,
    )
    if answer.status is None:
        print(f"asc-bot notify: gave up after {answer.attempts} attempts: {answer.error}", file=sys.stderr)
        return 3
    print(json.dumps(answer.body, ensure_ascii=False) if not isinstance(answer.body, str) else answer.body)
    if answer.accepted:
        body_ = answer.body if isinstance(answer.body, dict) else {}
        what = "a new publication" if answer.status == 202 else "already known"
        print(f"asc-bot notify: HTTP {answer.status}, {what}: {body_.get('publication_id')}", file=sys.stderr)
        return 0
    print(f"asc-bot notify: the bot answered HTTP {answer.status}", file=sys.stderr)
    errors = answer.body.get("errors", []) if isinstance(answer.body, dict) else []
    for problem in errors if isinstance(errors, list) else []:
        if isinstance(problem, dict):
            print(f"  - {problem.get('field')}: {problem.get('message')}", file=sys.stderr)
    return 3 if answer.status in ci_client.RETRY_STATUSES else 1


async def webhooks_register(
    apps: Sequence[str],
    url: str,
    *,
    name: str = "asc-bot",
    keep_secret: bool = False,
    config: Config | None = None,
    clock: Clock | None = None,
) -> int:
    """`asc-bot webhooks register`: one App Store Connect webhook per app, all with one secret."""
    import secrets

    from bot.apple_webhooks import register, webhook_url
    from bot.appstore.client import AppStoreConnect
    from bot.appstore.errors import AscError
    from bot.appstore.scheduler import Budgets
    from bot.clock import SystemClock
    from bot.errors import ConfigError

    config = config or _load(require_slack=False, require_webhook_secret=False)
    if config is None:
        return 2
    try:
        target = webhook_url(url)
    except ValueError as exc:
        print(f"asc-bot webhooks register: {exc}", file=sys.stderr)
        return 2
    secret = config.apple_webhook_secret if keep_secret else secrets.token_hex(32)
    if not secret:
        print("asc-bot webhooks register: --keep-secret needs ASC_BOT_APPLE_WEBHOOK_SECRET", file=sys.stderr)
        return 2
    clients: dict[str, AppStoreConnect] = {}
    budgets = Budgets(clock or SystemClock(), reserve=config.rate_reserve)
    done, ok = 0, True
    try:
        for bundle_id in apps:
            try:
                key = config.key_for(bundle_id)
                client = clients.get(key.name) or AppStoreConnect(
                    key, config.asc_api_url, clock=clock or SystemClock(), budget=budgets.for_key(key)
                )
                clients[key.name] = client
                reg = await register(client, bundle_id, target, secret, name=name)
            except (ConfigError, LookupError) as exc:
                ok = False
                print(f"FAIL {bundle_id}: {getattr(exc, 'user_message', exc)}")
                continue
            except AscError as exc:
                ok = False
                print(f"FAIL {bundle_id}: App Store Connect refused: {exc.user_message}")
                continue
            done += 1
            verb = "created" if reg.created else "updated"
            events = ", ".join(reg.webhook.event_types)
            print(
                f"ok   {bundle_id} (app {reg.app_id}): {verb} webhook '{reg.webhook.name}' → {target} [{events}]"
            )
    finally:
        for client in clients.values():
            await client.aclose()
    if done and not keep_secret:
        print(
            "\nPut this in the bot's environment (a secret store, not the repository) and restart it. The bot"
            "\nchecks one secret: once it is set, run this again with --keep-secret for apps registered before.\n"
        )
        print(f"ASC_BOT_APPLE_WEBHOOK_SECRET={secret}")
    return 0 if ok else 1


def _secrets(config: Config) -> list[str | None]:
    keys = [k.private_key for k in config.api_keys.values()]
    from urllib.parse import urlsplit

    db_password = urlsplit(config.db_path).password if "://" in config.db_path else None
    return [
        db_password,  # of a postgresql:// URL (psycopg may name the URL in an error)
        config.slack_bot_token,
        config.slack_signing_secret,
        config.slack_app_token,
        config.webhook_secret,
        config.apple_webhook_secret,
        config.metrics_token,
        *keys,
    ]


if __name__ == "__main__":
    raise SystemExit(main())
