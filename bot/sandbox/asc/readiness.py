"""What App Review needs before a version can go into a review submission, refused as Apple refuses it.

`POST /v1/reviewSubmissionItems` for a version that is not ready answers 409
`STATE_ERROR.ENTITY_STATE_INVALID` ("This resource cannot be reviewed, please check associated errors
to see why.", reported for that request in nickustinov/itsyconnect-macos#67) and names each missing
attribute in `errors[].meta.associatedErrors`, keyed by the path of the resource that lacks it, as the
recorded tests/data/recorded/errors/409_state_error_associated_errors.json does for a build.
"""

from __future__ import annotations

import uuid
from typing import Any

from bot.appstore.states import VERSION_ON_STORE
from bot.sandbox.asc.errors import ApiError
from bot.sandbox.asc.records import ReviewSubmission, Version
from bot.sandbox.asc.release_flow import OPEN_SUBMISSION_STATES, items_of
from bot.sandbox.asc.store import Store

# Store text App Review requires in every localization of a version; What's New only on updates.
REQUIRED_LOCALIZATION_ATTRIBUTES = ("description", "keywords", "supportUrl")
_STATE_INVALID = "STATE_ERROR.ENTITY_STATE_INVALID"
_REVIEW_DETAIL = "This resource cannot be reviewed, please check associated errors to see why."


class AssociatedConflict(ApiError):
    """A 409 whose reasons are nested in `meta.associatedErrors` by resource path."""

    def __init__(self, title: str, associated: dict[str, list[dict[str, Any]]]) -> None:
        super().__init__(409, _STATE_INVALID, _REVIEW_DETAIL)
        self.title = title
        self.associated = associated

    def item(self, error_id: str) -> dict[str, Any]:
        out = super().item(error_id)
        out["title"] = self.title
        nested: dict[str, list[dict[str, Any]]] = {}
        for path, errors in self.associated.items():
            nested[path] = [
                {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{error_id}{path}#{n}")), "status": "409", **e}
                for n, e in enumerate(errors)
            ]
        out["meta"] = {"associatedErrors": nested}
        return out


def _required(name: str) -> dict[str, Any]:
    return {
        "code": "ENTITY_ERROR.ATTRIBUTE.REQUIRED",
        "title": "The provided entity is missing a required attribute",
        "detail": f"You must provide a value for the attribute '{name}' with this request",
        "source": {"pointer": f"/data/attributes/{name}"},
    }


def is_update(store: Store, version: Version) -> bool:
    """Whether the app already had a version of this platform on the App Store."""
    return any(
        v.platform == version.platform and v.state in VERSION_ON_STORE and v is not version
        for v in store.versions_by_app.get(version.app_id, ())
    )


def check_reviewable(store: Store, version: Version, into: ReviewSubmission) -> None:
    """Raise Apple's 409 when the version sits in another open submission or lacks required text."""
    for other in store.submissions_by_app.get(version.app_id, ()):
        if other is into or other.state not in OPEN_SUBMISSION_STATES:
            continue
        if any(i.version_id == version.id and i.state != "REMOVED" for i in items_of(store, other)):
            detail = (
                f"appStoreVersions with id {version.id} was already added to another reviewSubmission "
                f"with id {other.id}"
            )
            raise AssociatedConflict(
                f"appStoreVersions with id '{version.id}' is not in valid state.",
                {
                    f"/v1/appStoreVersions/{version.id}": [
                        {"code": "ENTITY_ERROR", "title": "The request entity is invalid", "detail": detail}
                    ]
                },
            )
    missing: dict[str, list[dict[str, Any]]] = {}
    if not version.copyright:
        missing[f"/v1/appStoreVersions/{version.id}"] = [_required("copyright")]
    wanted = (*REQUIRED_LOCALIZATION_ATTRIBUTES, *(("whatsNew",) if is_update(store, version) else ()))
    for loc in store.version_localizations_by_version.get(version.id, ()):
        absent = [_required(n) for n in wanted if not loc.attributes.get(n)]
        if absent:
            missing[f"/v1/appStoreVersionLocalizations/{loc.id}"] = absent
    if missing:
        raise AssociatedConflict(f"appStoreVersions with id '{version.id}' is not in valid state.", missing)
