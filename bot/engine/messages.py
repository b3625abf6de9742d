"""The engine's words in the thread, in one voice. `{actor}` is filled in by the chat surface."""

from __future__ import annotations

import functools
from datetime import timedelta


@functools.lru_cache(maxsize=256)  # every intake says its find timeout: the same few values
def duration(seconds: float) -> str:
    td = timedelta(seconds=round(seconds))
    minutes = int(td.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min" if minutes else f"{int(td.total_seconds())} s"
    return f"{minutes / 60:g} h"


def created(label: str, find_timeout: float) -> str:
    wait = duration(find_timeout)
    return f"📦 {label} was uploaded. Waiting for it to appear in App Store Connect (up to {wait})."


def tests_failed() -> str:
    return (
        "🧪 CI reported failing tests, so nothing runs automatically. "
        "The buttons still work if you want to go ahead anyway."
    )


def found(label: str) -> str:
    return f"🔎 Found {label} in App Store Connect. Apple is processing it."


def ready(label: str) -> str:
    return f"✅ {label} finished processing and is valid."


def processing_failed(state: str, reasons: list[str]) -> str:
    why = "; ".join(reasons) if reasons else "App Store Connect gave no reason; check the e-mail Apple sent"
    return f"❌ App Store Connect could not process the build ({state}): {why}."


def find_timed_out(label: str, waited: float) -> str:
    return (
        f"⏰ {label} did not appear in App Store Connect within {duration(waited)}. Check that the "
        "upload really finished (Transporter/altool output), that the bundle id, version and build "
        "number match, and that the API key belongs to the app's team."
    )


def processing_timed_out(label: str, waited: float) -> str:
    return (
        f"⏰ {label} was still processing after {duration(waited)}. Check the build in App Store "
        "Connect → TestFlight and Apple's system status; processing sometimes takes hours."
    )


def unknown_state(label: str, states: list[str], until: str | None = None) -> str:
    how_long = f"until {until} UTC" if until else "while it is followed"
    return (
        f"❓ App Store Connect reports a state the bot does not know for {label}: {', '.join(states)}. "
        f"It is not treated as done; I keep checking {how_long}."
    )


def unknown_state_too_long(label: str, states: list[str], hours: float) -> str:
    return (
        f"❓ {label}: App Store Connect kept reporting {', '.join(states) or 'no state'} for {hours:g} hours, a state the bot does not "
        "know, so it stopped following. Check the build in App Store Connect; `/asc publish` starts "
        "a new publication once it is clear what happened."
    )


def app_not_found(bundle_id: str, key: str) -> str:
    return (
        f"❌ No app with bundle id {bundle_id} is visible to App Store Connect key '{key}'. "
        "Check the bundle id and that the key belongs to the app's team."
    )


def asc_trouble(detail: str) -> str:
    return f"⚠️ App Store Connect is not answering as it should ({detail}); I keep trying."


def requested(title: str) -> str:
    return f"🙋 {{actor}} asked to {title[0].lower()}{title[1:]}."


def action_failed(title: str, reason: str) -> str:
    return f"⚠️ {title} failed: {reason}"


def all_done(label: str) -> str:
    return f"🎉 {label}: everything that was asked for is done."


def some_failed(label: str, titles: list[str]) -> str:
    return f"❌ {label}: finished, but these steps failed: {', '.join(titles)}. See the thread for why."


def tests_failed_anyway() -> str:
    return "(CI reported failing tests; going ahead because it was asked for.)"


def rejected(label: str) -> str:
    return f"❌ {label}: Apple's review did not accept the build. See the thread for details."


def cancelled(label: str) -> str:
    return f"🚫 {{actor}} cancelled {label}: no more waiting or steps for this build."


def needs_approver(title: str) -> str:
    return (
        f"⏸ *{title}* comes from the app's publishing defaults, but {{actor}} is not an approver of "
        "this app: it waits until an approver approves it."
    )


def checklist(review: str, gaps: list[dict[str, str]], again: bool) -> str:
    """The pre-flight checklist: each gap and where in App Store Connect to fill it in."""
    lines = "\n".join(f"• *{g['what']}* — {g['fix']}" for g in gaps)
    head = "🧾 Checked again: still missing" if again else "🧾 Pre-flight checklist"
    return (
        f"{head} before {review}. App Store Connect would refuse the submission until these are filled "
        f"in, so nothing was submitted:\n{lines}\nPress *Check again* once they are done."
    )


def nothing_to_check(label: str) -> str:
    return f"Nothing of {label} waits for the pre-flight checklist any more."


def approval_reminder(title: str, waited_seconds: float) -> str:
    return f"⏰ *{title}* has waited {duration(waited_seconds)} for an approver."
