"""The engine is a facade: the chat surface and the runtime ask it, never what lies below it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CALLERS = [*sorted((ROOT / "commands").glob("*.py")), *(ROOT / "bot" / f for f in ("web.py", "app.py", "demo.py", "cli.py"))]
BELOW = re.compile(r"(?<![\w.])engine\.(storage|clock|clients|outbox|guard|feedback|_\w+)\b")


def test_no_caller_reaches_below_the_facade() -> None:
    reached = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in CALLERS
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if BELOW.search(line)
    ]
    assert reached == []


def test_no_state_change_in_the_engine_bypasses_the_lifecycle() -> None:
    engine = ROOT / "bot" / "engine"
    writers = [
        str(path.relative_to(ROOT))
        for path in sorted(engine.rglob("*.py"))
        if re.search(r"storage\.update\(", path.read_text()) or "message_dirty=" in path.read_text()
    ]
    assert writers == ["bot/engine/lifecycle.py"]


def test_no_engine_module_is_over_400_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in sorted((ROOT / "bot" / "engine").rglob("*.py"))
        if (n := len(p.read_text().splitlines())) > 400
    }
    assert long == {}
