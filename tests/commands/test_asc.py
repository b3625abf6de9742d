"""`/asc help`, `/asc status` and wrong usage, answered privately in the channel it was typed in."""

from __future__ import annotations

from bot.sandbox.world import DEMO_CHANNEL, World
from commands.asc import USAGE
from tests.commands.conftest import ephemerals_to, eventually, publish


async def slash(world: World, text: str, user: str = "U0ALICE") -> str:
    reply = await world.slack.slash_command(world.events_url, "/asc", text, user=user, channel=DEMO_CHANNEL)
    assert reply.status == 200 and reply.elapsed_seconds < 3
    shown = [m for m in world.slack.ephemerals if m.ephemeral_to == user]
    assert shown and shown[-1].via == "ack" and shown[-1].channel == DEMO_CHANNEL
    return shown[-1].text


async def test_help_lists_every_verb(world: World) -> None:
    for text in ("help", "", "HELP"):
        said = await slash(world, text)
        assert all(usage in said for usage in USAGE.values())


async def test_unknown_verb_says_so_with_the_usage(world: World) -> None:
    said = await slash(world, "deploy everything")
    assert said.startswith("⚠️ Unknown command `deploy`.")
    assert USAGE["publish"] in said


async def test_status_lists_publications_in_flight(world: World) -> None:
    assert await slash(world, "status") == "Nothing in flight."
    assert await slash(world, "status com.example.none") == "Nothing in flight for com.example.none."
    _, message = await publish(world)
    await publish(world, "com.example.other", "2.0", "7")
    said = await slash(world, "status")
    assert "2 publication(s) in flight" in said
    link = f"https://slack.com/archives/{DEMO_CHANNEL}/p{message.ts.replace('.', '')}"
    [ours] = [m for m in world.slack.ephemerals if m.text == said]
    assert link in ours.blocks[1]["text"]["text"]
    assert "Waiting for the build" in said
    only = await slash(world, "status com.example.other")
    assert "1 publication(s) in flight for com.example.other" in only and "1.4.0" not in only


async def test_status_wrong_usage(world: World) -> None:
    said = await slash(world, "status a b")
    assert said == "⚠️ status takes at most one bundle id; got 2 words.\nUsage: `/asc status [bundle-id]`"


async def test_cancel_stops_a_publication(world: World) -> None:
    pub_id, _ = await publish(world)
    await send(world, "cancel com.example.app 1.4.0 412", user="U0ALICE")  # acked at once, answered after
    await eventually(lambda: ephemerals_to(world, "U0ALICE")[-1].startswith("🚫 Cancelled com.example.app"))
    pub = await world.bot.storage.get(pub_id)
    assert pub.state == "cancelled"
    await send(world, "cancel com.example.app 1.4.0 412", user="U0ALICE")
    await eventually(lambda: "already cancelled" in ephemerals_to(world, "U0ALICE")[-1])
    await send(world, "cancel com.example.app 9.9 1", user="U0ALICE")
    await eventually(lambda: ephemerals_to(world, "U0ALICE")[-1].startswith("No publication of"))


async def send(world: World, text: str, user: str) -> None:
    reply = await world.slack.slash_command(world.events_url, "/asc", text, user=user, channel=DEMO_CHANNEL)
    assert reply.status == 200 and reply.elapsed_seconds < 3


async def test_cancel_wrong_usage_and_approvers(world: World) -> None:
    said = await slash(world, "cancel com.example.app 1.4.0")
    assert said.startswith("⚠️ cancel takes a bundle id, a version and a build; got 2 word(s).")
    await world.stop_bot()
    await world.start_bot(approvers=("U0BOSS",))
    pub_id, _ = await publish(world)
    await send(world, "cancel com.example.app 1.4.0 412", user="U0EVE")
    await eventually(lambda: "approver" in ephemerals_to(world, "U0EVE")[-1].lower())
    assert (await world.bot.storage.get(pub_id)).state != "cancelled"
    await send(world, "cancel com.example.app 1.4.0 412", user="U0BOSS")
    await eventually(lambda: ephemerals_to(world, "U0BOSS")[-1].startswith("🚫 Cancelled"))
    kinds = [e.kind for e in await world.bot.storage.events(pub_id)]
    assert "approver_refused" in kinds and "approver_allowed" in kinds and "cancelled" in kinds


async def test_audit_shows_approver_checks_to_approvers_only(world: World) -> None:
    said = await slash(world, "audit a b")
    assert said.startswith("⚠️ audit takes at most one bundle id; got 2 words.")
    await world.stop_bot()
    await world.start_bot(approvers=("U0BOSS",))
    await publish(world)
    assert await slash(world, "audit com.example.app", user="U0BOSS") == (
        "No approver checks or refused clicks are on record for com.example.app."
    )
    await send(world, "cancel com.example.app 1.4.0 412", user="U0EVE")
    await eventually(lambda: "approver" in ephemerals_to(world, "U0EVE")[-1].lower())
    # A non-approver sees nothing, for one app or for all.
    for text in ("audit", "audit com.example.app", "audit COM.EXAMPLE.APP"):
        assert (await slash(world, text, user="U0EVE")).startswith("🔒 Only approvers may read")
    for text in ("audit", "audit COM.Example.App"):
        said = await slash(world, text, user="U0BOSS")
        assert "approver checks and refused clicks" in said
        assert "<@U0EVE> may not cancel" in said and "com.example.app" in said
    # Another app's trail is empty; the refusals of audit itself change no publication.
    assert "No approver checks" in await slash(world, "audit com.example.other", user="U0BOSS")
