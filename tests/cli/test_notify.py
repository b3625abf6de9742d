"""`asc-bot notify`, the CI client (bot/ci_client.py): CI's side of the build-uploaded webhook."""

from __future__ import annotations

import asyncio
import json
import plistlib
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import ci_client
from bot.cli import build_parser, run_notify
from bot.sandbox.clock import FakeClock
from bot.sandbox.world import World
from bot.signatures import verify_ci


def args(*argv: str):
    return build_parser().parse_args(["notify", *argv])


def fake_ipa(path: Path, platform: str = "iphoneos", binary: bool = True) -> Path:
    info = {
        "CFBundleIdentifier": "com.example.app",
        "CFBundleShortVersionString": "1.4.0",
        "CFBundleVersion": "412",
        "DTPlatformName": platform,
    }
    fmt = plistlib.FMT_BINARY if binary else plistlib.FMT_XML
    with zipfile.ZipFile(path, "w") as ipa:
        ipa.writestr("Payload/Example.app/Info.plist", plistlib.dumps(info, fmt=fmt))
        ipa.writestr("Payload/Example.app/PlugIns/Widget.appex/Info.plist", plistlib.dumps({"x": 1}))
        ipa.writestr("Payload/Example.app/Example", b"\0binary")
    return path


async def test_notify_creates_the_publication_and_a_rerun_finds_it(
    world: World, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert world.bot is not None
    env = {"ASC_BOT_WEBHOOK_SECRET": world.webhook_secret, "GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": "77"}
    env |= {"GITHUB_REPOSITORY": "acme/app", "GITHUB_SERVER_URL": "https://github.com"}
    argv = ("--url", world.bot.url, "--bundle-id", "com.example.app", "--version", "1.4.0", "--build", "412")
    argv += ("--testflight", "--beta-group", "QA", "--beta-group", "Friends", "--tests-passed")
    now = clock.now().timestamp
    assert await asyncio.to_thread(run_notify, args(*argv), env, now=now) == 0
    first = capsys.readouterr()
    answer = json.loads(first.out)
    assert answer["state"] == "waiting_for_build"
    assert "HTTP 202" in first.err
    pub = await world.bot.storage.get(answer["publication_id"])
    assert pub.source == {"name": "GitHub Actions", "url": "https://github.com/acme/app/actions/runs/77"}
    assert pub.options["beta_groups"] == ["QA", "Friends"] and pub.tests_passed is True
    assert await asyncio.to_thread(run_notify, args(*argv), env, now=now) == 0
    assert json.loads(capsys.readouterr().out) == answer  # a CI re-run gets the first answer
    assert world.webhook_secret not in first.out + first.err


async def test_an_old_flag_still_works_with_a_warning_naming_the_new_one(
    world: World, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    """CI pipelines keep `--expire-previous` (issue 13 renamed it): it does what the new flag does."""
    assert world.bot is not None
    env = {"ASC_BOT_WEBHOOK_SECRET": world.webhook_secret}
    argv = ("--url", world.bot.url, "--bundle-id", "com.example.app", "--version", "1.4.0", "--build", "412")
    old = args(*argv, "--testflight", "--expire-previous", "--expire-previous", "--dry-run")
    new = args(*argv, "--testflight", "--expire-build-submitted-for-review", "--dry-run")
    assert ci_client.build_payload(old, {}) == ci_client.build_payload(new, {})
    assert await asyncio.to_thread(run_notify, new, env) == 0
    assert "deprecated" not in capsys.readouterr().err
    sent = args(*argv, "--testflight", "--expire-previous")
    assert await asyncio.to_thread(run_notify, sent, env, now=clock.now().timestamp) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        "asc-bot notify: --expire-previous is deprecated: it is now called --expire-build-submitted-for-review"
    )
    assert not any("deprecated" in line for line in err[1:])
    [pub] = await world.bot.storage.list()
    assert pub.options["expire_build_submitted_for_review"] is True
    with pytest.raises(SystemExit):
        args("--help")
    shown = capsys.readouterr().out
    assert "--expire-build-submitted-for-review" in shown and "--expire-previous" not in shown


async def test_notify_reports_the_bots_problems_and_exits_1(
    world: World, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert world.bot is not None
    env = {"ASC_BOT_WEBHOOK_SECRET": world.webhook_secret}
    argv = ("--url", world.bot.url, "--bundle-id", "com.example.app", "--version", "one", "--build", "x")
    assert (
        await asyncio.to_thread(
            run_notify, args(*argv, "--channel", "#releases"), env, now=clock.now().timestamp
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "HTTP 400" in err
    assert "- version:" in err and "- build_number:" in err and "- channel:" in err
    wrong = {"ASC_BOT_WEBHOOK_SECRET": "wrong-secret-wrong-secret"}
    argv = ("--url", world.bot.url, "--bundle-id", "com.example.app", "--version", "1.0", "--build", "1")
    assert await asyncio.to_thread(run_notify, args(*argv), wrong, now=clock.now().timestamp) == 1
    assert "HTTP 401" in capsys.readouterr().err


async def test_notify_usage_problems_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    base = ("--url", "https://bot.example.com", "--bundle-id", "a.b", "--version", "1", "--build", "1")
    assert await asyncio.to_thread(run_notify, args(*base), {}) == 2
    assert "ASC_BOT_WEBHOOK_SECRET is not set" in capsys.readouterr().err
    assert (
        await asyncio.to_thread(
            run_notify, args("--url", "https://bot.example.com", "--version", "1"), {"X": "y"}
        )
        == 2
    )
    assert await asyncio.to_thread(run_notify, args(*base, "--publishing", "[1]"), {}) == 2
    assert await asyncio.to_thread(run_notify, args(*base[2:], "--url", "ftp://x"), {}) == 2


async def test_notify_reads_the_ipa_and_dry_run_prints_the_body(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ipa = fake_ipa(tmp_path / "App.ipa", platform="appletvos")
    notes = tmp_path / "release_notes.json"
    notes.write_text(json.dumps([{"language": "en-US", "text": "New things"}]))
    env = {"CM_BUILD_ID": "b1", "CM_PROJECT_ID": "p1"}
    code = await asyncio.to_thread(
        run_notify,
        args(
            "--url", "https://bot.example.com", "--ipa", str(ipa), "--release-notes", str(notes), "--dry-run"
        ),
        env,
    )
    assert code == 0
    body = json.loads(capsys.readouterr().out)
    assert body == {
        "app": {"bundle_id": "com.example.app"},
        "platform": "TV_OS",
        "version": "1.4.0",
        "build_number": "412",
        "source": {"name": "Codemagic", "url": "https://codemagic.io/app/p1/build/b1"},
        "release_notes": [{"language": "en-US", "text": "New things"}],
    }
    plain = tmp_path / "whats_new.txt"
    plain.write_text("Try the new tab\n")
    payload = ci_client.build_payload(
        args(
            "--url",
            "u",
            "--ipa",
            str(fake_ipa(tmp_path / "X.ipa", binary=False)),
            "--release-notes",
            str(plain),
        ),
        {},
    )
    assert payload["release_notes"] == [{"language": "en-US", "text": "Try the new tab"}]
    (tmp_path / "bad.ipa").write_bytes(b"not a zip")
    with pytest.raises(ci_client.NotifyError):
        ci_client.read_ipa(tmp_path / "bad.ipa")


def test_ci_sources_are_detected() -> None:
    assert ci_client.detect_source({"GITLAB_CI": "true", "CI_JOB_URL": "https://gitlab.com/j/1"}) == {
        "name": "GitLab CI",
        "url": "https://gitlab.com/j/1",
    }
    assert (
        ci_client.detect_source({"BITRISE_BUILD_URL": "https://app.bitrise.io/build/1"})["name"] == "Bitrise"
    )
    assert ci_client.detect_source({}) == {}
    assert ci_client.endpoint("https://bot.example.com/") == "https://bot.example.com/webhooks/build-uploaded"
    assert (
        ci_client.endpoint("https://x.io/asc/webhooks/build-uploaded")
        == "https://x.io/asc/webhooks/build-uploaded"
    )


@dataclass
class Sent:
    url: str
    content: bytes
    headers: dict[str, str]


def scripted(*steps: int | Exception) -> tuple[ci_client.Send, list[Sent]]:
    """A stand-in for urllib: answers each POST with the next status, or raises the next error."""
    seen: list[Sent] = []
    queue = list(steps)

    def send(url: str, body: bytes, headers: dict[str, str], timeout: float):
        seen.append(Sent(url, body, headers))
        step = queue.pop(0)
        if isinstance(step, Exception):
            raise step
        answer_headers = {"Retry-After": "7"} if step == 429 else {}
        return (
            step,
            answer_headers,
            json.dumps({"publication_id": "p", "state": "waiting_for_build"}).encode(),
        )

    return send, seen


def test_deliver_retries_network_errors_429_and_5xx_with_backoff() -> None:
    transport, seen = scripted(ConnectionRefusedError(111, "refused"), 503, 429, 202)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)

    body = b'{"app": {"bundle_id": "a.b"}}'
    answer = ci_client.deliver(
        "https://bot/webhooks/build-uploaded",
        body,
        "s" * 20,
        sleep=sleep,
        now=lambda: 1000.0,
        send=transport,
    )
    assert (answer.status, answer.attempts, answer.accepted) == (202, 4, True)
    assert slept == [1.0, 2.0, 7.0]  # doubling, and Retry-After when it asks for longer
    for request in seen:  # every attempt is signed, and carries the same body (so the bot dedupes)
        assert request.content == body
        assert verify_ci(
            "s" * 20, body, request.headers["X-Signature-256"], request.headers["X-Signature-Timestamp"], 1000
        )


def test_deliver_does_not_retry_refusals_and_gives_up_after_its_attempts() -> None:
    transport, seen = scripted(400)
    answer = ci_client.deliver("https://b", b"{}", "s" * 20, sleep=_no_sleep, send=transport)
    assert (answer.status, len(seen)) == (400, 1)
    transport, seen = scripted(*[TimeoutError("slow")] * 3)
    answer = ci_client.deliver("https://b", b"{}", "s" * 20, attempts=3, sleep=_no_sleep, send=transport)
    assert (answer.status, answer.attempts, len(seen)) == (None, 3, 3)
    assert "TimeoutError" in (answer.error or "")
    transport, seen = scripted(502, 502)
    answer = ci_client.deliver("https://b", b"{}", "s" * 20, attempts=2, sleep=_no_sleep, send=transport)
    assert (answer.status, answer.error) == (502, "HTTP 502")


def _no_sleep(seconds: float) -> None:
    return None


def test_notify_loads_no_part_of_the_bot_it_does_not_need() -> None:
    heavy = ["asyncio", "httpx", "aiohttp", "slack_sdk", "slack_bolt", "apscheduler", "sqlite_utils", "jwt"]
    probe = (
        "import sys, bot.cli; bot.cli.build_parser().parse_args(['notify', '--url', 'https://x', '--dry-run']);"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(heavy)!r}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, bot.cli; print(sorted(m for m in sys.modules if m.startswith('bot')))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert loaded.strip() == "['bot', 'bot.ci_client', 'bot.cli', 'bot.signatures']"
