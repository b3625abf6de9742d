"""Routes for apps: `GET /v1/apps` (find by bundle id) and `GET /v1/apps/{id}`."""

from __future__ import annotations

from aiohttp import web

from bot.sandbox.asc.context import Ctx, Route, lookup
from bot.sandbox.asc.records import App
from bot.sandbox.asc.release_flow import app_store_state
from bot.sandbox.asc.sorting import sort_records

_SORT_KEYS = {"name": lambda a: a.name, "bundleId": lambda a: a.bundle_id, "sku": lambda a: a.sku}


def _matches(ctx: Ctx, app: App) -> bool:
    q, s = ctx.query, ctx.store
    bundle_ids = q.one("bundleId")
    # Apple's bundleId filter is not exact: com.example.app also finds com.example.app.widget.
    if bundle_ids is not None and not any(b in app.bundle_id for b in bundle_ids):
        return False
    for name, value in (("name", app.name), ("sku", app.sku), ("id", app.id)):
        wanted = q.one(name)
        if wanted is not None and value not in wanted:
            return False
    version_filters = {
        k: q.one(f"appStoreVersions.{k}") for k in ("platform", "appVersionState", "appStoreState")
    }
    version_ids = q.one("appStoreVersions")
    if (any(v is not None for v in version_filters.values()) or version_ids is not None) and not any(
        (version_filters["platform"] is None or v.platform in version_filters["platform"])
        and (version_filters["appVersionState"] is None or v.state in version_filters["appVersionState"])
        and (
            version_filters["appStoreState"] is None or app_store_state(v) in version_filters["appStoreState"]
        )
        and (version_ids is None or v.id in version_ids)
        for v in s.versions_by_app.get(app.id, ())
    ):
        return False
    sub_states, sub_platforms = q.one("reviewSubmissions.state"), q.one("reviewSubmissions.platform")
    if sub_states is None and sub_platforms is None:
        return True
    return any(
        (sub_states is None or r.state in sub_states)
        and (sub_platforms is None or r.platform in sub_platforms)
        for r in s.submissions_by_app.get(app.id, ())
    )


def list_apps(ctx: Ctx) -> web.Response:
    apps = [a for a in ctx.store.apps.values() if _matches(ctx, a)]
    if "bundleId" in ctx.query.filters and not ctx.query.sort:
        # Apple documents no order for look-alikes (and the filter is not exact, see _matches): the
        # simulator lists the longest bundle ids first, so the exact match comes last, maybe on a later
        # page, and a client that takes the first answer or reads one page is caught.
        apps.sort(key=lambda a: (-len(a.bundle_id), a.bundle_id))
    else:
        apps.sort(key=lambda a: a.bundle_id)
    return ctx.page(sort_records(apps, ctx.query.sort, _SORT_KEYS))


def get_app(ctx: Ctx) -> web.Response:
    return ctx.single(lookup(ctx.store.apps, "apps", ctx.id))


ROUTES: list[Route] = [
    ("GET", "/v1/apps", list_apps),
    ("GET", "/v1/apps/{id}", get_app),
]
