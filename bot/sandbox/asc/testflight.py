"""Routes for TestFlight: beta review submissions, beta groups and What to Test localizations."""

from __future__ import annotations

import re

from aiohttp import web

from bot.appstore.states import BETA_REVIEW_PENDING
from bot.sandbox.asc.beta_app import missing_test_info
from bot.sandbox.asc.body import Body, linkages
from bot.sandbox.asc.builds import listed_build
from bot.sandbox.asc.context import Ctx, Route, lookup
from bot.sandbox.asc.errors import conflict, unprocessable
from bot.sandbox.asc.lifecycle import submit_beta_review
from bot.sandbox.asc.records import BetaGroup, BetaLocalization, Build
from bot.sandbox.asc.resources import public_link
from bot.sandbox.asc.sorting import sort_records

_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
WHATS_NEW_MAX = 4000
_GROUP_SORT = {
    "name": lambda g: g.name,
    "createdDate": lambda g: g.created_at,
    "publicLinkEnabled": lambda g: g.public_link_enabled,
    "publicLinkLimit": lambda g: 0,
}


def build_problem(build: Build) -> str | None:
    """Why a build cannot go to testers or beta review yet (None: it can)."""
    if build.expired:
        return "The build has expired"
    if build.processing_state == "PROCESSING":
        return "The build is still processing"
    if build.processing_state != "VALID":
        return f"The build is not valid (processingState {build.processing_state})"
    if build.uses_encryption is None:
        return "The build is missing export compliance"
    return None


def _related_build(ctx: Ctx, build_id: str, pointer: str) -> Build:
    build = ctx.store.builds.get(build_id)
    if build is None or not build.listed:
        raise conflict(
            "ENTITY_ERROR.RELATIONSHIP.INVALID", f"There is no build with id '{build_id}'", pointer
        )
    return build


# betaAppReviewSubmissions
def list_beta_reviews(ctx: Ctx) -> web.Response:
    s, states = ctx.store, ctx.query.one("betaReviewState")
    reviews = []
    for build_id in dict.fromkeys(ctx.query.filters["build"]):
        build = s.builds.get(build_id)
        review = s.beta_reviews.get(build.beta_review_id or "") if build else None
        if review is not None and (states is None or review.state in states):
            reviews.append(review)
    return ctx.page(reviews)


def get_beta_review(ctx: Ctx) -> web.Response:
    return ctx.single(lookup(ctx.store.beta_reviews, "betaAppReviewSubmissions", ctx.id))


def create_beta_review(ctx: Ctx) -> web.Response:
    body = Body(ctx.body, "betaAppReviewSubmissions", relationships=("build",))
    pointer = "/data/relationships/build"
    build = _related_build(ctx, body.rel("build", "builds", required=True) or "", pointer)
    if build.beta_review_id is not None:
        raise conflict(
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            f"Build {build.id} has already been submitted for beta review "
            f"(betaAppReviewSubmission {build.beta_review_id})",
            pointer,
        )
    problem = build_problem(build)
    if problem:
        raise unprocessable("ENTITY_ERROR.RELATIONSHIP.INVALID", problem, pointer)
    gaps = missing_test_info(ctx.store, build.app_id)
    if gaps:
        gaps[0].also = tuple(gaps[1:])
        raise gaps[0]
    for other in ctx.store.builds_by_app.get(build.app_id, ()):
        review = ctx.store.beta_reviews.get(other.beta_review_id or "")
        if other.platform == build.platform and not other.expired and review and review.state in BETA_REVIEW_PENDING:
            raise unprocessable(
                "ENTITY_ERROR.RELATIONSHIP.INVALID",
                f"Another build ({other.id}) is already in beta review; expire it first",
                pointer,
            )
    review = submit_beta_review(ctx.store, build, ctx.now, ctx.beta_review_time)
    return ctx.single(review, 201)


# betaGroups
def list_groups(ctx: Ctx) -> web.Response:
    q, s = ctx.query, ctx.store
    if "app" in q.filters:
        groups = [g for a in dict.fromkeys(q.filters["app"]) for g in s.groups_by_app.get(a, ())]
    else:
        groups = list(s.groups.values())
    for name, value_of in (
        ("name", lambda g: g.name),
        ("id", lambda g: g.id),
        ("publicLink", public_link),
    ):
        wanted = q.one(name)
        if wanted is not None:
            groups = [g for g in groups if value_of(g) in wanted]
    for name, value_of in (
        ("isInternalGroup", lambda g: g.internal),
        ("publicLinkEnabled", lambda g: g.public_link_enabled),
        ("publicLinkLimitEnabled", lambda g: False),
    ):
        flags = q.booleans(name)
        if flags is not None:
            groups = [g for g in groups if value_of(g) in flags]
    builds = q.one("builds")
    if builds is not None:
        groups = [g for g in groups if g.build_ids & builds]
    return ctx.page(sort_records(groups, q.sort, _GROUP_SORT))


def _link(ctx: Ctx, build: Build, groups: list[BetaGroup], add: bool) -> web.Response:
    if add:
        problem = build_problem(build)
        if problem:
            raise unprocessable("ENTITY_ERROR.RELATIONSHIP.INVALID", problem, "/data")
    for group in groups:
        if add:
            group.build_ids.add(build.id)
            build.group_ids.add(group.id)
        else:
            group.build_ids.discard(build.id)
            build.group_ids.discard(group.id)
    return ctx.no_content()


