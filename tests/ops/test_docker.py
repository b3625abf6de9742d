"""Issue 16: the Dockerfile is linted always; the image is built and run where podman can get the base."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
PODMAN = shutil.which("podman") or "/usr/bin/podman"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def base_image() -> str:
    return next(rest for word, rest in instructions() if word == "FROM").split()[0]


def test_dockerfile_lint() -> None:
    found = instructions()
    words = [w for w, _ in found]
    base = base_image()
    # Pinned: a patch release (3.11.11) or a digest, never a moving tag like python:3.11-slim or latest.
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{64})?", base), base
    users = [rest for w, rest in found if w == "USER"]
    assert users and users[-1] not in ("root", "0"), "the bot must not run as root"
    assert words.index("USER") > max(i for i, w in enumerate(words) if w == "RUN"), "USER after the last RUN"
    for word in ("ENTRYPOINT", "CMD"):
        rest = next(r for w, r in found if w == word)
        assert isinstance(json.loads(rest), list), f"{word} must be in exec form"
    health = next(r for w, r in found if w == "HEALTHCHECK")
    command = json.loads(health[health.index("CMD") + 3 :].strip())
    assert command[0] == "python" and "/healthz" in command[-1] and "curl" not in health
    env = " ".join(r for w, r in found if w == "ENV")
    runs = [r for w, r in found if w == "RUN"]
    pip = [r for r in runs if "pip install" in r]
    assert pip and ("PIP_NO_CACHE_DIR=1" in env or all("--no-cache-dir" in r for r in pip))
    assert not any("apt-get install" in r and "rm -rf /var/lib/apt/lists" not in r for r in runs)
    ignore = (ROOT / ".dockerignore").read_text().split()
    for needed in (".git", ".venv", "*.db"):
        assert needed in ignore, needed
    copied = " ".join(r for w, r in found if w in ("COPY", "ADD"))
    assert "COPY . " not in copied + " " and "tests" not in copied


def podman_reason() -> str | None:
    if not Path(PODMAN).exists():
        return "podman is not installed (apt-get install podman)"
    base = base_image()
    have = subprocess.run([PODMAN, "image", "exists", base], capture_output=True, check=False)
    if have.returncode == 0:
        return None
    pulled = subprocess.run(
        [PODMAN, "pull", "-q", base], capture_output=True, text=True, timeout=120, check=False
    )
    if pulled.returncode != 0:
        return f"podman cannot pull the base image {base} (offline: no registry but PyPI, Debian and npm)"
    return None


def test_the_image_builds_and_answers_healthz() -> None:
    reason = podman_reason()
    if reason:
        pytest.skip(reason)
    tag = "localhost/asc-bot-test:latest"
    subprocess.run([PODMAN, "build", "-q", "-t", tag, str(ROOT)], check=True, timeout=600)
    version = subprocess.run(
        [PODMAN, "run", "--rm", tag, "--version"], capture_output=True, text=True, check=True, timeout=60
    )
    assert version.stdout.startswith("asc-bot ")
    user = subprocess.run(
        [PODMAN, "run", "--rm", "--entrypoint", "id", tag, "-u"], capture_output=True, text=True, check=True
    )
    assert user.stdout.strip() == "10001"
    run = subprocess.run(
        [PODMAN, "run", "-d", "--rm", tag, "demo", "--port", "3000"],
        capture_output=True,
        text=True,
        check=True,
    )
    container = run.stdout.strip()
    try:
        for _ in range(100):  # the image's own HEALTHCHECK command, run inside the container
            if subprocess.run([PODMAN, "healthcheck", "run", container], check=False).returncode == 0:
                return
            time.sleep(0.3)
        raise AssertionError("the container's health check never passed")
    finally:
        subprocess.run([PODMAN, "rm", "-f", container], capture_output=True, check=False)
