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
