"""AscSimulator: a stateful App Store Connect API on a loopback port, with a Python control API for tests."""

from __future__ import annotations

import asyncio
import contextlib
import re
from datetime import timedelta

from aiohttp import web

from bot.appstore.auth import ApiKey
from bot.clock import Clock, SystemClock
from bot.sandbox.asc.exchange import Exchange
from bot.sandbox.asc.faults import FaultInjector, Faults
from bot.sandbox.asc.feedback import submit as submit_feedback
from bot.sandbox.asc.lifecycle import (
    DEFAULT_UPLOAD_ERRORS,
    beta_states,
    change_build,
    decide_beta_review,
    schedule_build,
    set_upload_state,
)
from bot.sandbox.asc.params import APP_VERSION_STATES, PLATFORMS
from bot.sandbox.asc.records import (
    App,
    BetaGroup,
    BetaLocalization,
    BetaReview,
    Build,
    BuildUpload,
    CrashFeedback,
    PhasedRelease,
    ReviewItem,
    ReviewSubmission,
    ScreenshotFeedback,
    Version,
    VersionLocalization,
)
from bot.sandbox.asc.release_flow import force_version_state
from bot.sandbox.asc.server import AscServer
from bot.sandbox.asc.store import Store
from bot.sandbox.asc.webhooks import Delivery, WebhookSender

# PROCESSING_EXCEPTION: processingState VALID, but TestFlight's processing of the build failed, so its
# buildBetaDetail states are PROCESSING_EXCEPTION (a state Apple documents only for buildBetaDetails).
_OUTCOMES = ("VALID", "INVALID", "FAILED", "PROCESSING_EXCEPTION")


