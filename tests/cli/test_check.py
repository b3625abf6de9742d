"""`asc-bot check`: credentials problems come out as one line naming the key, never a traceback."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from bot import cli
from bot.appstore.auth import generate_private_key_pem
from bot.clock import SystemClock
from bot.sandbox.asc import AscSimulator
from bot.sandbox.slack import SlackSimulator


@pytest.fixture
async def sims():
    asc = AscSimulator(clock=SystemClock())
    slack = SlackSimulator(signing_secret="s" * 32, bot_token="xoxb-check")
    await asc.start()
    await slack.start()
    yield asc, slack
    await slack.stop()
    await asc.stop()


def environment(
    monkeypatch: pytest.MonkeyPatch,
    asc: AscSimulator,
    slack: SlackSimulator,
    *,
    issuer: str,
    key_id: str,
    pem: str,
) -> None:
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-check",
        "SLACK_SIGNING_SECRET": "s" * 32,
        "SLACK_API_URL": slack.api_url,
        "ASC_API_URL": asc.base_url,
        "ASC_BOT_WEBHOOK_SECRET": "w" * 32,
        "APP_STORE_CONNECT_API_KEY_ISSUER_ID": issuer,
        "APP_STORE_CONNECT_API_KEY_KEY_ID": key_id,
        "APP_STORE_CONNECT_API_KEY_KEY": pem,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ASC_BOT_CONFIG", raising=False)


async def run_check(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = await asyncio.to_thread(cli.main, ["check"])
    out = capsys.readouterr()
    return code, out.out + out.err


async def test_good_credentials(sims, monkeypatch, capsys) -> None:
    asc, slack = sims
    pem, issuer = generate_private_key_pem(), str(uuid.uuid4())
    from bot.appstore.auth import ApiKey

    asc.register_api_key(ApiKey("default", issuer, "ABCDE12345", pem))
    environment(monkeypatch, asc, slack, issuer=issuer, key_id="ABCDE12345", pem=pem)
    code, text = await run_check(capsys)
    assert code == 0, text
    assert "ok   App Store Connect key 'default' (ABCDE12345) is accepted" in text
    assert "Traceback" not in text


async def test_wrong_issuer_is_one_clear_line(sims, monkeypatch, capsys) -> None:
    asc, slack = sims
    pem = generate_private_key_pem()
    from bot.appstore.auth import ApiKey

    asc.register_api_key(ApiKey("default", str(uuid.uuid4()), "ABCDE12345", pem))
    environment(monkeypatch, asc, slack, issuer=str(uuid.uuid4()), key_id="ABCDE12345", pem=pem)
    code, text = await run_check(capsys)
    assert code == 1
    [line] = [t for t in text.splitlines() if t.startswith("FAIL")]
    assert "'default'" in line and "ABCDE12345" in line and "issuer" in line.lower()
    assert "Traceback" not in text and pem.splitlines()[1] not in text


async def test_malformed_key_stops_before_any_request(sims, monkeypatch, capsys) -> None:
    asc, slack = sims
    environment(monkeypatch, asc, slack, issuer=str(uuid.uuid4()), key_id="ABCDE12345", pem="not a key")
    code, text = await run_check(capsys)
    assert code == 2
    assert "APP_STORE_CONNECT_API_KEY_KEY is not a PEM EC private key" in text
    assert "Traceback" not in text
    assert asc.exchanges == []


async def test_every_configured_channel_is_checked(sims, monkeypatch, capsys, tmp_path) -> None:
    asc, slack = sims
    pem, issuer = generate_private_key_pem(), str(uuid.uuid4())
    from bot.appstore.auth import ApiKey

    asc.register_api_key(ApiKey("default", issuer, "ABCDE12345", pem))
    environment(monkeypatch, asc, slack, issuer=issuer, key_id="ABCDE12345", pem=pem)
    slack.add_channel("C0RELEASES", "releases")
    slack.add_channel("G0PRIVATE", "ios-private", member=False)
    config = tmp_path / "asc-bot.toml"
    config.write_text('[apps."com.example.app"]\nchannel = "G0PRIVATE"\n')
    monkeypatch.setenv("SLACK_CHANNEL", "C0RELEASES")
    monkeypatch.setenv("ASC_BOT_CONFIG", str(config))
    code, text = await run_check(capsys)
    assert code == 1, text
    assert "ok   asc-bot can post in #releases (C0RELEASES)" in text
    [line] = [t for t in text.splitlines() if t.startswith("FAIL")]
    assert "<#G0PRIVATE>" in line and "invite @asc-bot" in line


async def test_channels_with_held_posts_are_asked_again_and_released_when_fixed(
    sims, monkeypatch, capsys, tmp_path
) -> None:
    from storage.database import Store
    from storage.repository import Storage

    asc, slack = sims
    pem, issuer = generate_private_key_pem(), str(uuid.uuid4())
    from bot.appstore.auth import ApiKey

    asc.register_api_key(ApiKey("default", issuer, "ABCDE12345", pem))
    environment(monkeypatch, asc, slack, issuer=issuer, key_id="ABCDE12345", pem=pem)
    db_path = str(tmp_path / "asc-bot.db")
    monkeypatch.setenv("ASC_BOT_DB", db_path)
    slack.add_channel("G0HELD", "ios-private", member=False)
    store = Store(db_path)
    await store.open()
    problem = "Slack would not take a post in <#G0HELD> (not_in_channel): invite @asc-bot to <#G0HELD>"
    await Storage(store).block_channel("G0HELD", "not_in_channel", problem, SystemClock().now())
    await store.close()
    code, text = await run_check(capsys)
    assert code == 1, text
    [line] = [t for t in text.splitlines() if t.startswith("FAIL")]
    assert "held" in line and "invite @asc-bot" in line
    await slack.invite_bot("G0HELD")
    code, text = await run_check(capsys)
    assert code == 0, text
    assert "ok   <#G0HELD> takes posts again" in text
    store = Store(db_path)
    await store.open()
    assert await Storage(store).blocked_channels() == {}
    await store.close()
