"""App Store steps: the version and its release settings, the review submission, release controls."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, TypedDict, Unpack

from bot.appstore.errors import AscConflict, AscError
from bot.appstore.models import AppStoreVersion, PhasedRelease
from bot.appstore.states import APP_VERSION_STATES, SUBMISSION_IN_REVIEW, VERSION_EDITABLE, VERSION_SUBMITTED
from bot.appstore.versions import pick_editable
from bot.engine import preflight
from bot.engine.steps.base import ActionContext, Outcome, failed, succeeded, wait
from bot.publishing_options import parse_release_date

# The submitted states a filter can ask for (Apple's enum; READY_FOR_SALE is only ever reported).
LISTED_SUBMITTED = tuple(s for s in APP_VERSION_STATES if s in VERSION_SUBMITTED and s not in VERSION_EDITABLE)


class VersionSettings(TypedDict, total=False):
    """The release settings a step asks of the App Store version (see `_editable_version`)."""

    release_type: str
    copyright: str
    earliest_release_date: datetime | None


def version_fields(version: AppStoreVersion) -> dict[str, Any]:
    """What the publication records about its App Store version."""
    return {
        "version_id": version.id,
        "version_state": version.app_version_state,
        "release_type": version.release_type,
        "earliest_release_date": version.earliest_release_date.isoformat()
        if version.earliest_release_date
        else None,
        "phased_state": version.phased_release.state if version.phased_release else None,
        "phased_day": version.phased_release.current_day_number if version.phased_release else None,
    }


def _release_date(ctx: ActionContext) -> datetime | str | None:
    raw = ctx.option("earliest_release_date")
    if raw is None:
        return None
    when = parse_release_date(raw, ctx.now)
    return when


async def _editable_version(
    ctx: ActionContext, listed: list[AppStoreVersion] | None = None, **settings: Unpack[VersionSettings]
) -> tuple[AppStoreVersion, AppStoreVersion | None]:
    """Reuse an editable version (renamed to this version string) or create it, with the build
    attached: (the version, as it was read before; None when it was created just now). `listed`:
    the app's versions read moments ago (with their phased releases), so they are not read again."""
    pub = ctx.publication
    if listed is None:
        version = await ctx.client.find_editable_app_store_version(ctx.app_id, pub.platform, pub.version)
    else:
        version = pick_editable(listed, pub.version)
    if version is None:
        created = await ctx.client.create_app_store_version(
            ctx.app_id, pub.platform, pub.version, build_id=ctx.build_id, **settings
        )
        return created, None
    # Only what differs from what Apple has: a retry after a crash must not write the same again
    # (each repeated PATCH is one more write that can fail before the step gets any further).
    current = {
        "release_type": version.release_type,
        "copyright": version.copyright,
        "earliest_release_date": version.earliest_release_date,
    }
    changes = {name: value for name, value in settings.items() if current.get(name, object()) != value}
    if not changes and version.version_string == pub.version and version.build_id == ctx.build_id:
        # Already so: the read just made (with build and phased release, as one version's read) says it.
        ctx.client.saved("version read again when nothing needs writing (the versions read says)")
        return version, version
    return await ctx.client.update_app_store_version(
        version.id,
        version_string=pub.version if version.version_string != pub.version else None,
        build_id=ctx.build_id if version.build_id != ctx.build_id else None,
        **changes,  # type: ignore[arg-type]
    ), version


