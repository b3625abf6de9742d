"""Routes for App Store versions: create and edit, attach a build, localizations, release requests."""

from __future__ import annotations

import re

from aiohttp import web

from bot.appstore.states import RELEASE_TYPES, VERSION_ON_STORE
from bot.sandbox.asc.body import Body, linkage, related
from bot.sandbox.asc.context import Ctx, Route, lookup
from bot.sandbox.asc.errors import ApiError, conflict
from bot.sandbox.asc.params import PLATFORMS
from bot.sandbox.asc.records import ReleaseRequest, Version, VersionLocalization
from bot.sandbox.asc.release_flow import (
    EDITABLE_VERSION_STATES,
    app_store_state,
    set_version_state,
)

_VERSION_STRING = re.compile(r"^\d+(\.\d+){0,2}$")
_LOCALIZATION_ATTRIBUTES = (
    "description",
    "keywords",
    "marketingUrl",
    "promotionalText",
    "supportUrl",
    "whatsNew",
)


def is_first_version(ctx: Ctx, version: Version) -> bool:
    """True while the app has never had a version of this platform on the App Store."""
    return not any(
        v.platform == version.platform and v.state in VERSION_ON_STORE
        for v in ctx.store.versions_by_app.get(version.app_id, ())
    )


def _editable(version: Version, pointer: str) -> None:
    if version.state not in EDITABLE_VERSION_STATES:
        raise conflict(
            "ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE",
            f"The appStoreVersion can not be changed in the state {version.state}",
            pointer,
        )


def _attach_build(ctx: Ctx, version: Version, build_id: str, pointer: str) -> None:
    build = ctx.store.builds.get(build_id)
    problem = None
    if build is None or not build.listed or build.app_id != version.app_id:
        problem = f"There is no build with id '{build_id}' for this app"
    elif build.platform != version.platform:
        problem = f"The build is for {build.platform}, the version for {version.platform}"
    elif build.processing_state != "VALID" or build.expired:
        problem = "The build is not valid or has expired"
    elif ctx.store.pre_releases[build.pre_release_id].version != version.version_string:
        problem = (
            f"The build's version {ctx.store.pre_releases[build.pre_release_id].version} does not match "
            f"the version string {version.version_string}"
        )
    if problem:
        raise conflict("ENTITY_ERROR.RELATIONSHIP.INVALID", problem, pointer)
    version.build_id = build_id


def _version_string(ctx: Ctx, app_id: str, platform: str, text: str, own: Version | None = None) -> str:
    pointer = "/data/attributes/versionString"
    if not _VERSION_STRING.match(text):
        raise conflict("ENTITY_ERROR.ATTRIBUTE.INVALID", f"'{text}' is not a valid version string", pointer)
    for other in ctx.store.versions_by_app.get(app_id, ()):
        if other is not own and other.platform == platform and other.version_string == text:
            raise conflict(
                "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE",
                "The version number has been previously used.",
                pointer,
            )
    return text


def _release_fields(ctx: Ctx, version: Version, body: Body) -> None:
    if body.has("copyright"):
        version.copyright = body.attr("copyright", str)
    if body.has("releaseType"):
        version.release_type = body.attr("releaseType", str, enum=RELEASE_TYPES, nullable=False)
    if body.has("reviewType"):
        version.review_type = body.attr("reviewType", str, enum=("APP_STORE", "NOTARIZATION"), nullable=False)
    if body.has("usesIdfa"):
        version.uses_idfa = body.attr("usesIdfa", bool)
    if body.has("downloadable"):
        version.downloadable = body.attr("downloadable", bool, nullable=False)
    if body.has("earliestReleaseDate"):
        date = body.date("earliestReleaseDate")
        if date is not None and date <= ctx.now:
            raise conflict(
                "ENTITY_ERROR.ATTRIBUTE.INVALID",
                "The earliest release date must be in the future",
                "/data/attributes/earliestReleaseDate",
            )
        version.earliest_release_date = date


