"""Routes for an app's TestFlight test information: beta app localizations and the beta review detail.

TestFlight beta review refuses a build while this is incomplete. Apple's answer, as fastlane users
quote it (fastlane/fastlane#28630, keymanapp/keyman#12672): title "Beta App Description is missing.",
detail "Beta App Description is required to submit a build for external testing." The status and
code are not in those quotes; the simulator answers 422 ENTITY_UNPROCESSABLE, one error per gap.
"""

from __future__ import annotations

from aiohttp import web

from bot.sandbox.asc.context import Ctx, Route, lookup
from bot.sandbox.asc.errors import ApiError
from bot.sandbox.asc.records import BetaAppLocalization, BetaReviewDetail
from bot.sandbox.asc.store import Store

# (attribute, what Apple calls it in the error) — the review contact App Store Connect requires.
CONTACT = (
    ("contactFirstName", "contact_first_name", "Beta App Review contact first name"),
    ("contactLastName", "contact_last_name", "Beta App Review contact last name"),
    ("contactPhone", "contact_phone", "Beta App Review contact phone"),
    ("contactEmail", "contact_email", "Beta App Review contact email"),
)


def _missing(name: str) -> ApiError:
    return ApiError(
        422,
        "ENTITY_UNPROCESSABLE",
        f"{name} is required to submit a build for external testing.",
        title=f"{name} is missing.",
    )


def missing_test_info(store: Store, app_id: str) -> list[ApiError]:
    """What TestFlight beta review would refuse the app's build for (empty: complete)."""
    problems = []
    locs = store.beta_app_localizations_by_app.get(app_id, [])
    if not locs or any(not loc.description for loc in locs):
        problems.append(_missing("Beta App Description"))
    if not locs or any(not loc.feedback_email for loc in locs):
        problems.append(_missing("Feedback Email"))
    detail = store.beta_review_details.get(app_id) or BetaReviewDetail(app_id)
    problems += [_missing(name) for _, field, name in CONTACT if not getattr(detail, field)]
    if detail.demo_account_required and not (detail.demo_account_name and detail.demo_account_password):
        problems.append(_missing("Beta App Review demo account"))
    return problems


def add_test_info(store: Store, app_id: str, locale: str, complete: bool) -> None:
    """Give a new app its test information: filled in (as a set-up app has it) or left empty."""
    loc = BetaAppLocalization(store.new_id(), app_id, locale)
    detail = BetaReviewDetail(app_id)
    if complete:
        loc.description, loc.feedback_email = "An app for trying asc-bot.", "beta@example.com"
        detail.contact_first_name, detail.contact_last_name = "Ada", "Lovelace"
        detail.contact_phone, detail.contact_email = "+44 20 7946 0000", "review@example.com"
    store.beta_app_localizations[loc.id] = loc
    store.beta_app_localizations_by_app.setdefault(app_id, []).append(loc)
    store.beta_review_details[app_id] = detail


def list_localizations(ctx: Ctx) -> web.Response:
    app = lookup(ctx.store.apps, "apps", ctx.id)
    return ctx.page(ctx.store.beta_app_localizations_by_app.get(app.id, []))


def get_review_detail(ctx: Ctx) -> web.Response:
    app = lookup(ctx.store.apps, "apps", ctx.id)
    detail = ctx.store.beta_review_details.setdefault(app.id, BetaReviewDetail(app.id))
    return ctx.single(detail)


ROUTES: list[Route] = [
    ("GET", "/v1/apps/{id}/betaAppLocalizations", list_localizations),
    ("GET", "/v1/apps/{id}/betaAppReviewDetail", get_review_detail),
]
