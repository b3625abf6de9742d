"""Routes for App Store review: review submissions (one open per app and platform) and their items."""

from __future__ import annotations

from aiohttp import web

from bot.appstore.states import SUBMISSION_IN_REVIEW
from bot.sandbox.asc.body import Body, related
from bot.sandbox.asc.context import Ctx, Route, lookup
from bot.sandbox.asc.errors import conflict
from bot.sandbox.asc.params import PLATFORMS
from bot.sandbox.asc.readiness import check_reviewable
from bot.sandbox.asc.records import ReviewItem, ReviewSubmission
from bot.sandbox.asc.release_flow import (
    EDITABLE_VERSION_STATES,
    OPEN_SUBMISSION_STATES,
    SUBMITTABLE_SUBMISSION_STATES,
    cancel,
    items_of,
    submit,
)
from bot.sandbox.asc.testflight import build_problem

# The spec lets an item point at many kinds of thing; the simulator only reviews App Store versions.
_ITEM_RELATIONSHIPS = (
    "reviewSubmission", "appStoreVersion", "appCustomProductPageVersion", "appStoreVersionExperiment",
    "appStoreVersionExperimentV2", "appEvent", "backgroundAssetVersion", "gameCenterAchievementVersion",
    "gameCenterActivityVersion", "gameCenterChallengeVersion", "gameCenterLeaderboardSetVersion",
    "gameCenterLeaderboardVersion", "inAppPurchaseVersion", "subscriptionVersion", "subscriptionGroupVersion",
)  # fmt: skip


def list_submissions(ctx: Ctx) -> web.Response:
    q = ctx.query
    subs = [s for a in dict.fromkeys(q.filters["app"]) for s in ctx.store.submissions_by_app.get(a, ())]
    platforms, states = q.one("platform"), q.one("state")
    subs = [
        s
        for s in subs
        if (platforms is None or s.platform in platforms) and (states is None or s.state in states)
    ]
    return ctx.page(subs)


def get_submission(ctx: Ctx) -> web.Response:
    return ctx.single(lookup(ctx.store.submissions, "reviewSubmissions", ctx.id))


def list_items(ctx: Ctx) -> web.Response:
    sub = lookup(ctx.store.submissions, "reviewSubmissions", ctx.id)
    return ctx.page(items_of(ctx.store, sub))


def create_submission(ctx: Ctx) -> web.Response:
    body = Body(ctx.body, "reviewSubmissions", attributes=("platform",), relationships=("app",))
    platform = body.attr("platform", str, enum=PLATFORMS, nullable=False) or "IOS"
    app_id = related(body, "app", "apps", ctx.store.apps, "app").id
    # A rejected submission (UNRESOLVED_ISSUES) does not stop a new one; its version stays in it, so
    # adding that version elsewhere is refused as "already added to another reviewSubmission".
    existing = next(
        (
            s
            for s in ctx.store.submissions_by_app.get(app_id, ())
            if s.platform == platform and s.state in OPEN_SUBMISSION_STATES and s.state != "UNRESOLVED_ISSUES"
        ),
        None,
    )
    if existing is not None:
        raise conflict(
            "ENTITY_ERROR.STATE_ERROR",
            f"There is another reviewSubmissions with id {existing.id} still in progress",
            "/data/relationships/app",
        )
    sub = ReviewSubmission(ctx.store.new_id(), app_id, platform, ctx.now)
    ctx.store.submissions[sub.id] = sub
    ctx.store.submissions_by_app.setdefault(app_id, []).append(sub)
    return ctx.single(sub, 201)