def _groups_in_body(ctx: Ctx, build: Build) -> list[BetaGroup]:
    groups = []
    for i, group_id in enumerate(linkages(ctx.body, "betaGroups")):
        group = ctx.store.groups.get(group_id)
        if group is None or group.app_id != build.app_id:
            raise conflict(
                "ENTITY_ERROR.RELATIONSHIP.INVALID",
                f"There is no beta group with id '{group_id}'",
                f"/data/{i}/id",
            )
        groups.append(group)
    return groups


def _builds_in_body(ctx: Ctx, group: BetaGroup) -> list[Build]:
    builds = []
    for i, build_id in enumerate(linkages(ctx.body, "builds")):
        build = _related_build(ctx, build_id, f"/data/{i}/id")
        if build.app_id != group.app_id:
            raise conflict(
                "ENTITY_ERROR.RELATIONSHIP.INVALID", "The build belongs to another app", f"/data/{i}/id"
            )
        builds.append(build)
    return builds


def build_groups(ctx: Ctx, add: bool) -> web.Response:
    build = listed_build(ctx, ctx.id)
    return _link(ctx, build, _groups_in_body(ctx, build), add)


def group_builds(ctx: Ctx, add: bool) -> web.Response:
    group = lookup(ctx.store.groups, "betaGroups", ctx.id)
    builds = _builds_in_body(ctx, group)
    for build in builds:
        _link(ctx, build, [group], add)
    return ctx.no_content()


# betaBuildLocalizations
def list_beta_localizations(ctx: Ctx) -> web.Response:
    q, s = ctx.query, ctx.store
    if "build" in q.filters:
        locs = [
            loc for b in dict.fromkeys(q.filters["build"]) for loc in s.beta_localizations_by_build.get(b, ())
        ]
    else:
        locs = list(s.beta_localizations.values())
    locales = q.one("locale")
    if locales is not None:
        locs = [loc for loc in locs if loc.locale in locales]
    return ctx.page(locs)


def _whats_new(body: Body) -> str | None:
    text = body.attr("whatsNew", str)
    if text is not None and len(text) > WHATS_NEW_MAX:
        raise conflict(
            "ENTITY_ERROR.ATTRIBUTE.INVALID",
            f"'whatsNew' is longer than {WHATS_NEW_MAX} characters",
            "/data/attributes/whatsNew",
        )
    return text


def create_beta_localization(ctx: Ctx) -> web.Response:
    body = Body(
        ctx.body, "betaBuildLocalizations", attributes=("whatsNew", "locale"), relationships=("build",)
    )
    locale = body.attr("locale", str, required=True)
    whats_new = _whats_new(body)
    build = _related_build(ctx, body.rel("build", "builds", required=True) or "", "/data/relationships/build")
    if not _LOCALE.match(locale):
        raise conflict(
            "ENTITY_ERROR.ATTRIBUTE.INVALID", f"'{locale}' is not a valid locale", "/data/attributes/locale"
        )
    if any(loc.locale == locale for loc in ctx.store.beta_localizations_by_build.get(build.id, ())):
        raise conflict(
            "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE",
            f"A betaBuildLocalization for locale '{locale}' already exists for this build",
            "/data/attributes/locale",
        )
    loc = BetaLocalization(ctx.store.new_id(), build.id, locale, whats_new)
    ctx.store.add_beta_localization(loc)
    return ctx.single(loc, 201)


def get_beta_localization(ctx: Ctx) -> web.Response:
    return ctx.single(lookup(ctx.store.beta_localizations, "betaBuildLocalizations", ctx.id))


def patch_beta_localization(ctx: Ctx) -> web.Response:
    loc = lookup(ctx.store.beta_localizations, "betaBuildLocalizations", ctx.id)
    body = Body(ctx.body, "betaBuildLocalizations", id_=loc.id, attributes=("whatsNew",))
    if body.has("whatsNew"):
        loc.whats_new = _whats_new(body)
    return ctx.single(loc)


def delete_beta_localization(ctx: Ctx) -> web.Response:
    loc = lookup(ctx.store.beta_localizations, "betaBuildLocalizations", ctx.id)
    ctx.store.remove_beta_localization(loc)
    return ctx.no_content()


ROUTES: list[Route] = [
    ("GET", "/v1/betaAppReviewSubmissions", list_beta_reviews),
    ("POST", "/v1/betaAppReviewSubmissions", create_beta_review),
    ("GET", "/v1/betaAppReviewSubmissions/{id}", get_beta_review),
    ("GET", "/v1/betaGroups", list_groups),
    ("POST", "/v1/builds/{id}/relationships/betaGroups", lambda ctx: build_groups(ctx, add=True)),
    ("DELETE", "/v1/builds/{id}/relationships/betaGroups", lambda ctx: build_groups(ctx, add=False)),
    ("POST", "/v1/betaGroups/{id}/relationships/builds", lambda ctx: group_builds(ctx, add=True)),
    ("DELETE", "/v1/betaGroups/{id}/relationships/builds", lambda ctx: group_builds(ctx, add=False)),
    ("GET", "/v1/betaBuildLocalizations", list_beta_localizations),
    ("POST", "/v1/betaBuildLocalizations", create_beta_localization),
    ("GET", "/v1/betaBuildLocalizations/{id}", get_beta_localization),
    ("PATCH", "/v1/betaBuildLocalizations/{id}", patch_beta_localization),
    ("DELETE", "/v1/betaBuildLocalizations/{id}", delete_beta_localization),
]
