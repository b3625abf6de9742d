"""TestFlight feedback: testers' screenshot and crash submissions of an app, and crash logs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.appstore.base import ResourceFamily, csv
from bot.appstore.documents import parse_datetime, resources
from bot.appstore.http import Params, seg

SCREENSHOT, CRASH = "screenshot", "crash"
# JSON:API type of each kind, which is also the path segment of its collections.
FEEDBACK_TYPES = {SCREENSHOT: "betaFeedbackScreenshotSubmissions", CRASH: "betaFeedbackCrashSubmissions"}
KIND_OF_TYPE = {v: k for k, v in FEEDBACK_TYPES.items()}
MAX_FILTER_IDS = 50  # builds named in one filter[build], to keep the URL short


@dataclass(frozen=True)
class Screenshot:
    url: str
    expires: datetime | None


@dataclass(frozen=True)
class TesterFeedback:
    """One screenshot or crash submission from TestFlight."""

    id: str
    kind: str  # SCREENSHOT | CRASH
    build_id: str | None
    created_at: datetime | None
    comment: str | None
    email: str | None
    device_model: str | None
    os_version: str | None
    device_family: str | None
    screenshots: tuple[Screenshot, ...] = ()

    @classmethod
    def parse(cls, r: dict[str, Any]) -> TesterFeedback:
        a = r.get("attributes") or {}
        build = ((r.get("relationships") or {}).get("build") or {}).get("data")
        shots = tuple(
            Screenshot(str(s["url"]), parse_datetime(s.get("expirationDate")))
            for s in a.get("screenshots") or []
            if isinstance(s, dict) and isinstance(s.get("url"), str)
        )

        def text(name: str) -> str | None:
            value = a.get(name)
            return value if isinstance(value, str) and value else None

        return cls(
            id=str(r["id"]),
            kind=KIND_OF_TYPE.get(str(r.get("type")), SCREENSHOT),
            build_id=build.get("id") if isinstance(build, dict) else None,
            created_at=parse_datetime(a.get("createdDate")),
            comment=text("comment"),
            email=text("email"),
            device_model=text("deviceModel"),
            os_version=text("osVersion"),
            device_family=text("deviceFamily"),
            screenshots=shots,
        )


class FeedbackMixin(ResourceFamily):
    """`/v1/apps/{id}/betaFeedback…Submissions`, one submission, and `/crashLog`."""

    async def get_feedback(self, kind: str, feedback_id: str) -> TesterFeedback:
        # Apple sends the build's id only when asked to include it (as every relationship's data).
        doc = await self._http.get(f"/v1/{FEEDBACK_TYPES[kind]}/{seg(feedback_id)}", {"include": "build"})
        return TesterFeedback.parse(next(resources(doc)))

    async def list_feedback(
        self, app_id: str, kind: str, build_ids: Sequence[str], *, max_pages: int = 5
    ) -> list[TesterFeedback]:
        """The newest submissions about these builds (up to `max_pages` pages of 200), newest first."""
        found: list[TesterFeedback] = []
        ids = list(dict.fromkeys(build_ids))
        for start in range(0, len(ids), MAX_FILTER_IDS):
            params: Params = {
                "filter[build]": csv(ids[start : start + MAX_FILTER_IDS]),
                "sort": "-createdDate",
                "include": "build",
                "limit": 200,
            }
            path = f"/v1/apps/{seg(app_id)}/{FEEDBACK_TYPES[kind]}"
            doc = await self._http.get_all(path, params, max_pages=max_pages)
            found += [TesterFeedback.parse(r) for r in resources(doc)]
        return found

    async def get_crash_log(self, feedback_id: str) -> str:
        doc = await self._http.get(f"/v1/betaFeedbackCrashSubmissions/{seg(feedback_id)}/crashLog")
        data = next(resources(doc), {})
        text = (data.get("attributes") or {}).get("logText")
        return text if isinstance(text, str) else ""
