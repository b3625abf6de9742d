"""The App Home tab: on `app_home_opened`, publish the viewer's overview with views.publish."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.home import home_view
from bot.engine.engine import Engine
from commands.approvers import Approvers

log = logging.getLogger(__name__)
EVENT = "app_home_opened"


def register(app: AsyncApp, engine: Engine, approvers: Approvers) -> None:
    @app.event(EVENT)
    async def home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        user = event.get("user")
        if event.get("tab", "home") != "home" or not isinstance(user, str):
            return  # the Messages tab, or nobody to show it to
        view = home_view(await engine.overview(user))
        try:
            await client.views_publish(user_id=user, view=view)
        except Exception as exc:  # the tab keeps its last content; the next opening tries again
            log.warning("could not publish the Home tab of %s: %s", user, exc)