async def submit_to_app_store(ctx: ActionContext) -> Outcome:
    """Submit for App Store review: version, build, copyright, release type and date, phased release,
    What's New, cancel earlier submissions, then the review submission. Each part checks first."""
    pub = ctx.publication
    release_type = ctx.option("release_type") or "AFTER_APPROVAL"
    when = _release_date(ctx)
    if isinstance(when, str):
        return failed(f"Not submitted: the earliest release date {when}.")
    if release_type == "SCHEDULED" and when is None:
        return failed("Not submitted: a SCHEDULED release needs an earliest release date.")
    # One read answers both "already ours in review?" (a retry after a crash, a second click) and
    # "which version can take this build?".
    listed = await ctx.client.list_app_store_versions(
        ctx.app_id, pub.platform, states=(*VERSION_EDITABLE, *LISTED_SUBMITTED), localizations=True
    )
    ctx.client.saved("second versions read (one read with both state sets)")
    mine = [
        v
        for v in listed
        if v.version_string == pub.version and v.build_id == ctx.build_id and v.app_version_state in VERSION_SUBMITTED
    ]
    if mine:
        return succeeded(
            f"📮 Already submitted for App Store review (state {mine[0].app_version_state}).",
            {"version_id": mine[0].id},
            **version_fields(mine[0]),
        )
    if ctx.option("cancel_previous_submissions", False):
        pending = await _cancel_previous(ctx)
        if pending is not None:
            return pending
    # Cancelling changed versions' states: then they are read again.
    fresh = None if ctx.option("cancel_previous_submissions", False) else listed
    settings: VersionSettings = {"release_type": release_type}
    if ctx.option("copyright"):
        settings["copyright"] = ctx.option("copyright")
    if release_type == "SCHEDULED":
        settings["earliest_release_date"] = when
    version, before = await _editable_version(ctx, fresh, **settings)
    if release_type != "SCHEDULED" and version.earliest_release_date is not None:
        version = await ctx.client.update_app_store_version(version.id, earliest_release_date=None)
    # A version created just now has no phased release; a listed one came with its own.
    known = before is None or listed is not None
    notes = await _phased_and_notes(ctx, version, known, before.phased_release if before else None)
    gaps = await preflight.app_store_gaps(
        ctx.client, ctx.app_id, version, await ctx.client.get_build(ctx.build_id)
    )
    if gaps:
        return preflight.blocked(ctx.action.kind, preflight.APP_STORE_REVIEW, gaps)
    submission = await ctx.client.create_review_submission(ctx.app_id, pub.platform)
    try:
        try:
            await ctx.client.add_review_submission_item(submission.id, version.id, empty=submission.created)
        except AscConflict as exc:
            # "already added to another reviewSubmission with id …": finish that one instead.
            blocking = exc.open_submission_id
            if not blocking or blocking == submission.id:
                raise
            submission = await ctx.client.get_review_submission(blocking)
        submitted = await ctx.client.submit_review_submission(submission.id)
    except AscConflict as exc:
        await _name_what_is_missing(ctx, exc, version)
        raise
    if submitted.state == "WAITING_FOR_REVIEW":  # the answer says it: the version waits for review too
        version = dataclasses.replace(version, app_version_state="WAITING_FOR_REVIEW")
        ctx.client.saved("version re-read after submitting (the submission's answer says)")
    else:
        version = await ctx.client.get_app_store_version(version.id)
    details = [f"release {release_type.replace('_', ' ').lower()}"]
    if when is not None:
        details.append(f"not before {when:%Y-%m-%d %H:%M} UTC")
    if ctx.option("copyright"):
        details.append(f"© {ctx.option('copyright')}")
    details += notes
    return succeeded(
        f"📮 Submitted {pub.version} ({pub.build_number}) for App Store review: {', '.join(details)}.",
        {"version_id": version.id, "submission_id": submission.id},
        **version_fields(version),
    )


async def _name_what_is_missing(ctx: ActionContext, exc: AscConflict, version: AppStoreVersion) -> None:
    """Apple names what blocks review by resource path only; give the thread the version and locales."""
    exc.context = f"App Store version {version.version_string}"
    exc.labels[f"/v1/appStoreVersions/{version.id}"] = f"App Store version {version.version_string}"
    if not any("appStoreVersionLocalizations" in path for path in exc.missing_fields):
        return
    try:
        localizations = await ctx.client.list_version_localizations(version.id)
    except AscError:
        return  # the refusal itself is what the thread must hear; locale names are a nicety
    for loc in localizations:
        exc.labels[f"/v1/appStoreVersionLocalizations/{loc.id}"] = loc.locale


