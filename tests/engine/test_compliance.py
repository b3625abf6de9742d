"""Changing an export compliance answer: which answer stands, when a change may be asked for (an answer
was given, no review has the build, Apple has not refused it as set once), and what happens before a
change is stored (a first answer not yet sent is dropped, claimed first; the same answer is no change)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.engine.compliance import (
    ANSWER,
    CHANGE,
    KEY,
    SET_ONCE,
    change_problem,
    changeable,
    current_answer,
    in_review,
    replace_pending,
    said,
    vet_change,
)
from bot.sandbox.clock import FakeClock
from storage.records import Action, Publication
from storage.repository import NewAction, NewEvent, Storage
from tests.support.publications import fields

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PUB = Publication("p1", "com.example.app", "IOS", "1.0", "7", "ready", NOW)


def act(
    kind: str, status: str, value: object = True, result: dict[str, Any] | None = None, n: int = 1
) -> Action:
    return Action(n, "p1", kind, status, "U0BOSS", NOW, params={KEY: value}, result=result)


def test_said_words_each_answer() -> None:
    assert (said(True), said(False), said(None), said("yes")) == (
        "uses",
        "does not use",
        "was answered about",
        "was answered about",
    )


def test_the_first_answer_stands_until_a_change_is_asked_for_or_sent() -> None:
    first = act(ANSWER, "succeeded", True, n=1)
    assert current_answer([]) == (None, None)
    assert current_answer([first]) == (first, True)
    for status in ("requested", "running", "succeeded"):
        change = act(CHANGE, status, False, n=2)
        assert current_answer([first, change]) == (change, False)


def test_a_change_apple_refused_leaves_the_first_answer_standing() -> None:
    first = act(ANSWER, "succeeded", True, n=1)
    refused = act(CHANGE, "failed", False, {SET_ONCE: True}, n=2)
    assert current_answer([first, refused]) == (first, True)


def test_an_answer_that_failed_or_is_not_yes_or_no_is_no_answer() -> None:
    assert current_answer([act(ANSWER, "failed", True)]) == (None, None)
    odd = act(ANSWER, "requested", "yes")
    assert current_answer([odd]) == (odd, None)


@pytest.mark.parametrize(
    ("beta", "version", "review"),
    [
        (None, None, None),
        (None, "PREPARE_FOR_SUBMISSION", None),
        (None, "DEVELOPER_REJECTED", None),
        ("WAITING_FOR_REVIEW", None, "TestFlight beta review (waiting for review)"),
        (None, "IN_REVIEW", "App Store review (in review)"),
        (None, "WAITING_FOR_REVIEW", "App Store review (waiting for review)"),
        (None, "READY_FOR_DISTRIBUTION", "App Store review (ready for distribution)"),
        ("IN_REVIEW", "WAITING_FOR_REVIEW", "TestFlight beta review (in review)"),  # beta review named first
    ],
)
def test_which_review_has_the_build(beta: str | None, version: str | None, review: str | None) -> None:
    pub = replace(PUB, beta_review_state=beta, version_state=version)
    assert in_review(pub) == review


def test_the_control_is_offered_only_for_a_given_answer_and_no_review() -> None:
    given = [act(ANSWER, "succeeded", False)]
    in_beta = replace(PUB, beta_review_state="WAITING_FOR_REVIEW")
    assert changeable(PUB, given)
    assert not changeable(PUB, [])
    assert not changeable(PUB, [act(ANSWER, "failed", False)])
    assert not changeable(in_beta, given)


def test_why_a_change_cannot_be_made() -> None:
    given = [act(ANSWER, "succeeded", True, n=1)]
    in_store = replace(PUB, version_state="IN_REVIEW")
    assert change_problem(PUB, given, "no") == "export compliance needs a yes or no answer."
    assert change_problem(PUB, given, None) == "export compliance needs a yes or no answer."
    assert change_problem(PUB, [], False) == (
        "no export compliance answer was given yet: answer the question in the thread."
    )
    assert change_problem(in_store, given, False) == (
        "the build is already in App Store review (in review); Apple takes no other answer for it now."
    )
    set_once = [*given, act(CHANGE, "failed", False, {SET_ONCE: True}, n=2)]
    problem = change_problem(PUB, set_once, False)
    assert problem is not None and "it is set once per build" in problem and "upload a new build" in problem
    assert change_problem(PUB, given, False) is None
    # A change that failed for another reason (e.g. Apple was down) may be asked for again.
    assert change_problem(PUB, [*given, act(CHANGE, "failed", False, {}, n=2)], False) is None


async def stored(storage: Storage, clock: FakeClock, answer: bool = True) -> tuple[Publication, list[Action]]:
    made = await storage.create_publication(
        fields(state="ready"),
        [NewAction(ANSWER, "U0ALICE", {KEY: answer})],
        delivery=None,
        now=clock.now(),
        event=NewEvent("created"),
    )
    return made.publication, await storage.actions(made.publication.id)


async def test_a_first_answer_not_yet_sent_is_dropped_for_the_change(
    storage: Storage, clock: FakeClock
) -> None:
    pub, actions = await stored(storage, clock)
    assert await replace_pending(storage, actions, "U0BOSS", clock.now())
    [first] = await storage.actions(pub.id)
    [replaced] = [e for e in await storage.events(pub.id) if e.kind == "export_compliance_replaced"]
    assert (first.status, first.error) == ("skipped", "replaced by a change before it was sent")
    assert (replaced.actor, replaced.data) == ("U0BOSS", {"replaced": {KEY: True}})
    assert not await replace_pending(storage, await storage.actions(pub.id), "U0BOSS", clock.now())


async def test_a_first_answer_the_runner_took_is_left_to_it(storage: Storage, clock: FakeClock) -> None:
    pub, actions = await stored(storage, clock)
    assert await storage.claim_action(actions[0].id, clock.now(), timedelta(seconds=60), "runner") is not None
    # The actions as read before the runner claimed it: the claim decides, and the runner won.
    assert not await replace_pending(storage, actions, "U0BOSS", clock.now())
    [first] = await storage.actions(pub.id)
    assert first.status == "running"
    assert not [e for e in await storage.events(pub.id) if e.kind == "export_compliance_replaced"]


async def test_vetting_refuses_with_the_reason_said_as_a_sentence(storage: Storage, clock: FakeClock) -> None:
    pub, actions = await stored(storage, clock)
    refused = await vet_change(storage, pub, actions, "U0BOSS", {KEY: "maybe"}, clock.now())
    assert refused == ("refused", None, "Export compliance needs a yes or no answer.")
    [first] = await storage.actions(pub.id)
    assert first.status == "requested"  # a refused change drops nothing


async def test_vetting_the_answer_already_given_is_no_change(storage: Storage, clock: FakeClock) -> None:
    pub, actions = await stored(storage, clock, answer=True)
    vetted = await vet_change(storage, pub, actions, "U0BOSS", {KEY: True}, clock.now())
    assert vetted == ("already", actions[0], None)
    assert [a.status for a in await storage.actions(pub.id)] == ["requested"]


async def test_vetting_another_answer_drops_the_unsent_first_one(storage: Storage, clock: FakeClock) -> None:
    pub, actions = await stored(storage, clock, answer=True)
    assert await vet_change(storage, pub, actions, "U0BOSS", {KEY: False}, clock.now()) is None
    assert [a.status for a in await storage.actions(pub.id)] == ["skipped"]


async def test_vetting_while_a_change_is_on_its_way_leaves_it_to_run(
    storage: Storage, clock: FakeClock
) -> None:
    pub, _ = await stored(storage, clock, answer=True)
    [first] = await storage.actions(pub.id)
    await storage.finish_action(first.id, "succeeded", clock.now())
    await storage.request_action(pub.id, NewAction(CHANGE, "U0BOSS", {KEY: False}), clock.now())
    actions = await storage.actions(pub.id)
    # Asking for the first answer back while the change waits: not "already", the change decides.
    assert await vet_change(storage, pub, actions, "U0BOSS", {KEY: True}, clock.now()) is None
    assert await vet_change(storage, pub, actions, "U0BOSS", {KEY: False}, clock.now()) is None
    assert [(a.kind, a.status) for a in await storage.actions(pub.id)] == [
        (ANSWER, "succeeded"),
        (CHANGE, "requested"),
    ]
