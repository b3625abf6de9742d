"""Inputs for every modal, thread reply, answer, Home tab and checklist builder, for the recorded
payloads (tests/data/blocks_payloads.json).

`python -m tests.blocks_cases` prints what the builders make of them now; the recording was made so
with the slack_sdk-model builders (issue 14), before they became plain dicts, and is what Slack must
keep receiving. Each case is a kind ("view" for views.open/update/publish, "message" for a
chat.postMessage/postEphemeral payload) and a call.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.appstore.models import BetaGroup
from bot.engine.notifier import PublicationView
from bot.engine.overview import ANYONE, APPLE, APPROVERS, BOT, Item, NextStep, Overview
from storage.records import Event, Publication
from tests.message_cases import NOW, _act
from tests.message_cases import _pub as message_pub

META = '{"p":"p1","c":"C1","m":"1700000000.000100"}'


def _pub(**over: Any) -> Publication:
    """The publication messages' publication (tests.message_cases), ready and already posted."""
    return message_pub(**{"state": "ready", "message_ts": "1700000000.000100", "source": {}, **over})


def _event(event_kind: str, message: str | None = None, **data: Any) -> Event:
    return Event(
        id=1,
        publication_id="p1",
        at=NOW,
        actor="U1",
        kind=event_kind,
        message=message,
        data=data,
        announce="thread",
        delivered_at=None,
    )


def _group(n: int, internal: bool, name: str | None = None) -> BetaGroup:
    return BetaGroup(
        id=f"g{n}",
        name=f"Group {n}" if name is None else name,
        is_internal=internal,
        has_access_to_all_builds=None,
    )


def _item(
    pub: Publication, who: str, text: str = "Submit to App Store", approvers: tuple[str, ...] = ()
) -> Item:
    return Item(pub, NextStep(text=text, who=who, approvers=approvers))


GROUPS = [
    _group(1, True, "QA <team> & friends"),
    _group(2, True),
    _group(3, False, "Public beta"),
    _group(4, False, "E" * 100),  # longer than an option's text: shortened
    _group(5, False, "F" * 151),  # longer than an option's value: left out
    _group(6, True, ""),  # no name: left out
]
MANY_GROUPS = [_group(n, n % 3 == 0) for n in range(260)]
LONG = _pub(app_name="A" * 200, version="9" * 40, build_number="1" * 40, app_bundle_id="com." + "b" * 100)
CASES: dict[str, tuple[str, Callable[[], Any]]] = {}


def _case(name: str, kind: str, call: Callable[[], Any]) -> None:
    CASES[name] = (kind, call)


