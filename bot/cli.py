"""`asc-bot serve | demo | check`: the command line (the only place that prints)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence

from bot import logsetup
from bot.appstore.client import AppStoreConnect
from bot.appstore.errors import AscAuthError, AscError
from bot.clock import SystemClock
from bot.config import Config, config_from_environment
from bot.errors import ConfigError

log = logging.getLogger("asc-bot")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="asc-bot", description="App Store Connect post-processing from Slack."
    )
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
    sub.add_parser("check", help="validate configuration and credentials, and say exactly what is wrong")
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            return asyncio.run(_serve(args.host, args.port))
        if args.command == "check":
            return asyncio.run(_check())
        from bot.demo import run_demo

        return asyncio.run(run_demo(port=args.port, processing=args.processing, once=args.once))
    except KeyboardInterrupt:
        return 130


def _load(**kwargs: bool) -> Config | None:
    try:
        return config_from_environment(**kwargs)
    except ConfigError as exc:
        print("asc-bot: the configuration is not usable:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return None


async def _serve(host: str, port: int) -> int:
    config = _load()
    if config is None:
        return 2
    logsetup.configure(secrets=_secrets(config))
    from bot.app import build_app

    bot = build_app(config)
    await bot.start()
    await bot.serve(host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        await bot.stop()
    return 0


async def _check() -> int:
    config = _load()
    if config is None:
        return 2
    ok = True
    clock = SystemClock()
    for name, key in config.api_keys.items():
        client = AppStoreConnect(key, config.asc_api_url, clock=clock)
        try:
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


def _secrets(config: Config) -> list[str | None]:
    keys = [k.private_key for k in config.api_keys.values()]
    return [
        config.slack_bot_token,
        config.slack_signing_secret,
        config.slack_app_token,
        config.webhook_secret,
        config.apple_webhook_secret,
        *keys,
    ]


if __name__ == "__main__":
    raise SystemExit(main())
