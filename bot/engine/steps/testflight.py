"""TestFlight steps: expire the build in review, What to Test, export compliance, beta review, groups."""

from __future__ import annotations

import logging

from bot.appstore.errors import AscConflict, AscUnprocessable
from bot.appstore.models import BetaGroup, BetaReviewSubmission, Build
from bot.appstore.states import BETA_PROCESSING
from bot.engine import preflight
from bot.engine.install import link_records
from bot.engine.names import NameMatch, match_names
from bot.engine.steps.base import (
    ActionContext,
    Outcome,
    beta_states,
    compliance_gate,
    failed,
    succeeded,
    wait,
)

log = logging.getLogger(__name__)


async def _expire_others(ctx: ActionContext) -> str:
    """Expire the app's other builds waiting for or in beta review; say which ("" for none)."""
    pub = ctx.publication
    in_review = await ctx.client.builds_in_beta_review(ctx.app_id, pub.platform)
    builds = [b for b in in_review if b.id != ctx.build_id]
    for build in builds:
        await ctx.client.expire_build(build.id)
    return ", ".join(f"{b.marketing_version or '?'} ({b.version})" for b in builds)


async def expire_build_submitted_for_review(ctx: ActionContext) -> Outcome:
    """Expire the app's other builds waiting for or in beta review, so this one can be submitted."""
    names = await _expire_others(ctx)
    if not names:
        return succeeded("No other build was waiting for TestFlight beta review.")
    return succeeded(f"⌛ Expired the build(s) that were in beta review: {names}.")


async def what_to_test(ctx: ActionContext) -> Outcome:
    """Write What to Test per locale, updating the localization App Store Connect made by itself."""
    notes = ctx.action.params.get("notes") or ctx.publication.release_notes
    if not notes:
        return Outcome("skipped", "No What to Test text was given.")
    for note in notes:
        await ctx.client.upsert_beta_build_localization(ctx.build_id, note["language"], note["text"])
    locales = ", ".join(n["language"] for n in notes)
    return succeeded(f"📝 What to Test set for {locales}.", {"locales": [n["language"] for n in notes]})


async def export_compliance(ctx: ActionContext) -> Outcome:
    value = ctx.option("uses_non_exempt_encryption")
    if not isinstance(value, bool):
        return failed("Export compliance needs a yes or no answer.")
    build = await ctx.client.get_build(ctx.build_id)
    if build.uses_non_exempt_encryption is value:
        return Outcome("skipped", "Export compliance was already answered that way.", {"value": value})
    await ctx.client.set_uses_non_exempt_encryption(ctx.build_id, value)
    said = "uses" if value else "does not use"
    return succeeded(
        f"🔐 Export compliance answered: the app {said} non-exempt encryption.", {"value": value}
    )


async def change_export_compliance(ctx: ActionContext) -> Outcome:
    """An approver's new answer for a build already answered: one PATCH, and Apple's word on it."""
    value = ctx.option("uses_non_exempt_encryption")
    if not isinstance(value, bool):
        return failed("Export compliance needs a yes or no answer.")
    build = await ctx.client.get_build(ctx.build_id)
    before = build.uses_non_exempt_encryption
    if before is value:
        return Outcome("skipped", "Export compliance was already answered that way.", {"value": value})
    said = "uses" if value else "does not use"
    try:
        await ctx.client.set_uses_non_exempt_encryption(ctx.build_id, value)
    except AscConflict as exc:
        if before is None:
            raise
        # Apple sets the answer once per build; say what stands and the way out.
        kept = "uses" if before else "does not use"
        return Outcome(
            "failed",
            f"⚠️ {{actor}} asked to change the export compliance answer to: the app {said} non-exempt "
            f"encryption, and App Store Connect refused (“{exc.detail or exc.user_message}”): it takes "
            f"one answer per build. This build keeps its answer (the app {kept} non-exempt encryption). "
            "To ship the other answer, upload a new build with it (ITSAppUsesNonExemptEncryption in "
            "Info.plist, or uses_non_exempt_encryption in the webhook) and expire this one in TestFlight.",
            {"value": value, "kept": before, "set_once": True, "code": exc.code},
            announce="broadcast",
            actor=ctx.action.requested_by,
        )
    return Outcome(
        "succeeded",
        f"🔐 {{actor}} changed the export compliance answer: the app {said} non-exempt encryption.",
        {"value": value, "was": before},
        actor=ctx.action.requested_by,
    )


async def _prepare_submission(ctx: ActionContext, build: Build | None = None) -> Outcome | None:
    """What must hold right before a beta review submission; None when it may go ahead."""
    build = build or await ctx.client.get_build(ctx.build_id)
    gate = await compliance_gate(ctx, build)
    asked = gate is not None and gate.question is not None
    gaps = await preflight.beta_review_gaps(ctx.client, ctx.app_id, build, asked=asked)
    if gaps and (len(gaps) > 1 or not asked):  # the compliance question alone needs no checklist
        return preflight.blocked(
            ctx.action.kind, preflight.BETA_REVIEW, gaps, gate.question if gate else None
        )
    if gate is not None:
        return gate
    if BETA_PROCESSING in beta_states(build):
        return wait("TestFlight is still processing the build's beta details.")
    whats_new = ctx.action.params.get("whats_new")
    if whats_new:
        app = await ctx.client.get_app(ctx.app_id)
        await ctx.client.upsert_beta_build_localization(
            ctx.build_id, app.primary_locale or "en-US", whats_new
        )
    if ctx.publication.options.get("expire_build_submitted_for_review"):
        # Right before submitting, not as an earlier step: another build may have entered review since.
        names = await _expire_others(ctx)
        if names:
            log.info("publication %s: expired %s to submit this build", ctx.publication.id, names)
    return None


