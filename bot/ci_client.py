"""`asc-bot notify`, the CI client: the build-uploaded webhook from any CI, signed and retried.

The payload comes from flags, or from the .ipa itself (`--ipa`: bundle id, version, build number
and platform from its Info.plist). Retries are safe: the bot dedupes by delivery_id or by app,
platform, version and build number, so a retried POST finds the first answer.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any

from bot.signatures import sign_ci

# Standard library only (urllib, no asyncio, httpx or the rest of the bot): CI runs this on every
# build, and `python -X importtime` of it is a fraction of the bot's (README, "From CI").
# (status, headers, body) of one POST; raises OSError (URLError, timeouts) when nothing came back.
Send = Callable[[str, bytes, dict[str, str], float], tuple[int, Mapping[str, str], bytes]]

SECRET_ENV = "ASC_BOT_WEBHOOK_SECRET"  # noqa: S105 - the name of the variable, not a secret
PATH = "/webhooks/build-uploaded"
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_PLATFORMS = {"iphoneos": "IOS", "appletvos": "TV_OS", "xros": "VISION_OS", "macosx": "MAC_OS"}
_APP_PLIST = re.compile(r"^Payload/[^/]+\.app/Info\.plist$")


class NotifyError(Exception):
    """A usage problem found before sending (no secret, unreadable .ipa, bad JSON option)."""


@dataclass(frozen=True)
class Artifact:
    """What an app's Info.plist says about the build."""

    bundle_id: str
    version: str
    build_number: str
    platform: str | None


@dataclass(frozen=True)
class Answer:
    """How the delivery ended: the bot's status and body, or the last error after every attempt."""

    status: int | None
    body: Any
    attempts: int
    error: str | None = None

    @property
    def accepted(self) -> bool:
        return self.status in (200, 202)


def read_info_plist(data: bytes) -> Artifact:
    """Bundle id, version, build and platform from an Info.plist (XML or binary)."""
    import plistlib  # here and below: only --ipa needs them

    info = plistlib.loads(data)
    try:
        platform = _PLATFORMS.get(str(info.get("DTPlatformName", "")).lower())
        return Artifact(
            str(info["CFBundleIdentifier"]),
            str(info["CFBundleShortVersionString"]),
            str(info["CFBundleVersion"]),
            platform,
        )
    except KeyError as exc:
        raise NotifyError(f"the Info.plist has no {exc.args[0]}") from None


def read_ipa(path: str | os.PathLike[str]) -> Artifact:
    """The main app's Info.plist inside an .ipa (`Payload/<name>.app/Info.plist`)."""
    import plistlib
    import zipfile

    try:
        with zipfile.ZipFile(path) as ipa:
            names = [n for n in ipa.namelist() if _APP_PLIST.match(n)]
            if len(names) != 1:
                raise NotifyError(f"{path} is not an .ipa with one Payload/<name>.app/Info.plist")
            return read_info_plist(ipa.read(names[0]))
    except (OSError, zipfile.BadZipFile, plistlib.InvalidFileException) as exc:
        raise NotifyError(f"cannot read {path}: {exc}") from None


