"""Block Kit rendering as pure functions: data in, Slack payload out, always within Slack's limits.

Every user-facing sentence of the Slack face lives here, so it reads as one voice. Blocks are built
with slack_sdk's models (which check per-field limits on `to_dict`); free text from CI or App Store
Connect is shortened first, so a long What to Test or many beta groups never make Slack refuse.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    DateTimePickerElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.appstore.models import BetaGroup
from bot.engine.actions import ACTIONS
from bot.engine.notifier import PublicationView
from storage.records import Action, Event, Publication

# Action and callback ids are a contract between these payloads and the listeners in commands/.
TESTFLIGHT = "asc_submit_testflight"
BETA_GROUPS = "asc_add_beta_groups"
REVIEW = "asc_submit_review"
SCHEDULE = "asc_schedule_release"
BUTTONS = (
    (TESTFLIGHT, "Submit to TestFlight"),
    (BETA_GROUPS, "Add beta groups"),
    (REVIEW, "Submit for review"),
    (SCHEDULE, "Schedule release"),
)
RELEASE_NOW = "asc_release_now"
PHASED_PAUSE = "asc_phased_pause"
PHASED_RESUME = "asc_phased_resume"
PHASED_COMPLETE = "asc_phased_complete"
COMPLIANCE_YES = "asc_compliance_yes"
COMPLIANCE_NO = "asc_compliance_no"
WHAT_TO_TEST_VIEW = "asc_what_to_test"
BETA_GROUPS_VIEW = "asc_beta_groups"
REVIEW_VIEW = "asc_review"
SCHEDULE_VIEW = "asc_schedule"
# Input block ids double as their element's action id and as the keys of `response_action: errors`.
LOCALE = "locale"
WHATS_NEW = "whats_new"
GROUPS = "groups"
RELEASE_TYPE = "release_type"
RELEASE_DATE = "release_date"
COPYRIGHT = "copyright"
REVIEW_OPTIONS = "review_options"
COMPLIANCE_QUESTION = "export_compliance_question"

# Slack's limits (docs.slack.dev/reference/block-kit); slack_sdk checks most, not the block count.
MAX_BLOCKS = 50
SECTION_TEXT_MAX = 3000
HEADER_MAX = 150
INPUT_MAX = 3000
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
MAX_OPTIONS = 100
CONFIRM_TEXT_MAX = 300

STATE_LINES = {
    "waiting_for_build": "⏳ Waiting for the build to appear in App Store Connect",
    "processing": "⚙️ Apple is processing the build",
    "ready": "✅ Processed and valid",
    "done": "🎉 Done",
    "failed": "❌ Failed",
    "timed_out": "⏰ Timed out",
    "cancelled": "🚫 Cancelled",
}
STATUS_MARKS = {
    "requested": "🕓 queued",
    "running": "⚙️ running",
    "succeeded": "✅ done",
    "failed": "⚠️ failed",
    "skipped": "⏭️ skipped",
}
RELEASE_TYPES = {
    "MANUAL": "Manually, when someone presses Release now",
    "AFTER_APPROVAL": "Automatically, as soon as Apple approves it",
    "SCHEDULED": "Automatically, not before the date below",
}
# App Store version states after which a release date can no longer be set...
RELEASED = frozenset(
    {"PENDING_APPLE_RELEASE", "PROCESSING_FOR_DISTRIBUTION", "READY_FOR_DISTRIBUTION", "READY_FOR_SALE"}
)
# ...and those in which the version is with Apple or already out: no new submission.
SUBMITTED = RELEASED | {
    "WAITING_FOR_REVIEW", "IN_REVIEW", "PENDING_DEVELOPER_RELEASE",
    "REJECTED", "METADATA_REJECTED", "INVALID_BINARY",
}  # fmt: skip
# App Store Connect's localizations, for the What to Test language picker.
# fmt: off
LOCALES = (
    "en-US", "en-GB", "en-AU", "en-CA", "de-DE", "fr-FR", "fr-CA", "es-ES", "es-MX", "it", "ja",
    "ko", "nl-NL", "pt-BR", "pt-PT", "ru", "sv", "da", "fi", "no", "pl", "cs", "sk", "hu", "ro",
    "hr", "el", "tr", "uk", "he", "ar-SA", "hi", "th", "vi", "id", "ms", "ca", "zh-Hans", "zh-Hant",
)
# fmt: on
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


# -- small helpers ----------------------------------------------------------------------------


def shorten(text: str, limit: int) -> str:
    """Cut text to Slack's limit, saying so, rather than have Slack reject the whole message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mention(actor: str) -> str:
    """A Slack mention for user ids; CI and the bot by name."""
    if _USER_ID.match(actor):
        return f"<@{actor}>"
    return {"webhook": "CI", "slash": "a slash command", "bot": "asc-bot"}.get(actor, actor)


