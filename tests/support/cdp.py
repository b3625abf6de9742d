"""Headless Chromium driven over the DevTools protocol (a small client on aiohttp's websocket).

Chromium comes from the distribution (`apt-get install chromium`); without it, `Chromium.launch`
raises `ChromiumUnavailable` with the reason, and the browser tests skip with it.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--remote-debugging-port=0", "--window-size=1100,1400",
)  # fmt: skip


class ChromiumUnavailable(Exception):
    """Chromium is not installed or would not start here."""


def find_chromium() -> str | None:
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)


class Chromium:
    """One headless browser with one page, closed by `close()`."""

    def __init__(
        self, process: asyncio.subprocess.Process, profile: tempfile.TemporaryDirectory[str]
    ) -> None:
        self.process, self._profile = process, profile
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)

    @classmethod
    async def launch(cls, within: float = 20.0) -> Chromium:
        binary = find_chromium()
        if binary is None:
            raise ChromiumUnavailable("no chromium binary on PATH (apt-get install chromium)")
        # Chromium's helpers may still write to the profile as it exits: a leftover file is no failure.
        profile = tempfile.TemporaryDirectory(prefix="asc-bot-chromium-", ignore_cleanup_errors=True)
        process = await asyncio.create_subprocess_exec(
            binary, *FLAGS, f"--user-data-dir={profile.name}", "about:blank",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        browser = cls(process, profile)
        try:
            await asyncio.wait_for(browser._connect(Path(profile.name) / "DevToolsActivePort"), within)
        except (TimeoutError, OSError, aiohttp.ClientError) as exc:
            await browser.close()
            raise ChromiumUnavailable(f"chromium did not start: {exc!r}") from None
        return browser

    async def _connect(self, port_file: Path) -> None:
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.process.returncode is not None:
                raise OSError(f"chromium exited with {self.process.returncode}")
            await asyncio.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        self._session = aiohttp.ClientSession()
        while True:
            async with self._session.get(f"http://127.0.0.1:{port}/json/list") as response:
                pages = [t for t in await response.json() if t.get("type") == "page"]
            if pages:
                break
            await asyncio.sleep(0.1)
        self._ws = await self._session.ws_connect(
            pages[0]["webSocketDebuggerUrl"], max_msg_size=64 * 1024 * 1024
        )

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """One DevTools command; its result (events arriving meanwhile are skipped)."""
        assert self._ws is not None
        call_id = next(self._ids)
        await self._ws.send_str(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            reply = json.loads((await self._ws.receive()).data)
            if reply.get("id") == call_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result") or {}

    async def goto(self, url: str) -> None:
        await self.send("Page.navigate", url=url)

    async def evaluate(self, expression: str) -> Any:
        result = await self.send(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        return (result.get("result") or {}).get("value")

    async def wait_for(self, expression: str, within: float = 20.0) -> Any:
        """Evaluate until the value is truthy (the page polls its server once a second)."""
        async with asyncio.timeout(within):
            while True:
                value = await self.evaluate(expression)
                if value:
                    return value
                await asyncio.sleep(0.2)

    async def screenshot(self, path: Path) -> None:
        shot = await self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._session is not None:
            await self._session.close()
        if self.process.returncode is None:
            self.process.terminate()  # SIGTERM: chromium takes its own helper processes down with it
            try:
                await asyncio.wait_for(self.process.wait(), 5)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        self._profile.cleanup()
