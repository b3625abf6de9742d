"""The log filter: no secret reaches a log line, whatever logged it."""

from __future__ import annotations

import logging

from bot.appstore.auth import generate_private_key_pem
from bot.logsetup import SecretFilter


def test_known_secrets_and_token_shapes_are_masked(caplog) -> None:
    pem = generate_private_key_pem()
    secret_filter = SecretFilter(["webhook-secret-value-123"])
    logger = logging.getLogger("test.secrets")
    logger.addFilter(secret_filter)
    with caplog.at_level(logging.INFO, logger="test.secrets"):
        logger.info("secret %s token %s", "webhook-secret-value-123", "xoxb-1234-5678-abcdef")
        logger.info("Authorization: Bearer eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJlc2ln")
        logger.info("key %s", pem)
    text = caplog.text
    assert "webhook-secret-value-123" not in text
    assert "xoxb-1234" not in text
    assert "eyJhbGciOiJFUzI1NiJ9" not in text
    assert "BEGIN PRIVATE KEY" not in text
    assert text.count("***") >= 4
    logger.removeFilter(secret_filter)


def _real_looking_secrets() -> dict[str, str]:
    return {
        "bot_token": "xoxb-2470982371-7190283746512-Qm9vTXlUb2tlbkhlcmVBQkNE",
        "app_token": "xapp-1-A07F3K2M9PQ-7190283746512-4c1f0e5b7a2d9c8e6f3b1a0d5e7c9b2a",
        "signing_secret": "8f14e45fceea167a5a36dedd4bea2543",
        "webhook_secret": "whsec-5c2a9e71d04b4f6e8a3b7c1d9e0f2a4b",
        "metrics_token": "m3tr1cs-9b8c7d6e5f4a3b2c",
        "pem": generate_private_key_pem(),
    }


def _log_everything(fmt: str) -> tuple[str, dict[str, str]]:
    import io

    from bot import logsetup

    found = _real_looking_secrets()
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logsetup.configure("INFO", secrets=found.values(), fmt=fmt, stream=stream)
        log = logging.getLogger("bot.engine.runner")
        log.debug("not shown at INFO %s", found["bot_token"])
        with logsetup.context(publication_id="pub-1", app="com.example.app"), logsetup.context(step="submit_to_testflight"):
            log.info("posting with token %s and signing secret %s", found["bot_token"], found["signing_secret"])
            log.warning("webhook secret was %s; app token %s", found["webhook_secret"], found["app_token"])
        logging.getLogger("httpx").info("GET /metrics Authorization: Bearer %s", found["metrics_token"])
        try:
            raise ValueError(f"could not load key {found['pem']}")
        except ValueError:
            logging.getLogger("bot.cli").exception("start-up failed")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    return stream.getvalue(), found


def _assert_clean(text: str, found: dict[str, str]) -> None:
    for name, secret in found.items():
        assert secret not in text, name
    pem_body = found["pem"].splitlines()[1]
    assert pem_body not in text and "BEGIN PRIVATE KEY" not in text
    assert "Qm9vTXlUb2tlbkhlcmVBQkNE" not in text and "xoxb-" not in text


def test_json_lines_parse_carry_the_context_and_no_secret() -> None:
    import json

    text, found = _log_everything("json")
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) == 4  # the DEBUG line is below ASC_BOT_LOG_LEVEL
    first = lines[0]
    assert first["level"] == "INFO" and first["logger"] == "bot.engine.runner"
    assert (first["publication_id"], first["app"], first["step"]) == ("pub-1", "com.example.app", "submit_to_testflight")
    assert "publication_id" not in lines[2]  # outside the block
    assert lines[3]["level"] == "ERROR" and "ValueError" in lines[3]["exception"]
    _assert_clean(text, found)


def test_text_lines_carry_no_secret() -> None:
    text, found = _log_everything("text")
    assert len(text.splitlines()) >= 4 and "posting with token ***" in text
    _assert_clean(text, found)
