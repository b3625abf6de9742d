"""Limits of Block Kit composition objects and elements (text, options, confirm, buttons, menus, inputs)."""

from __future__ import annotations

from typing import Any, TypeGuard

_TEXT_TYPES = ("plain_text", "mrkdwn")
_STYLES = ("primary", "danger")
_SELECTS_WITH_OPTIONS = ("static_select", "multi_static_select")
_OPTION_MARKDOWN_OK = ("checkboxes", "radio_buttons")
# Every select menu element, single and multi.
SELECTS = frozenset(
    {
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
    }
)
_PLACEHOLDER_TYPES = SELECTS | frozenset(
    {
        "datepicker",
        "timepicker",
        "plain_text_input",
        "email_text_input",
        "url_text_input",
        "number_input",
        "rich_text_input",
    }
)


class Checker:
    """Collects errors while walking a payload; every method takes the JSON pointer of what it checks."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, message: str, path: str) -> None:
        self.errors.append(f"{message} [json-pointer:{path or '/'}]")

    def missing(self, name: str, path: str) -> None:
        self.fail(f"missing required field: {name}", path)

    def string(
        self, value: Any, path: str, limit: int, *, required: bool = False, minimum: int = 0
    ) -> TypeGuard[str]:
        if value is None:
            if required:
                self.missing(path.rsplit("/", 1)[-1], path.rsplit("/", 1)[0])
            return False
        if not isinstance(value, str):
            self.fail("must be a string", path)
            return False
        if len(value) > limit:
            self.fail(f"must be less than {limit + 1} characters", path)
        if len(value) < max(minimum, 1 if required else 0):
            self.fail(f"must be more than {max(minimum, 1) - 1} characters", path)
        return True

    def text(self, obj: Any, path: str, limit: int, *, plain: bool = False, required: bool = False) -> None:
        """A text composition object (`{"type": "plain_text"|"mrkdwn", "text": ...}`)."""
        if obj is None:
            if required:
                self.missing(path.rsplit("/", 1)[-1], path.rsplit("/", 1)[0])
            return
        if not isinstance(obj, dict):
            self.fail("must provide an object", path)
            return
        kind = obj.get("type")
        if kind not in (("plain_text",) if plain else _TEXT_TYPES):
            self.fail("must be a valid enum value", f"{path}/type")
        self.string(obj.get("text"), f"{path}/text", limit, required=True)

    def array(
        self, value: Any, path: str, limit: int, *, minimum: int = 0, required: bool = False
    ) -> TypeGuard[list[Any]]:
        """True when `value` is a list worth walking (within limits or not)."""
        if value is None:
            if required:
                self.missing(path.rsplit("/", 1)[-1], path.rsplit("/", 1)[0])
            return False
        if not isinstance(value, list):
            self.fail("must provide an array", path)
            return False
        if len(value) > limit:
            self.fail(f"no more than {limit} items allowed", path)
        if len(value) < minimum:
            self.fail(f"must provide at least {minimum} items", path)
        return True

    def unique_action_ids(self, elements: list[Any], path: str) -> None:
        seen: set[str] = set()
        for i, element in enumerate(elements):
            action_id = element.get("action_id") if isinstance(element, dict) else None
            if not isinstance(action_id, str):
                continue  # a non-string action_id is reported where the element is checked
            if action_id in seen:
                self.fail(f"duplicate action_id: {action_id}", f"{path}/{i}/action_id")
            seen.add(action_id)

    def confirm(self, obj: Any, path: str) -> None:
        if obj is None:
            return
        if not isinstance(obj, dict):
            self.fail("must provide an object", path)
            return
        self.text(obj.get("title"), f"{path}/title", 100, plain=True, required=True)
        self.text(obj.get("text"), f"{path}/text", 300, required=True)
        self.text(obj.get("confirm"), f"{path}/confirm", 30, plain=True, required=True)
        self.text(obj.get("deny"), f"{path}/deny", 30, plain=True, required=True)
        self.style(obj.get("style"), f"{path}/style")

    def style(self, value: Any, path: str) -> None:
        if value is not None and value not in _STYLES:
            self.fail("must be a valid enum value", path)

    def options(self, value: Any, path: str, limit: int, *, minimum: int = 1, plain: bool = True) -> None:
        if not self.array(value, path, limit, minimum=minimum, required=True):
            return
        for i, option in enumerate(value):
            at = f"{path}/{i}"
            if not isinstance(option, dict):
                self.fail("must provide an object", at)
                continue
            self.text(option.get("text"), f"{at}/text", 75, plain=plain, required=True)
            self.string(option.get("value"), f"{at}/value", 150, required=True)
            self.text(option.get("description"), f"{at}/description", 75, plain=plain)
            self.string(option.get("url"), f"{at}/url", 3000)

    def image(self, obj: dict[str, Any], path: str) -> None:
        if obj.get("slack_file") is None:
            self.string(obj.get("image_url"), f"{path}/image_url", 3000, required=True)
        self.string(obj.get("alt_text"), f"{path}/alt_text", 2000, required=True)

    def element(self, obj: Any, path: str, allowed: frozenset[str] | set[str]) -> None:
        """An interactive or input element, of a type allowed where it sits."""
        if not isinstance(obj, dict):
            self.fail("must provide an object", path)
            return
        kind = obj.get("type")
        if kind not in allowed:
            self.fail("must be a valid enum value", f"{path}/type")
            return
        if kind == "image":
            self.image(obj, path)
            return
        self.string(obj.get("action_id"), f"{path}/action_id", 255)
        self.confirm(obj.get("confirm"), f"{path}/confirm")
        if kind in _PLACEHOLDER_TYPES:
            self.text(obj.get("placeholder"), f"{path}/placeholder", 150, plain=True)
        if kind in ("button", "workflow_button"):
            self.text(obj.get("text"), f"{path}/text", 75, plain=True, required=True)
            self.string(obj.get("value"), f"{path}/value", 2000)
            self.string(obj.get("url"), f"{path}/url", 3000)
            self.string(obj.get("accessibility_label"), f"{path}/accessibility_label", 75)
            self.style(obj.get("style"), f"{path}/style")
        elif kind in _SELECTS_WITH_OPTIONS:
            self._select(obj, path)
        elif kind == "overflow":
            self.options(obj.get("options"), f"{path}/options", 5, minimum=2)
        elif kind in _OPTION_MARKDOWN_OK:
            self.options(obj.get("options"), f"{path}/options", 10, plain=False)
        elif kind == "plain_text_input":
            self._lengths(obj, path)
        elif kind == "number_input" and obj.get("is_decimal_allowed") is None:
            self.missing("is_decimal_allowed", path)

    def _select(self, obj: dict[str, Any], path: str) -> None:
        options, groups = obj.get("options"), obj.get("option_groups")
        if options is not None and groups is not None:
            self.fail("must provide either options or option_groups, not both", path)
        elif groups is not None:
            if self.array(groups, f"{path}/option_groups", 100, minimum=1):
                for i, group in enumerate(groups):
                    at = f"{path}/option_groups/{i}"
                    group = group if isinstance(group, dict) else {}
                    self.text(group.get("label"), f"{at}/label", 75, plain=True, required=True)
                    self.options(group.get("options"), f"{at}/options", 100)
        else:
            self.options(options, f"{path}/options", 100)

    def _lengths(self, obj: dict[str, Any], path: str) -> None:
        low, high = obj.get("min_length"), obj.get("max_length")
        if low is not None and not (isinstance(low, int) and 0 <= low <= 3000):
            self.fail("must be between 0 and 3000", f"{path}/min_length")
        if high is not None and not (isinstance(high, int) and 1 <= high <= 3000):
            self.fail("must be between 1 and 3000", f"{path}/max_length")
        self.string(obj.get("initial_value"), f"{path}/initial_value", 3000)
