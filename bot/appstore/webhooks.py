"""App Store Connect webhooks of an app, so the bot hears about state changes without waiting to poll."""

from __future__ import annotations

from typing import Any

from bot.appstore.base import ResourceFamily, document
from bot.appstore.documents import resources
from bot.appstore.http import seg
from bot.appstore.models import Webhook


class WebhooksMixin(ResourceFamily):
    """`/v1/webhooks` and `/v1/apps/{id}/webhooks`."""

    async def list_app_webhooks(self, app_id: str) -> list[Webhook]:
        doc = await self._http.get_all(f"/v1/apps/{seg(app_id)}/webhooks")
        return [Webhook.parse(r) for r in resources(doc)]

    async def create_webhook(
        self,
        app_id: str,
        *,
        name: str,
        url: str,
        secret: str,
        event_types: list[str] | tuple[str, ...],
        enabled: bool = True,
    ) -> Webhook:
        """Register a webhook; after an ambiguous failure one with the same name and URL is reused."""

        async def find() -> Webhook | None:
            hooks = await self.list_app_webhooks(app_id)
            return next((h for h in hooks if h.url == url and h.name == name), None)

        async def post() -> Webhook:
            attributes = {
                "name": name,
                "url": url,
                "secret": secret,
                "eventTypes": list(event_types),
                "enabled": enabled,
            }
            body = document("webhooks", attributes=attributes, relationships={"app": ("apps", app_id)})
            doc = await self._http.post("/v1/webhooks", body)
            return Webhook.parse((doc or {})["data"])

        return await self._http.create_once(post, find, what=f"webhook {name}")

    async def update_webhook(
        self,
        webhook_id: str,
        *,
        url: str | None = None,
        secret: str | None = None,
        event_types: list[str] | tuple[str, ...] | None = None,
        enabled: bool | None = None,
        name: str | None = None,
    ) -> Webhook:
        attributes: dict[str, Any] = {}
        for key, value in (("url", url), ("secret", secret), ("enabled", enabled), ("name", name)):
            if value is not None:
                attributes[key] = value
        if event_types is not None:
            attributes["eventTypes"] = list(event_types)
        body = document("webhooks", id_=webhook_id, attributes=attributes)
        doc = await self._http.patch(f"/v1/webhooks/{seg(webhook_id)}", body)
        return Webhook.parse((doc or {})["data"])