def _cases() -> None:
    from bot import blocks
    from bot.blocks.home import home_view
    from bot.blocks.preflight import checklist_reply

    # What to Test: each locale case (none, a known one, an unknown one), text kept, shortened, absent.
    _case("what_to_test, no notes", "view", lambda: blocks.what_to_test_modal(_pub(), META))
    _case(
        "what_to_test, known locale and text",
        "view",
        lambda: blocks.what_to_test_modal(
            _pub(release_notes=[{"language": "de-DE", "text": "Neue <Suche> & mehr"}]), META
        ),
    )
    _case(
        "what_to_test, unknown locale",
        "view",
        lambda: blocks.what_to_test_modal(_pub(release_notes=[{"language": "xx-YY", "text": "t"}]), META),
    )
    _case(
        "what_to_test, language only",
        "view",
        lambda: blocks.what_to_test_modal(_pub(release_notes=[{"language": "zh-Hant"}]), META),
    )
    _case(
        "what_to_test, text too long, queued",
        "view",
        lambda: blocks.what_to_test_modal(
            _pub(state="processing", release_notes=[{"language": "ja", "text": "x" * 5000}]), META
        ),
    )
    _case(
        "what_to_test, long names, waiting",
        "view",
        lambda: blocks.what_to_test_modal(replace(LONG, state="waiting_for_build"), META),
    )
    # Beta groups: none, some (shortened, left out, preselected), too many for one list.
    _case("beta_groups, none", "view", lambda: blocks.beta_groups_modal(_pub(app_name="Ex & co"), [], META))
    _case(
        "beta_groups, only unusable",
        "view",
        lambda: blocks.beta_groups_modal(_pub(), [_group(1, True, ""), _group(2, False, "F" * 151)], META),
    )
    _case("beta_groups, some", "view", lambda: blocks.beta_groups_modal(_pub(), GROUPS, META))
    _case(
        "beta_groups, some preselected",
        "view",
        lambda: blocks.beta_groups_modal(
            _pub(options={"beta_groups": ["qa <team> & friends", "Public  Beta", "E" * 100, "gone"]}),
            GROUPS,
            META,
        ),
    )
    _case(
        "beta_groups, internal only",
        "view",
        lambda: blocks.beta_groups_modal(_pub(), [_group(1, True), _group(2, True)], META),
    )
    _case(
        "beta_groups, external only, preselected",
        "view",
        lambda: blocks.beta_groups_modal(
            _pub(options={"beta_groups": ["Group 2"]}), [_group(2, False)], META
        ),
    )
    _case(
        "beta_groups, too many",
        "view",
        lambda: blocks.beta_groups_modal(
            _pub(options={"beta_groups": ["Group 0", "Group 1", "Group 299"]}), MANY_GROUPS, META
        ),
    )
    _case("beta_groups, long names", "view", lambda: blocks.beta_groups_modal(LONG, GROUPS, META))
    # Loading and message modals.
    _case("loading", "view", lambda: blocks.loading_modal("asc_beta_groups", "Beta groups", _pub(), META))
    _case(
        "loading, app name",
        "view",
        lambda: blocks.loading_modal("asc_beta_groups", "Beta groups", _pub(app_name="Ex <1>"), META),
    )
    _case(
        "message modal",
        "view",
        lambda: blocks.message_modal("asc_beta_groups", "Beta groups", "⚠️ Apple <said> no & more", META),
    )
    _case(
        "message modal, long text",
        "view",
        lambda: blocks.message_modal("asc_beta_groups", "Beta groups", "y" * 4000, META),
    )
    # Submit to App Store: defaults, every release type, date in the past/future/bad, copyright, ticks.
    _case(
        "submit_to_app_store, defaults", "view", lambda: blocks.submit_to_app_store_modal(_pub(), META, NOW)
    )
    _case(
        "submit_to_app_store, scheduled, future date, all ticked",
        "view",
        lambda: blocks.submit_to_app_store_modal(
            _pub(
                options={
                    "release_type": "SCHEDULED",
                    "earliest_release_date": "2026-12-01T14:00:00Z",
                    "copyright": "2026 Example <Ltd> & co",
                    "phased_release": True,
                    "cancel_previous_submissions": True,
                }
            ),
            META,
            NOW,
        ),
    )
    _case(
        "submit_to_app_store, after approval, past date, one tick",
        "view",
        lambda: blocks.submit_to_app_store_modal(
            _pub(
                options={"release_type": "AFTER_APPROVAL", "phased_release": True},
                earliest_release_date="2026-01-01T00:00:00+00:00",
            ),
            META,
            NOW,
        ),
    )
    _case(
        "submit_to_app_store, unknown type, bad date, long copyright",
        "view",
        lambda: blocks.submit_to_app_store_modal(
            _pub(
                options={
                    "release_type": "SOMETIME",
                    "earliest_release_date": "not a date",
                    "copyright": "c" * 300,
                    "phased_release": "yes",
                }
            ),
            META,
            NOW,
        ),
    )
    _case(
        "submit_to_app_store, long names",
        "view",
        lambda: blocks.submit_to_app_store_modal(LONG, META, NOW + timedelta(days=400)),
    )
    # Schedule: no date (next hour), a future one, a past one.
    _case("schedule, no date", "view", lambda: blocks.schedule_modal(_pub(), META, NOW))
    _case(
        "schedule, future date",
        "view",
        lambda: blocks.schedule_modal(_pub(earliest_release_date="2026-12-24T09:00:00Z"), META, NOW),
    )
    _case(
        "schedule, past date in options",
        "view",
        lambda: blocks.schedule_modal(
            _pub(options={"earliest_release_date": "2025-12-24T09:00:00Z"}), META, NOW + timedelta(minutes=37)
        ),
    )
    _case("schedule, long names", "view", lambda: blocks.schedule_modal(LONG, META, NOW))
    # Changing an export compliance answer.
    given = _act("export_compliance", params={"uses_non_exempt_encryption": False})
    _case(
        "change compliance, to yes",
        "view",
        lambda: blocks.change_compliance_modal(_pub(app_name="Ex <b>"), given, False, META),
    )
    _case(
        "change compliance, to no, webhook",
        "view",
        lambda: blocks.change_compliance_modal(_pub(), replace(given, requested_by="webhook"), True, META),
    )
    _case(
        "change compliance, long names",
        "view",
        lambda: blocks.change_compliance_modal(LONG, given, True, META),
    )
    # /asc status: nothing, one, many (split into sections, then cut to 50 blocks), with and without links.
    _case("status, nothing", "message", lambda: blocks.status([], None))
    _case("status, nothing for an app", "message", lambda: blocks.status([], "com.example.<app>"))
    _case(
        "status, a few",
        "message",
        lambda: blocks.status(
            [
                _pub(),
                _pub(id="p2", message_ts=None, state="failed", last_error="gone <x>", app_name="Ex & co"),
                _pub(id="p3", state="processing", processing_state="VALID", platform="MAC_OS"),
            ],
            "com.example.app",
        ),
    )
    _case("status, long names", "message", lambda: blocks.status([LONG, LONG], None))
    _case(
        "status, very many",
        "message",
        lambda: blocks.status(
            [_pub(id=f"p{n}", build_number=str(n), last_error="e" * 900, state="failed") for n in range(400)],
            None,
        ),
    )
    # Thread replies: plain, the export compliance question, a held step (and its reminder), the checklist.
    view = PublicationView(_pub(), ())
    _case(
        "reply, plain event",
        "message",
        lambda: blocks.reply(view, _event("submitted", "{actor} submitted <it> & more")),
    )
    _case("reply, no message", "message", lambda: blocks.reply(view, _event("beta_review_approved")))
    _case(
        "reply, compliance question",
        "message",
        lambda: blocks.reply(view, _event("export_compliance_question", "🔐 Does it use encryption?")),
    )
    _case(
        "reply, compliance question, long",
        "message",
        lambda: blocks.reply(view, _event("export_compliance_question", "q" * 5000)),
    )
    _case(
        "reply, needs approver",
        "message",
        lambda: blocks.reply(
            view,
            _event(
                "needs_approver",
                "⏸ {actor} asked to submit to App Store review.",
                kind="submit_to_app_store",
                approvers=["U2", "S3", "W4"],
            ),
        ),
    )
    _case(
        "reply, needs approver, none listed",
        "message",
        lambda: blocks.reply(view, _event("needs_approver", "⏸ held", kind="release_now")),
    )
    _case(
        "reply, reminder, many approvers, long",
        "message",
        lambda: blocks.reply(
            view,
            _event(
                "approval_reminder",
                "r" * 2990,
                kind="submit_to_app_store",
                approvers=[f"U{n:04d}" for n in range(30)],
            ),
        ),
    )
    _case(
        "reply, checklist",
        "message",
        lambda: blocks.reply(
            view, _event("preflight_checklist", "📋 Before submitting:\n• no <copyright> & more")
        ),
    )
    _case("checklist, long", "message", lambda: checklist_reply("p" * 40, "c" * 4000))
    _case(
        "compliance answered, no",
        "message",
        lambda: blocks.compliance_answered("🔐 Does it use encryption?", False, "U1"),
    )
    _case(
        "compliance answered, yes, long",
        "message",
        lambda: blocks.compliance_answered("q" * 3500, True, "W2"),
    )
    # The Home tab: empty, approver with nothing waiting, approvals, many apps and many publications.
    _case("home, empty", "view", lambda: home_view(Overview()))
    _case("home, approver, nothing waiting", "view", lambda: home_view(Overview(is_approver=True)))
    approvals = [
        _item(_pub(app_name="Ex <b>"), APPROVERS, approvers=tuple(f"U{n}" for n in range(12))),
        _item(_pub(id="p2", message_ts=None), APPROVERS),
    ]
    apps = {
        "com.example.app": [
            _item(_pub(app_name="Example & co"), APPLE, "Apple reviews it"),
            _item(_pub(id="p2", channel=None, message_ts=None), ANYONE, "Submit to TestFlight"),
            _item(_pub(id="p3"), ANYONE, "Add beta groups"),
            _item(_pub(id="p4"), BOT, "Processing"),
            _item(_pub(id="p5"), "someone", "Odd"),
        ],
        "com.example.other": [
            _item(_pub(id=f"q{n}", build_number=str(n)), BOT, "Waiting") for n in range(25)
        ],
    }
    _case("home, approvals and apps", "view", lambda: home_view(Overview(approvals=approvals, apps=apps)))
    many = {f"com.example.app{n}": [_item(_pub(id=f"r{n}"), BOT, "Waiting")] for n in range(120)}
    _case("home, too many apps", "view", lambda: home_view(Overview(apps=many, is_approver=True)))
    _case(
        "home, long names",
        "view",
        lambda: home_view(
            Overview(approvals=[_item(LONG, APPROVERS)], apps={LONG.app_bundle_id: [_item(LONG, BOT)]})
        ),
    )


_cases()


def _payload(kind: str, made: Any) -> Any:
    if kind == "message":
        text, blocks = made
        return {"text": text, "blocks": blocks}
    return made


def rendered() -> dict[str, Any]:
    """What the builders make of every case: a view, or {"text": …, "blocks": […]} for a message."""
    return {name: _payload(kind, call()) for name, (kind, call) in CASES.items()}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(rendered(), indent=1, ensure_ascii=False) + "\n")
