"""`python -m bench.bot_server PORT`: the bot, configured from the environment as `asc-bot serve` is,
but with its clock off (nothing polls App Store Connect), so that a benchmark measures only intake.

Everything else is the product's: the same app, routes, engine, storage and outbox. It stops on
SIGTERM the way `asc-bot serve` does (flushing the outbox).
"""

from __future__ import annotations

import asyncio
import signal
import sys

from bot.app import build_app
from bot.config import config_from_environment


async def serve(port: int) -> None:
    bot = build_app(config_from_environment())
    await bot.start(scheduler=False)
    await bot.serve("127.0.0.1", port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await bot.stop()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
