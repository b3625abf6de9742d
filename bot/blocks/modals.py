"""Modals: What to Test, beta groups, the App Store submission's options and the release schedule."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.appstore.models import BetaGroup
from bot.blocks.answers import requested
from bot.blocks.base import (
    BETA_GROUPS_VIEW,
    COPYRIGHT,
    GROUPS,
    INPUT_MAX,
    LOCALE,
    LOCALES,
    MAX_OPTIONS,
    OPTION_TEXT_MAX,
    OPTION_VALUE_MAX,
    RELEASE_DATE,
    RELEASE_TYPE,
    RELEASE_TYPE_LABELS,
    SCHEDULE_VIEW,
    SECTION_TEXT_MAX,
    STATE_LINES,
    SUBMIT_TO_APP_STORE_OPTIONS,
    SUBMIT_TO_APP_STORE_VIEW,
    WHAT_TO_TEST_VIEW,
    WHATS_NEW,
    _release_date,
    context,
    escape,
    fit,
    section,
    shorten,
)
from bot.blocks.forms import (
    checkboxes,
    datetime_picker,
    input_block,
    modal,
    multi_select,
    option,
    option_group,
    radio_buttons,
    static_select,
    text_input,
)
from bot.blocks.message import state_line
from bot.engine.actions import title_of
from bot.engine.names import name_key
from storage.records import Publication

# -- modals ------------------------------------------------------------------------------------


def metadata(**context: str | None) -> str:
    """Modal context (publication, channel, message) as private_metadata (max 3000 characters)."""
    return json.dumps({k: v for k, v in context.items() if v is not None}, separators=(",", ":"))


def message_modal(callback_id: str, title: str, text: str, meta: str) -> dict[str, Any]:
    """A modal that only says something: loading, an error, nothing to pick."""
    return modal(callback_id, title, [section(text)], meta)


def loading_modal(callback_id: str, title: str, pub: Publication, meta: str) -> dict[str, Any]:
    what = (
        f"⏳ Loading the beta groups of {escape(pub.app_name or pub.app_bundle_id)} from App Store Connect…"
    )
    return message_modal(callback_id, title, what, meta)


def what_to_test_modal(pub: Publication, meta: str) -> dict[str, Any]:
    """Optional What to Test text for testers, asked right after *Submit to TestFlight*."""
    note = (pub.release_notes or [{}])[0]
    language: str = note["language"] if note.get("language") in LOCALES else "en-US"
    locales = [option(code, code) for code in LOCALES]
    text = text_input(
        WHATS_NEW,
        INPUT_MAX,
        shorten(note["text"], INPUT_MAX) if note.get("text") else None,
        "What should testers try in this build?",
        multiline=True,
    )
    blocks = [
        section(
            f"{requested(title_of('submit_to_testflight'), pub)}\nAdd What to Test for testers, or skip it."
        ),
        input_block(LOCALE, "Language", static_select(LOCALE, locales, option(language, language))),
        input_block(
            WHATS_NEW, "What to Test", text, hint="Up to 3000 characters (Slack's limit for a text field)."
        ),
    ]
    return modal(WHAT_TO_TEST_VIEW, "What to Test", blocks, meta, submit="Save", close="Skip")


def beta_groups_modal(pub: Publication, groups: Sequence[BetaGroup], meta: str) -> dict[str, Any]:
    """A multi-select of the app's beta groups, internal and external apart; long lists shortened."""
    title = title_of("beta_groups")
    usable = [g for g in groups if g.name and len(g.name) <= OPTION_VALUE_MAX]
    if not usable:
        text = (
            f"{escape(pub.app_name or pub.app_bundle_id)} has no beta groups in App Store Connect yet. "
            "Create one under TestFlight, then try again."
        )
        return message_modal(BETA_GROUPS_VIEW, title, text, meta)
    wanted = {name_key(str(n)) for n in pub.options.get("beta_groups") or []}
    option_groups, initial, left_out = [], [], len(groups) - len(usable)
    for internal, label in (
        (True, "Internal groups (at once)"),
        (False, "External groups (after beta review)"),
    ):
        members = [g for g in usable if g.is_internal is internal]
        left_out += max(0, len(members) - MAX_OPTIONS)
        options = [option(g.name, shorten(g.name, OPTION_TEXT_MAX)) for g in members[:MAX_OPTIONS]]
        initial += [o for o, g in zip(options, members, strict=False) if name_key(g.name) in wanted]
        if options:
            option_groups.append(option_group(label, options))
    picker = multi_select(GROUPS, "Pick groups", option_groups, initial)
    blocks = [
        section(f"Add *{escape(pub.label)}* to these TestFlight groups:"),
        input_block(
            GROUPS,
            "Beta groups",
            picker,
            hint="External groups need Apple's beta review; asc-bot submits the build for it.",
        ),
    ]
    if left_out:
        blocks.append(context(f"{left_out} more group(s) are not listed; add them in App Store Connect."))
    return modal(BETA_GROUPS_VIEW, title, blocks, meta, submit="Add")


def _date_picker(initial: datetime | None, now: datetime) -> dict[str, Any]:
    start = initial if initial and initial > now else None
    return datetime_picker(RELEASE_DATE, int(start.timestamp()) if start else None)