def mention_approver(approver: str) -> str:
    """A user (U…/W…) or user group (S…) as Slack shows it."""
    return f"<!subteam^{approver}>" if approver.startswith("S") else f"<@{approver}>"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def when(moment: datetime) -> str:
    """A time every reader sees in their own time zone (Slack's date token), UTC as the fallback."""
    stamp = int(moment.timestamp())
    fallback = f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{fallback}>"


def fit(blocks: list[dict[str, Any]], limit: int = MAX_BLOCKS) -> list[dict[str, Any]]:
    """At most `limit` blocks: the rest is replaced by a note, never sent for Slack to refuse."""
    if len(blocks) <= limit:
        return blocks
    note = ContextBlock(elements=[MarkdownTextObject(text=f"…and {len(blocks) - limit + 1} more not shown.")])
    return [*blocks[: limit - 1], note.to_dict()]


def _section(text: str, block_id: str | None = None) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=shorten(text, SECTION_TEXT_MAX)), block_id=block_id)


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=shorten(text, SECTION_TEXT_MAX))])


def _humane(state: str) -> str:
    return state.replace("_", " ").capitalize()


def _release_date(pub: Publication) -> datetime | None:
    raw = pub.earliest_release_date or pub.options.get("earliest_release_date")
    try:
        return datetime.fromisoformat(str(raw).replace("Z", "+00:00")) if raw else None
    except ValueError:
        return None


# -- the publication message -------------------------------------------------------------------


def state_line(pub: Publication) -> str:
    line = STATE_LINES.get(pub.state, pub.state)
    if pub.state == "processing" and pub.processing_state == "VALID":
        line = "⚙️ Processed; waiting for TestFlight's beta details"
    if pub.state in ("failed", "timed_out") and pub.last_error:
        line += f": {escape(pub.last_error)}"
    return line


def _action_line(action: Action) -> str:
    title = ACTIONS[action.kind].title if action.kind in ACTIONS else action.kind
    who = mention(action.requested_by)
    line = f"• {title}: {STATUS_MARKS.get(action.status, action.status)} (asked by {who})"
    if action.status == "failed" and action.error:
        line += f" — {escape(action.error)}"
    return line


def _details(pub: Publication) -> list[str]:
    details = [f"*State:* {state_line(pub)}", f"*App:* {escape(pub.app_bundle_id)} · {pub.platform}"]
    source = pub.source or {}
    if source.get("url"):
        details.append(f"*Source:* <{source['url']}|{escape(source.get('name') or source['url'])}>")
    elif source.get("name"):
        details.append(f"*Source:* {escape(source['name'])}")
    if pub.tests_passed is False:
        details.append("*Tests:* ❌ failed in CI")
    if pub.beta_review_state:
        details.append(f"*TestFlight:* beta review {_humane(pub.beta_review_state).lower()}")
    if pub.version_state:
        store = f"*App Store:* {_humane(pub.version_state)}"
        release_type = pub.release_type or pub.options.get("release_type")
        if release_type == "SCHEDULED" and _release_date(pub):
            store += f" · release not before {when(_release_date(pub))}"  # type: ignore[arg-type]
        elif release_type in RELEASE_TYPES:
            store += f" · {_humane(release_type).lower()} release"
        if pub.phased_state and pub.phased_state != "INACTIVE":
            store += f" · phased release {pub.phased_state.lower()}"
        details.append(store)
    return details


def publication_message(view: PublicationView) -> tuple[str, list[dict[str, Any]]]:
    """The publication message: title, state, details, steps, and the buttons that apply now."""
    pub = view.publication
    title = f"{pub.app_name or pub.app_bundle_id} {pub.version} ({pub.build_number})"
    blocks: list[Block] = [
        HeaderBlock(text=shorten(f"📱 {title}", HEADER_MAX)),
        _section("\n".join(_details(pub))),
    ]
    if view.actions:
        blocks.append(_section("\n".join(_action_line(a) for a in view.actions)))
    buttons = [_button(pub, action_id, label) for action_id, label in buttons_for(view)]
    if buttons:
        blocks.append(ActionsBlock(block_id="publication_actions", elements=buttons))
    blocks.append(_context(f"Publication `{pub.id}` · uploaded {pub.created_at:%Y-%m-%d %H:%M} UTC"))
    text = shorten(f"{title}: {state_line(pub)}", SECTION_TEXT_MAX)
    return text, fit([b.to_dict() for b in blocks])