async def _cancel_previous(ctx: ActionContext) -> Outcome | None:
    """Cancel other open review submissions and wait until none is still cancelling."""
    pub = ctx.publication
    cancelled = 0
    for submission in await ctx.client.list_review_submissions(ctx.app_id, pub.platform, SUBMISSION_IN_REVIEW):
        await ctx.client.cancel_review_submission(submission.id)
        cancelled += 1
    if await ctx.client.list_review_submissions(ctx.app_id, pub.platform, ("CANCELING",)):
        return wait(f"Cancelled {cancelled} earlier submission(s); waiting for App Store Connect to finish.")
    return None


async def _phased_and_notes(
    ctx: ActionContext, version: AppStoreVersion, known: bool, existing: PhasedRelease | None
) -> list[str]:
    notes: list[str] = []
    phased = ctx.option("phased_release")
    if phased is True:
        await ctx.client.enable_phased_release(version.id, known=known, existing=existing)
        notes.append("phased release on")
    elif phased is False:
        existing = await ctx.client.get_phased_release(version.id)
        if existing is not None:
            await ctx.client.disable_phased_release(existing.id)
        notes.append("phased release off")
    whats_new = ctx.action.params.get("whats_new") or ctx.publication.release_notes
    for note in whats_new or []:
        try:
            await ctx.client.upsert_version_whats_new(version.id, note["language"], note["text"])
        except AscConflict:
            # An app's first version has no What's New; Apple refuses it, and that is not a failure.
            notes.append(f"no What's New for {note['language']} (not allowed on a first version)")
            break
    else:
        if whats_new:
            notes.append(f"What's New for {', '.join(n['language'] for n in whats_new)}")
    return notes


async def schedule_release(ctx: ActionContext) -> Outcome:
    """Set release type SCHEDULED with the earliest release date on this build's version."""
    when = _release_date(ctx)
    if when is None or isinstance(when, str):
        return failed(f"Not scheduled: the release date {when or 'is missing'}.")
    pub = ctx.publication
    if pub.version_id:
        version = await ctx.client.update_app_store_version(
            pub.version_id, release_type="SCHEDULED", earliest_release_date=when
        )
    else:
        version, _ = await _editable_version(ctx, release_type="SCHEDULED", earliest_release_date=when)
    submitted = version.app_version_state in VERSION_SUBMITTED
    tail = "" if submitted else " It goes to review when someone presses Submit for review."
    return succeeded(
        f"🗓️ Release scheduled for {when:%Y-%m-%d %H:%M} UTC at the earliest.{tail}",
        {"version_id": version.id},
        **version_fields(version),
    )


async def release_now(ctx: ActionContext) -> Outcome:
    version_id = ctx.publication.version_id
    if not version_id:
        return failed("There is no App Store version to release yet; submit it for review first.")
    version = await ctx.client.get_app_store_version(version_id)
    if version.app_version_state in ("PROCESSING_FOR_DISTRIBUTION", "READY_FOR_DISTRIBUTION"):
        return succeeded("Already released.", **version_fields(version))
    if version.app_version_state != "PENDING_DEVELOPER_RELEASE":
        return failed(
            f"Cannot release yet: the version is {version.app_version_state}; Release now works once "
            "Apple has approved it and it waits for you (Pending Developer Release)."
        )
    version = await ctx.client.request_release(version_id)
    return succeeded("🎉 Released to the App Store.", **version_fields(version))


PHASED = {
    "phased_pause": ("PAUSED", "⏸️ Phased release paused."),
    "phased_resume": ("ACTIVE", "▶️ Phased release resumed."),
    "phased_complete": ("COMPLETE", "🌍 Released to all users."),
}


async def phased(ctx: ActionContext) -> Outcome:
    target, text = PHASED[ctx.action.kind]
    version_id = ctx.publication.version_id
    phased_release = await ctx.client.get_phased_release(version_id) if version_id else None
    if phased_release is None:
        return failed("This version has no phased release.")
    if phased_release.state == target:
        return Outcome(
            "skipped", f"The phased release is already {target.lower()}.", fields={"phased_state": target}
        )
    if phased_release.state == "COMPLETE":
        return failed("The phased release is already complete.")
    updated = await ctx.client.set_phased_release_state(phased_release.id, target)
    return succeeded(text, phased_state=updated.state or target)
