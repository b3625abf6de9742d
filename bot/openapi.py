"""The OpenAPI 3.1 document of the bot's own HTTP endpoints, served at `/openapi.json`.

Built from the validator's own constants (bot/engine/intake.py, bot/publishing_options.py), so the
document and the checks cannot drift apart; `tests/web/test_openapi.py` validates it and every answer
the bot gives.
"""

from __future__ import annotations

from typing import Any

from bot.apple_webhooks import EVENT_TYPES
from bot.appstore.states import PLATFORMS
from bot.engine import intake as rules
from bot.publishing_options import CHANNEL, OPTIONS
from bot.signatures import MAX_SKEW_SECONDS

STATES = ("waiting_for_build", "processing", "ready", "done", "failed", "timed_out", "cancelled")
# Feedback events answer posted, digest (held for the app's daily digest), unknown_build or unreadable.
APPLE_RESULTS = (
    "ping", "refreshed", "unknown_resource", "ignored", "duplicate",
    "posted", "digest", "unknown_build", "unreadable",
)  # fmt: skip
ONE_LINE = "^[^\\u0000-\\u001f\\u007f]*$"  # no control characters (the validator refuses them)


def _text(name: str, pattern: Any = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": rules.LIMITS[name], **extra}
    schema["pattern"] = ONE_LINE if pattern is None else pattern.pattern
    return schema


def _digits(name: str, pattern: Any, description: str) -> dict[str, Any]:
    # JSON numbers are accepted too (CI tools often send them); 2**53 keeps them exact in JavaScript.
    return {
        "description": description,
        "oneOf": [_text(name, pattern), {"type": "integer", "minimum": 0, "maximum": 2**53 - 1}],
    }


def _object(properties: dict[str, Any], *required: str, **extra: Any) -> dict[str, Any]:
    schema = {"type": "object", "additionalProperties": False, "properties": properties, **extra}
    if required:
        schema["required"] = list(required)
    return schema


PUBLISHING = _object(
    {name: dict(option.schema) for name, option in OPTIONS.items()},
    description="The keys of codemagic.yaml's publishing.app_store_connect; they run automatically.",
)
BUILD_UPLOADED = _object(
    {
        "delivery_id": _text(
            "delivery_id",
            description="Idempotency key; without it app, platform, version and build are the key.",
        ),
        "app": {
            **_object(
                {
                    "bundle_id": _text("app.bundle_id", rules.BUNDLE),
                    "apple_id": _digits("app.apple_id", rules.APPLE_ID, "The app's Apple ID."),
                    "name": _text("app.name"),
                }
            ),
            "anyOf": [{"required": ["bundle_id"]}, {"required": ["apple_id"]}],
        },
        "platform": {"type": "string", "enum": list(PLATFORMS), "default": "IOS"},
        "version": _text("version", rules.VERSION, description="CFBundleShortVersionString"),
        "build_number": _digits("build_number", rules.BUILD, "CFBundleVersion"),
        "channel": _text("channel", CHANNEL, description="Slack channel id; default: the app's channel"),
        "tests_passed": {"type": "boolean", "description": "false holds the publishing options back"},
        "api_key": _text("api_key", description="Name of a configured App Store Connect key"),
        "source": _object(
            {"name": _text("source.name"), "url": _text("source.url", rules.URL, format="uri")}
        ),
        "publishing": PUBLISHING,
        "release_notes": {
            "type": "array",
            "maxItems": rules.LIMITS["release_notes"],
            "description": "Codemagic's release_notes.json: What to Test per language.",
            "items": _object(
                {
                    "language": {"type": "string", "pattern": rules.LOCALE.pattern},
                    "text": {"type": "string", "minLength": 1, "maxLength": rules.LIMITS["note"]},
                },
                "language",
                "text",
            ),
        },
    },
    "app",
    "version",
    "build_number",
)
APPLE_EVENT = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {
            "type": "object",
            "required": ["type", "id"],
            "properties": {
                "type": {"type": "string", "examples": ["buildUploadStateUpdated", "webhookPingCreated"]},
                "id": {"type": "string"},
                "version": {"type": "integer"},
                "attributes": {"type": "object"},
                "relationships": {"type": "object"},
            },
        }
    },
}


