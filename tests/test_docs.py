"""Keep the docs honest: the README documents exactly the configuration that exists, and every verb."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from bot.config import ENV_VARS
from bot.engine.actions import ACTIONS, CONTROLS
from commands.asc import USAGE, help_text

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
STEPS_DOC = (ROOT / "bot" / "engine" / "ACTIONS.md").read_text()


def test_every_config_variable_is_documented_and_nothing_else() -> None:
    table = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", README, flags=re.M))
    assert table == set(ENV_VARS)


def test_every_asc_verb_is_in_help_and_readme() -> None:
    for verb, usage in USAGE.items():
        assert usage in help_text()
        assert f"/asc {verb}" in README


def test_the_steps_table_is_the_step_registry() -> None:
    """ACTIONS.md lists the registry's steps in the order they run, with their titles and gates."""
    rows = re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \| (yes|no) \|", STEPS_DOC, flags=re.M)
    documented = [(kind, title.strip(), gated == "yes") for kind, title, gated in rows]
    registry = [(s.kind, s.title, s.gated) for s in sorted(ACTIONS.values(), key=lambda s: s.order)]
    assert documented == registry
    for kind, title in CONTROLS.items():  # gated as well, though not steps
        assert f"`{kind}` (*{title}*)" in STEPS_DOC


def test_docs_name_no_module_that_is_gone() -> None:
    """Every `bot/….py` (or package) the README and ACTIONS.md name exists."""
    for doc in (README, STEPS_DOC):
        for path in re.findall(r"`((?:bot|commands|storage)/[A-Za-z0-9_/]+(?:\.py|/))`", doc):
            assert (ROOT / path).exists(), path


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "test-command" in ci
    assert re.search(r"<!-- test-command -->\n```sh\n.+pytest\n```\n<!-- /test-command -->", README)


def test_ruff_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--quiet", str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    """`mypy` with the config in pyproject.toml: strict for the engine, the App Store Connect client
    and storage, `check_untyped_defs` elsewhere."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_performance_section_is_from_the_latest_benchmark_run() -> None:
    """`python3 bench/run_all.py --readme` writes it; a newer bench/results/latest.json means rerun it."""
    latest = json.loads((ROOT / "bench" / "results" / "latest.json").read_text())
    section = re.search(r"## Performance\n\n<!-- bench:start -->\n(.*?)\n<!-- bench:end -->", README, re.S)
    assert section is not None, "README.md has no Performance section: run python3 bench/run_all.py --readme"
    stamp = re.search(r"Latest run: \*\*(.+?)\*\*, commit `(.+?)`", section.group(1))
    assert stamp is not None, "the Performance section does not say when and on which commit it was measured"
    assert (stamp.group(1), stamp.group(2)) == (latest["date"], latest.get("commit")), (
        "README.md's Performance section is older than bench/results/latest.json: "
        "run python3 bench/run_all.py --readme"
    )
