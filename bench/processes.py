"""Servers in their own processes: the bot (`python -m bot.cli serve`) and the baselines.

Measured alone, a server's numbers hold only its own work: the simulators it talks to stay in the
benchmark's process, and the requests come from the load generator's.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bench.common import ROOT, free_port
from bot.sandbox.world import DEMO_CHANNEL, World

Process = asyncio.subprocess.Process


def bot_env(world: World, db_path: str, poll_interval: float = 30.0) -> dict[str, str]:
    """The environment `asc-bot serve` needs to run against the world's simulators."""
    assert world.config is not None
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ASC_", "APP_STORE_"))},
        "SLACK_BOT_TOKEN": world.config.slack_bot_token or "",
        "SLACK_SIGNING_SECRET": world.signing_secret,
        "SLACK_API_URL": world.slack.api_url,
        "SLACK_CHANNEL": DEMO_CHANNEL,
        "APP_STORE_CONNECT_API_KEY_ISSUER_ID": world.key.issuer_id or "",
        "APP_STORE_CONNECT_API_KEY_KEY_ID": world.key.key_id,
        "APP_STORE_CONNECT_API_KEY_KEY": world.key.private_key,
        "ASC_API_URL": world.asc.base_url,
        "ASC_BOT_WEBHOOK_SECRET": world.webhook_secret,
        "ASC_BOT_DB": db_path,
        "ASC_BOT_POLL_INTERVAL": str(poll_interval),
        "NO_PROXY": "127.0.0.1",
    }


class Servers:
    """Starts server processes and stops every one of them on exit, even after a failure."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[Process] = []

    async def __aenter__(self) -> Servers:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for proc in self.started:
            await self.stop(proc)

    async def bot(
        self,
        world: World,
        db_path: str,
        poll_interval: float = 30.0,
        extra_env: dict[str, str] | None = None,
        log_name: str = "bot.log",
        scheduler: bool = True,
    ) -> tuple[Process, str]:
        """`asc-bot serve` on a free port against the world's simulators; returns it and its URL.

        Without `scheduler` it is `bench.bot_server`: the same bot with its clock off.
        """
        port = free_port()
        if scheduler:
            argv = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
        else:
            argv = [sys.executable, "-m", "bench.bot_server", str(port)]
        env = {**bot_env(world, db_path, poll_interval), **(extra_env or {})}
        proc = await self.start(argv, env, port, log_name)
        return proc, f"http://127.0.0.1:{port}"

    async def bare_bolt(self, world: World) -> tuple[Process, str]:
        """The bare Bolt app (bench.baselines) with the world's signing secret and Slack simulator."""
        port = free_port()
        argv = [
            sys.executable,
            "-m",
            "bench.baselines",
            "bolt",
            str(port),
            world.signing_secret,
            world.slack.api_url,
        ]
        proc = await self.start(argv, dict(os.environ), port, "bolt.log")
        return proc, f"http://127.0.0.1:{port}"

    async def bare_aiohttp(self) -> tuple[Process, str]:
        """The bare aiohttp handler (bench.baselines) that answers 202 to every webhook."""
        port = free_port()
        argv = [sys.executable, "-m", "bench.baselines", "aiohttp", str(port), "-", "-"]
        proc = await self.start(argv, dict(os.environ), port, "aiohttp.log")
        return proc, f"http://127.0.0.1:{port}"

    async def start(self, argv: list[str], env: dict[str, str], port: int, log_name: str) -> Process:
        """Start a server (its log goes to `log_name` in the logs folder) and wait until it listens."""
        log = self.logs / log_name
        with log.open("ab") as sink:
            proc = await asyncio.create_subprocess_exec(
                *argv, cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=sink
            )
        self.started.append(proc)
        for _ in range(600):
            if proc.returncode is not None:
                raise RuntimeError(f"{argv} exited; see {log}")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.1)
                continue
            writer.close()
            return proc
        raise RuntimeError(f"{argv} did not start within 60 s; see {log}")

    @staticmethod
    async def stop(proc: Process) -> None:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()