def _json(schema: str | dict[str, Any], description: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{schema}"} if isinstance(schema, str) else schema
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def _refused(status_text: str) -> dict[str, Any]:
    return _json("Error", status_text)


def document() -> dict[str, Any]:
    """The whole OpenAPI document as plain data (JSON-serialisable)."""
    upload_responses = {
        "202": _json("Publication", "A new publication."),
        "200": _json("Publication", "A repeated delivery: the first answer again."),
        "400": _json("Problems", "Invalid input; every problem is listed."),
        "401": _refused("A missing or wrong signature, or a timestamp more than 5 minutes away."),
        "413": _refused("The body is larger than 1 MiB."),
        "415": _refused("The body is not sent as application/json."),
        "503": _refused("App Store Connect could not be asked about app.apple_id; send it again later."),
    }
    apple_responses = {
        "200": _json("AppleAnswer", "Received (also for pings, repeats and events about unknown builds)."),
        "400": _json("Problems", "Not an App Store Connect event."),
        "401": _refused("A missing or wrong x-apple-signature."),
        "413": _refused("The body is larger than 1 MiB."),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "asc-bot",
            "version": "1",
            "description": "Webhooks that start and advance publications of App Store Connect builds.",
        },
        "paths": {
            "/webhooks/build-uploaded": {
                "post": {
                    "operationId": "buildUploaded",
                    "summary": "A build was uploaded: start its publication (idempotent).",
                    "security": [{"signature": []}],
                    "parameters": [
                        {
                            "name": "X-Signature-Timestamp",
                            "in": "header",
                            "required": False,
                            "description": "Unix seconds; the signature covers '<timestamp>.<body>' "
                            f"and is refused more than {MAX_SKEW_SECONDS} s away from the bot's clock. "
                            "Required unless the bot runs with ASC_BOT_ALLOW_UNTIMESTAMPED_SIGNATURES=true "
                            "(legacy CI: the signature then covers the body alone).",
                            "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"},
                        }
                    ],
                    "requestBody": {"required": True, **_json("BuildUploaded", "The uploaded build.")},
                    "responses": upload_responses,
                }
            },
            "/webhooks/app-store-connect": {
                "post": {
                    "operationId": "appStoreConnectEvent",
                    "summary": "App Store Connect's own webhook: poll the affected publication at once, "
                    "or post a tester's TestFlight feedback in its build's thread.",
                    "description": "Registered with `asc-bot webhooks register` for the event types "
                    + ", ".join(EVENT_TYPES)
                    + ". Events are deduplicated by data.id.",
                    "security": [{"appleSignature": []}],
                    "requestBody": {"required": True, **_json("AppleEvent", "The event.")},
                    "responses": apple_responses,
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "summary": "Liveness: the event loop answers (/readyz checks the database, the sweep and Slack).",
                    "responses": {
                        "200": _json("Health", "The bot and its database work."),
                        "503": _json("Health", "The database is unavailable."),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document.",
                    "responses": {"200": _json({"type": "object"}, "The OpenAPI document.")},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "signature": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Signature-256",
                    "description": "sha256=<hex HMAC-SHA256 of the raw body keyed with ASC_BOT_WEBHOOK_SECRET>",
                },
                "appleSignature": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "x-apple-signature",
                    "description": "hmacsha256=<hex HMAC-SHA256 of the raw body keyed with the webhook's secret>",
                },
            },
            "schemas": {
                "BuildUploaded": BUILD_UPLOADED,
                "AppleEvent": APPLE_EVENT,
                "Publication": _object(
                    {"publication_id": {"type": "string"}, "state": {"type": "string", "enum": list(STATES)}},
                    "publication_id",
                    "state",
                ),
                "Problems": _object(
                    {
                        "errors": {
                            "type": "array",
                            "minItems": 1,
                            "items": _object(
                                {"field": {"type": "string"}, "message": {"type": "string"}},
                                "field",
                                "message",
                            ),
                        }
                    },
                    "errors",
                ),
                "Error": _object({"error": {"type": "string"}}, "error"),
                "AppleAnswer": _object(
                    {
                        "ok": {"type": "boolean"},
                        "event": {"type": "string"},
                        "result": {"type": "string", "enum": list(APPLE_RESULTS)},
                    },
                    "ok",
                    "result",
                ),
                "Health": {
                    "type": "object",
                    "required": ["ok"],
                    "properties": {
                        "ok": {"type": "boolean"},
                        "active_publications": {"type": "integer"},
                        "database": {"type": "string"},
                    },
                },
            },
        },
    }
