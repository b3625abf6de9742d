"""The publication message is byte for byte what it was when built with slack_sdk's models.

tests/data/publication_messages.json was recorded from the slack_sdk-model builder (see
tests/message_cases.py) for publications in many states; the builder must keep producing exactly
that JSON, key order included, and Slack (the simulator's strict checks, and slack_sdk's own
models) must accept every one of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from slack_sdk.models.blocks import Block

from bot.sandbox.slack.limits import check_message
from tests.message_cases import CASES, rendered

RECORDED = json.loads((Path(__file__).parent / "data" / "publication_messages.json").read_text())


def test_every_case_is_recorded() -> None:
    assert sorted(RECORDED) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_message_is_the_recorded_json(name: str) -> None:
    now = rendered()[name]
    # The JSON as sent (chat.postMessage / chat.update): same keys, same order, same values.
    assert json.dumps(now, ensure_ascii=False) == json.dumps(RECORDED[name], ensure_ascii=False)


@pytest.mark.parametrize("name", sorted(CASES))
def test_slack_takes_the_recorded_message(name: str) -> None:
    message = RECORDED[name]
    assert check_message(message) == []
    # slack_sdk's models validate each block (lengths, styles) and give back the same dict.
    assert [Block.parse(b).to_dict() for b in message["blocks"]] == message["blocks"]  # type: ignore[union-attr]
