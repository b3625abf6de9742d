"""A load generator in its own process, so the client does not share an event loop with the server.

`python -m bench.loadgen SPEC.json` reads {"rounds": [[{"url", "headers", "body"}, …], …],
"concurrency": N} and prints one {"latencies": [seconds per request], "statuses": {…}, "wall": seconds}
per round. Rounds share one connection pool, so a first round can serve as warm-up (the caller
drops it). Every request is prepared (and signed) by the caller; this process only sends them.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp


async def fire(
    session: aiohttp.ClientSession, requests: list[dict[str, Any]], concurrency: int
) -> dict[str, Any]:
    """Send every request, at most `concurrency` at a time; time each from send to full answer."""
    latencies = [0.0] * len(requests)
    statuses: Counter[int] = Counter()
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int, spec: dict[str, Any]) -> None:
        async with gate:
            started = time.perf_counter()
            async with session.post(spec["url"], data=spec["body"].encode(), headers=spec["headers"]) as r:
                await r.read()
                statuses[r.status] += 1
            latencies[index] = time.perf_counter() - started

    started = time.perf_counter()
    await asyncio.gather(*(one(i, spec) for i, spec in enumerate(requests)))
    return {"latencies": latencies, "statuses": dict(statuses), "wall": time.perf_counter() - started}


async def fire_rounds(rounds: list[list[dict[str, Any]]], concurrency: int) -> list[dict[str, Any]]:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=120)
    ) as session:
        return [await fire(session, requests, concurrency) for requests in rounds]


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    results = asyncio.run(fire_rounds(spec["rounds"], int(spec["concurrency"])))
    sys.stdout.write(json.dumps(results))


if __name__ == "__main__":
    main()
