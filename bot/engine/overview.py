"""What is in flight, per app, with each publication's next step and who must act: the App Home's data.

One reading of a publication's situation, so the Home tab says the same as the message and thread.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from bot.engine.actions import GATED, title_of
from bot.engine.following import follows_beta, follows_version
from bot.engine.guard import HELD, Guard
from bot.engine.notifier import PublicationView
from storage.records import Publication
from storage.repository import Storage

APPLE, BOT, APPROVERS, ANYONE = "apple", "bot", "approvers", "anyone"
MAX_PUBLICATIONS = 200


@dataclass(frozen=True)
class NextStep:
    """What happens next and who must do it: APPLE, BOT (asc-bot itself), APPROVERS or ANYONE."""

    text: str
    who: str
    approvers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    publication: Publication
    step: NextStep


@dataclass
class Overview:
    """Pending approvals the viewer may give (first), then every app's publications in flight."""

    approvals: list[Item] = field(default_factory=list)
    apps: dict[str, list[Item]] = field(default_factory=dict)
    is_approver: bool = False


def _who(kind: str, approvers: tuple[str, ...]) -> str:
    """Who may ask for a step: the approvers when it is gated and the app has some, else anyone."""
    return APPROVERS if approvers and kind in GATED else ANYONE


def next_step(view: PublicationView, approvers: tuple[str, ...]) -> NextStep:
    """The one next step of a publication, read from its state and its steps."""
    pub = view.publication
    held = [a for a in view.actions if a.status == HELD]
    if held:
        return NextStep(f"Approve *{title_of(held[0].kind)}*", APPROVERS, approvers)
    if pub.state == "waiting_for_build":
        return NextStep("Apple lists the uploaded build", APPLE)
    if pub.state == "processing":
        return NextStep("Apple processes the build", APPLE)
    if "MISSING_EXPORT_COMPLIANCE" in (pub.beta_internal_state, pub.beta_external_state) and not view.action(
        "export_compliance"
    ):
        return NextStep("Answer export compliance (buttons in the thread)", ANYONE)
    running = [a for a in view.actions if a.is_open]
    if running:
        return NextStep(f"asc-bot runs *{title_of(running[0].kind)}*", BOT)
    if follows_beta(pub):
        return NextStep("TestFlight beta review by Apple", APPLE)
    if pub.version_state == "PENDING_DEVELOPER_RELEASE":
        return NextStep(
            "Release the approved version (*Release now*)", _who("release_now", approvers), approvers
        )
    if pub.phased_state in ("ACTIVE", "PAUSED"):
        return NextStep(
            "Phased release: pause, resume or release to all", _who("phased_pause", approvers), approvers
        )
    if follows_version(pub):
        return NextStep("App Store review by Apple", APPLE)
    return NextStep("Choose a step (buttons in the message)", ANYONE)


async def overview(storage: Storage, guard: Guard, user: str, now: datetime) -> Overview:
    """The Home tab of `user`: approvals they may give first, then every app's publications in flight."""
    out = Overview()
    items: dict[str, Item] = {}
    for pub in await storage.list(active_only=True, limit=MAX_PUBLICATIONS):
        view = PublicationView(pub, tuple(await storage.actions(pub.id)))
        items[pub.id] = Item(pub, next_step(view, guard.approvers(pub.app_bundle_id)))
    # A held step keeps waiting after the rest of its publication is done: it is still in flight.
    for action in await storage.held_waiting(HELD, now):
        if action.publication_id not in items:
            held = await storage.get(action.publication_id)
            if held is not None:
                view = PublicationView(held, tuple(await storage.actions(held.id)))
                items[held.id] = Item(held, next_step(view, guard.approvers(held.app_bundle_id)))
    mine: dict[str, bool] = {}
    by_app: dict[str, list[Item]] = defaultdict(list)
    for item in sorted(items.values(), key=lambda i: i.publication.created_at, reverse=True):
        bundle = item.publication.app_bundle_id
        if bundle not in mine:
            approvers = guard.approvers(bundle)
            mine[bundle] = bool(approvers) and await guard.authority.is_one_of(user, approvers)
        if item.step.who == APPROVERS and mine[bundle]:
            out.approvals.append(item)
        by_app[bundle].append(item)
    out.apps = dict(sorted(by_app.items()))
    out.is_approver = any(mine.values())
    return out
