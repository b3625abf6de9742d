"""Publications in different states, for the recorded publication messages (tests/data/publication_messages.json).

`python -m tests.message_cases` prints what the builder makes of them now; the recording was made so
with the slack_sdk-model builder, before it became plain dicts, and is what Slack must keep receiving.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

from bot.engine.notifier import PublicationView
from storage.records import Action, Publication

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _pub(**over: Any) -> Publication:
    base: dict[str, Any] = dict(
        id="p1",
        app_bundle_id="com.example.app",
        platform="IOS",
        version="1.4.0",
        build_number="412",
        state="waiting_for_build",
        created_at=NOW,
        channel="C1",
        source={"name": "GitHub Actions", "url": "https://ci.example.com/runs/1"},
    )
    return Publication(**{**base, **over})


def _act(kind: str, status: str = "succeeded", **over: Any) -> Action:
    return Action(
        id=1, publication_id="p1", kind=kind, status=status, requested_by="U1", requested_at=NOW, **over
    )


LINKS = {
    "links": [
        {"group": "QA <team>", "url": "https://testflight.apple.com/join/AbC", "internal": True},
        {"group": "Public", "url": "https://testflight.apple.com/join/XyZ", "internal": False},
    ]
}
ANSWERED = _act("export_compliance", params={"uses_non_exempt_encryption": False})
CASES: dict[str, PublicationView] = {
    "new": PublicationView(_pub(), ()),
    "no source, webhook actor": PublicationView(_pub(source={}, app_name="Example"), ()),
    "source name only": PublicationView(_pub(source={"name": "Jenkins & co"}, tests_passed=False), ()),
    "processed, waiting for beta details": PublicationView(
        _pub(state="processing", processing_state="VALID", app_name="Ex <b>"), ()
    ),
    "ready with steps": PublicationView(
        _pub(state="ready", processing_state="VALID", beta_external_state="BETA_APPROVED"),
        (
            _act("submit_to_testflight"),
            _act("beta_groups", result=LINKS),
            _act("submit_to_app_store", "failed", error="Apple said <no> & more"),
            _act("schedule_release", "held"),
            _act("what_to_test", "running"),
            ANSWERED,
        ),
    ),
    "failed with error and slack problem": PublicationView(
        _pub(state="failed", last_error="build <42> & gone", slack_problem="not_in_channel <#C1>"), ()
    ),
    "timed out": PublicationView(_pub(state="timed_out", last_error="late"), ()),
    "cancelled": PublicationView(_pub(state="cancelled"), ()),
    "manual release, phased active": PublicationView(
        _pub(
            state="ready",
            version_state="PENDING_DEVELOPER_RELEASE",
            release_type="MANUAL",
            beta_review_state="APPROVED",
            phased_state="ACTIVE",
            phased_day=3,
        ),
        (),
    ),
    "scheduled release": PublicationView(
        _pub(
            state="ready",
            version_state="WAITING_FOR_REVIEW",
            options={"release_type": "SCHEDULED", "earliest_release_date": "2026-12-01T14:00:00Z"},
        ),
        (_act("submit_to_app_store"),),
    ),
    "after approval, phased paused": PublicationView(
        _pub(
            state="ready",
            version_state="READY_FOR_DISTRIBUTION",
            release_type="AFTER_APPROVAL",
            phased_state="PAUSED",
        ),
        (),
    ),
    "phased complete, done": PublicationView(
        _pub(state="done", version_state="READY_FOR_DISTRIBUTION", phased_state="COMPLETE"), ()
    ),
    "compliance answered, changeable": PublicationView(_pub(state="ready"), (ANSWERED,)),
    "very long names": PublicationView(
        _pub(
            app_name="A" * 200,
            version="9" * 40,
            build_number="1" * 40,
            version_state="PENDING_DEVELOPER_RELEASE",
            release_type="MANUAL",
            phased_state="ACTIVE",
            last_error="x" * 4000,
            state="ready",
        ),
        tuple(_act(f"step_{n}", "failed", error="e" * 100) for n in range(40)),
    ),
}


def rendered() -> dict[str, dict[str, Any]]:
    """What `publication_message` makes of every case: {"text": …, "blocks": […]}."""
    from bot.blocks import publication_message

    out = {}
    for name, view in CASES.items():
        text, blocks = publication_message(view)
        out[name] = {"text": text, "blocks": blocks}
    return out


if __name__ == "__main__":
    sys.stdout.write(json.dumps(rendered(), indent=1, ensure_ascii=False) + "\n")