class AscSimulator:
    """An in-memory App Store Connect: builds process, reviews decide, versions release on its clock."""

    def __init__(
        self,
        clock: Clock | None = None,
        hourly_limit: int = 3600,
        build_appear_delay: float = 30.0,
        processing_time: float = 300.0,
        beta_review_time: float | None = None,
        app_review_time: float | None = None,
        seed: int = 0,
        tick_interval: float = 0.2,
        record_bodies: bool = True,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.store = Store(seed)
        self.build_appear_delay = build_appear_delay
        self.processing_time = processing_time
        self.tick_interval = tick_interval  # real seconds between settles, so webhooks fire unprompted
        self._server = AscServer(self.clock, self.store, hourly_limit, seed)
        self._server.record_bodies = record_bodies  # False: exchanges keep no bodies (long benchmarks)
        self._server.beta_review_time = beta_review_time
        self._server.app_review_time = app_review_time
        self._sender = WebhookSender(self.store)
        self._runner: web.AppRunner | None = None
        self._ticker: asyncio.Task[None] | None = None

    # server life
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on a loopback port (0: any free one); returns the base URL without a trailing slash."""
        self._runner = web.AppRunner(self._server.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0]
        self._server.base_url = self._sender.base_url = f"http://{bound[0]}:{bound[1]}"
        self._ticker = asyncio.get_running_loop().create_task(self._tick())
        return self.base_url

    async def stop(self) -> None:
        """Stop serving and sending webhooks."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        await self._sender.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.tick_interval)
            self.settle()

    @property
    def base_url(self) -> str:
        return self._server.base_url

    # settings that may change during a test
    @property
    def faults(self) -> Faults:
        return self._server.injector.faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self._server.injector = FaultInjector(faults)

    @property
    def beta_review_time(self) -> float | None:
        return self._server.beta_review_time

    @beta_review_time.setter
    def beta_review_time(self, seconds: float | None) -> None:
        self._server.beta_review_time = seconds

    @property
    def app_review_time(self) -> float | None:
        return self._server.app_review_time

    @app_review_time.setter
    def app_review_time(self, seconds: float | None) -> None:
        self._server.app_review_time = seconds

    @property
    def hourly_limit(self) -> int:
        return self._server.limiter.limit

    @hourly_limit.setter
    def hourly_limit(self, limit: int) -> None:
        self._server.limiter.limit = limit

    # keys
    def register_key(self, issuer_id: str | None, key_id: str, public_key_pem: str) -> None:
        """Accept tokens of this key (issuer_id None: an individual key, tokens carry sub="user")."""
        self._server.tokens.register(key_id, issuer_id, public_key_pem)

    def register_api_key(self, key: ApiKey) -> None:
        """Accept tokens of a configured ApiKey."""
        self.register_key(key.issuer_id, key.key_id, key.public_key_pem())

    # world building
    def add_app(
        self,
        bundle_id: str,
        name: str | None = None,
        primary_locale: str = "en-US",
        sku: str | None = None,
        live_version: str | None = "1.0",
        platforms: tuple[str, ...] = ("IOS",),
        store_text: bool = True,
        other_locales: tuple[str, ...] = (),
    ) -> str:
        """Add an app; with `live_version` it already has that version on the App Store per platform.

        The live version has a copyright and, with `store_text`, a description, keywords and support URL
        in its primary locale and `other_locales`, which App Store Connect carries over to the next version.
        """
        if bundle_id in self.store.apps_by_bundle:
            raise ValueError(f"an app with bundle id {bundle_id} exists already")
        app = App(
            self.store.new_app_id(),
            bundle_id,
            name or bundle_id.rsplit(".", 1)[-1],
            primary_locale,
            sku or bundle_id,
        )
        self.store.apps[app.id] = app
        self.store.apps_by_bundle[bundle_id] = app
        now = self.clock.now()
        for platform in platforms if live_version else ():
            version = Version(
                self.store.new_id(), app.id, platform, live_version or "", now - timedelta(days=30)
            )
            version.state = "READY_FOR_DISTRIBUTION"
            text: dict[str, str | None] = {}
            if store_text:
                version.copyright = f"{now.year} {app.name}"
                text = {
                    "description": f"{app.name} for everyone.",
                    "keywords": app.name.lower(),
                    "supportUrl": f"https://{bundle_id}.example.com/support",
                }
            self.store.add_version(version)
            for locale in dict.fromkeys((primary_locale, *other_locales)):
                self.store.add_version_localization(
                    VersionLocalization(self.store.new_id(), version.id, locale, dict(text))
                )
        return app.id

    def add_beta_group(
        self,
        app_id: str,
        name: str,
        internal: bool = True,
        has_access_to_all_builds: bool = False,
        public_link_enabled: bool = False,
    ) -> str:
        """Add an internal or external TestFlight group to an app; returns its id."""
        if app_id not in self.store.apps:
            raise KeyError(app_id)
        group = BetaGroup(
            self.store.new_id(),
            app_id,
            name,
            internal,
            self.clock.now(),
            has_access_to_all_builds,
            public_link_enabled,
        )
        self.store.groups[group.id] = group
        self.store.groups_by_app.setdefault(app_id, []).append(group)
        return group.id

    def upload_build(
        self,
        bundle_id: str,
        version: str,
        build_number: str,
        platform: str = "IOS",
        outcome: str = "VALID",
        processing_time: float | None = None,
        appear_delay: float | None = None,
        uses_non_exempt_encryption: bool | None = False,
        errors: list[dict[str, str]] | None = None,
        transfer_time: float = 0.0,
    ) -> str:
        """A build upload starts now; returns the buildUpload id. The build is listed later.

        The upload is AWAITING_UPLOAD for `transfer_time` seconds, then PROCESSING until
        `processing_time` (counted from now) has passed, then COMPLETE, or FAILED with `errors`.
        """
        app = self.store.apps_by_bundle.get(bundle_id)
        if app is None:
            raise KeyError(f"no app with bundle id {bundle_id}")
        if platform not in PLATFORMS or outcome not in _OUTCOMES:
            raise ValueError(f"platform must be one of {PLATFORMS}, outcome one of {_OUTCOMES}")
        if self.build_id_for(bundle_id, version, build_number, platform, listed_only=False):
            raise ValueError(f"build {version} ({build_number}) for {platform} was uploaded already")
        now = self.clock.now()
        pre_release = self.store.pre_release_for(app.id, version, platform)
        upload = BuildUpload(self.store.new_id(), app.id, version, build_number, platform, now)
        if outcome not in ("VALID", "PROCESSING_EXCEPTION"):
            upload.errors = list(errors if errors is not None else DEFAULT_UPLOAD_ERRORS[outcome])
        build = Build(
            self.store.new_id(), app.id, pre_release.id, upload.id, build_number, platform, now,
            "VALID" if outcome == "PROCESSING_EXCEPTION" else outcome, uses_non_exempt_encryption,
        )  # fmt: skip
        build.beta_exception = outcome == "PROCESSING_EXCEPTION"
        self.store.uploads[upload.id] = upload
        self.store.uploads_by_app.setdefault(app.id, []).append(upload)
        self.store.builds[build.id] = build
        self.store.builds_by_app.setdefault(app.id, []).append(build)
        if transfer_time > 0:
            upload.state = "AWAITING_UPLOAD"
            self.store.at(
                now + timedelta(seconds=transfer_time),
                lambda when: set_upload_state(self.store, upload, "PROCESSING", when),
            )
        else:
            set_upload_state(self.store, upload, "PROCESSING", now)
        appear = now + timedelta(seconds=self.build_appear_delay if appear_delay is None else appear_delay)
        done = now + timedelta(seconds=self.processing_time if processing_time is None else processing_time)
        schedule_build(self.store, build, upload, appear, done, app.primary_locale)
        return upload.id

    # driving reviews from tests
    def settle(self) -> None:
        """Apply every change that is due by the simulator's clock."""
        self.store.settle(self.clock.now())

    def fail_beta_processing(self, build_id: str) -> None:
        """TestFlight's processing of a listed build fails later: its beta states become PROCESSING_EXCEPTION."""
        self.settle()
        build = self.store.builds[build_id]
        change_build(self.store, build, self.clock.now(), lambda: setattr(build, "beta_exception", True))

    def approve_beta_review(self, build_id: str) -> None:
        """TestFlight beta review approves the build."""
        self._decide(build_id, "APPROVED")

    def reject_beta_review(self, build_id: str) -> None:
        """TestFlight beta review rejects the build."""
        self._decide(build_id, "REJECTED")

    def _decide(self, build_id: str, state: str) -> None:
        self.settle()
        build = self.store.builds[build_id]
        if build.beta_review_id is None:
            raise ValueError(f"build {build_id} has not been submitted for beta review")
        decide_beta_review(self.store, self.store.beta_reviews[build.beta_review_id], state, self.clock.now())

    def set_version_state(self, version_id: str, state: str) -> None:
        """Put a version in any AppVersionState; its review submission follows (in review, approved, …)."""
        if state not in APP_VERSION_STATES:
            raise ValueError(f"{state} is not an AppVersionState")
        self.settle()
        force_version_state(self.store, self.store.versions[version_id], state, self.clock.now())

    def send_feedback(
        self,
        build_id: str,
        comment: str | None,
        *,
        crash_log: str | None = None,
        screenshots: tuple[tuple[int, int], ...] = ((1179, 2556),),
        email: str | None = "tester@example.com",
        device_model: str = "iPhone15,2",
        os_version: str = "18.1",
    ) -> str:
        """A tester sends TestFlight feedback about a build (a crash report when `crash_log` is given)."""
        self.settle()
        build = self.store.builds[build_id]
        common = (self.store.new_id(), build.app_id, build.id, self.clock.now(), comment, email)
        feedback: ScreenshotFeedback | CrashFeedback
        if crash_log is None:
            feedback = ScreenshotFeedback(
                *common, device_model, os_version, build.platform, screenshots=list(screenshots)
            )
        else:
            feedback = CrashFeedback(
                *common,
                device_model,
                os_version,
                build.platform,
                log_id=self.store.new_id(),
                log_text=crash_log,
            )
        submit_feedback(self.store, feedback, self.clock.now())
        return feedback.id

    # the record of requests
    @property
    def exchanges(self) -> list[Exchange]:
        return self._server.exchanges

    def count(self, method: str, path_regex: str) -> int:
        """How many recorded requests had this method and a path matching the regex."""
        pattern = re.compile(path_regex)
        return sum(1 for e in self.exchanges if e.method == method and pattern.search(e.path))

    def reset_log(self) -> None:
        """Forget the recorded exchanges."""
        self._server.exchanges.clear()

    @property
    def webhook_deliveries(self) -> list[Delivery]:
        return self._sender.deliveries

    async def drain_webhooks(self) -> None:
        """Settle, then wait until every webhook POST under way has been answered."""
        self.settle()
        await self._sender.drain()

    # read helpers (each settles first, so FakeClock jumps show)
    def builds_of(self, app_id: str) -> list[Build]:
        """Every build of an app, listed or not yet, oldest first."""
        self.settle()
        return list(self.store.builds_by_app.get(app_id, ()))

    def app_id_for(self, bundle_id: str) -> str:
        """The Apple ID of an app added with `add_app`."""
        return self.store.apps_by_bundle[bundle_id].id

    def build(self, build_id: str) -> Build:
        self.settle()
        return self.store.builds[build_id]

    def build_id_for(
        self,
        bundle_id: str,
        version: str,
        build_number: str,
        platform: str = "IOS",
        *,
        listed_only: bool = False,
    ) -> str | None:
        """The id of an uploaded build (None if unknown, or not yet listed with `listed_only`)."""
        self.settle()
        app = self.store.apps_by_bundle.get(bundle_id)
        for build in self.store.builds_by_app.get(app.id if app else "", ()):
            pre_release = self.store.pre_releases[build.pre_release_id]
            if (build.version, pre_release.version, build.platform) == (build_number, version, platform):
                return build.id if build.listed or not listed_only else None
        return None

    def upload(self, upload_id: str) -> BuildUpload:
        self.settle()
        return self.store.uploads[upload_id]

    def beta_states(self, build_id: str) -> tuple[str, str]:
        """(internalBuildState, externalBuildState) of a build."""
        self.settle()
        return beta_states(self.store, self.store.builds[build_id])

    @property
    def beta_review_submissions(self) -> dict[str, BetaReview]:
        self.settle()
        return self.store.beta_reviews

    def beta_groups_of_build(self, build_id: str) -> list[BetaGroup]:
        return [self.store.groups[g] for g in sorted(self.store.builds[build_id].group_ids)]

    def beta_localizations_of(self, build_id: str) -> list[BetaLocalization]:
        self.settle()
        return list(self.store.beta_localizations_by_build.get(build_id, ()))

    @property
    def versions(self) -> dict[str, Version]:
        self.settle()
        return self.store.versions

    def versions_of(self, app_id: str, platform: str | None = None) -> list[Version]:
        self.settle()
        return [v for v in self.store.versions_by_app.get(app_id, ()) if platform in (None, v.platform)]

    def version_localizations_of(self, version_id: str) -> list[VersionLocalization]:
        return list(self.store.version_localizations_by_version.get(version_id, ()))

    def phased_release_of(self, version_id: str) -> PhasedRelease | None:
        return self.store.phased_releases.get(self.store.versions[version_id].phased_release_id or "")

    @property
    def review_submissions(self) -> dict[str, ReviewSubmission]:
        self.settle()
        return self.store.submissions

    @property
    def review_items(self) -> dict[str, ReviewItem]:
        self.settle()
        return self.store.items
