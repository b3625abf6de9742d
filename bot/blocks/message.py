"""The publication message, its buttons, and the thread replies."""

from __future__ import annotations

from typing import Any

from bot.appstore.states import RELEASE_TYPES, VERSION_NOT_SUBMITTABLE, VERSION_RELEASED
from bot.blocks.base import (
    APPROVE,
    BETA_GROUPS,
    CHANGE_COMPLIANCE,
    COMPLIANCE_NO,
    COMPLIANCE_QUESTION,
    COMPLIANCE_YES,
    NEEDS_APPROVER,
    PHASED_COMPLETE,
    PHASED_PAUSE,
    PHASED_RESUME,
    RELEASE_NOW,
    SCHEDULE,
    SECTION_TEXT_MAX,
    STATE_LINES,
    STATUS_MARKS,
    STEP_BUTTONS,
    SUBMIT_TO_APP_STORE,
    SUBMIT_TO_TESTFLIGHT,
    _humane,
    _release_date,
    actions,
    button,
    confirm,
    context,
    escape,
    fit,
    header,
    mention,
    mention_approver,
    section,
    shorten,
    when,
)
from bot.blocks.preflight import checklist_reply
from bot.engine.actions import label_of, title_of
from bot.engine.compliance import changeable
from bot.engine.install import install_links
from bot.engine.lifecycle import is_over
from bot.engine.notifier import PublicationView
from bot.engine.phased import progress as phased_progress
from bot.engine.preflight import CHECKLIST
from storage.records import Action, Event, Publication
from storage.reminders import REMINDER as APPROVAL_REMINDER

# -- the publication message -------------------------------------------------------------------


def state_line(pub: Publication) -> str:
    line = STATE_LINES.get(pub.state, pub.state)
    if pub.state == "processing" and pub.processing_state == "VALID":
        line = "⚙️ Processed; waiting for TestFlight's beta details"
    if pub.state in ("failed", "timed_out") and pub.last_error:
        line += f": {escape(pub.last_error)}"
    if pub.slack_problem:
        line += f" ⚠️ {escape(pub.slack_problem)}"
    return line


def _action_line(action: Action) -> str:
    title = title_of(action.kind)
    who = mention(action.requested_by)
    line = f"• {title}: {STATUS_MARKS.get(action.status, action.status)} (asked by {who})"
    if action.status == "failed" and action.error:
        line += f" — {escape(action.error)}"
    return line


def _details(view: PublicationView) -> list[str]:
    pub = view.publication
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
        shown = phased_progress(pub.phased_state, pub.phased_day)
        if shown:
            store += f" · phased release {shown}"
        elif pub.phased_state and pub.phased_state != "INACTIVE":
            store += f" · phased release {pub.phased_state.lower()}"
        details.append(store)
    links = install_links(view)
    if links:
        details.append("*Install:* " + " · ".join(f"<{url}|{escape(name)}>" for name, url in links))
    return details


def publication_message(view: PublicationView) -> tuple[str, list[dict[str, Any]]]:
    """The publication message: title, state, details, steps, and the buttons that apply now."""
    pub = view.publication
    title = f"{pub.app_name or pub.app_bundle_id} {pub.version} ({pub.build_number})"
    blocks = [header(f"📱 {title}"), section("\n".join(_details(view)))]
    if view.actions:
        blocks.append(section("\n".join(_action_line(a) for a in view.actions)))
    buttons = [_button(pub, action_id, label) for action_id, label in buttons_for(view)]
    if buttons:
        blocks.append(actions("publication_actions", buttons))
    blocks.append(context(f"Publication `{pub.id}` · uploaded {pub.created_at:%Y-%m-%d %H:%M} UTC"))
    text = shorten(f"{title}: {state_line(pub)}", SECTION_TEXT_MAX)
    return text, fit(blocks)


