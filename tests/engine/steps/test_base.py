"""What every step gets and gives back: its parameters over the publication's publishing options, the
ids it may count on, the outcomes it returns, and the export compliance gate, which answers from the
options or asks the thread and never guesses (over the App Store Connect simulator)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.appstore.models import Build, BuildBetaDetail
from bot.engine.steps.base import (
    ActionContext,
    Outcome,
    beta_states,
    compliance_gate,
    failed,
    succeeded,
    wait,
)
from bot.sandbox.clock import FakeClock
from storage.records import Publication
from storage.repository import NewAction, NewEvent, Storage
from tests.support.engine_rig import BUNDLE, CHANNEL, Rig, engine_rig
from tests.support.openapi_conformance import check_exchanges
from tests.support.publications import fields

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PATCHES = r"^/v1/builds/[^/]+$"


async def context(
    storage: Storage, rig: Rig | None, *, options: dict[str, Any], params: dict[str, Any], **over: Any
) -> ActionContext:
    made = await storage.create_publication(
        fields(app_bundle_id=BUNDLE, channel=CHANNEL, options=options, state="ready", **over),
        [NewAction("submit_to_testflight", "webhook", params)],
        delivery=None,
        now=NOW,
        event=NewEvent("created"),
    )
    pub: Publication = made.publication
    [action] = await storage.actions(pub.id)
    client = rig.parts.clients.get(None) if rig is not None else None
    return ActionContext(client, pub, action, NOW)  # type: ignore[arg-type]


async def test_a_step_parameter_wins_over_the_publishing_option_of_its_name(storage: Storage) -> None:
    ctx = await context(
        storage,
        None,
        options={"groups": ["Friends"], "notify": True},
        params={"groups": ["Staff"], "empty": None},
    )
    assert ctx.option("groups") == ["Staff"]
    assert ctx.option("notify") is True  # no parameter: the option
    assert ctx.option("empty", "default") is None  # a parameter given as None is given
    assert ctx.option("missing") is None and ctx.option("missing", 3) == 3


async def test_the_ids_a_step_counts_on_are_the_publications(storage: Storage) -> None:
    known = await context(storage, None, options={}, params={}, build_id="b-1", app_id="a-1")
    assert (known.build_id, known.app_id) == ("b-1", "a-1")
    unknown = await context(storage, None, options={}, params={}, build_number="2")
    with pytest.raises(AssertionError, match="steps only run once the build is known"):
        _ = unknown.build_id
    with pytest.raises(AssertionError, match="steps only run once the app is known"):
        _ = unknown.app_id


def test_outcomes_say_what_a_step_did_and_failures_are_broadcast() -> None:
    done = succeeded("Submitted.", {"submission": "s1"}, beta_review_state="WAITING_FOR_REVIEW")
    assert done == Outcome(
        "succeeded", "Submitted.", {"submission": "s1"}, fields={"beta_review_state": "WAITING_FOR_REVIEW"}
    )
    assert (done.announce, done.actor, done.question, done.checklist, done.retry_after) == (
        "thread",
        "bot",
        None,
        None,
        None,
    )
    bad = failed("Apple refused it.")
    assert (bad.status, bad.message, bad.result, bad.announce, bad.fields) == (
        "failed",
        "Apple refused it.",
        {},
        "broadcast",
        {},
    )
    assert failed("x", {"set_once": True}).result == {"set_once": True}
    later = wait()
    assert (later.status, later.message, later.question, later.announce) == ("wait", "", None, "thread")
    assert wait("Waiting.", question="Why?").question == "Why?"
    assert succeeded("a").result is not succeeded("b").result  # each outcome has its own result


def test_beta_states_of_a_build_read_without_its_beta_detail_are_unknown() -> None:
    build = Build("b1", "7", "VALID", False, NOW, False, "a1", None, None)
    assert beta_states(build) == (None, None)
    detail = BuildBetaDetail("b1", "READY_FOR_BETA_TESTING", "READY_FOR_BETA_SUBMISSION", True)
    with_detail = Build("b1", "7", "VALID", False, NOW, False, "a1", None, detail)
    assert beta_states(with_detail) == ("READY_FOR_BETA_TESTING", "READY_FOR_BETA_SUBMISSION")


async def processed(rig: Rig, uses_non_exempt_encryption: bool | None) -> str:
    rig.asc.upload_build(BUNDLE, "1.1", "7", uses_non_exempt_encryption=uses_non_exempt_encryption)
    rig.clock.advance(61)  # the rig's processing time is 60 s
    build_id = rig.asc.build_id_for(BUNDLE, "1.1", "7", listed_only=True)
    assert build_id is not None
    return build_id


@pytest.mark.parametrize("answer", [True, False])
async def test_the_gate_answers_export_compliance_from_the_publishing_options(
    storage: Storage, clock: FakeClock, answer: bool
) -> None:
    async with engine_rig(storage, clock) as rig:
        build_id = await processed(rig, None)
        ctx = await context(
            storage,
            rig,
            options={"uses_non_exempt_encryption": answer},
            params={},
            build_id=build_id,
            app_id=rig.app_id,
        )
        build = await ctx.client.get_build(build_id, fresh=True)
        outcome = await compliance_gate(ctx, build)
        after = rig.asc.build(build_id)
        exchanges = rig.asc.exchanges
    assert outcome == wait(
        "Answered export compliance from the publishing options; App Store Connect is updating."
    )
    assert after.uses_encryption is answer
    assert rig.asc.count("PATCH", PATCHES) == 1
    assert check_exchanges(exchanges) == []


@pytest.mark.parametrize(
    "options", [{}, {"uses_non_exempt_encryption": "no"}, {"uses_non_exempt_encryption": None}]
)
async def test_without_a_yes_or_no_in_the_options_the_gate_asks_the_thread(
    storage: Storage, clock: FakeClock, options: dict[str, Any]
) -> None:
    async with engine_rig(storage, clock) as rig:
        build_id = await processed(rig, None)
        ctx = await context(storage, rig, options=options, params={}, build_id=build_id, app_id=rig.app_id)
        outcome = await compliance_gate(ctx, await ctx.client.get_build(build_id, fresh=True))
        after = rig.asc.build(build_id)
    assert outcome is not None and (outcome.status, outcome.message) == (
        "wait",
        "Waiting for an export compliance answer.",
    )
    assert outcome.question is not None and outcome.question.startswith(
        "🔐 App Store Connect needs an export"
    )
    assert "non-exempt encryption" in outcome.question
    assert after.uses_encryption is None and rig.asc.count("PATCH", PATCHES) == 0  # never guessed


async def test_a_build_with_its_compliance_answered_passes_the_gate(
    storage: Storage, clock: FakeClock
) -> None:
    async with engine_rig(storage, clock) as rig:
        build_id = await processed(rig, False)
        ctx = await context(
            storage,
            rig,
            options={"uses_non_exempt_encryption": True},
            params={},
            build_id=build_id,
            app_id=rig.app_id,
        )
        outcome = await compliance_gate(ctx, await ctx.client.get_build(build_id, fresh=True))
    assert outcome is None and rig.asc.count("PATCH", PATCHES) == 0