def buttons_for(view: PublicationView) -> list[tuple[str, str]]:
    """(action id, text) of the buttons that still make sense for this publication, in order."""
    pub = view.publication
    if (
        pub.state in ("timed_out", "cancelled")
        or pub.processing_state in ("INVALID", "FAILED")
        or (pub.state == "failed" and pub.build_id is None)
    ):
        return []
    labels = dict(BUTTONS)
    testflight, app_store = view.action("testflight"), view.action("app_store")
    shown: list[str] = []
    if not (testflight and testflight.status == "succeeded"):
        shown.append(TESTFLIGHT)
    shown.append(BETA_GROUPS)
    submitted = pub.version_state in SUBMITTED or (app_store is not None and app_store.status == "succeeded")
    if not submitted:
        shown.append(REVIEW)
    release_type = pub.release_type or pub.options.get("release_type")
    if pub.version_state == "PENDING_DEVELOPER_RELEASE" and release_type == "MANUAL":
        shown.append(RELEASE_NOW)
    elif pub.version_state not in RELEASED and pub.version_state != "PENDING_DEVELOPER_RELEASE":
        shown.append(SCHEDULE)
    if pub.phased_state == "ACTIVE":
        shown += [PHASED_PAUSE, PHASED_COMPLETE]
    elif pub.phased_state == "PAUSED":
        shown += [PHASED_RESUME, PHASED_COMPLETE]
    labels.update(
        {
            RELEASE_NOW: "Release now",
            PHASED_PAUSE: "Pause phased release",
            PHASED_RESUME: "Resume phased release",
            PHASED_COMPLETE: "Release to all users",
        }
    )
    return [(action_id, labels[action_id]) for action_id in shown]


def _button(pub: Publication, action_id: str, label: str) -> ButtonElement:
    label_of = f"{pub.app_name or pub.app_bundle_id} {pub.version} ({pub.build_number})"
    questions = {
        REVIEW: ("Submit for App Store review?", f"Submit {label_of} to App Store review?", "Submit"),
        RELEASE_NOW: ("Release now?", f"Release {label_of} on the App Store now?", "Release"),
        PHASED_COMPLETE: (
            "Release to all users?",
            f"End the phased release: every user gets {label_of} now.",
            "Release",
        ),
    }
    confirm = None
    if action_id in questions:
        title, text, yes = questions[action_id]
        confirm = ConfirmObject(title=title, text=shorten(text, CONFIRM_TEXT_MAX), confirm=yes, deny="Cancel")
    style = "primary" if action_id in (TESTFLIGHT, RELEASE_NOW) else None
    return ButtonElement(text=label, action_id=action_id, value=pub.id, style=style, confirm=confirm)


# -- thread replies ----------------------------------------------------------------------------


def event_text(event: Event) -> str:
    """A thread reply for an event, with the actor as a Slack mention."""
    text = event.message or event.kind.replace("_", " ")
    return shorten(text.replace("{actor}", mention(event.actor)), SECTION_TEXT_MAX)


def reply(view: PublicationView, event: Event) -> tuple[str, list[dict[str, Any]] | None]:
    """A thread reply: text, plus Yes/No buttons when the event asks about export compliance."""
    text = event_text(event)
    if event.kind != COMPLIANCE_QUESTION:
        return text, None
    pub_id = view.publication.id
    buttons = [
        ButtonElement(text="Yes, it uses non-exempt encryption", action_id=COMPLIANCE_YES, value=pub_id),
        ButtonElement(
            text="No non-exempt encryption", action_id=COMPLIANCE_NO, value=pub_id, style="primary"
        ),
    ]
    blocks = [_section(text), ActionsBlock(block_id="export_compliance", elements=buttons)]
    return text, [b.to_dict() for b in blocks]


def compliance_answered(question: str, uses_encryption: bool, user: str) -> tuple[str, list[dict[str, Any]]]:
    """The question reply once answered: the buttons give way to who answered what."""
    answer = "uses" if uses_encryption else "does not use"
    said = f"✅ {mention(user)} answered: the app {answer} non-exempt encryption."
    blocks = [_section(question), _context(said)]
    return shorten(f"{question}\n{said}", SECTION_TEXT_MAX), [b.to_dict() for b in blocks]


# -- ephemeral answers -------------------------------------------------------------------------