async def ensure_beta_review(
    ctx: ActionContext, build: Build | None = None
) -> Outcome | tuple[BetaReviewSubmission, bool]:
    """The build's beta review submission, made now if there is none: (submission, made now), or
    an Outcome saying why it cannot be made yet. Reads App Store Connect first, so never twice."""
    existing = await ctx.client.find_beta_review_submission(ctx.build_id)
    if existing is not None:
        return existing, False
    blocked = await _prepare_submission(ctx, build)
    if blocked is not None:
        return blocked
    try:
        return await ctx.client.submit_for_beta_review(ctx.build_id, looked=True), True
    except (AscConflict, AscUnprocessable):
        # The checklist may have gone by test information read with the app minutes ago: when Apple
        # refuses, read it again now, and name what is missing instead of failing.
        build = build or await ctx.client.get_build(ctx.build_id)
        gaps = await preflight.beta_review_gaps(ctx.client, ctx.app_id, build, asked=False, fresh=True)
        if gaps:
            return preflight.blocked(ctx.action.kind, preflight.BETA_REVIEW, gaps)
        raise


async def submit_to_testflight(ctx: ActionContext) -> Outcome:
    """Submit for TestFlight beta review; checks App Store Connect first so a retry never submits twice."""
    ensured = await ensure_beta_review(ctx)
    if isinstance(ensured, Outcome):
        return ensured
    submission, made = ensured
    text = (
        "🚀 Submitted to TestFlight beta review" if made else "🚀 Already submitted to TestFlight beta review"
    )
    state = submission.beta_review_state or "WAITING_FOR_REVIEW"
    return succeeded(
        f"{text} (state {state}).", {"submission_id": submission.id, "state": state}, beta_review_state=state
    )


def _kind(group: BetaGroup) -> str:
    return f"{group.name} ({'internal' if group.is_internal else 'external'})"


async def beta_groups(ctx: ActionContext) -> Outcome:
    """Add the build to groups by name; external groups also need (and get) a beta review submission."""
    names = [n for n in ctx.option("groups", ctx.publication.options.get("beta_groups")) or [] if n.strip()]
    if not names:
        return Outcome("skipped", "No beta groups were named.")
    # The app's groups as read in the last minutes; a name not among them, or a group gone since,
    # means reading them again before saying anything.
    groups = await ctx.client.list_beta_groups(ctx.app_id, fresh=False)
    matched = match_names(names, groups)
    if matched.unknown or matched.ambiguous:
        groups = await ctx.client.list_beta_groups(ctx.app_id)
        matched = match_names(names, groups)
    if matched.unknown or matched.ambiguous:
        return _unmatched(matched, groups)
    wanted = list({g.id: g for _, g in matched.found}.values())
    build = await ctx.client.get_build(ctx.build_id)
    gate = await compliance_gate(ctx, build)
    if gate is not None:
        return gate
    missing = wanted
    if ctx.action.attempts > 1:  # resumed or retried: an earlier attempt may have added some already
        current = {g.id for g in await ctx.client.beta_groups_of_build(ctx.app_id, ctx.build_id)}
        missing = [g for g in wanted if g.id not in current]
    else:  # first attempt of a build just processed: it is in no group this step asked for
        ctx.client.saved("groups the build is in (first attempt; adding is idempotent anyway)")
    try:
        if missing:
            await ctx.client.add_build_to_beta_groups(ctx.build_id, [g.id for g in missing])
    except AscConflict:
        fresh = {g.id for g in await ctx.client.list_beta_groups(ctx.app_id)}
        if all(g.id in fresh for g in wanted):
            raise
        return wait("A beta group changed in App Store Connect meanwhile; matching the names again.")
    external = [g for g in wanted if not g.is_internal]
    fields = {}
    note = ""
    if external:
        # External testers only get a build that passed beta review; internal groups never need one.
        ensured = await ensure_beta_review(ctx, build)
        if isinstance(ensured, Outcome):
            return ensured
        submission, made = ensured
        note = " Submitted it to TestFlight beta review for the external group(s)." if made else ""
        fields["beta_review_state"] = submission.beta_review_state or "WAITING_FOR_REVIEW"
    listed = ", ".join(_kind(g) for g in wanted)
    # A name typed with other quotes or case is told back exactly as App Store Connect spells it.
    told = "; ".join(f"“{typed}” is the group “{exact}”" for typed, exact in matched.differences())
    note += f" ({told}.)" if told else ""
    result = {"groups": [g.id for g in wanted], "links": link_records(wanted)}
    return succeeded(f"👥 Added to beta groups: {listed}.{note}", result, **fields)


def _unmatched(matched: NameMatch[BetaGroup], groups: list[BetaGroup]) -> Outcome:
    known = ", ".join(_kind(g) for g in groups) or "none"
    problems = []
    if matched.unknown:
        problems.append(f"Unknown beta group(s): {', '.join(matched.unknown)}.")
    for typed, names in matched.ambiguous.items():
        problems.append(f"“{typed}” could be any of {', '.join(names)}: name it exactly.")
    return failed(
        f"{' '.join(problems)} This app's groups: {known}.",
        {"unknown": matched.unknown, "ambiguous": matched.ambiguous},
    )
