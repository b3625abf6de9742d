"""manifest.yml creates the app in one step: bot user, /asc, interactivity and the scopes it uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")  # comes with openapi-core, a test dependency
MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[2] / "manifest.yml").read_text())


def test_manifest_has_what_the_bot_needs() -> None:
    features, settings = MANIFEST["features"], MANIFEST["settings"]
    assert re.fullmatch(r"[a-z0-9._-]{1,80}", features["bot_user"]["display_name"])
    [command] = features["slash_commands"]
    assert command["command"] == "/asc"
    assert command["url"].endswith("/slack/events")
    assert len(command["usage_hint"]) <= 1000 and len(command["description"]) <= 2000
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["interactivity"]["request_url"] == command["url"]
    assert {"commands", "chat:write", "chat:write.public"} <= set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert len(MANIFEST["display_information"]["name"]) <= 35
    assert 174 <= len(MANIFEST["display_information"]["long_description"]) <= 4000
    assert settings["socket_mode_enabled"] is False
    # The Home tab: enabled, and app_home_opened delivered to the same URL as everything else.
    assert features["app_home"]["home_tab_enabled"] is True
    assert settings["event_subscriptions"]["request_url"] == command["url"]
    assert "app_home_opened" in settings["event_subscriptions"]["bot_events"]


def test_the_socket_mode_variant_is_documented() -> None:
    text = (Path(__file__).resolve().parents[2] / "manifest.yml").read_text()
    assert "socket_mode_enabled: true" in text and "connections:write" in text and "SLACK_APP_TOKEN" in text


def test_the_bot_subscribes_to_the_events_it_listens_for() -> None:
    events = MANIFEST["settings"]["event_subscriptions"]
    assert events["request_url"] == MANIFEST["features"]["slash_commands"][0]["url"]
    # Being invited to a channel releases the posts held for it (commands/membership.py).
    assert "member_joined_channel" in events["bot_events"]
    assert {"channels:read", "groups:read"} <= set(MANIFEST["oauth_config"]["scopes"]["bot"])
