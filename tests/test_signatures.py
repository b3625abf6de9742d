"""Webhook signatures: ours, with the timestamp window, and Apple's own test vector."""

from __future__ import annotations

from bot.sandbox.asc.webhooks import sign_apple
from bot.signatures import sign_ci, verify_apple, verify_ci

BODY = b'{"hello": "world"}'


def test_ci_signature_round_trip_and_tampering() -> None:
    headers = sign_ci("s3cret-s3cret-s3cret", BODY, timestamp=7)
    sig, ts = headers["X-Signature-256"], headers["X-Signature-Timestamp"]
    assert verify_ci("s3cret-s3cret-s3cret", BODY, sig, ts, now=7)
    assert not verify_ci("s3cret-s3cret-s3cret", BODY + b" ", sig, ts, now=7)
    assert not verify_ci("other-secret-other", BODY, sig, ts, now=7)
    assert not verify_ci("s3cret-s3cret-s3cret", BODY, None, ts, now=7)
    assert not verify_ci("s3cret-s3cret-s3cret", BODY, sig.replace("sha256=", "sha1="), ts, now=7)


def test_body_only_signatures_need_the_legacy_setting() -> None:
    sig = sign_ci("s3cret-s3cret-s3cret", BODY)["X-Signature-256"]
    assert not verify_ci("s3cret-s3cret-s3cret", BODY, sig, None, now=0)  # replayable: refused
    assert verify_ci("s3cret-s3cret-s3cret", BODY, sig, None, now=0, legacy=True)
    assert not verify_ci("s3cret-s3cret-s3cret", BODY + b" ", sig, None, now=0, legacy=True)
    stamped = sign_ci("s3cret-s3cret-s3cret", BODY, timestamp=0)
    assert verify_ci("s3cret-s3cret-s3cret", BODY, stamped["X-Signature-256"], "0", now=0, legacy=True)


def test_timestamp_is_bound_and_windowed() -> None:
    headers = sign_ci("k" * 20, BODY, timestamp=1_000_000)
    sig, ts = headers["X-Signature-256"], headers["X-Signature-Timestamp"]
    assert verify_ci("k" * 20, BODY, sig, ts, now=1_000_000 + 299)
    assert not verify_ci("k" * 20, BODY, sig, ts, now=1_000_000 + 301)
    assert not verify_ci("k" * 20, BODY, sig, "1000001", now=1_000_000)  # a different timestamp
    assert not verify_ci("k" * 20, BODY, sig, None, now=1_000_000)  # the timestamp dropped


def test_apple_test_vector() -> None:
    expected = "hmacsha256=7f062172b01cb00b53ca068614674a3d982a34062a0f5d37687d5e3377e54657"
    assert sign_apple("This is my secret", b"Hello, World!") == expected
    assert verify_apple("This is my secret", b"Hello, World!", expected)
    assert not verify_apple("This is my secret", b"Hello, World?", expected)


def test_malformed_headers_are_refused_not_crashed_on() -> None:
    sig = sign_ci("k" * 20, BODY)["X-Signature-256"]
    for header in (
        "sha256=\udcff" * 3,
        "sha256=é" + "0" * 63,
        "sha256=" + "0" * 63,
        sig + "00",
        "  ",
        sig[7:],
    ):
        assert not verify_ci("k" * 20, BODY, header, None, now=0, legacy=True)
    padded = "  " + sig.upper().replace("SHA256=", "sha256=") + " "
    assert verify_ci("k" * 20, BODY, padded, None, now=0, legacy=True)
    for stamp in ("²", "١٢٣", "-1", "1.0", "", " ", "9" * 13):
        headers = sign_ci("k" * 20, BODY, timestamp=0)
        assert not verify_ci("k" * 20, BODY, headers["X-Signature-256"], stamp, now=0)


def test_apple_header_variants() -> None:
    good = sign_apple("This is my secret", b"Hello, World!")
    assert verify_apple("This is my secret", b"Hello, World!", f" {good} ")
    assert not verify_apple("This is my secret", b"Hello, World!", good.removeprefix("hmacsha256="))
    assert not verify_apple("This is my secret", b"Hello, World!", "sha256=" + good.split("=")[1])
    assert not verify_apple("This is my secret", b"Hello, World!", "hmacsha256=\udcff")
    assert not verify_apple("This is my secret", b"Hello, World!", None)
