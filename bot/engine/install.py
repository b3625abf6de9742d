"""Install links: the TestFlight public links of the groups a build went to, once testers can install it.

Internal testers can install as soon as the build is processed and in their group; external testers
once TestFlight beta review approved it (externalBuildState BETA_APPROVED or IN_BETA_TESTING).
"""

from __future__ import annotations

from typing import Any

from bot.appstore.models import BetaGroup
from bot.engine.notifier import PublicationView

EXTERNAL_INSTALLABLE = ("BETA_APPROVED", "IN_BETA_TESTING")


def link_records(groups: list[BetaGroup]) -> list[dict[str, Any]]:
    """What the beta groups step keeps about the groups' public links (those that have one)."""
    return [
        {"group": g.name, "url": g.public_link, "internal": g.is_internal} for g in groups if g.public_link
    ]


def install_links(view: PublicationView) -> list[tuple[str, str]]:
    """(group name, public link) of the build's groups whose testers can install it now."""
    step = view.action("beta_groups")
    if step is None or step.status != "succeeded" or not step.result:
        return []
    pub = view.publication
    if pub.processing_state not in (None, "VALID"):
        return []
    external_ok = pub.beta_external_state in EXTERNAL_INSTALLABLE
    return [
        (str(link["group"]), str(link["url"]))
        for link in step.result.get("links") or []
        if isinstance(link, dict) and link.get("url") and (link.get("internal") or external_ok)
    ]
