"""App Store Connect's own webhooks: reading their event payloads, and registering the bot for an app."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from bot.appstore.client import AppStoreConnect
    from bot.appstore.models import Webhook

PATH = "/webhooks/app-store-connect"
DEFAULT_NAME = "asc-bot"
# What the bot listens to, as the API names them when a webhook is created...
EVENT_TYPES = (
    "BUILD_UPLOAD_STATE_UPDATED",
    "APP_STORE_VERSION_APP_VERSION_STATE_UPDATED",
    "BUILD_BETA_DETAIL_EXTERNAL_BUILD_STATE_UPDATED",
    "BETA_FEEDBACK_SCREENSHOT_SUBMISSION_CREATED",
    "BETA_FEEDBACK_CRASH_SUBMISSION_CREATED",
)
# ...and as `data.type` names them in a delivered payload.
REFRESHING = frozenset(
    {
        "buildUploadStateUpdated",
        "appStoreVersionAppVersionStateUpdated",
        "buildBetaDetailExternalBuildStateUpdated",
    }
)
FEEDBACK = frozenset({"betaFeedbackScreenshotSubmissionCreated", "betaFeedbackCrashSubmissionCreated"})
PING = "webhookPingCreated"
_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_TYPE = re.compile(r"^[A-Za-z]{1,100}$")


class InvalidEvent(ValueError):
    """The body is not an App Store Connect webhook event; the message says why."""


@dataclass(frozen=True)
class AppleEvent:
    """One delivered event: its type and id, and the resource it is about (absent for pings)."""

    type: str
    id: str
    attributes: dict[str, Any]
    resource_type: str | None = None
    resource_id: str | None = None

    @property
    def is_ping(self) -> bool:
        return self.type == PING

    @property
    def is_feedback(self) -> bool:
        """A tester sent TestFlight feedback (the resource is the submission)."""
        return self.type in FEEDBACK

    @property
    def refreshes(self) -> bool:
        """Whether this event can move a publication (so the engine should poll it at once)."""
        return self.type in REFRESHING and self.resource_id is not None


def parse_event(payload: Any) -> AppleEvent:
    """Read `{"data": {"type", "id", "attributes", "relationships": {"instance": {"data": …}}}}`."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        raise InvalidEvent("the body must be an object with a data object")
    kind, event_id = data.get("type"), data.get("id")
    if not isinstance(kind, str) or not _TYPE.fullmatch(kind):
        raise InvalidEvent("data.type must name the event, e.g. buildUploadStateUpdated")
    if not isinstance(event_id, str) or not _ID.fullmatch(event_id):
        raise InvalidEvent("data.id must be the event's id")
    attributes = data.get("attributes")
    attributes = attributes if isinstance(attributes, dict) else {}
    instance = data.get("relationships")
    for step in ("instance", "data"):
        instance = instance.get(step) if isinstance(instance, dict) else None
    resource_type = resource_id = None
    if isinstance(instance, dict):
        rtype, rid = instance.get("type"), instance.get("id")
        if isinstance(rtype, str) and _TYPE.fullmatch(rtype) and isinstance(rid, str) and _ID.fullmatch(rid):
            resource_type, resource_id = rtype, rid
    return AppleEvent(kind, event_id, attributes, resource_type, resource_id)


def webhook_url(public_url: str) -> str:
    """The receiving URL from the bot's public URL; a URL that already ends with the path is kept."""
    parts = urlsplit(public_url.strip())
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise ValueError(f"{public_url!r} must be an https:// URL (App Store Connect only calls https)")
    if parts.query or parts.fragment:
        raise ValueError(f"{public_url!r} must not have a query or a fragment")
    base = public_url.strip().rstrip("/")
    return base if base.endswith(PATH) else base + PATH


@dataclass(frozen=True)
class Registration:
    """What `register` did for one app."""

    bundle_id: str
    app_id: str
    webhook: Webhook
    created: bool


async def register(
    client: AppStoreConnect, bundle_id: str, url: str, secret: str, *, name: str = DEFAULT_NAME
) -> Registration:
    """Create the app's webhook to `url`, or update the one already there (same URL or name)."""
    app = await client.find_app(bundle_id)
    if app is None:
        raise LookupError(
            f"App Store Connect has no app with bundle id {bundle_id} for key {client.key_name}"
        )
    hooks = await client.list_app_webhooks(app.id)
    existing = next((h for h in hooks if h.url == url), None) or next(
        (h for h in hooks if h.name == name), None
    )
    if existing is None:
        hook = await client.create_webhook(app.id, name=name, url=url, secret=secret, event_types=EVENT_TYPES)
        return Registration(bundle_id, app.id, hook, created=True)
    # Keep the other event types someone may have ticked by hand; add ours.
    wanted = list(dict.fromkeys([*existing.event_types, *EVENT_TYPES]))
    hook = await client.update_webhook(
        existing.id, url=url, secret=secret, event_types=wanted, enabled=True, name=name
    )
    return Registration(bundle_id, app.id, hook, created=False)
