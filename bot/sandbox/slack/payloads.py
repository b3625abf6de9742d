"""Interaction payloads shaped like the ones Slack sends: block_actions, view_submission, slash commands."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from bot.sandbox.slack.models import Message
from bot.sandbox.slack.workspace import Workspace

# The state Slack reports for an input nobody touched, by element type.
EMPTY_STATE: dict[str, dict[str, Any]] = {
    "plain_text_input": {"value": None},
    "email_text_input": {"value": None},
    "url_text_input": {"value": None},
    "number_input": {"value": None},
    "rich_text_input": {"rich_text_value": None},
    "file_input": {"files": []},
    "static_select": {"selected_option": None},
    "external_select": {"selected_option": None},
    "radio_buttons": {"selected_option": None},
    "users_select": {"selected_user": None},
    "conversations_select": {"selected_conversation": None},
    "channels_select": {"selected_channel": None},
    "multi_static_select": {"selected_options": []},
    "multi_external_select": {"selected_options": []},
    "checkboxes": {"selected_options": []},
    "multi_users_select": {"selected_users": []},
    "multi_conversations_select": {"selected_conversations": []},
    "multi_channels_select": {"selected_channels": []},
    "datepicker": {"selected_date": None},
    "timepicker": {"selected_time": None},
    "datetimepicker": {"selected_date_time": None},
}


def elements(blocks: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(block_id, element) for every interactive element; blocks without an id get Slack-like ones."""
    for index, block in enumerate(blocks):
        block_id = block.get("block_id") or f"sim{index}"
        for element in block.get("elements") or []:
            if isinstance(element, dict) and "action_id" in element:
                yield block_id, element
        for key in ("accessory", "element"):
            element = block.get(key)
            if isinstance(element, dict) and "action_id" in element:
                yield block_id, element


def find_element(blocks: list[dict[str, Any]], action_id: str, kind: str | None = None) -> tuple[str, dict]:
    """The (block_id, element) with `action_id`; LookupError names the ones that exist."""
    found = [(b, e) for b, e in elements(blocks) if e.get("action_id") == action_id]
    found = [(b, e) for b, e in found if kind is None or e.get("type") == kind]
    if not found:
        known = sorted({str(e.get("action_id")) for _, e in elements(blocks)})
        raise LookupError(f"no {kind or 'element'} with action_id {action_id!r}; there are {known}")
    return found[0]


def name_blocks(view: dict[str, Any]) -> None:
    """Give unnamed blocks and elements of a stored view the ids Slack would, so state can refer to them."""
    for index, block in enumerate(view.get("blocks") or []):
        block.setdefault("block_id", f"sim{index}")
        element = block.get("element")
        if isinstance(element, dict):
            element.setdefault("action_id", f"sim{index}-0")


def user_object(ws: Workspace, user: str) -> dict[str, Any]:
    info = ws.user_info(user)
    return {"id": user, "username": info["name"], "name": info["name"], "team_id": info["team_id"]}


def home_of(ws: Workspace, user: str) -> tuple[str, str | None]:
    """(team id, enterprise id) a user belongs to: the workspace's own, or, for a Slack Connect
    user added with `add_user(..., team_id=…, enterprise_id=…)`, another workspace or org."""
    info = ws.user_info(user)
    return str(info["team_id"]), info.get("enterprise_id", ws.enterprise_id)


def _envelope(ws: Workspace, kind: str, user: str, trigger_id: str) -> dict[str, Any]:
    team_id, enterprise_id = home_of(ws, user)
    # An org-wide Enterprise Grid install gets `team: null` and the enterprise instead.
    team = None if ws.org_install else {"id": team_id, "domain": ws.team_domain}
    enterprise = (
        {"id": enterprise_id, "name": ws.enterprise_name if enterprise_id == ws.enterprise_id else "Other Org"}
        if enterprise_id
        else None
    )
    return {
        "type": kind,
        "user": user_object(ws, user),
        "api_app_id": ws.app_id,
        "token": "sim-verification-token",
        "trigger_id": trigger_id,
        "team": team,
        "enterprise": enterprise,
        "is_enterprise_install": ws.org_install,
    }


