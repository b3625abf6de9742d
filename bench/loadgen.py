"""A load generator in its own process, so the client does not share an event loop with the server.

`python -m bench.loadgen CONCURRENCY` reads rounds from stdin, one JSON line each: a list of
{"url", "headers", "body"} to POST, at most CONCURRENCY at a time. After each round it writes one JSON
line: {"latencies": [seconds per request, in order], "statuses": {...}, "wall": seconds}. Rounds
share one connection pool, so a first round can serve as warm-up, and the caller can prepare (and
sign) each round just before sending it, as Slack signs a click when it happens.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
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


async def serve(concurrency: int) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=64 * 1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        while line := await reader.readline():
            result = await fire(session, json.loads(line), concurrency)
            sys.stdout.write(json.dumps(result) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
