"""Modal methods (views.open, views.update, views.push) and the view stack they act on."""

from __future__ import annotations

import copy
from typing import Any

from bot.sandbox.slack.limits import check_view
from bot.sandbox.slack.models import Refusal
from bot.sandbox.slack.payloads import name_blocks
from bot.sandbox.slack.registry import json_arg, method
from bot.sandbox.slack.workspace import Workspace

MAX_STACK = 3  # a root view plus two pushed ones, as Slack allows
_VIEW_ERRORS = ("invalid_arguments", "duplicate_external_id")
_TRIGGER_ERRORS = ("invalid_trigger_id", "expired_trigger_id", "exchanged_trigger_id")


@method("views.open", errors=(*_VIEW_ERRORS, *_TRIGGER_ERRORS))
def views_open(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    view = _valid_view(ws, args)
    trigger = ws.exchange_trigger(args.get("trigger_id"))
    return {"ok": True, "view": store_view(ws, view, trigger.user, previous=None)}


@method("views.push", errors=(*_VIEW_ERRORS, *_TRIGGER_ERRORS, "push_limit_reached"))
def views_push(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    view = _valid_view(ws, args)
    trigger = ws.exchange_trigger(args.get("trigger_id"))
    # A trigger from outside any modal has nothing to push onto; Slack then opens a new root.
    previous = trigger.view_id if trigger.view_id in ws.views else None
    if previous is not None and len(stack(ws, previous)) >= MAX_STACK:
        raise Refusal("push_limit_reached")
    return {"ok": True, "view": store_view(ws, view, trigger.user, previous=previous)}


@method("views.update", errors=(*_VIEW_ERRORS, "not_found", "hash_conflict"))
def views_update(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    view_id, external_id = args.get("view_id"), args.get("external_id")
    if not view_id and not external_id:
        raise _invalid_arguments(["either view_id or external_id is required"])
    current = ws.views.get(view_id) if view_id else find_external(ws, str(external_id))
    view = _valid_view(ws, args, own_id=current["id"] if current else None)
    if current is None:
        raise Refusal("not_found")
    if args.get("hash") and args["hash"] != current["hash"]:
        raise Refusal("hash_conflict")
    return {"ok": True, "view": replace_view(ws, current["id"], view)}


@method("views.publish", errors=(*_VIEW_ERRORS, "not_found", "hash_conflict"))
def views_publish(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """Set a user's Home tab: the same view id each time, replaced (a stale `hash` is refused)."""
    user = args.get("user_id")
    if not user:
        raise _invalid_arguments(["missing required field: user_id"])
    current = home_of(ws, str(user))
    view = _valid_view(ws, args, own_id=current["id"] if current else None)
    if view.get("type") != "home":
        raise _invalid_arguments(["views.publish only takes a view of type home [json-pointer:/view/type]"])
    if current is None:
        return {"ok": True, "view": store_view(ws, view, str(user), previous=None)}
    if args.get("hash") and args["hash"] != current["hash"]:
        raise Refusal("hash_conflict")
    return {"ok": True, "view": replace_view(ws, current["id"], view)}


def home_of(ws: Workspace, user: str) -> dict[str, Any] | None:
    """The Home tab the app published for `user`, if any."""
    return next(
        (v for vid, v in ws.views.items() if v.get("type") == "home" and ws.view_users.get(vid) == user), None
    )


def store_view(ws: Workspace, view: dict[str, Any], user: str, previous: str | None) -> dict[str, Any]:
    """Make `view` the top of a stack (a new root when `previous` is None) and return it as Slack does."""
    view_id = f"VSIM{ws.serial():06d}"
    root = ws.views[previous]["root_view_id"] if previous else view_id
    stored = {
        "id": view_id,
        "team_id": ws.team_id,
        "type": view.get("type", "modal"),
        "private_metadata": "",
        "callback_id": "",
        "external_id": "",
        "state": {"values": {}},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": None,
        "submit": None,
        **copy.deepcopy(view),
        "hash": _hash(ws),
        "previous_view_id": previous,
        "root_view_id": root,
        "app_id": ws.app_id,
        "bot_id": ws.bot_id,
    }
    name_blocks(stored)
    ws.views[view_id] = stored
    ws.view_users[view_id] = user
    return stored


def replace_view(ws: Workspace, view_id: str, view: dict[str, Any]) -> dict[str, Any]:
    """New content for an open view, keeping its id, place in the stack and entered state."""
    current = ws.views[view_id]
    keep = {k: current[k] for k in ("id", "team_id", "state", "previous_view_id", "root_view_id", "app_id")}
    updated = {"private_metadata": "", "callback_id": "", "external_id": "", **copy.deepcopy(view), **keep}
    updated["hash"] = _hash(ws)
    updated["bot_id"] = ws.bot_id
    name_blocks(updated)
    ws.views[view_id] = updated
    return updated


def close_view(ws: Workspace, view_id: str, *, clear: bool = False) -> None:
    """Close one view (back to the one below it) or, with `clear`, its whole stack."""
    if view_id not in ws.views:
        return
    root = ws.views[view_id]["root_view_id"]
    doomed = [v for v, d in ws.views.items() if d["root_view_id"] == root] if clear else [view_id]
    for vid in doomed:
        ws.closed_views[vid] = ws.views.pop(vid)


def stack(ws: Workspace, view_id: str) -> list[str]:
    """The open views from the root up to `view_id`."""
    chain: list[str] = []
    current: str | None = view_id
    while current is not None and current in ws.views:
        chain.append(current)
        current = ws.views[current]["previous_view_id"]
    return list(reversed(chain))


def find_external(ws: Workspace, external_id: str) -> dict[str, Any] | None:
    return next((v for v in ws.views.values() if v.get("external_id") == external_id), None)


def _valid_view(ws: Workspace, args: dict[str, Any], own_id: str | None = None) -> dict[str, Any]:
    view = json_arg(args, "view", "invalid_arguments")
    if view is None:
        raise _invalid_arguments(["missing required field: view"])
    errors = [e.replace("[json-pointer:", "[json-pointer:/view", 1) for e in check_view(view)]
    if errors:
        raise _invalid_arguments(errors)
    external_id = view.get("external_id")
    if external_id:
        existing = find_external(ws, external_id)
        if existing is not None and existing["id"] != own_id:
            raise Refusal("duplicate_external_id")
    return view


def _invalid_arguments(errors: list[str]) -> Refusal:
    # Slack reports bad views as invalid_arguments with the details in response_metadata.messages.
    messages = [f"[ERROR] {error}" for error in errors]
    return Refusal("invalid_arguments", extra={"errors": errors, "response_metadata": {"messages": messages}})


def _hash(ws: Workspace) -> str:
    return f"{int(ws.now().timestamp())}.{ws.serial():08d}"
