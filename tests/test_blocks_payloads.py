"""Modals, thread replies, answers, the Home tab and the checklist are byte for byte what they were
when built with slack_sdk's models.

tests/data/blocks_payloads.json was recorded from the slack_sdk-model builders (see
tests/blocks_cases.py) for many inputs; the plain-dict builders (issue 14) must keep producing exactly
that JSON, key order included, and Slack (the simulator's strict checks, and slack_sdk's own models)
must accept every one of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.sandbox.slack.limits import check_message, check_view
from tests.blocks_cases import CASES, rendered

RECORDED = json.loads((Path(__file__).parent / "data" / "blocks_payloads.json").read_text())
NOW = rendered()


def test_every_case_is_recorded() -> None:
    assert sorted(RECORDED) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_payload_is_the_recorded_json(name: str) -> None:
    # The JSON as sent (views.open / views.publish / chat.postMessage): same keys, order and values.
    assert json.dumps(NOW[name], ensure_ascii=False) == json.dumps(RECORDED[name], ensure_ascii=False)


@pytest.mark.parametrize("name", sorted(CASES))
def test_slack_takes_the_recorded_payload(name: str) -> None:
    kind, _ = CASES[name]
    payload = RECORDED[name]
    if kind == "view":
        assert check_view(payload) == []
        # slack_sdk's View validates the view and each block (lengths, counts) and gives back the same dict.
        assert View(**payload).to_dict() == payload
    else:
        assert check_message(payload) == []
    blocks = payload["blocks"] or []
    assert [Block.parse(b).to_dict() for b in blocks] == blocks  # type: ignore[union-attr]
