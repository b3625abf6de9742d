"""TestFlight test information of an app: beta app localizations and the beta review detail."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from bot.appstore.base import ResourceFamily
from bot.appstore.cache import APP_LIFETIME
from bot.appstore.documents import Included, Resource, included_many, resources
from bot.appstore.http import Params, seg

# The app read that carries its test information (`GET /v1/apps…?include=`): both to-one/to-many
# relationships, at most Apple's 50 localizations (an app with more has them listed apart).
TEST_INFO_INCLUDE = ("betaAppLocalizations", "betaAppReviewDetail")
LOCALES_INCLUDED = 50
TEST_INFO_PARAMS: Params = {"limit[betaAppLocalizations]": LOCALES_INCLUDED}
FROM_APP_READ = "test information: localizations and beta review detail (came with the app, include=)"
ONE_READ = "test information in one app read (include=) instead of two"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True, slots=True)
class BetaAppLocalization:
    """Test information in one locale (`betaAppLocalizations`): what testers read, where they write."""

    id: str
    locale: str
    description: str | None
    feedback_email: str | None

    @classmethod
    def parse(cls, r: Resource) -> BetaAppLocalization:
        a = r.get("attributes") or {}
        return cls(r["id"], a.get("locale") or "", _text(a.get("description")), _text(a.get("feedbackEmail")))


@dataclass(frozen=True, slots=True)
class BetaAppReviewDetail:
    """Whom TestFlight beta review contacts, and the demo account it may need (`betaAppReviewDetails`)."""

    id: str
    contact_first_name: str | None
    contact_last_name: str | None
    contact_phone: str | None
    contact_email: str | None
    demo_account_required: bool
    demo_account_name: str | None
    demo_account_password_set: bool  # never keep the password itself

    @classmethod
    def parse(cls, r: Resource) -> BetaAppReviewDetail:
        a = r.get("attributes") or {}
        return cls(
            r["id"],
            _text(a.get("contactFirstName")),
            _text(a.get("contactLastName")),
            _text(a.get("contactPhone")),
            _text(a.get("contactEmail")),
            a.get("demoAccountRequired") is True,
            _text(a.get("demoAccountName")),
            _text(a.get("demoAccountPassword")) is not None,
        )


@dataclass(frozen=True, slots=True)
class BetaTestInfo:
    """An app's TestFlight test information; `cached`: read a while ago (with the app), not just now."""

    localizations: tuple[BetaAppLocalization, ...]
    detail: BetaAppReviewDetail | None
    cached: bool = False


def _included_localizations(app: Resource, inc: Included) -> tuple[BetaAppLocalization, ...] | None:
    """The app's localizations when the answer carried all of them (None: not asked, or more than shown)."""
    return included_many(app, inc, "betaAppLocalizations", BetaAppLocalization.parse)


def _included_detail(app: Resource, inc: Included) -> tuple[BetaAppReviewDetail | None] | None:
    """(the review detail,) when the answer carried it; None when it did not say."""
    found = included_many(app, inc, "betaAppReviewDetail", BetaAppReviewDetail.parse)
    if found is None:
        return None
    return (found[0] if found else None,)


def included_test_information(app: Resource, document: dict[str, Any]) -> BetaTestInfo | None:
    """The app's test information from an app read with `include=` both, when it carried all of it."""
    inc = Included(document)
    locs, detail = _included_localizations(app, inc), _included_detail(app, inc)
    if locs is None or detail is None:
        return None
    return BetaTestInfo(locs, detail[0])


class TestInfoMixin(ResourceFamily):
    """`/v1/apps/{id}/betaAppLocalizations` and `/v1/apps/{id}/betaAppReviewDetail`, or both through
    `include=` on the app read."""

    def remember_test_information(self, app_id: str, info: BetaTestInfo) -> None:
        """Keep what an app read carried; only a complete answer is ever taken from here (see
        `bot/engine/preflight.py`), so a gap filled in meanwhile is never missed."""
        self._http.cache.put(f"testinfo:{app_id}", dataclasses.replace(info, cached=False), APP_LIFETIME)

    async def test_information(self, app_id: str, *, fresh: bool = True) -> BetaTestInfo:
        """The app's test information; `fresh=False` takes what the app read carried in the last
        minutes (its answer says `cached`), else one app read with `include=` both."""
        if not fresh:
            known: BetaTestInfo | None = self._http.cache.get(f"testinfo:{app_id}", instead_of_request=False)
            if known is not None:
                self._http.cache.skipped(FROM_APP_READ, 2)
                return dataclasses.replace(known, cached=True)
        params: Params = {"include": ",".join(TEST_INFO_INCLUDE), **TEST_INFO_PARAMS}
        params["fields[apps]"] = ",".join(TEST_INFO_INCLUDE)
        doc = await self._http.get(f"/v1/apps/{seg(app_id)}", params)
        inc = Included(doc)
        locs, detail = _included_localizations(doc["data"], inc), _included_detail(doc["data"], inc)
        if locs is not None and detail is not None:
            self._http.cache.skipped(ONE_READ)
        info = BetaTestInfo(
            locs if locs is not None else tuple(await self.list_beta_app_localizations(app_id)),
            detail[0] if detail is not None else await self.get_beta_app_review_detail(app_id),
        )
        self.remember_test_information(app_id, info)
        return info

    async def list_beta_app_localizations(self, app_id: str) -> list[BetaAppLocalization]:
        doc = await self._http.get_all(f"/v1/apps/{seg(app_id)}/betaAppLocalizations", {"limit": 200})
        return [BetaAppLocalization.parse(r) for r in resources(doc)]

    async def get_beta_app_review_detail(self, app_id: str) -> BetaAppReviewDetail | None:
        doc = await self._http.get(f"/v1/apps/{seg(app_id)}/betaAppReviewDetail")
        data = (doc or {}).get("data")
        return BetaAppReviewDetail.parse(data) if isinstance(data, dict) else None
