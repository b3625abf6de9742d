"""Issue 15: a second `asc-bot serve` on the same SQLite file refuses to start instead of running twice."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from bench.common import ROOT, free_port
from bench.processes import Servers, bot_env
from bot.clock import SystemClock
from bot.sandbox.world import World


async def serve_once(world: World, db_path: str) -> tuple[int, str]:
    """Run a second `asc-bot serve` on `db_path`; its exit code and stderr (it must not keep running)."""
    argv = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(free_port())]
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=ROOT, env=bot_env(world, db_path), stderr=asyncio.subprocess.PIPE
    )
    try:
        _, err = await asyncio.wait_for(proc.communicate(), 60)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError("the second bot kept running on the same SQLite file") from None
    return proc.returncode or 0, err.decode()


async def test_second_process_on_one_sqlite_file_refuses_to_start(tmp_path: Path) -> None:
    world = await World(SystemClock()).start()
    await world.stop_bot()
    db_path = str(tmp_path / "shared.db")
    try:
        async with Servers(tmp_path) as servers:
            first, _ = await servers.bot(world, db_path)
            code, err = await serve_once(world, db_path)
            assert code == 2, err
            assert "another asc-bot" in err and f"pid {first.pid}" in err and "PostgreSQL" in err
            assert "Traceback" not in err
            assert first.returncode is None  # the first one is untouched

            # A holder that dies, even by SIGKILL, leaves no stale lock: the next start works.
            first.send_signal(signal.SIGKILL)
            await first.wait()
            again, _ = await servers.bot(world, db_path)
            assert again.returncode is None
    finally:
        await world.stop()