def next_hour(now: datetime, days: int = 1) -> datetime:
    """A sensible default release time: the next whole hour, `days` from now."""
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(days=days, hours=1)


def submit_to_app_store_modal(pub: Publication, meta: str, now: datetime) -> dict[str, Any]:
    """Release type, date, copyright and phased release, defaulting to the publication's options."""
    options = pub.options
    kinds = [option(k, t) for k, t in RELEASE_TYPE_LABELS.items()]
    chosen = options.get("release_type") if options.get("release_type") in RELEASE_TYPE_LABELS else "MANUAL"
    extras = {
        "phased_release": ("Phased release", "Roll out to automatic updates over 7 days"),
        "cancel_previous_submissions": (
            "Cancel other submissions",
            "Withdraw this app's other open submissions",
        ),
    }
    checks = [option(k, t, d) for k, (t, d) in extras.items()]
    ticked = [o for o in checks if options.get(o["value"]) is True]
    copyright_text = options.get("copyright")
    blocks = [
        section(f"Submit *{escape(pub.label)}* to App Store review."),
        input_block(
            RELEASE_TYPE,
            "Release",
            radio_buttons(RELEASE_TYPE, kinds, next(o for o in kinds if o["value"] == chosen)),
        ),
        input_block(
            RELEASE_DATE,
            "Release date (scheduled releases only)",
            _date_picker(_release_date(pub), now),
            hint="On the hour, in your time zone; App Store Connect releases at hour precision.",
            optional=True,
        ),
        input_block(
            COPYRIGHT,
            "Copyright",
            text_input(
                COPYRIGHT,
                200,
                shorten(str(copyright_text), 200) if copyright_text else None,
                f"{now.year} Example Ltd",
            ),
            optional=True,
        ),
        input_block(
            SUBMIT_TO_APP_STORE_OPTIONS,
            "Options",
            checkboxes(SUBMIT_TO_APP_STORE_OPTIONS, checks, ticked),
            optional=True,
        ),
    ]
    return modal(SUBMIT_TO_APP_STORE_VIEW, title_of("submit_to_app_store"), blocks, meta, submit="Submit")


def schedule_modal(pub: Publication, meta: str, now: datetime) -> dict[str, Any]:
    """A date-time picker for the earliest release date, on the hour and in the future."""
    current = _release_date(pub)
    blocks = [
        section(
            f"Release *{escape(pub.label)}* automatically once Apple approves it, but not before this time."
        ),
        input_block(
            RELEASE_DATE,
            "Release date",
            _date_picker(current if current and current > now else next_hour(now), now),
            hint="On the hour, in your time zone; App Store Connect releases at hour precision.",
        ),
    ]
    return modal(SCHEDULE_VIEW, title_of("schedule_release"), blocks, meta, submit="Schedule")


def release_date_problem(picked: datetime | None, now: datetime) -> str | None:
    """Why a picked release time cannot be used, in words for the modal; None when it can."""
    if picked is None:
        return "Pick a date and time for the release."
    if picked.minute or picked.second:
        later = picked.replace(minute=0, second=0) + timedelta(hours=1)
        return (
            f"App Store Connect releases on the hour: you picked {picked:%H:%M} UTC; "
            f"pick {picked:%H}:00 or {later:%H}:00 UTC instead."
        )
    if picked <= now:
        return "That time has passed: pick a time in the future."
    return None


# -- /asc answers ------------------------------------------------------------------------------


def message_link(pub: Publication) -> str | None:
    if not (pub.channel and pub.message_ts):
        return None
    return f"https://slack.com/archives/{pub.channel}/p{pub.message_ts.replace('.', '')}"


def status(pubs: Sequence[Publication], bundle_id: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Publications in flight, one line each, linking to their messages; long lists shortened."""
    scope = f" for {escape(bundle_id)}" if bundle_id else ""
    if not pubs:
        text = f"Nothing in flight{scope}."
        return text, [section(text)]
    lines = []
    for pub in pubs:
        link = message_link(pub)
        name = f"<{link}|{escape(pub.label)}>" if link else escape(pub.label)
        lines.append(f"• *{name}* ({pub.platform}): {state_line(pub)}")
    sections, current = [], ""
    for line in lines:
        line = shorten(line, 1000)
        if len(current) + len(line) + 1 > SECTION_TEXT_MAX:
            sections.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    sections.append(current)
    header = f"*{len(pubs)} publication(s) in flight{scope}:*"
    blocks = [section(header), *(section(s) for s in sections)]
    return shorten(f"{header}\n" + "\n".join(lines), SECTION_TEXT_MAX), fit(blocks)


def usage_problem(usage: str, problem: str) -> str:
    return f"⚠️ {problem}\nUsage: `{usage}`"


def publish_started(label: str, channel: str) -> str:
    return f"🚀 Started publishing {escape(label)} in <#{channel}>: follow it in the thread of its message."


def publish_exists(pub: Publication) -> str:
    link = message_link(pub)
    where = f" <{link}|See its message.>" if link else ""
    return f"{escape(pub.label)} is already being published ({STATE_LINES.get(pub.state, pub.state)}).{where}"


def publish_invalid(problems: Sequence[tuple[str, str]], usage: str) -> str:
    lines = "\n".join(f"• {name} {message}" for name, message in problems)
    return f"⚠️ Cannot publish:\n{lines}\nUsage: `{usage}`"