def detect_source(env: Mapping[str, str]) -> dict[str, str]:
    """The CI run's name and link, from the variables each CI sets (empty when none is recognised)."""
    if env.get("GITHUB_ACTIONS") == "true" and env.get("GITHUB_RUN_ID"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        url = f"{server}/{env.get('GITHUB_REPOSITORY', '')}/actions/runs/{env['GITHUB_RUN_ID']}"
        return {"name": "GitHub Actions", "url": url}
    if env.get("GITLAB_CI") and env.get("CI_JOB_URL"):
        return {"name": "GitLab CI", "url": env["CI_JOB_URL"]}
    if env.get("CM_BUILD_ID") and env.get("CM_PROJECT_ID"):
        return {
            "name": "Codemagic",
            "url": f"https://codemagic.io/app/{env['CM_PROJECT_ID']}/build/{env['CM_BUILD_ID']}",
        }
    if env.get("BITRISE_BUILD_URL"):
        return {"name": "Bitrise", "url": env["BITRISE_BUILD_URL"]}
    return {}


def endpoint(url: str) -> str:
    """The webhook URL from the bot's base URL; a URL already ending with the path is kept."""
    base = url.strip().rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise NotifyError(f"--url must start with https:// (got {url!r})")
    return base if base.endswith(PATH) else base + PATH


def _json_option(name: str, text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise NotifyError(f"{name} is not valid JSON: {exc}") from None


def release_notes(path: str, language: str) -> list[dict[str, str]]:
    """Codemagic's release_notes.json ([{language, text}]), or a plain text file for one language."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise NotifyError(f"cannot read --release-notes {path}: {exc}") from None
    if text.lstrip().startswith("["):
        notes = _json_option("--release-notes", text)
        if not isinstance(notes, list):
            raise NotifyError("--release-notes must hold a JSON list of {language, text}")
        return notes
    return [{"language": language, "text": text.strip()}]


def build_payload(args: argparse.Namespace, env: Mapping[str, str]) -> dict[str, Any]:
    """The build-uploaded webhook's JSON body (README), from the command line (and the .ipa when given)."""
    artifact = read_ipa(args.ipa) if args.ipa else None
    bundle_id = args.bundle_id or (artifact.bundle_id if artifact else None)
    version = args.version or (artifact.version if artifact else None)
    build = args.build or (artifact.build_number if artifact else None)
    if not (bundle_id or args.apple_id) or not version or not build:
        raise NotifyError("give --bundle-id (or --apple-id), --version and --build, or --ipa")
    app = {k: v for k, v in (("bundle_id", bundle_id), ("apple_id", args.apple_id)) if v}
    platform = args.platform or (artifact.platform if artifact else None) or "IOS"
    payload: dict[str, Any] = {"app": app, "platform": platform, "version": version, "build_number": build}
    for key in ("delivery_id", "channel", "api_key"):
        if getattr(args, key):
            payload[key] = getattr(args, key)
    if args.tests_passed is not None:
        payload["tests_passed"] = args.tests_passed
    source = detect_source(env)
    source.update({k: v for k, v in (("name", args.source_name), ("url", args.source_url)) if v})
    if source:
        payload["source"] = source
    publishing = _json_option("--publishing", args.publishing) if args.publishing else {}
    if not isinstance(publishing, dict):
        raise NotifyError("--publishing must be a JSON object")
    for option in SWITCH_FLAGS:
        if getattr(args, option):
            publishing[option] = True
    for key in ("release_type", "earliest_release_date", "copyright"):
        if getattr(args, key):
            publishing[key] = getattr(args, key)
    if args.beta_group:
        publishing["beta_groups"] = args.beta_group
    if publishing:
        payload["publishing"] = publishing
    if args.release_notes:
        payload["release_notes"] = release_notes(args.release_notes, args.language)
    return payload


def urllib_send(
    url: str, body: bytes, headers: dict[str, str], timeout: float
) -> tuple[int, Mapping[str, str], bytes]:
    """One POST with the standard library; an HTTP error status is an answer, not an exception."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - endpoint() checked the scheme
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, _headers(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, _headers(exc.headers), exc.read()


def _headers(message: Message) -> dict[str, str]:
    """HTTP headers under their canonical names (Retry-After), whatever case the server sent."""
    return {"-".join(part.capitalize() for part in name.split("-")): value for name, value in message.items()}


def deliver(
    url: str,
    body: bytes,
    secret: str,
    *,
    attempts: int = 5,
    request_timeout: float = 30.0,
    timestamp: bool = True,
    now: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[int, str, float], None] | None = None,
    send: Send = urllib_send,
) -> Answer:
    """POST the signed body; retry network errors, 408/425/429 and 5xx with backoff (1, 2, 4… s)."""
    import http.client

    problem = "not sent"
    for attempt in range(1, max(1, attempts) + 1):
        # Signed again on each attempt: a fresh timestamp keeps a late retry inside the window.
        signed = sign_ci(secret, body, int(now()) if timestamp else None)
        headers = {"Content-Type": "application/json", "User-Agent": "asc-bot-notify", **signed}
        delay = min(30.0, 2.0 ** (attempt - 1))
        try:
            status, answer_headers, raw = send(url, body, headers, request_timeout)
        except (OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", None) or exc
            problem = f"{type(exc).__name__}: {reason}" if str(reason) else type(exc).__name__
        else:
            text = raw.decode("utf-8", "replace")
            try:
                answer: Any = json.loads(text)
            except ValueError:
                answer = text
            if status not in RETRY_STATUSES:
                return Answer(status, answer, attempt)
            problem = f"HTTP {status}"
            delay = max(delay, _retry_after(answer_headers.get("Retry-After")))
            if attempt == attempts:
                return Answer(status, answer, attempt, problem)
        if attempt < attempts:
            if on_retry is not None:
                on_retry(attempt, problem, delay)
            sleep(delay)
    return Answer(None, None, max(1, attempts), problem)


def _retry_after(value: str | None) -> float:
    try:
        return min(300.0, max(0.0, float(value))) if value else 0.0
    except ValueError:
        return 0.0


# The publishing options' flags, here and in `/asc publish` (commands/publish.py), defined once.
# The rule: a flag is its option's name with dashes (phased_release: --phased-release), without the
# `submit_to_` of the two submissions (--testflight, --app-store), and a list takes one item per
# flag, named in the singular (--beta-group QA --beta-group Friends).
SWITCH_FLAGS = {
    "submit_to_testflight": "--testflight",
    "submit_to_app_store": "--app-store",
    "expire_build_submitted_for_review": "--expire-build-submitted-for-review",
    "cancel_previous_submissions": "--cancel-previous-submissions",
    "phased_release": "--phased-release",
    "publish_even_if_tests_fail": "--publish-even-if-tests-fail",
}
VALUED_FLAGS = {
    "beta_groups": "--beta-group",
    "release_type": "--release-type",
    "earliest_release_date": "--earliest-release-date",
    "copyright": "--copyright",
}
# The flags that were called otherwise before the rule (issue 13), old -> new. `/asc publish`
# refuses every old one, naming the new, and starts nothing; `asc-bot notify` still takes those it
# had (NOTIFY_RENAMED: they are in CI pipelines), with a warning on stderr naming the new flag.
RENAMED_FLAGS = {
    "--review": "--app-store",
    "--groups": "--beta-group",
    "--phased": "--phased-release",
    "--release-date": "--earliest-release-date",
    "--expire-previous": "--expire-build-submitted-for-review",
}
NOTIFY_RENAMED = ("--expire-previous",)


class _Renamed(argparse.Action):
    """An old name of a switch: sets it, and notes the old name in `renamed` for the warning."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, True)
        namespace.renamed = [*getattr(namespace, "renamed", []), option_string]


def renamed_warnings(args: argparse.Namespace) -> list[str]:
    """One line per old flag used: what it is called now."""
    return [
        f"{old} is deprecated: it is now called {RENAMED_FLAGS[old]}"
        for old in dict.fromkeys(getattr(args, "renamed", []))
    ]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `notify` sub-command's options."""
    add = parser.add_argument
    add("--url", required=True, help="the bot's public URL (…/webhooks/build-uploaded is added)")
    add("--ipa", help="read bundle id, version, build number and platform from this .ipa")
    add("--bundle-id", help="the app's bundle id")
    add("--apple-id", help="the app's Apple ID (instead of or with --bundle-id)")
    add("--version", help="CFBundleShortVersionString, e.g. 1.4.0")
    add("--build", help="CFBundleVersion, e.g. 412")
    add("--platform", choices=["IOS", "MAC_OS", "TV_OS", "VISION_OS"], help="default IOS")
    add("--channel", help="Slack channel id (default: the app's channel in the bot's configuration)")
    add("--delivery-id", help="idempotency key (default: app, platform, version and build)")
    add("--api-key", help="name of an App Store Connect key configured in the bot")
    tests = parser.add_mutually_exclusive_group()
    tests.add_argument("--tests-passed", dest="tests_passed", action="store_true", default=None)
    tests.add_argument("--tests-failed", dest="tests_passed", action="store_false")
    add("--source-name", help="CI name shown in Slack (detected on GitHub, GitLab, Codemagic, Bitrise)")
    add("--source-url", help="link to the CI run (detected like --source-name)")
    for dest, flag in SWITCH_FLAGS.items():
        add(flag, dest=dest, action="store_true", help=f"publishing.{dest}")
    switches = {flag: dest for dest, flag in SWITCH_FLAGS.items()}
    for old in NOTIFY_RENAMED:
        add(old, dest=switches[RENAMED_FLAGS[old]], action=_Renamed, nargs=0, help=argparse.SUPPRESS)
    flags = VALUED_FLAGS
    add(
        flags["beta_groups"],
        dest="beta_group",
        action="append",
        help="add to this beta group (repeat for several)",
    )
    add(flags["release_type"], dest="release_type", choices=["MANUAL", "AFTER_APPROVAL", "SCHEDULED"])
    add(
        flags["earliest_release_date"],
        dest="earliest_release_date",
        help="ISO 8601 with offset, on the hour, e.g. 2026-12-01T14:00:00+00:00",
    )
    add(flags["copyright"], dest="copyright", help="publishing.copyright")
    add("--publishing", help="more publishing options as a JSON object (the flags win)")
    add("--release-notes", help="Codemagic's release_notes.json, or a text file of What to Test")
    add("--language", default="en-US", help="language of a plain-text --release-notes (default en-US)")
    add("--secret-env", default=SECRET_ENV, help=f"variable holding the secret (default {SECRET_ENV})")
    add("--attempts", type=int, default=5, help="tries before giving up (default 5)")
    add("--timeout", type=float, default=30.0, help="seconds per try (default 30)")
    add(
        "--no-timestamp",
        action="store_true",
        help="sign the body only, without X-Signature-Timestamp (only for a bot that allows it with "
        "ASC_BOT_ALLOW_UNTIMESTAMPED_SIGNATURES=true)",
    )
    add("--dry-run", action="store_true", help="print the body and send nothing")