def already_requested(title: str, action: Action) -> str:
    return (
        f"*{title}* was already requested by {mention(action.requested_by)} at "
        f"{when(action.requested_at)} ({STATUS_MARKS.get(action.status, action.status)})."
    )


def requested(title: str, pub: Publication) -> str:
    """Said privately after a request: queued until the build is ready, or starting now."""
    if pub.state in ("waiting_for_build", "processing"):
        return f"🕓 *{title}* is queued: it runs as soon as Apple has processed {escape(pub.label)}."
    return f"⚙️ *{title}* for {escape(pub.label)} is starting; the thread shows how it goes."


def refused(title: str, reason: str | None) -> str:
    return f"🚫 *{title}* cannot be done: {reason or 'not now.'}"


def gone() -> str:
    return "This publication no longer exists; start a new one with `/asc publish`."


def not_an_approver(title: str, bundle_id: str, approvers: Sequence[str]) -> str:
    who = ", ".join(mention_approver(a) for a in approvers[:20]) + (" …" if len(approvers) > 20 else "")
    return (
        f"🔒 Only approvers may *{title.lower()}* for {escape(bundle_id)}: {who}. "
        "Ask one of them; your attempt was logged."
    )


# -- modals ------------------------------------------------------------------------------------


def metadata(**context: str | None) -> str:
    """Modal context (publication, channel, message) as private_metadata (max 3000 characters)."""
    return json.dumps({k: v for k, v in context.items() if v is not None}, separators=(",", ":"))


def _modal(
    callback_id: str,
    title: str,
    blocks: Iterable[Block],
    meta: str,
    submit: str | None = None,
    close: str | None = None,
) -> dict[str, Any]:
    view = View(
        type="modal",
        callback_id=callback_id,
        title=title,
        blocks=list(blocks),
        private_metadata=meta,
        submit=submit,
        close=close or ("Cancel" if submit else "Close"),
    )
    return view.to_dict()


def message_modal(callback_id: str, title: str, text: str, meta: str) -> dict[str, Any]:
    """A modal that only says something: loading, an error, nothing to pick."""
    return _modal(callback_id, title, [_section(text)], meta)


def loading_modal(callback_id: str, title: str, pub: Publication, meta: str) -> dict[str, Any]:
    what = (
        f"⏳ Loading the beta groups of {escape(pub.app_name or pub.app_bundle_id)} from App Store Connect…"
    )
    return message_modal(callback_id, title, what, meta)


def what_to_test_modal(pub: Publication, meta: str) -> dict[str, Any]:
    """Optional What to Test text for testers, asked right after *Submit to TestFlight*."""
    note = (pub.release_notes or [{}])[0]
    language = note.get("language") if note.get("language") in LOCALES else "en-US"
    locales = [Option(value=code, text=code) for code in LOCALES]
    text = PlainTextInputElement(
        action_id=WHATS_NEW,
        multiline=True,
        max_length=INPUT_MAX,
        initial_value=shorten(note["text"], INPUT_MAX) if note.get("text") else None,
        placeholder="What should testers try in this build?",
    )
    blocks = [
        _section(f"{requested('Submit to TestFlight', pub)}\nAdd What to Test for testers, or skip it."),
        InputBlock(
            block_id=LOCALE,
            label="Language",
            element=StaticSelectElement(
                action_id=LOCALE, options=locales, initial_option=Option(value=language, text=language)
            ),
        ),
        InputBlock(
            block_id=WHATS_NEW,
            label="What to Test",
            element=text,
            hint="Up to 3000 characters (Slack's limit for a text field).",
        ),
    ]
    return _modal(WHAT_TO_TEST_VIEW, "What to Test", blocks, meta, submit="Save", close="Skip")


