"""What ``export`` calls to deliver a signed file: sign inside the byte cap, or say why not.

Under a cap the budget holds the encoded pixels, the signed manifest *and* room for the approval
manifest added when a person approves the file later (``reserve_for_approval``): the file that
ships after approval must still meet the channel's cap. When no signed file can fit, the spec gets
the XMP-only export with a note that says so (never a silent drop).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.credentials.manifest import MIME, Production, production_manifest
from pipeline.engines.classical.encode import Encoded, Sealed, fit_sealed

if TYPE_CHECKING:  # the c2pa library loads only where something is signed
    from pipeline.credentials.signer import CredentialSigner

_EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp", "tiff": "tif"}


@dataclass
class CredentialJob:
    """Set by the executor on every op's context; only ``export`` uses it."""

    signer: CredentialSigner
    production: Production


@dataclass
class Sealing:
    notes: list[str] = field(default_factory=list)
    record: dict[str, Any] = field(default_factory=dict)  # goes into export's record as "credentials"


def seal_export(
    encode: Callable[[int | None], Encoded | None],
    cap: int | None,
    job: CredentialJob | None,
    *,
    spec: str,
    fmt: str,
    source_type: str,
) -> tuple[Encoded | None, Sealing]:
    """The delivered encoding (signed when a signer is set and the file can fit) and what happened."""
    if job is None:
        return encode(cap), Sealing(
            ["delivered without Content Credentials: this run has no signer"], {"signed": False}
        )
    signer = job.signer
    unit = str(job.production.facts.get("unit") or spec)
    manifest = production_manifest(
        job.production, spec=spec, title=f"{unit}.{_EXTENSIONS[fmt]}", mime=MIME[fmt], source_type=source_type
    )

    def seal(data: bytes) -> Sealed:
        signed = signer.sign(data, fmt, manifest)
        return Sealed(signed, signer.reserve_for_approval(signed, fmt) if cap else 0)

    signed = fit_sealed(encode, cap, seal)
    record: dict[str, Any] = {
        "signed": signed is not None,
        "alg": signer.keys.alg,
        "development": signer.development,
        "signer": signer.keys.subject,
    }
    if signed is not None:
        record.update(manifest_bytes=signed.sealed_bytes, approval_reserve_bytes=signed.reserved_bytes)
        return signed, Sealing([], record)
    plain = encode(cap)
    kb = f"{(cap or 0) / 1000:g} KB"
    note = (
        f"Content Credentials left out of `{spec}`: no signed {fmt.upper()} fits the {kb} cap (with room "
        "for the approval manifest), so this file carries the XMP provenance only"
    )
    return plain, Sealing([note], {**record, "reason": note})
