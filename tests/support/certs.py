"""A local CA and a signing certificate it issued, made in the test (C2PA rejects self-signed
end-entity certificates, so tests sign like production does: with a CA-issued certificate)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

Kind = Literal["es256", "ed25519"]


@dataclass(frozen=True)
class SigningChain:
    chain_pem: bytes  # signing certificate, then the CA
    key_pem: bytes
    root_pem: bytes
    leaf_pem: bytes


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Agency"),
        ]
    )


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def make_chain(kind: Kind = "es256", *, days: int = 30, start: dt.datetime | None = None) -> SigningChain:
    now = start or dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Test Agency Root"))
        .issuer_name(_name("Test Agency Root"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=days + 1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1()) if kind == "es256" else ed25519.Ed25519PrivateKey.generate()
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("Test Agency signing"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return SigningChain(
        leaf.public_bytes(pem) + ca.public_bytes(pem), key_pem, ca.public_bytes(pem), leaf.public_bytes(pem)
    )


def self_signed(kind: Kind = "es256") -> SigningChain:
    """A self-signed end-entity certificate: what C2PA validators reject."""
    key = ec.generate_private_key(ec.SECP256R1()) if kind == "es256" else ed25519.Ed25519PrivateKey.generate()
    now = dt.datetime.now(dt.UTC)
    algorithm = hashes.SHA256() if kind == "es256" else None
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Lone signer"))
        .issuer_name(_name("Lone signer"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=5))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, algorithm)
    )
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return SigningChain(cert.public_bytes(pem), key_pem, b"", cert.public_bytes(pem))


def key_body(key_pem: bytes) -> list[bytes]:
    """The base64 lines of a PEM key: none of them may appear anywhere outside the key file."""
    return [line for line in key_pem.splitlines() if line and not line.startswith(b"-----")]
