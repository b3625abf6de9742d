"""Routes for phased releases: read, enable, pause/resume/complete, disable before it starts."""

from __future__ import annotations

from aiohttp import web

from bot.appstore.states import VERSION_ON_STORE
from bot.sandbox.asc.body import Body, related
from bot.sandbox.asc.context import Ctx, Route, lookup
from bot.sandbox.asc.errors import conflict
from bot.sandbox.asc.jsonapi import reply
from bot.sandbox.asc.params import PHASED_RELEASE_STATES
from bot.sandbox.asc.records import PhasedRelease
from bot.sandbox.asc.versions import is_first_version

_POINTER = "/data/attributes/phasedReleaseState"


def get_for_version(ctx: Ctx) -> web.Response:
    version = lookup(ctx.store.versions, "appStoreVersions", ctx.id)
    phased = ctx.store.phased_releases.get(version.phased_release_id or "")
    if phased is None:
        # JSON:API: an empty to-one relationship's related resource is `data: null`.
        return reply(200, {"data": None, "links": {"self": ctx.self_url}})
    return ctx.single(phased)


def create(ctx: Ctx) -> web.Response:
    body = Body(
        ctx.body,
        "appStoreVersionPhasedReleases",
        attributes=("phasedReleaseState",),
        relationships=("appStoreVersion",),
    )
    state = body.attr("phasedReleaseState", str, enum=("INACTIVE", "ACTIVE")) or "INACTIVE"
    pointer = "/data/relationships/appStoreVersion"
    version = related(body, "appStoreVersion", "appStoreVersions", ctx.store.versions, "appStoreVersion")
    if version.phased_release_id is not None:
        raise conflict(
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            f"The appStoreVersion already has a phased release ({version.phased_release_id})",
            pointer,
        )
    if version.state in VERSION_ON_STORE:
        raise conflict(
            "ENTITY_ERROR.RELATIONSHIP.INVALID", "The appStoreVersion has already been released", pointer
        )
    if is_first_version(ctx, version):
        raise conflict(
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            "Phased release is only available for updates, not a first version",
            pointer,
        )
    phased = PhasedRelease(ctx.store.new_id(), version.id, state)
    ctx.store.phased_releases[phased.id] = phased
    version.phased_release_id = phased.id
    return ctx.single(phased, 201)


def patch(ctx: Ctx) -> web.Response:
    phased = lookup(ctx.store.phased_releases, "appStoreVersionPhasedReleases", ctx.id)
    body = Body(ctx.body, "appStoreVersionPhasedReleases", id_=phased.id, attributes=("phasedReleaseState",))
    state = body.attr("phasedReleaseState", str, enum=PHASED_RELEASE_STATES, nullable=False)
    if state is None or state == phased.state:
        return ctx.single(phased)
    started = phased.start_date is not None
    allowed = {
        "INACTIVE": {"ACTIVE"} if not started else set(),
        "ACTIVE": {"PAUSED", "COMPLETE"} if started else {"INACTIVE"},
        "PAUSED": {"ACTIVE", "COMPLETE"},
        "COMPLETE": set(),
    }[phased.state]
    if state not in allowed:
        raise conflict(
            "ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE",
            f"The phased release can not go from {phased.state} to {state}",
            _POINTER,
        )
    if state == "PAUSED":
        phased.paused_at = ctx.now
    elif phased.paused_at is not None:
        phased.paused_seconds += (ctx.now - phased.paused_at).total_seconds()
        phased.paused_at = None
    phased.state = state
    return ctx.single(phased)


def delete(ctx: Ctx) -> web.Response:
    phased = lookup(ctx.store.phased_releases, "appStoreVersionPhasedReleases", ctx.id)
    if phased.start_date is not None:
        raise conflict(
            "ENTITY_ERROR.STATE_ERROR",
            "A phased release that has started can not be deleted; complete it instead",
            None,
        )
    del ctx.store.phased_releases[phased.id]
    ctx.store.versions[phased.version_id].phased_release_id = None
    return ctx.no_content()


ROUTES: list[Route] = [
    ("GET", "/v1/appStoreVersions/{id}/appStoreVersionPhasedRelease", get_for_version),
    ("POST", "/v1/appStoreVersionPhasedReleases", create),
    ("PATCH", "/v1/appStoreVersionPhasedReleases/{id}", patch),
    ("DELETE", "/v1/appStoreVersionPhasedReleases/{id}", delete),
]