def beta_groups_modal(pub: Publication, groups: Sequence[BetaGroup], meta: str) -> dict[str, Any]:
    """A multi-select of the app's beta groups, internal and external apart; long lists shortened."""
    title = "Add beta groups"
    usable = [g for g in groups if g.name and len(g.name) <= OPTION_VALUE_MAX]
    if not usable:
        text = (
            f"{escape(pub.app_name or pub.app_bundle_id)} has no beta groups in App Store Connect yet. "
            "Create one under TestFlight, then try again."
        )
        return message_modal(BETA_GROUPS_VIEW, title, text, meta)
    wanted = {str(n).casefold() for n in pub.options.get("beta_groups") or []}
    option_groups, initial, left_out = [], [], len(groups) - len(usable)
    for internal, label in (
        (True, "Internal groups (at once)"),
        (False, "External groups (after beta review)"),
    ):
        members = [g for g in usable if g.is_internal is internal]
        left_out += max(0, len(members) - MAX_OPTIONS)
        options = [Option(value=g.name, text=shorten(g.name, OPTION_TEXT_MAX)) for g in members[:MAX_OPTIONS]]
        initial += [o for o, g in zip(options, members, strict=False) if g.name.casefold() in wanted]
        if options:
            option_groups.append(OptionGroup(label=label, options=options))
    picker = StaticMultiSelectElement(
        action_id=GROUPS,
        placeholder="Pick groups",
        option_groups=option_groups,
        initial_options=initial or None,
    )
    blocks: list[Block] = [
        _section(f"Add *{escape(pub.label)}* to these TestFlight groups:"),
        InputBlock(
            block_id=GROUPS,
            label="Beta groups",
            element=picker,
            hint="External groups need Apple's beta review; asc-bot submits the build for it.",
        ),
    ]
    if left_out:
        blocks.append(_context(f"{left_out} more group(s) are not listed; add them in App Store Connect."))
    return _modal(BETA_GROUPS_VIEW, title, blocks, meta, submit="Add")


def _date_picker(initial: datetime | None, now: datetime) -> DateTimePickerElement:
    start = initial if initial and initial > now else None
    return DateTimePickerElement(
        action_id=RELEASE_DATE, initial_date_time=int(start.timestamp()) if start else None
    )


def next_hour(now: datetime, days: int = 1) -> datetime:
    """A sensible default release time: the next whole hour, `days` from now."""
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(days=days, hours=1)


def review_modal(pub: Publication, meta: str, now: datetime) -> dict[str, Any]:
    """Release type, date, copyright and phased release, defaulting to the publication's options."""
    options = pub.options
    kinds = [Option(value=k, text=t) for k, t in RELEASE_TYPES.items()]
    chosen = options.get("release_type") if options.get("release_type") in RELEASE_TYPES else "MANUAL"
    extras = {
        "phased_release": ("Phased release", "Roll out to automatic updates over 7 days"),
        "cancel_previous_submissions": (
            "Cancel other submissions",
            "Withdraw this app's other open submissions",
        ),
    }
    checks = [Option(value=k, text=t, description=d) for k, (t, d) in extras.items()]
    ticked = [o for o in checks if options.get(o.value) is True]
    copyright_text = options.get("copyright")
    blocks: list[Block] = [
        _section(f"Submit *{escape(pub.label)}* to App Store review."),
        InputBlock(
            block_id=RELEASE_TYPE,
            label="Release",
            element=RadioButtonsElement(
                action_id=RELEASE_TYPE,
                options=kinds,
                initial_option=next(o for o in kinds if o.value == chosen),
            ),
        ),
        InputBlock(
            block_id=RELEASE_DATE,
            label="Release date (scheduled releases only)",
            element=_date_picker(_release_date(pub), now),
            optional=True,
            hint="On the hour, in your time zone; App Store Connect releases at hour precision.",
        ),
        InputBlock(
            block_id=COPYRIGHT,
            label="Copyright",
            element=PlainTextInputElement(
                action_id=COPYRIGHT,
                max_length=200,
                initial_value=shorten(str(copyright_text), 200) if copyright_text else None,
                placeholder=f"{now.year} Example Ltd",
            ),
            optional=True,
        ),
        InputBlock(
            block_id=REVIEW_OPTIONS,
            label="Options",
            element=CheckboxesElement(
                action_id=REVIEW_OPTIONS, options=checks, initial_options=ticked or None
            ),
            optional=True,
        ),
    ]
    return _modal(REVIEW_VIEW, "Submit for review", blocks, meta, submit="Submit")


def schedule_modal(pub: Publication, meta: str, now: datetime) -> dict[str, Any]:
    """A date-time picker for the earliest release date, on the hour and in the future."""
    current = _release_date(pub)
    blocks: list[Block] = [
        _section(
            f"Release *{escape(pub.label)}* automatically once Apple approves it, but not before this time."
        ),
        InputBlock(
            block_id=RELEASE_DATE,
            label="Release date",
            element=_date_picker(current if current and current > now else next_hour(now), now),
            hint="On the hour, in your time zone; App Store Connect releases at hour precision.",
        ),
    ]
    return _modal(SCHEDULE_VIEW, "Schedule release", blocks, meta, submit="Schedule")


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
        return text, [_section(text).to_dict()]
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
    blocks = [_section(header).to_dict(), *(_section(s).to_dict() for s in sections)]
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
