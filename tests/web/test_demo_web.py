"""`asc-bot demo --web`: the page's API over real HTTP, and the page itself in headless Chromium."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.blocks import SUBMIT_TO_TESTFLIGHT
from bot.demo_web import sample_world, serving
from tests.support.cdp import Chromium, ChromiumUnavailable

# The README's picture; a run rewrites it only when asked (ASC_BOT_UPDATE_SCREENSHOT=1).
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "web-demo.png"


@pytest.fixture
async def demo() -> AsyncIterator[str]:
    world = await sample_world(processing=0.5, appear=0.5)
    try:
        async with serving(world) as url:
            yield url
    finally:
        await world.stop()


async def until(check, within: float = 20.0):
    async with asyncio.timeout(within):
        while not (found := await check()):
            await asyncio.sleep(0.1)
        return found


def buttons_of(message: dict) -> dict[str, str]:
    return {
        e["action_id"]: e["text"]["text"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }


async def test_page_api_draws_the_message_and_takes_a_click(demo: str) -> None:
    url = demo
    async with httpx.AsyncClient(base_url=url) as http:
        page = await http.get("/")
        assert page.status_code == 200 and "asc-bot demo" in page.text

        async def ready() -> dict | None:
            messages = (await http.get("/api/state")).json()["messages"]
            return next((m for m in messages if SUBMIT_TO_TESTFLIGHT in buttons_of(m)), None)

        message = await until(ready)
        assert buttons_of(message)[SUBMIT_TO_TESTFLIGHT] == "Submit to TestFlight"
        assert (
            await http.post("/api/click", json={"ts": message["ts"], "action_id": SUBMIT_TO_TESTFLIGHT})
        ).json() == {"status": 200}

        async def replied() -> list[str]:
            state = (await http.get("/api/state")).json()
            [msg] = [m for m in state["messages"] if m["ts"] == message["ts"]]
            return [r["text"] for r in msg["thread"] if "Submitted to TestFlight" in r["text"]]

        assert await until(replied)
        assert (await http.post("/api/click", json={"ts": "1.2", "action_id": SUBMIT_TO_TESTFLIGHT})).status_code == 404
        assert (await http.post("/api/submit", content=b"nope")).status_code == 400


async def test_page_in_headless_chromium(demo: str, tmp_path: Path) -> None:
    url = demo
    try:
        browser = await Chromium.launch()
    except ChromiumUnavailable as exc:
        pytest.skip(str(exc))
    try:
        await browser.goto(url)
        found = f"document.querySelector('button[data-action=\"{SUBMIT_TO_TESTFLIGHT}\"]')"
        label = await browser.wait_for(f"{found} && {found}.textContent")
        assert label == "Submit to TestFlight"
        assert await browser.evaluate(
            "document.querySelector('h3').textContent.includes('Demo App 1.0.0 (1)')"
        )
        await browser.evaluate(f"{found}.click()")
        # The click opens the What to Test modal and the thread hears of the submission.
        assert await browser.wait_for(
            "document.querySelector('.modal h3') && document.querySelector('.modal h3').textContent"
        )
        thread = "[...document.querySelectorAll('.thread .reply')].map(r => r.textContent).join('\\n')"
        text = await browser.wait_for(f"({thread}).includes('Submitted to TestFlight') && {thread}")
        assert "Submitted to TestFlight beta review" in text
        await browser.evaluate("document.querySelector('.modal [data-close]').click()")
        await browser.wait_for("document.querySelector('.modal') === null")
        shot = SCREENSHOT if os.environ.get("ASC_BOT_UPDATE_SCREENSHOT") == "1" else tmp_path / "web-demo.png"
        await browser.screenshot(shot)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        await browser.close()