def list_versions(ctx: Ctx) -> web.Response:
    app = lookup(ctx.store.apps, "apps", ctx.id)
    q = ctx.query
    versions = list(reversed(ctx.store.versions_by_app.get(app.id, [])))  # newest first
    for name, value_of in (
        ("platform", lambda v: v.platform),
        ("versionString", lambda v: v.version_string),
        ("appVersionState", lambda v: v.state),
        ("appStoreState", app_store_state),
        ("id", lambda v: v.id),
    ):
        wanted = q.one(name)
        if wanted is not None:
            versions = [v for v in versions if value_of(v) in wanted]
    return ctx.page(versions)


def get_version(ctx: Ctx) -> web.Response:
    return ctx.single(lookup(ctx.store.versions, "appStoreVersions", ctx.id))


def create_version(ctx: Ctx) -> web.Response:
    body = Body(
        ctx.body,
        "appStoreVersions",
        attributes=("platform", "versionString", "copyright", "reviewType", "releaseType", "earliestReleaseDate", "usesIdfa"),
        relationships=("app", "appStoreVersionLocalizations", "build"),
    )  # fmt: skip
    platform = body.attr("platform", str, required=True, enum=PLATFORMS)
    text = body.attr("versionString", str, required=True)
    app = related(body, "app", "apps", ctx.store.apps, "app")
    _version_string(ctx, app.id, platform, text)
    for other in ctx.store.versions_by_app.get(app.id, ()):
        if other.platform == platform and other.state not in VERSION_ON_STORE:
            raise conflict(
                "ENTITY_ERROR.STATE_ERROR",
                f"You cannot create a new version of the App in the current state (version {other.version_string} "
                f"is {other.state})",
                "/data/attributes/versionString",
            )
    version = Version(ctx.store.new_id(), app.id, platform, text, ctx.now)
    previous = _latest(ctx, app.id, platform)
    version.copyright = previous.copyright if previous else None  # Apple carries the store text over
    _release_fields(ctx, version, body)
    build_id = body.rel("build", "builds")
    if build_id:
        _attach_build(ctx, version, build_id, "/data/relationships/build")
    ctx.store.add_version(version)
    # Like App Store Connect, a new version starts from the previous one's store text and copyright.
    carried = ctx.store.version_localizations_by_version.get(previous.id, []) if previous else []
    for loc in carried or [VersionLocalization("", "", app.primary_locale)]:
        text = {k: v for k, v in loc.attributes.items() if k not in ("whatsNew", "promotionalText")}
        ctx.store.add_version_localization(
            VersionLocalization(ctx.store.new_id(), version.id, loc.locale, text)
        )
    return ctx.single(version, 201)


def _latest(ctx: Ctx, app_id: str, platform: str) -> Version | None:
    versions = [v for v in ctx.store.versions_by_app.get(app_id, ()) if v.platform == platform]
    return max(versions, key=lambda v: v.created_at, default=None)


def patch_version(ctx: Ctx) -> web.Response:
    version = lookup(ctx.store.versions, "appStoreVersions", ctx.id)
    body = Body(
        ctx.body,
        "appStoreVersions",
        id_=version.id,
        attributes=("versionString", "copyright", "reviewType", "releaseType", "earliestReleaseDate", "usesIdfa", "downloadable"),
        relationships=("build", "appClipDefaultExperience"),
    )  # fmt: skip
    if body.attributes or body.relationships:
        _editable(version, "/data/attributes")
    saved = dict(vars(version))
    try:
        text = body.attr("versionString", str)
        if text is not None:
            version.version_string = _version_string(ctx, version.app_id, version.platform, text, version)
        build_id = body.rel("build", "builds")
        if build_id is not None:
            _attach_build(ctx, version, build_id, "/data/relationships/build")
        _release_fields(ctx, version, body)
    except ApiError:
        vars(version).update(saved)  # a rejected PATCH changes nothing
        raise
    return ctx.single(version)


def patch_version_build(ctx: Ctx) -> web.Response:
    version = lookup(ctx.store.versions, "appStoreVersions", ctx.id)
    build_id = linkage(ctx.body, "builds")
    _editable(version, "/data")
    _attach_build(ctx, version, build_id, "/data/id")
    return ctx.no_content()


