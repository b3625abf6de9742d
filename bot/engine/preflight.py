"""The pre-flight checklist: what App Store Connect would refuse a submission for, read before submitting.

TestFlight beta review wants the app's test information (a description and a feedback e-mail per
locale, a review contact, a demo account when sign-in is required) and the build's export compliance;
App Store review wants the version's store text per locale (description, keywords, support URL,
What's New for an update), a copyright and the build's export compliance. Apple answers 409/422 (or,
for beta review, sometimes a bare 500) when any is missing; this names each gap and where to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.appstore.client import AppStoreConnect
from bot.appstore.models import AppStoreVersion, Build
from bot.appstore.states import VERSION_ON_STORE
from bot.appstore.testinfo import BetaTestInfo
from bot.engine.steps.base import Outcome

CHECKLIST = "preflight_checklist"  # the thread reply listing the gaps (with a Check again button)
CHECK_AGAIN = "preflight_check_again"  # someone asked to check again (audit; the step re-runs)
RECHECK_AFTER = 900.0  # seconds: a blocked step looks again by itself this often (Check again: at once)
BETA_REVIEW = "TestFlight beta review"
APP_STORE_REVIEW = "App Store review"
CHECKED = ("submit_to_testflight", "beta_groups", "submit_to_app_store")  # the steps that run the checklist first

_TEST_INFO = "App Store Connect → the app → TestFlight → Test Information"
_CONTACT = (
    ("contact_first_name", "Beta App Review contact: first name"),
    ("contact_last_name", "Beta App Review contact: last name"),
    ("contact_phone", "Beta App Review contact: phone number"),
    ("contact_email", "Beta App Review contact: email"),
)
_STORE_TEXT = (
    ("description", "Description"),
    ("keywords", "Keywords"),
    ("supportUrl", "Support URL"),
    ("whatsNew", "What's New in This Version"),
)


@dataclass(frozen=True)
class Gap:
    """One thing App Store Connect still needs: what it is and where to fill it in."""

    what: str
    fix: str

    def to_dict(self) -> dict[str, str]:
        return {"what": self.what, "fix": self.fix}


def checklist_data(step: str, review: str, gaps: list[Gap]) -> dict[str, Any]:
    """The checklist event's data (the chat surface renders it; the runner compares it)."""
    return {"step": step, "review": review, "gaps": [g.to_dict() for g in gaps]}


def _compliance_gap(where: str) -> Gap:
    return Gap("Export compliance of the build (does it use non-exempt encryption?)", where)


async def beta_review_gaps(
    client: AppStoreConnect, app_id: str, build: Build, *, asked: bool, fresh: bool = False
) -> list[Gap]:
    """What TestFlight beta review would refuse this build for. `asked`: export compliance is still
    unanswered and its question is in the thread. The test information the app read carried is
    taken only when complete: a gap it shows is read again (it may have been filled in since)."""
    gaps: list[Gap] = []
    if asked:
        gaps.append(_compliance_gap("answer the question in this thread, or in App Store Connect → "
                                    "TestFlight → the build → Manage (Missing Compliance)"))  # fmt: skip
    info = await client.test_information(app_id, fresh=fresh)
    missing = _test_info_gaps(info)
    if missing and info.cached:
        missing = _test_info_gaps(await client.test_information(app_id))
    return gaps + missing


def _test_info_gaps(info: BetaTestInfo) -> list[Gap]:
    gaps: list[Gap] = []
    if not info.localizations:
        gaps.append(Gap("Test information (none in any language)", f"{_TEST_INFO}: add the app's language"))
    for loc in info.localizations:
        if loc.description is None:
            gaps.append(Gap(f"Beta App Description ({loc.locale})", f"{_TEST_INFO} → {loc.locale}"))
        if loc.feedback_email is None:
            gaps.append(Gap(f"Feedback Email ({loc.locale})", f"{_TEST_INFO} → {loc.locale}"))
    detail = info.detail
    where = f"{_TEST_INFO} → Beta App Review Information"
    for attr, what in _CONTACT:
        if detail is None or getattr(detail, attr) is None:
            gaps.append(Gap(what, where))
    if detail is not None and detail.demo_account_required:
        if detail.demo_account_name is None:
            gaps.append(Gap("Demo account: user name (sign-in is required)", where))
        if not detail.demo_account_password_set:
            gaps.append(Gap("Demo account: password (sign-in is required)", where))
    return gaps


async def app_store_gaps(
    client: AppStoreConnect, app_id: str, version: AppStoreVersion, build: Build
) -> list[Gap]:
    """What App Store review would refuse this version for (its build attached, settings written)."""
    where = f"App Store Connect → the app → {version.platform or 'the platform'} {version.version_string}"
    gaps: list[Gap] = []
    if build.uses_non_exempt_encryption is None:
        gaps.append(_compliance_gap(f"{where} → Build, or `uses_non_exempt_encryption` in the options"))
    if not (version.copyright or "").strip():
        gaps.append(Gap("Copyright", f"{where} → Copyright, or `copyright` in the publishing options"))
    missing_whats_new: list[Gap] = []
    # The store text as the What's New write just read and wrote it (read again when it did not).
    for loc in await client.list_version_localizations(version.id, fresh=False):
        for attr, label in _STORE_TEXT:
            if loc.text.get(attr) is None:
                gap = Gap(f"{label} ({loc.locale})", f"{where} → {loc.locale} → {label}")
                (missing_whats_new if attr == "whatsNew" else gaps).append(gap)
    if missing_whats_new and not await _first_version(client, app_id, version):
        gaps += missing_whats_new  # an update needs What's New; a first version may not have it
    return gaps


async def _first_version(client: AppStoreConnect, app_id: str, version: AppStoreVersion) -> bool:
    released = await client.list_app_store_versions(app_id, version.platform or "IOS", states=VERSION_ON_STORE)
    return not any(v.id != version.id for v in released)


def blocked(step: str, review: str, gaps: list[Gap], question: str | None = None) -> Outcome:
    """The step waits for the gaps to be filled: told once in the thread, looked at again now and then."""
    return Outcome(
        "wait",
        f"Pre-flight checklist: {len(gaps)} thing(s) missing before {review}.",
        question=question,
        checklist=checklist_data(step, review, gaps),
        retry_after=RECHECK_AFTER,
    )