def create_item(ctx: Ctx) -> web.Response:
    body = Body(ctx.body, "reviewSubmissionItems", relationships=_ITEM_RELATIONSHIPS)
    sub_pointer, version_pointer = (
        "/data/relationships/reviewSubmission",
        "/data/relationships/appStoreVersion",
    )
    sub_id = body.rel("reviewSubmission", "reviewSubmissions", required=True) or ""
    sub = ctx.store.submissions.get(sub_id)
    if sub is None:
        raise conflict(
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            f"There is no reviewSubmission with id '{sub_id}'",
            sub_pointer,
        )
    for name in _ITEM_RELATIONSHIPS[2:]:
        if name in body.relationships:
            raise conflict(
                "ENTITY_ERROR.RELATIONSHIP.INVALID",
                f"The simulator only reviews appStoreVersions, not '{name}'",
                f"/data/relationships/{name}",
            )
    version_id = body.rel("appStoreVersion", "appStoreVersions", required=True) or ""
    version = ctx.store.versions.get(version_id)
    if version is None or version.app_id != sub.app_id or version.platform != sub.platform:
        raise conflict(
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            f"There is no appStoreVersion with id '{version_id}' for this app and platform",
            version_pointer,
        )
    if sub.state not in SUBMITTABLE_SUBMISSION_STATES:
        raise conflict(
            "ENTITY_ERROR.STATE_ERROR",
            f"Items can not be added to a submission in the state {sub.state}",
            sub_pointer,
        )
    if any(item.version_id == version.id for item in items_of(ctx.store, sub)):
        raise conflict(
            "ENTITY_ERROR.RELATIONSHIP.INVALID.DUPLICATE",
            "The version is already in this submission",
            version_pointer,
        )
    if version.state not in EDITABLE_VERSION_STATES:
        raise conflict(
            "ENTITY_ERROR.STATE_ERROR",
            f"The appStoreVersion can not be submitted in the state {version.state}",
            version_pointer,
        )
    build = ctx.store.builds.get(version.build_id or "")
    problem = (
        "The appStoreVersion has no build; choose a build first" if build is None else build_problem(build)
    )
    if problem:
        raise conflict("ENTITY_ERROR.RELATIONSHIP.INVALID", problem, version_pointer)
    check_reviewable(ctx.store, version, sub)
    item = ReviewItem(ctx.store.new_id(), sub.id, version.id)
    ctx.store.items[item.id] = item
    sub.item_ids.append(item.id)
    return ctx.single(item, 201)


def patch_submission(ctx: Ctx) -> web.Response:
    sub = lookup(ctx.store.submissions, "reviewSubmissions", ctx.id)
    body = Body(ctx.body, "reviewSubmissions", id_=sub.id, attributes=("platform", "submitted", "canceled"))
    platform = body.attr("platform", str, enum=PLATFORMS)
    submitted = body.attr("submitted", bool)
    canceled = body.attr("canceled", bool)
    if submitted and canceled:
        raise conflict(
            "ENTITY_ERROR.ATTRIBUTE.INVALID", "Submit or cancel, not both", "/data/attributes/canceled"
        )
    if platform is not None and platform != sub.platform:
        if sub.item_ids:
            raise conflict(
                "ENTITY_ERROR.ATTRIBUTE.INVALID",
                "The platform can not change once items are added",
                "/data/attributes/platform",
            )
        sub.platform = platform
    if submitted:
        if sub.state not in SUBMITTABLE_SUBMISSION_STATES:
            raise conflict(
                "ENTITY_ERROR.STATE_ERROR",
                f"The submission can not be submitted in the state {sub.state}",
                "/data/attributes/submitted",
            )
        if not sub.item_ids:
            raise conflict(
                "ENTITY_ERROR.STATE_ERROR",
                "There are no items in the submission",
                "/data/attributes/submitted",
            )
        submit(ctx.store, sub, ctx.now, ctx.app_review_time)
    if canceled:
        if sub.state not in SUBMISSION_IN_REVIEW:
            raise conflict(
                "ENTITY_ERROR.STATE_ERROR",
                f"The submission can not be canceled in the state {sub.state}",
                "/data/attributes/canceled",
            )
        cancel(ctx.store, sub, ctx.now)
    return ctx.single(sub)


ROUTES: list[Route] = [
    ("GET", "/v1/reviewSubmissions", list_submissions),
    ("POST", "/v1/reviewSubmissions", create_submission),
    ("GET", "/v1/reviewSubmissions/{id}", get_submission),
    ("PATCH", "/v1/reviewSubmissions/{id}", patch_submission),
    ("GET", "/v1/reviewSubmissions/{id}/items", list_items),
    ("POST", "/v1/reviewSubmissionItems", create_item),
]