def list_localizations(ctx: Ctx) -> web.Response:
    version = lookup(ctx.store.versions, "appStoreVersions", ctx.id)
    locs = ctx.store.version_localizations_by_version.get(version.id, [])
    locales = ctx.query.one("locale")
    return ctx.page([loc for loc in locs if locales is None or loc.locale in locales])


def _localization_attributes(ctx: Ctx, version: Version, body: Body, loc: VersionLocalization) -> None:
    values = {name: body.attr(name, str) for name in _LOCALIZATION_ATTRIBUTES if body.has(name)}
    if any(name != "promotionalText" for name in values):
        _editable(version, "/data/attributes")  # promotional text may change at any time, the rest may not
    if values.get("whatsNew") and is_first_version(ctx, version):
        raise conflict(
            "ENTITY_ERROR.ATTRIBUTE.INVALID",
            "An attribute value is not acceptable for the current resource state. "
            "The attribute 'whatsNew' can not be edited at this time (first version of the app)",
            "/data/attributes/whatsNew",
        )
    loc.attributes.update(values)


def create_localization(ctx: Ctx) -> web.Response:
    body = Body(
        ctx.body,
        "appStoreVersionLocalizations",
        attributes=(*_LOCALIZATION_ATTRIBUTES, "locale"),
        relationships=("appStoreVersion",),
    )
    locale = body.attr("locale", str, required=True)
    version = related(body, "appStoreVersion", "appStoreVersions", ctx.store.versions, "appStoreVersion")
    if any(loc.locale == locale for loc in ctx.store.version_localizations_by_version.get(version.id, ())):
        raise conflict(
            "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE",
            f"An appStoreVersionLocalization for locale '{locale}' already exists",
            "/data/attributes/locale",
        )
    loc = VersionLocalization(ctx.store.new_id(), version.id, locale)
    _editable(version, "/data/relationships/appStoreVersion")
    _localization_attributes(ctx, version, body, loc)
    ctx.store.add_version_localization(loc)
    return ctx.single(loc, 201)


def patch_localization(ctx: Ctx) -> web.Response:
    loc = lookup(ctx.store.version_localizations, "appStoreVersionLocalizations", ctx.id)
    body = Body(ctx.body, "appStoreVersionLocalizations", id_=loc.id, attributes=_LOCALIZATION_ATTRIBUTES)
    _localization_attributes(ctx, ctx.store.versions[loc.version_id], body, loc)
    return ctx.single(loc)


def create_release_request(ctx: Ctx) -> web.Response:
    body = Body(ctx.body, "appStoreVersionReleaseRequests", relationships=("appStoreVersion",))
    pointer = "/data/relationships/appStoreVersion"
    version = related(body, "appStoreVersion", "appStoreVersions", ctx.store.versions, "appStoreVersion")
    if version.state != "PENDING_DEVELOPER_RELEASE":
        raise conflict(
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            f"The appStoreVersion can only be released from PENDING_DEVELOPER_RELEASE; it is {version.state}",
            pointer,
        )
    request = ReleaseRequest(ctx.store.new_id(), version.id)
    ctx.store.release_requests[request.id] = request
    set_version_state(ctx.store, version, "READY_FOR_DISTRIBUTION", ctx.now)
    return ctx.single(request, 201)


ROUTES: list[Route] = [
    ("GET", "/v1/apps/{id}/appStoreVersions", list_versions),
    ("GET", "/v1/appStoreVersions/{id}", get_version),
    ("POST", "/v1/appStoreVersions", create_version),
    ("PATCH", "/v1/appStoreVersions/{id}", patch_version),
    ("PATCH", "/v1/appStoreVersions/{id}/relationships/build", patch_version_build),
    ("GET", "/v1/appStoreVersions/{id}/appStoreVersionLocalizations", list_localizations),
    ("POST", "/v1/appStoreVersionLocalizations", create_localization),
    ("PATCH", "/v1/appStoreVersionLocalizations/{id}", patch_localization),
    ("POST", "/v1/appStoreVersionReleaseRequests", create_release_request),
]
