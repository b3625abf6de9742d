"""App Store Connect API keys and the ES256 tokens made from them."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


@dataclass(frozen=True, repr=False)
class ApiKey:
    """One App Store Connect team API key: issuer, key id and the .p8 private key (PEM text)."""

    name: str
    issuer_id: str
    key_id: str
    private_key: str

    def __repr__(self) -> str:
        return f"ApiKey(name={self.name!r}, issuer_id={self.issuer_id!r}, key_id={self.key_id!r}, private_key=***)"

    def public_key_pem(self) -> str:
        """The PEM public key that App Store Connect (or the simulator) verifies tokens with."""
        public = parse_private_key(self.private_key).public_key()
        return public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()


def parse_private_key(pem: str) -> ec.EllipticCurvePrivateKey:
    """Load a .p8 key; raise ValueError saying what is wrong when it is not a P-256 EC private key."""
    text = pem.strip()
    if "-----BEGIN" not in text:
        raise ValueError("is not a PEM EC private key (no '-----BEGIN PRIVATE KEY-----' line)")
    try:
        key = serialization.load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"is not a PEM EC private key ({exc.__class__.__name__})") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("is not a PEM EC private key (it is a different kind of key)")
    if not isinstance(key.curve, ec.SECP256R1):
        raise ValueError(f"is an EC key on {key.curve.name}; App Store Connect keys use P-256")
    return key


def generate_private_key_pem() -> str:
    """A fresh P-256 key in PKCS#8 PEM, as Apple's .p8 files are (for the sandbox and tests)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
