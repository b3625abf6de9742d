"""TestFlight feedback: testers' screenshot and crash submissions, their lists per app, and crash logs.

A submission is announced with the BETA_FEEDBACK_*_SUBMISSION_CREATED webhook the moment it arrives,
as App Store Connect does; the list endpoints are what a client polls as a safety net.
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from bot.sandbox.asc.context import Ctx, Route, lookup
from bot.sandbox.asc.errors import not_found
from bot.sandbox.asc.records import CrashFeedback, CrashLog, Feedback, ScreenshotFeedback
from bot.sandbox.asc.sorting import sort_records
from bot.sandbox.asc.store import Event, Store

SCREENSHOT_EVENT = "BETA_FEEDBACK_SCREENSHOT_SUBMISSION_CREATED"
CRASH_EVENT = "BETA_FEEDBACK_CRASH_SUBMISSION_CREATED"
_TYPES = {
    ScreenshotFeedback: "betaFeedbackScreenshotSubmissions",
    CrashFeedback: "betaFeedbackCrashSubmissions",
}


def submit(store: Store, feedback: Feedback, at: datetime) -> None:
    """Store a tester's submission and announce it (the webhook sender listens)."""
    store.feedback[feedback.id] = feedback
    event = SCREENSHOT_EVENT if isinstance(feedback, ScreenshotFeedback) else CRASH_EVENT
    store.emit(Event(event, feedback.app_id, _TYPES[type(feedback)], feedback.id, {}, at))


def _listing(kind: type[Feedback]) -> Route:
    def handler(ctx: Ctx) -> web.Response:
        app = lookup(ctx.store.apps, "apps", ctx.id)
        q, s = ctx.query, ctx.store
        checks = []
        for name, value_of in (
            ("build", lambda f: f.build_id),
            ("deviceModel", lambda f: f.device_model),
            ("osVersion", lambda f: f.os_version),
            ("appPlatform", lambda f: f.platform),
            ("devicePlatform", lambda f: f.platform),
            ("build.preReleaseVersion", lambda f: s.builds[f.build_id].pre_release_id),
            ("tester", lambda f: None),
        ):
            wanted = q.one(name)
            if wanted is not None:
                checks.append(lambda f, w=wanted, v=value_of: v(f) in w)
        found = [
            f
            for f in s.feedback.values()
            if type(f) is kind and f.app_id == app.id and all(check(f) for check in checks)
        ]
        return ctx.page(sort_records(found, q.sort, {"createdDate": lambda f: f.created_at}))

    return ("GET", f"/v1/apps/{{id}}/{_TYPES[kind]}", handler)


def _single(kind: type[Feedback]) -> Route:
    def handler(ctx: Ctx) -> web.Response:
        found = ctx.store.feedback.get(ctx.id)
        if type(found) is not kind:
            raise not_found(_TYPES[kind], ctx.id)
        return ctx.single(found)

    return ("GET", f"/v1/{_TYPES[kind]}/{{id}}", handler)


def get_crash_log(ctx: Ctx) -> web.Response:
    found = ctx.store.feedback.get(ctx.id)
    if not isinstance(found, CrashFeedback):
        raise not_found("betaFeedbackCrashSubmissions", ctx.id)
    return ctx.single(CrashLog(found.log_id, found.log_text))


ROUTES: list[Route] = [
    _listing(ScreenshotFeedback),
    _listing(CrashFeedback),
    _single(ScreenshotFeedback),
    _single(CrashFeedback),
    ("GET", "/v1/betaFeedbackCrashSubmissions/{id}/crashLog", get_crash_log),
]
