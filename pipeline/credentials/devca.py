"""The development CA: made once per data dir when no signing keys are configured.

C2PA validators reject self-signed end-entity certificates, so keyart makes a small CA and a
signing certificate it issued (EC P-256, ES256; EKU e-mail protection and document signing, as the
C2PA certificate profile asks). The CA's private key is thrown away: it can sign nothing else. Both
certificates name their organisation ``DEVELOPMENT_ORG``, which is how every report recognises them.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pipeline.credentials.manifest import DEVELOPMENT_ORG

CHAIN_FILE, KEY_FILE, CA_FILE = "signer-chain.pem", "signer-key.pem", "dev-ca.pem"
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")  # id-kp-documentSigning (RFC 9336)


def create_development_keys(folder: Path) -> None:
    """Write a development CA and a signing certificate it issued; safe against a racing process.

    Everything is written into a private temporary folder that is renamed into place in one step:
    a process that loses the race uses the winner's keys.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.parent / f".{folder.name}-{secrets.token_hex(4)}"
    staging.mkdir(mode=0o700)
    try:
        chain, key, ca = _development_chain()
        (staging / CHAIN_FILE).write_bytes(chain)
        (staging / CA_FILE).write_bytes(ca)
        fd = os.open(staging / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key)
        try:
            staging.rename(folder)
        except OSError:
            if not (folder / KEY_FILE).exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _development_chain() -> tuple[bytes, bytes, bytes]:
    """(signing certificate + CA as PEM, signing key PEM, CA PEM); the CA key is not kept."""
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)  # tolerate small clock differences
    workspace = secrets.token_hex(3)  # tells two workspaces' development CAs apart in reports
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"keyart development CA {workspace}")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(f"keyart content credentials {workspace}"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3649))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem_of(leaf) + pem_of(ca), key_pem, pem_of(ca)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEVELOPMENT_ORG),
        ]
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def pem_of(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)
