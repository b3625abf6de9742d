"""One App Store Connect client per configured API key, made on first use and shared."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.appstore.auth import ApiKey
from bot.appstore.client import AppStoreConnect
from bot.errors import AscBotError


class UnknownKey(AscBotError):
    """A publication names an API key the configuration does not have."""


class Clients:
    def __init__(
        self, keys: Mapping[str, ApiKey], default: str | None, factory: Callable[[ApiKey], AppStoreConnect]
    ) -> None:
        self._keys = dict(keys)
        self.default = default
        self._factory = factory
        self._clients: dict[str, AppStoreConnect] = {}

    def names(self) -> list[str]:
        return list(self._keys)

    def resolve(self, name: str | None) -> str:
        """The key name to use; raise UnknownKey with the configured names when it does not exist."""
        chosen = name or self.default
        if chosen is None or chosen not in self._keys:
            known = ", ".join(sorted(self._keys)) or "none"
            raise UnknownKey(f"unknown App Store Connect key {chosen!r} (configured: {known})")
        return chosen

    def get(self, name: str | None) -> AppStoreConnect:
        chosen = self.resolve(name)
        if chosen not in self._clients:
            self._clients[chosen] = self._factory(self._keys[chosen])
        return self._clients[chosen]

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
