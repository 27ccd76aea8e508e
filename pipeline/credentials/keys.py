"""Signing keys for Content Credentials: the configured chain and key, or a development CA.

``KEYART_C2PA_CERT`` / ``KEYART_C2PA_KEY`` hold PEM text or the path of a PEM file. Without them,
keyart creates a development CA and a signing certificate it issued under ``<data_dir>/c2pa/`` on
first use: C2PA validators reject self-signed end-entity certificates, so the signer must chain to
a CA. The CA's private key is thrown away once the signing certificate exists (it can sign nothing
else), and every report calls these credentials what they are (``DEVELOPMENT_NOTE``).

The private key is read here and handed to the c2pa signer only: it never enters the database,
a log line, an exception message or Slack.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from pipeline.credentials.devca import CA_FILE, CHAIN_FILE, KEY_FILE, create_development_keys, pem_of
from pipeline.errors import UserFacingError
from storage.settings import Settings

DEV_FOLDER = "c2pa"


class SigningKeyError(UserFacingError):
    """The configured signing certificate or key cannot be used (says why, never shows the key)."""


@dataclass(frozen=True)
class SigningKeys:
    chain_pem: bytes  # signing certificate first, then intermediates (and maybe the root)
    key_pem: bytes = field(repr=False)
    alg: str  # es256 | es384 | es512 | ps256 | ed25519 (c2pa's names)
    development: bool
    anchors_pem: bytes  # roots this workspace trusts when it reads its own files back
    subject: str  # the signing certificate's common name, for reports


def signing_keys(settings: Settings) -> SigningKeys:
    """The configured keys, else this data dir's development keys (created on first use)."""
    if settings.c2pa_cert or settings.c2pa_key:
        if not (settings.c2pa_cert and settings.c2pa_key):
            missing = "KEYART_C2PA_KEY" if settings.c2pa_cert else "KEYART_C2PA_CERT"
            raise SigningKeyError(
                f"{missing} is empty: set both KEYART_C2PA_CERT and KEYART_C2PA_KEY, or neither"
            )
        chain = _pem(settings.c2pa_cert, "KEYART_C2PA_CERT")
        key = _pem(settings.c2pa_key, "KEYART_C2PA_KEY")
        return _checked(chain, key, development=False)
    folder = settings.data_dir / DEV_FOLDER
    if not (folder / KEY_FILE).exists():
        create_development_keys(folder)
    return _checked((folder / CHAIN_FILE).read_bytes(), (folder / KEY_FILE).read_bytes(), development=True)


def trust_anchors(settings: Settings) -> bytes:
    """Roots a reader in this workspace trusts: the development CA (if one exists) and the
    configured chain's own root. Reading never creates keys."""
    anchors = b""
    dev_ca = settings.data_dir / DEV_FOLDER / CA_FILE
    if dev_ca.exists():
        anchors += dev_ca.read_bytes()
    if settings.c2pa_cert:
        try:
            chain = x509.load_pem_x509_certificates(_pem(settings.c2pa_cert, "KEYART_C2PA_CERT"))
        except ValueError:
            return anchors  # signing reports the broken chain; reading still works with the rest
        anchors += b"".join(pem_of(c) for c in chain[1:] if _self_signed(c))
    return anchors


def _pem(value: str, name: str) -> bytes:
    """PEM text as given, or the contents of the file it names."""
    if "-----BEGIN" in value:
        return value.encode()
    path = Path(value).expanduser()
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"{name}: cannot read {path} ({exc.strerror or exc})") from None


def _checked(chain_pem: bytes, key_pem: bytes, *, development: bool) -> SigningKeys:
    try:
        chain = x509.load_pem_x509_certificates(chain_pem)
    except ValueError:
        raise SigningKeyError("KEYART_C2PA_CERT holds no readable PEM certificate") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        # Never echo the key or the parser's view of it.
        raise SigningKeyError("KEYART_C2PA_KEY is not an unencrypted PEM private key") from None
    leaf = chain[0]
    if _public_bytes(leaf.public_key()) != _public_bytes(key.public_key()):
        raise SigningKeyError("KEYART_C2PA_KEY does not belong to the first certificate in KEYART_C2PA_CERT")
    if _self_signed(leaf):
        raise SigningKeyError(
            "KEYART_C2PA_CERT starts with a self-signed certificate; C2PA validators reject those: use a "
            "signing certificate issued by a CA (signing certificate first, then intermediates)"
        )
    constraints = _extension(leaf, x509.BasicConstraints)
    if constraints is not None and constraints.ca:
        raise SigningKeyError(
            "the first certificate in KEYART_C2PA_CERT is a CA; put the signing certificate first"
        )
    now = dt.datetime.now(dt.UTC)
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        raise SigningKeyError(
            f"the signing certificate is valid {leaf.not_valid_before_utc:%Y-%m-%d} to "
            f"{leaf.not_valid_after_utc:%Y-%m-%d}, not today"
        )
    anchors = b"".join(pem_of(c) for c in chain[1:] if _self_signed(c))
    names = leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return SigningKeys(
        chain_pem=chain_pem,
        key_pem=key_pem,
        alg=_algorithm(key),
        development=development,
        anchors_pem=anchors,
        subject=str(names[0].value) if names else leaf.subject.rfc4514_string(),
    )


def _algorithm(key: object) -> str:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        algs = {"secp256r1": "es256", "secp384r1": "es384", "secp521r1": "es512"}
        if key.curve.name in algs:
            return algs[key.curve.name]
        raise SigningKeyError(
            f"KEYART_C2PA_KEY uses the curve {key.curve.name}; C2PA signs with P-256/384/521"
        )
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    if isinstance(key, rsa.RSAPrivateKey):
        return "ps256"
    raise SigningKeyError("KEYART_C2PA_KEY must be an EC (P-256/384/521), Ed25519 or RSA key")


def _extension(cert: x509.Certificate, kind: type[x509.BasicConstraints]) -> x509.BasicConstraints | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _public_bytes(key: object) -> bytes:
    return key.public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
