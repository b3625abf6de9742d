"""Block Kit limits as Slack enforces them, as pure functions returning Slack-style error strings.

Each error reads like Slack's `invalid_blocks` detail, e.g.
`must be less than 76 characters [json-pointer:/blocks/2/elements/0/text/text]`.
"""

from __future__ import annotations

from typing import Any

from bot.sandbox.slack.limits_elements import SELECTS, Checker

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
VIEW_TYPES = ("modal", "home")
# Block types a message or view may carry; others are rejected, as by Slack.
_INTERACTIVE = frozenset(
    {
        "button",
        "checkboxes",
        "datepicker",
        "datetimepicker",
        "overflow",
        "radio_buttons",
        "timepicker",
        "workflow_button",
    }
    | SELECTS
)
_INPUTS = (_INTERACTIVE - {"button", "overflow", "workflow_button"}) | {
    "plain_text_input",
    "email_text_input",
    "url_text_input",
    "number_input",
    "file_input",
    "rich_text_input",
}
_ACCESSORIES = (_INTERACTIVE - {"datetimepicker"}) | {"image"}


def check_message(payload: dict[str, Any]) -> list[str]:
    """Errors for a chat.postMessage / chat.update / chat.postEphemeral / response_url payload's blocks."""
    blocks = payload.get("blocks")
    if blocks is None:
        return []
    checker = Checker()
    _check_blocks(checker, blocks, "/blocks", MAX_MESSAGE_BLOCKS)
    return checker.errors


def check_view(view: Any) -> list[str]:
    """Errors for a view (modal or home tab) passed to views.open / views.update / views.push."""
    checker = Checker()
    if not isinstance(view, dict):
        checker.fail("must provide an object", "/view")
        return checker.errors
    kind = view.get("type")
    if kind not in VIEW_TYPES:
        checker.fail("must be a valid enum value", "/type")
    if kind == "modal":
        checker.text(view.get("title"), "/title", 24, plain=True, required=True)
    checker.text(view.get("submit"), "/submit", 24, plain=True)
    checker.text(view.get("close"), "/close", 24, plain=True)
    for name, limit in (("private_metadata", 3000), ("callback_id", 255), ("external_id", 255)):
        checker.string(view.get(name), f"/{name}", limit)
    blocks = view.get("blocks")
    if blocks is None:
        checker.missing("blocks", "")
        return checker.errors
    _check_blocks(checker, blocks, "/blocks", MAX_VIEW_BLOCKS)
    has_input = isinstance(blocks, list) and any(
        isinstance(b, dict) and b.get("type") == "input" for b in blocks
    )
    if kind == "modal" and has_input and view.get("submit") is None:
        checker.fail("submit is required when an input block is within the blocks array", "/submit")
    return checker.errors


def message_warnings(payload: dict[str, Any]) -> list[str]:
    """Problems Slack accepts but warns about, e.g. blocks without a top-level `text` fallback."""
    warnings = []
    if payload.get("blocks") and not payload.get("text"):
        warnings.append("missing_text")
    if len(str(payload.get("text") or "")) > MAX_MESSAGE_TEXT:
        warnings.append("message_truncated")
    return warnings


def _check_blocks(checker: Checker, blocks: Any, path: str, max_blocks: int) -> None:
    if not isinstance(blocks, list):
        checker.fail("must provide an array", path)
        return
    if len(blocks) > max_blocks:
        checker.fail(f"no more than {max_blocks} items allowed", path)
    seen: set[str] = set()
    for index, block in enumerate(blocks):
        at = f"{path}/{index}"
        if not isinstance(block, dict):
            checker.fail("must provide an object", at)
            continue
        block_id = block.get("block_id")
        if checker.string(block_id, f"{at}/block_id", 255):
            if block_id in seen:
                checker.fail(f"duplicate block_id: {block_id}", f"{at}/block_id")
            seen.add(block_id)
        _check_block(checker, block, at)


def _check_block(checker: Checker, block: dict[str, Any], at: str) -> None:
    kind = block.get("type")
    if kind == "section":
        if block.get("text") is None and block.get("fields") is None:
            checker.fail("must provide either text or fields", at)
        checker.text(block.get("text"), f"{at}/text", 3000)
        fields = block.get("fields")
        if fields is not None and checker.array(fields, f"{at}/fields", 10, minimum=1):
            for i, item in enumerate(fields):
                checker.text(item, f"{at}/fields/{i}", 2000, required=True)
        if block.get("accessory") is not None:
            checker.element(block["accessory"], f"{at}/accessory", _ACCESSORIES)
    elif kind == "actions":
        elements = block.get("elements")
        if checker.array(elements, f"{at}/elements", 25, minimum=1, required=True):
            checker.unique_action_ids(elements, f"{at}/elements")
            for i, element in enumerate(elements):
                checker.element(element, f"{at}/elements/{i}", _INTERACTIVE)
    elif kind == "context":
        elements = block.get("elements")
        if checker.array(elements, f"{at}/elements", 10, minimum=1, required=True):
            for i, element in enumerate(elements):
                if isinstance(element, dict) and element.get("type") == "image":
                    checker.element(element, f"{at}/elements/{i}", {"image"})
                else:
                    checker.text(element, f"{at}/elements/{i}", 3000, required=True)
    elif kind == "header":
        checker.text(block.get("text"), f"{at}/text", 150, plain=True, required=True)
    elif kind == "input":
        checker.text(block.get("label"), f"{at}/label", 2000, plain=True, required=True)
        checker.text(block.get("hint"), f"{at}/hint", 2000, plain=True)
        if block.get("element") is None:
            checker.missing("element", at)
        else:
            checker.element(block["element"], f"{at}/element", _INPUTS)
    elif kind == "image":
        checker.image(block, at)
        checker.text(block.get("title"), f"{at}/title", 2000, plain=True)
    elif kind == "markdown":
        checker.string(block.get("text"), f"{at}/text", 12_000, required=True)
    elif kind in ("divider", "rich_text", "file", "video"):
        pass  # no limits the bot can hit; accepted as Slack does
    else:
        checker.fail("must be a valid enum value", f"{at}/type")
