"""What every benchmark shares: results as tables, percentiles, the machine, process memory, the CLI."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import platform
import socket
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.sandbox.clock import FakeClock

ROOT = Path(__file__).absolute().parents[1]


class SharedClock(FakeClock):
    """A FakeClock whose concurrent sleeps overlap, as real ones do.

    `FakeClock.sleep` adds its delay to the clock, so fifty requests each backing off 60 s at the
    same moment would move time 50 minutes. Here a sleep moves the clock to the moment it ends
    (if no one has moved it there yet), so they end together, 60 s later.
    """

    async def sleep(self, seconds: float) -> None:
        until = self.now() + timedelta(seconds=max(0.0, seconds))
        await asyncio.sleep(0)
        if self.now() < until:
            self.set(until)


@dataclass
class Table:
    """One printed table: a title, column names and rows of already formatted cells."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def add(self, *cells: Any) -> None:
        self.rows.append([cell if isinstance(cell, str) else fmt(cell) for cell in cells])

    def text(self) -> str:
        widths = [max(len(c), *(len(r[i]) for r in self.rows)) for i, c in enumerate(self.columns)]
        line = "  ".join("-" * w for w in widths)
        head = "  ".join(c.ljust(w) for c, w in zip(self.columns, widths, strict=True))
        body = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in self.rows]
        return "\n".join([self.title, head, line, *body])

    def markdown(self) -> str:
        head = "| " + " | ".join(self.columns) + " |"
        rule = "|" + "|".join("---" for _ in self.columns) + "|"
        body = ["| " + " | ".join(cell.replace("|", "\\|") for cell in r) + " |" for r in self.rows]
        return "\n".join([f"**{self.title}**", "", head, rule, *body])


@dataclass
class Result:
    """What one benchmark reports: tables, headline ratios against its baseline, and notes."""

    name: str
    title: str
    tables: list[Table] = field(default_factory=list)
    ratios: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    data: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        parts = [f"== {self.title} ({self.seconds:.1f} s)", *(t.text() for t in self.tables)]
        tail = [f"ratio  {k}: {v}" for k, v in self.ratios.items()] + [f"note   {n}" for n in self.notes]
        return "\n\n".join([*parts, "\n".join(tail)])

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Result:
        tables = [Table(**t) for t in raw.pop("tables", [])]
        return cls(tables=tables, **raw)


def fmt(value: Any) -> str:
    """A number as people read it: thousands separated, at most three significant decimals."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    return str(value)


def ratio(numerator: float, denominator: float, unit: str = "x") -> str:
    """'3.2x' (or '-' when the denominator is zero)."""
    if not denominator:
        return "-"
    value = numerator / denominator
    return f"{value:.2f}{unit}" if value < 10 else f"{value:,.0f}{unit}"


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ms(seconds: float) -> float:
    return seconds * 1000


def machine() -> dict[str, str]:
    """CPU model, cores, memory and Python version of this machine, for the published table."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count() or "?"),
        "memory": memory,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
    }


def memory_kib(pid: int | None = None) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (peak resident) of a process, in KiB, from /proc."""
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    out: dict[str, int] = {}
    for line in status.splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            out[name] = int(rest.split()[0])
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def quiet() -> None:
    """Benchmarks print tables, not the bot's log lines (warnings and errors still show)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The bot's own warnings (429 retries, Slack back-off) are part of what is measured, not news.
    for noisy in (
        "apscheduler",
        "aiohttp.access",
        "slack_bolt",
        "slack_sdk",
        "bot",
        "storage",
        "commands",
        "httpx",
    ):
        logging.getLogger(noisy).setLevel(logging.ERROR)


Runner = Callable[[argparse.Namespace], Awaitable[Result]]


def cli(run: Runner, describe: str, extra: Callable[[argparse.ArgumentParser], None] | None = None) -> None:
    """Run one benchmark from the command line: print its tables; `--json FILE` saves the result."""
    parser = argparse.ArgumentParser(description=describe)
    parser.add_argument("--json", type=Path, help="also write the result as JSON to this file")
    if extra is not None:
        extra(parser)
    args = parser.parse_args()
    quiet()
    started = time.perf_counter()
    result = asyncio.run(run(args))
    result.seconds = time.perf_counter() - started
    print(result.text(), flush=True)
    if args.json:
        args.json.write_text(json.dumps(asdict(result), indent=2))
    sys.exit(0)