def buttons_for(view: PublicationView) -> list[tuple[str, str]]:
    """(action id, text) of the buttons that still make sense for this publication, in order."""
    pub = view.publication
    if is_over(pub):  # nothing more can be done with this build
        return []

    def succeeded(action_id: str) -> bool:
        step = view.action(STEP_BUTTONS[action_id])
        return step is not None and step.status == "succeeded"

    shown: list[str] = []
    if not succeeded(SUBMIT_TO_TESTFLIGHT):
        shown.append(SUBMIT_TO_TESTFLIGHT)
    shown.append(BETA_GROUPS)
    submitted = pub.version_state in VERSION_NOT_SUBMITTABLE or succeeded(SUBMIT_TO_APP_STORE)
    if not submitted:
        shown.append(SUBMIT_TO_APP_STORE)
    release_type = pub.release_type or pub.options.get("release_type")
    if pub.version_state == "PENDING_DEVELOPER_RELEASE" and release_type == "MANUAL":
        shown.append(RELEASE_NOW)
    elif pub.version_state not in VERSION_RELEASED and pub.version_state != "PENDING_DEVELOPER_RELEASE":
        shown.append(SCHEDULE)
    if pub.phased_state == "ACTIVE":
        shown += [PHASED_PAUSE, PHASED_COMPLETE]
    elif pub.phased_state == "PAUSED":
        shown += [PHASED_RESUME, PHASED_COMPLETE]
    if changeable(pub, list(view.actions)):  # approvers only; the engine says whether the clicker is one
        shown.append(CHANGE_COMPLIANCE)
    return [(action_id, label_of(STEP_BUTTONS[action_id])) for action_id in shown]


def _button(pub: Publication, action_id: str, label: str) -> dict[str, Any]:
    label_of = f"{pub.app_name or pub.app_bundle_id} {pub.version} ({pub.build_number})"
    questions = {
        SUBMIT_TO_APP_STORE: (
            "Submit for App Store review?",
            f"Submit {label_of} to App Store review?",
            "Submit",
        ),
        RELEASE_NOW: ("Release now?", f"Release {label_of} on the App Store now?", "Release"),
        PHASED_COMPLETE: (
            "Release to all users?",
            f"End the phased release: every user gets {label_of} now.",
            "Release",
        ),
    }
    ask = confirm(*questions[action_id]) if action_id in questions else None
    style = "primary" if action_id in (SUBMIT_TO_TESTFLIGHT, RELEASE_NOW) else None
    return button(label, action_id, pub.id, style, ask)


# -- thread replies ----------------------------------------------------------------------------


def event_text(event: Event) -> str:
    """A thread reply for an event, with the actor as a Slack mention."""
    text = event.message or event.kind.replace("_", " ")
    return shorten(text.replace("{actor}", mention(event.actor)), SECTION_TEXT_MAX)


def reply(view: PublicationView, event: Event) -> tuple[str, list[dict[str, Any]] | None]:
    """A thread reply: text, plus Yes/No buttons when the event asks about export compliance."""
    text = event_text(event)
    if event.kind in (NEEDS_APPROVER, APPROVAL_REMINDER):  # a reminder offers the same button
        return _needs_approver(view, event, text)
    if event.kind == CHECKLIST:
        return checklist_reply(view.publication.id, text)
    if event.kind != COMPLIANCE_QUESTION:
        return text, None
    pub_id = view.publication.id
    buttons = [
        button("Yes, it uses non-exempt encryption", COMPLIANCE_YES, pub_id),
        button("No non-exempt encryption", COMPLIANCE_NO, pub_id, "primary"),
    ]
    return text, [section(text), actions("export_compliance", buttons)]


def _needs_approver(view: PublicationView, event: Event, text: str) -> tuple[str, list[dict[str, Any]]]:
    """A held step: who may approve it, and the button that lets it run (the engine checks the clicker)."""
    kind = str(event.data.get("kind") or "")
    approvers = [str(a) for a in event.data.get("approvers") or []][:20]
    who = ", ".join(mention_approver(a) for a in approvers)
    text = shorten(f"{text} Approvers: {who}." if who else text, SECTION_TEXT_MAX)
    approve = button("Approve and run it", APPROVE + kind, view.publication.id)
    return text, [section(text), actions(f"approve_{kind}"[:255], [approve])]


def compliance_answered(question: str, uses_encryption: bool, user: str) -> tuple[str, list[dict[str, Any]]]:
    """The question reply once answered: the buttons give way to who answered what."""
    answer = "uses" if uses_encryption else "does not use"
    said = f"✅ {mention(user)} answered: the app {answer} non-exempt encryption."
    blocks = [section(question), context(said)]
    return shorten(f"{question}\n{said}", SECTION_TEXT_MAX), blocks
