"""Reads from App Store Connect that a person waits for (e.g. the beta group picker)."""

from __future__ import annotations

from bot.appstore.client import AppStoreConnect
from bot.appstore.errors import AscError
from bot.appstore.models import BetaGroup
from bot.appstore.scheduler import Priority, priority
from bot.engine import messages
from bot.engine.clients import Clients
from bot.errors import AscBotError
from storage.records import Publication
from storage.repository import Storage


async def beta_groups(storage: Storage, clients: Clients, publication_id: str) -> list[BetaGroup]:
    """The app's beta groups, read from App Store Connect (for the chat surface's picker)."""
    pub = await storage.get(publication_id)
    if pub is None:
        raise AscBotError("This publication no longer exists.")
    client = clients.get(pub.api_key)
    try:
        with priority(Priority.PERSON):  # someone waits for the modal
            return await _beta_groups(client, pub)
    except AscError as exc:
        raise AscBotError(f"Could not read the beta groups: {exc.user_message}") from None


async def _beta_groups(client: AppStoreConnect, pub: Publication) -> list[BetaGroup]:
    app_id = pub.app_id
    if app_id is None:
        app = await client.find_app(pub.app_bundle_id)
        if app is None:
            raise AscBotError(messages.app_not_found(pub.app_bundle_id, client.key_name))
        app_id = app.id
    return await client.list_beta_groups(app_id)