def escape_text(text: str) -> str:
    """Slash command text as Slack sends it: `&`, `<` and `>` HTML-escaped (and nothing else)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def block_actions(
    ws: Workspace,
    message: Message,
    block_id: str,
    action: dict[str, Any],
    user: str,
    response_url: str,
) -> dict[str, Any]:
    """A block_actions payload for an element of a message (ephemeral messages carry no `message`)."""
    payload = _envelope(ws, "block_actions", user, ws.issue_trigger(user))
    container = {
        "type": "message",
        "message_ts": message.ts,
        "channel_id": message.channel,
        "is_ephemeral": message.ephemeral_to is not None,
    }
    if message.thread_ts:
        container["thread_ts"] = message.thread_ts
    channel = ws.channel_info(message.channel)
    payload.update(container=container, channel={"id": channel["id"], "name": channel["name"]})
    if message.ephemeral_to is None:
        payload["message"] = message.to_slack(ws.team_id, ws.app_id)
    actions = [action_fields(ws, action, block_id)]
    payload.update(state={"values": {}}, response_url=response_url, actions=actions)
    return payload


def view_block_actions(ws: Workspace, view_id: str, block_id: str, action: dict, user: str) -> dict[str, Any]:
    """A block_actions payload for an element inside an open modal."""
    payload = _envelope(ws, "block_actions", user, ws.issue_trigger(user, view_id=view_id))
    view = ws.views[view_id]
    payload.update(container={"type": "view", "view_id": view_id}, view=copy.deepcopy(view))
    payload.update(state=view["state"], actions=[action_fields(ws, action, block_id)])
    return payload


def action_fields(ws: Workspace, element: dict[str, Any], block_id: str) -> dict[str, Any]:
    """The `actions[0]` entry Slack sends for a clicked button (other element kinds pass their state)."""
    action = {k: v for k, v in element.items() if k not in ("confirm", "accessibility_label")}
    action["block_id"] = block_id
    action["action_ts"] = f"{ws.now().timestamp():.6f}"
    action.setdefault("type", "button")
    return action


def view_submission(
    ws: Workspace, view_id: str, values: dict[str, dict[str, dict[str, Any]]], user: str
) -> dict[str, Any]:
    """A view_submission payload; `values` are state entries by block_id and action_id, as typed in."""
    view = copy.deepcopy(ws.views[view_id])
    state: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks") or []:
        element = block.get("element")
        if block.get("type") == "input" and isinstance(element, dict):
            empty = EMPTY_STATE.get(element.get("type", ""), {"value": None})
            state.setdefault(block["block_id"], {})[element["action_id"]] = {"type": element["type"], **empty}
    known = {(b, e["action_id"]): e for b, e in elements(view.get("blocks") or [])}
    for block_id, actions in values.items():
        for action_id, value in actions.items():
            element = known.get((block_id, action_id))
            if element is None:
                raise LookupError(
                    f"view {view_id} has no element {block_id}/{action_id}; there are {sorted(known)}"
                )
            state.setdefault(block_id, {})[action_id] = {"type": element.get("type"), **value}
    view["state"] = {"values": state}
    ws.views[view_id]["state"] = view["state"]
    payload = _envelope(ws, "view_submission", user, ws.issue_trigger(user, view_id=view_id))
    payload.update(view=view, response_urls=[])
    return payload


def view_closed(ws: Workspace, view_id: str, user: str) -> dict[str, Any]:
    payload = _envelope(ws, "view_closed", user, "")
    del payload["trigger_id"]
    payload.update(view=copy.deepcopy(ws.views[view_id]), is_cleared=False)
    return payload


def slash_command(
    ws: Workspace, command: str, text: str, user: str, channel: str, response_url: str
) -> dict[str, str]:
    """The form fields of a slash command request (Grid workspaces add the enterprise's id and name)."""
    info = ws.channel_info(channel)
    team_id, enterprise_id = home_of(ws, user)
    grid = {"enterprise_id": enterprise_id, "enterprise_name": ws.enterprise_name} if enterprise_id else {}
    return {
        "token": "sim-verification-token",
        "team_id": team_id,
        "team_domain": ws.team_domain,
        "channel_id": channel,
        "channel_name": info["name"],
        "user_id": user,
        "user_name": ws.user_info(user)["name"],
        "command": command,
        "text": escape_text(text),
        "api_app_id": ws.app_id,
        **grid,
        "is_enterprise_install": "true" if ws.org_install else "false",
        "response_url": response_url,
        "trigger_id": ws.issue_trigger(user),
    }


def app_home_opened(ws: Workspace, user: str) -> dict[str, Any]:
    """The Events API envelope Slack sends when `user` opens the app's Home tab."""
    from bot.sandbox.slack.web_views import home_of  # the Home tab shown, if one was published

    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user,
        "channel": ws.open_im(user)["id"],
        "tab": "home",
        "event_ts": ws.next_ts(),
    }
    shown = home_of(ws, user)
    if shown is not None:
        event["view"] = shown
    return {
        "token": "sim-verification-token",
        "team_id": ws.team_id,
        "enterprise_id": ws.enterprise_id,
        "api_app_id": ws.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{ws.serial():010d}",
        "event_time": int(ws.now().timestamp()),
        "authorizations": [
            {"team_id": ws.team_id, "user_id": ws.bot_user_id, "is_bot": True, "is_enterprise_install": False}
        ],
    }
