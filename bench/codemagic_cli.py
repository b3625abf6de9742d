"""codemagic-cli-tools as an installed tool: its own virtual environment, run as a subprocess.

It is GPL-licensed, so none of its code is in this repository: the benchmark installs the released
package from PyPI into `bench/.venv-codemagic` (git-ignored) and runs its `app-store-connect` CLI
through `bench/codemagic_runner.py`, which only points it at the simulator and gives it a virtual
clock.
"""

from __future__ import annotations

import asyncio
import os
import plistlib
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bench.common import ROOT

VERSION = "0.70.0"
VENV = ROOT / "bench" / ".venv-codemagic"
PYTHON = VENV / "bin" / "python"


async def _run(*argv: str | Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        *map(str, argv), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} failed:\n{out.decode()[-3000:]}")


async def ensure_installed() -> str:
    """Create the venv and install codemagic-cli-tools (once); returns the installed version."""
    marker = VENV / f".installed-{VERSION}"
    if not marker.exists():
        await _run(sys.executable, "-m", "venv", VENV)
        await _run(PYTHON, "-m", "pip", "install", "-q", f"codemagic-cli-tools=={VERSION}")
        marker.touch()
    return VERSION


def make_ipa(directory: Path, bundle_id: str, version: str, build_number: str) -> Path:
    """The smallest .ipa publish reads: a zip with Payload/<app>.app/Info.plist (never uploaded)."""
    path = directory / "App.ipa"
    info = {
        "CFBundleIdentifier": bundle_id,
        "CFBundleShortVersionString": version,
        "CFBundleVersion": build_number,
        "CFBundleName": "App",
    }
    with zipfile.ZipFile(path, "w") as ipa:
        ipa.writestr("Payload/App.app/Info.plist", plistlib.dumps(info))
    return path


@dataclass(frozen=True)
class Key:
    """The simulator's API key as the CLI takes it: issuer id, key id and a .p8 file."""

    issuer_id: str
    key_id: str
    private_key_file: Path


@dataclass(frozen=True)
class Run:
    returncode: int
    output: str


async def publish(api_url: str, clock_url: str, key: Key, args: list[str], workdir: Path) -> Run:
    """`app-store-connect publish ARGS` against `api_url`, with its sleeps moving the virtual clock."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("APP_STORE_CONNECT_")},
        "BENCH_ASC_API_URL": api_url,
        "BENCH_CLOCK_URL": clock_url,
        "APP_STORE_CONNECT_ISSUER_ID": key.issuer_id,
        "APP_STORE_CONNECT_KEY_IDENTIFIER": key.key_id,
        "APP_STORE_CONNECT_PRIVATE_KEY": f"@file:{key.private_key_file}",
        "HOME": str(workdir),  # its logs and JWT cache land here, not in the user's home
        "TMPDIR": str(workdir),
        "NO_PROXY": "127.0.0.1",
    }
    proc = await asyncio.create_subprocess_exec(
        str(PYTHON),
        str(ROOT / "bench" / "codemagic_runner.py"),
        "publish",
        *args,
        cwd=workdir,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    return Run(proc.returncode or 0, out.decode(errors="replace"))
