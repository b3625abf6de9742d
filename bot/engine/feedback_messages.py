"""What the thread says about TestFlight feedback: one tester's submission, or an app's daily digest."""

from __future__ import annotations

from bot.appstore.feedback import CRASH, TesterFeedback

LOG_LINES = 12  # lines of a crash log shown in the thread
LOG_CHARS = 1200
DIGEST_CHARS = 2800  # under Slack's 3000 for a section
_SYSTEMS = {
    "IPAD": "iPadOS",
    "MAC": "macOS",
    "APPLE_TV": "tvOS",
    "VISION": "visionOS",
    "APPLE_WATCH": "watchOS",
}


def _escape(text: str) -> str:
    # A tester's words are shown, never read as Slack markup or as the bot's {actor} placeholder.
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("{", "(")
        .replace("}", ")")
    )


def device(item: TesterFeedback) -> str:
    system = _SYSTEMS.get(item.device_family or "", "iOS")
    os = f"{system} {item.os_version}" if item.os_version else "OS unknown"
    return f"{_escape(item.device_model or 'unknown device')}, {os}"


def testflight_url(app_id: str | None) -> str:
    return f"https://appstoreconnect.apple.com/apps/{app_id}/testflight/ios" if app_id else ""


def _quote(comment: str | None) -> str:
    if not comment:
        return "_(no comment)_"
    return "\n".join(f"> {line}" for line in _escape(comment).splitlines() or [""])


def _links(item: TesterFeedback) -> str:
    shots = [f"<{s.url}|Screenshot {n}>" for n, s in enumerate(item.screenshots, 1)]
    if not shots:
        return ""
    expiry = [s.expires for s in item.screenshots if s.expires is not None]
    note = f" (Apple's links work until {min(expiry):%Y-%m-%d %H:%M} UTC)" if expiry else ""
    return " · ".join(shots) + note


def reply(item: TesterFeedback, label: str, app_id: str | None, crash_log: str | None) -> str:
    """The thread reply for one submission."""
    who = _escape(item.email or "a tester")
    if item.kind == CRASH:
        head = f"💥 *TestFlight crash* in {label} from {who} ({device(item)}):"
        parts = [head, _quote(item.comment)]
        if crash_log:
            lines = crash_log.strip().splitlines()
            shown = "\n".join(lines[:LOG_LINES])[:LOG_CHARS].replace("```", "'''")
            more = "\n…" if len(lines) > LOG_LINES or len(shown) >= LOG_CHARS else ""
            parts.append(f"```{shown}{more}```")
        url = testflight_url(app_id)
        parts.append(f"<{url}|Full crash log in App Store Connect (TestFlight, Crashes)>" if url else "")
    else:
        head = f"💬 *TestFlight feedback* on {label} from {who} ({device(item)}):"
        parts = [head, _quote(item.comment), _links(item)]
    return "\n".join(p for p in parts if p)


def summary(item: TesterFeedback, label: str) -> str:
    """One line of a digest."""
    mark = "💥" if item.kind == CRASH else "💬"
    comment = _escape((item.comment or "(no comment)").replace("\n", " "))
    if len(comment) > 140:
        comment = comment[:139] + "…"
    link = f" <{item.screenshots[0].url}|screenshot>" if item.screenshots else ""
    return f"• {mark} {label}, {_escape(item.email or 'a tester')} ({device(item)}): “{comment}”{link}"


def digest(bundle_id: str, day: str, lines: list[str], threshold: int, app_id: str | None) -> str:
    """The daily digest of an app's submissions past the day's first `threshold`."""
    head = (
        f"📋 *TestFlight feedback digest* for {bundle_id}, {day} (UTC): {len(lines)} more "
        f"submission{'s' if len(lines) != 1 else ''} after the first {threshold} of the day."
    )
    url = testflight_url(app_id)
    tail = f"\nEverything in <{url}|App Store Connect (TestFlight)>." if url else ""
    body, shown = head, 0
    for line in lines:
        if len(body) + len(line) + len(tail) + 40 > DIGEST_CHARS:
            break
        body += "\n" + line
        shown += 1
    if shown < len(lines):
        body += f"\n…and {len(lines) - shown} more."
    return body + tail
