"""Routes for builds, their beta detail and their uploads (listing, processing, expiry, export compliance)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Container

from aiohttp import web

from bot.sandbox.asc.body import Body
from bot.sandbox.asc.context import Ctx, Route, lookup
from bot.sandbox.asc.errors import conflict, not_found
from bot.sandbox.asc.lifecycle import change_build, review_state
from bot.sandbox.asc.records import Build, BuildUpload
from bot.sandbox.asc.resources import BetaDetail
from bot.sandbox.asc.sorting import sort_records, version_key

_UPLOAD_SORT = {"cfBundleVersion": lambda u: version_key(u.version), "uploadedDate": lambda u: u.created_at}


def listed_build(ctx: Ctx, build_id: str) -> Build:
    """A build App Store Connect lists already; unknown or not yet listed is a 404."""
    build = ctx.store.builds.get(build_id)
    if build is None or not build.listed:
        raise not_found("builds", build_id)
    return build


def _candidates(ctx: Ctx) -> list[Build]:
    # Start from the narrowest index so a batch poll of 200 ids or one app stays cheap.
    s, f = ctx.store, ctx.query.filters
    if "id" in f:
        found = (s.builds.get(i) for i in dict.fromkeys(f["id"]))
        return [b for b in found if b is not None and b.listed]
    if "app" in f:
        return [b for a in dict.fromkeys(f["app"]) for b in s.builds_by_app.get(a, ()) if b.listed]
    return [b for b in s.builds.values() if b.listed]


def _within(value_of: Callable[[Build], object], wanted: Container[object]) -> Callable[[Build], bool]:
    return lambda b: value_of(b) in wanted


def list_builds(ctx: Ctx) -> web.Response:
    q, s = ctx.query, ctx.store
    checks: list[Callable[[Build], bool]] = []
    for name, value_of in (
        ("app", lambda b: b.app_id),
        ("version", lambda b: b.version),
        ("processingState", lambda b: b.processing_state),
        ("preReleaseVersion", lambda b: b.pre_release_id),
        ("preReleaseVersion.version", lambda b: s.pre_releases[b.pre_release_id].version),
        ("preReleaseVersion.platform", lambda b: b.platform),
        ("buildAudienceType", lambda b: b.audience),
        ("betaAppReviewSubmission.betaReviewState", lambda b: review_state(s, b)),
    ):
        wanted = q.one(name)
        if wanted is not None:
            checks.append(_within(value_of, wanted))
    for name, attr in (("expired", "expired"), ("usesNonExemptEncryption", "uses_encryption")):
        flags = q.booleans(name)
        if flags is not None:
            checks.append(_within(operator.attrgetter(attr), flags))
    groups = q.one("betaGroups")
    if groups is not None:
        checks.append(lambda b: bool(b.group_ids & groups))
    version_ids = q.one("appStoreVersion")
    if version_ids is not None:
        attached = {s.versions[v].build_id for v in version_ids if v in s.versions}
        checks.append(lambda b: b.id in attached)
    if "usesNonExemptEncryption" in q.exists:
        present = q.exists["usesNonExemptEncryption"]
        checks.append(lambda b: (b.uses_encryption is not None) == present)
    builds = [b for b in _candidates(ctx) if all(check(b) for check in checks)]
    keys = {
        "version": lambda b: version_key(b.version),
        "uploadedDate": lambda b: b.uploaded_at,
        "preReleaseVersion": lambda b: version_key(s.pre_releases[b.pre_release_id].version),
    }
    return ctx.page(sort_records(builds, q.sort, keys))


def get_build(ctx: Ctx) -> web.Response:
    return ctx.single(listed_build(ctx, ctx.id))


def patch_build(ctx: Ctx) -> web.Response:
    build = listed_build(ctx, ctx.id)
    body = Body(
        ctx.body,
        "builds",
        id_=build.id,
        attributes=("expired", "usesNonExemptEncryption"),
        relationships=("appEncryptionDeclaration",),
    )
    expired = body.attr("expired", bool)
    uses_encryption = body.attr("usesNonExemptEncryption", bool)
    declaration = body.rel("appEncryptionDeclaration", "appEncryptionDeclarations")
    if declaration is not None:
        raise conflict(
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            f"There is no appEncryptionDeclaration with id '{declaration}'",
            "/data/relationships/appEncryptionDeclaration",
        )
    if uses_encryption is not None and build.uses_encryption is not None:
        # Apple answers this to any second answer, the same or another (recorded in fastlane's PR
        # #16626, 2020: "The provided entity includes an attribute with an invalid value - You cannot
        # update when the value is already set."): an export compliance answer is set once per build.
        raise conflict(
            "ENTITY_ERROR.ATTRIBUTE.INVALID",
            "You cannot update when the value is already set.",
            "/data/attributes/usesNonExemptEncryption",
        )
    if expired is False and build.expired:
        raise conflict(
            "ENTITY_ERROR.ATTRIBUTE.INVALID",
            "An expired build can not be made active again",
            "/data/attributes/expired",
        )

    def apply() -> None:
        if expired:
            build.expired = True
        if uses_encryption is not None:
            build.uses_encryption = uses_encryption

    change_build(ctx.store, build, ctx.now, apply)
    return ctx.single(build)


def get_beta_detail(ctx: Ctx) -> web.Response:
    return ctx.single(BetaDetail(listed_build(ctx, ctx.id)))


def list_uploads(ctx: Ctx) -> web.Response:
    q = ctx.query
    lookup(ctx.store.apps, "apps", ctx.id)
    checks = []
    for name, value_of in (
        ("cfBundleShortVersionString", lambda u: u.short_version),
        ("cfBundleVersion", lambda u: u.version),
        ("platform", lambda u: u.platform),
        ("state", lambda u: u.state),
    ):
        wanted = q.one(name)
        if wanted is not None:
            checks.append(lambda u, w=wanted, v=value_of: v(u) in w)
    uploads: list[BuildUpload] = [
        u for u in ctx.store.uploads_by_app.get(ctx.id, ()) if all(c(u) for c in checks)
    ]
    return ctx.page(sort_records(uploads, q.sort, _UPLOAD_SORT))


def get_upload(ctx: Ctx) -> web.Response:
    return ctx.single(lookup(ctx.store.uploads, "buildUploads", ctx.id))


ROUTES: list[Route] = [
    ("GET", "/v1/builds", list_builds),
    ("GET", "/v1/builds/{id}", get_build),
    ("PATCH", "/v1/builds/{id}", patch_build),
    ("GET", "/v1/builds/{id}/buildBetaDetail", get_beta_detail),
    ("GET", "/v1/apps/{id}/buildUploads", list_uploads),
    ("GET", "/v1/buildUploads/{id}", get_upload),
]
