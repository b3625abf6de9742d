"""TestFlight test information of an app: beta app localizations and the beta review detail."""

from __future__ import annotations

from dataclasses import dataclass

from bot.appstore.base import ResourceFamily
from bot.appstore.documents import Resource, resources
from bot.appstore.http import seg


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


class TestInfoMixin(ResourceFamily):
    """`/v1/apps/{id}/betaAppLocalizations` and `/v1/apps/{id}/betaAppReviewDetail`."""

    async def list_beta_app_localizations(self, app_id: str) -> list[BetaAppLocalization]:
        doc = await self._http.get_all(f"/v1/apps/{seg(app_id)}/betaAppLocalizations", {"limit": 200})
        return [BetaAppLocalization.parse(r) for r in resources(doc)]

    async def get_beta_app_review_detail(self, app_id: str) -> BetaAppReviewDetail | None:
        doc = await self._http.get(f"/v1/apps/{seg(app_id)}/betaAppReviewDetail")
        data = (doc or {}).get("data")
        return BetaAppReviewDetail.parse(data) if isinstance(data, dict) else None
