"""Form parts as the JSON Slack takes: options, input blocks, their elements and the modal view.

Plain dicts, exactly as slack_sdk's models gave them (`to_dict`: keys sorted, except an option's:
text, value, description; None left out): building and validating the models was ~25% of the bot's
CPU in a burst of *Submit to TestFlight* clicks (issue 14). Callers keep within Slack's limits
(`shorten`, MAX_OPTIONS); tests/test_blocks_payloads.py checks the result against the recording
made with the models, the simulator's checks and slack_sdk's own parsers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.blocks.base import plain_text


def option(value: str, text: str, description: str | None = None) -> dict[str, Any]:
    """An option of a select, radio buttons or checkboxes (value ≤ 150, text ≤ 75 characters)."""
    made = {"text": plain_text(text), "value": value}
    if description:
        made["description"] = plain_text(description)
    return made


def option_group(label: str, options: list[dict[str, Any]]) -> dict[str, Any]:
    return {"label": plain_text(label), "options": options}


def input_block(
    block_id: str,
    label: str,
    element: dict[str, Any],
    hint: str | None = None,
    optional: bool = False,
) -> dict[str, Any]:
    """An input block; its block id doubles as its element's action id (`response_action: errors`)."""
    block: dict[str, Any] = {"block_id": block_id, "element": element}
    if hint:
        block["hint"] = plain_text(hint)
    block["label"] = plain_text(label)
    if optional:
        block["optional"] = True
    block["type"] = "input"
    return block


def _element(kind: str, action_id: str, **fields: Any) -> dict[str, Any]:
    """An element with its keys sorted (slack_sdk's order), None fields left out."""
    made = {"action_id": action_id, **{k: v for k, v in fields.items() if v is not None}, "type": kind}
    return dict(sorted(made.items()))


def static_select(
    action_id: str, options: list[dict[str, Any]], initial: dict[str, Any] | None = None
) -> dict[str, Any]:
    return _element("static_select", action_id, initial_option=initial, options=options)


def multi_select(
    action_id: str,
    placeholder: str,
    groups: list[dict[str, Any]],
    initial: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A multi-select of option groups (each ≤ 100 options)."""
    return _element(
        "multi_static_select",
        action_id,
        initial_options=initial or None,
        option_groups=groups,
        placeholder=plain_text(placeholder),
    )


def radio_buttons(
    action_id: str, options: list[dict[str, Any]], initial: dict[str, Any] | None = None
) -> dict[str, Any]:
    return _element("radio_buttons", action_id, initial_option=initial, options=options)


def checkboxes(
    action_id: str, options: list[dict[str, Any]], initial: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return _element("checkboxes", action_id, initial_options=initial or None, options=options)


def text_input(
    action_id: str,
    max_length: int,
    initial: str | None = None,
    placeholder: str | None = None,
    multiline: bool = False,
) -> dict[str, Any]:
    """A text field; `initial` must already be within `max_length` (`shorten`)."""
    return _element(
        "plain_text_input",
        action_id,
        initial_value=initial,
        max_length=max_length,
        multiline=multiline or None,
        placeholder=plain_text(placeholder) if placeholder else None,
    )


def datetime_picker(action_id: str, initial: int | None = None) -> dict[str, Any]:
    return _element("datetimepicker", action_id, initial_date_time=initial)


def modal(
    callback_id: str,
    title: str,
    blocks: Iterable[dict[str, Any]],
    meta: str,
    submit: str | None = None,
    close: str | None = None,
) -> dict[str, Any]:
    """A modal view (title, submit and close ≤ 24 characters; private_metadata ≤ 3000)."""
    view: dict[str, Any] = {
        "blocks": list(blocks),
        "callback_id": callback_id,
        "close": plain_text(close or ("Cancel" if submit else "Close")),
        "private_metadata": meta,
    }
    if submit:
        view["submit"] = plain_text(submit)
    view.update(title=plain_text(title), type="modal")
    return view
