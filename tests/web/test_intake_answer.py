"""The answer to a build-uploaded webhook: its text is what aiohttp's json_response would send."""

from __future__ import annotations

import json

import pytest
from aiohttp import web

from bot.web import intake_answer
from storage.sql import Intake


@pytest.mark.parametrize("created", [True, False])
@pytest.mark.parametrize(
    ("publication_id", "state"),
    [("01ARZ3NDEKTSV4RRFFQ69G5FAV", "waiting_for_build"), ('a"b\\c', "caf\u00e9 \u2603\n")],
)
def test_the_answer_is_the_json_response_of_the_publication_and_its_state(
    created: bool, publication_id: str, state: str
) -> None:
    intake = Intake(publication_id, created, state, lambda: None)  # type: ignore[arg-type, return-value]
    answer = intake_answer(intake)
    expected = web.json_response({"publication_id": publication_id, "state": state}, status=202 if created else 200)
    assert (answer.status, answer.body, answer.content_type, answer.charset) == (
        expected.status,
        expected.body,
        expected.content_type,
        expected.charset,
    )
    assert isinstance(answer.body, bytes)
    assert json.loads(answer.body) == {"publication_id": publication_id, "state": state}
