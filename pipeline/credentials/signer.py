"""Signing delivered files with the C2PA project's own library (c2pa-python), offline.

No timestamp authority is asked (none is reachable here, and export must not wait on the network),
thumbnails are left out (they would cost kilobytes of every banner's byte cap), and every signed
file is validated again by the library before it is returned (``verify_after_sign``).
One signer serves a whole process; calls are serialised (signing a banner takes a few ms).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Mapping
from typing import Any

import c2pa

from pipeline.credentials.keys import SigningKeys
from pipeline.credentials.manifest import MIME, approval_manifest
from pipeline.errors import UserFacingError

# Room kept free under a byte cap for the approval manifest added later (see reserve_for_approval).
_APPROVAL_PROBE = {
    "user": "U" + "X" * 63,
    "via": "slack",
    "at": "2000-01-01T00:00:00.000000+00:00",
    "reaction": "white_check_mark",
    "approval_id": 2**31,
}
_APPROVAL_MARGIN = 256


class SigningFailed(UserFacingError):
    """The c2pa library refused to sign (its reason is safe to show: it never contains the key)."""


def reader_settings(anchors_pem: bytes) -> dict[str, Any]:
    """Library settings for reading and signing offline: no remote manifests, no OCSP, our anchors."""
    settings: dict[str, Any] = {
        "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False, "verify_after_sign": True},
        "builder": {"thumbnail": {"enabled": False}},
    }
    if anchors_pem:
        settings["trust"] = {"user_anchors": anchors_pem.decode()}
    return settings


class CredentialSigner:
    """Signs bytes of a supported format with a manifest definition; returns the signed bytes."""

    def __init__(self, keys: SigningKeys) -> None:
        self.keys = keys
        self._lock = threading.Lock()
        self._reserve: dict[str, int] = {}
        info = c2pa.C2paSignerInfo(keys.alg, keys.chain_pem, keys.key_pem, None)
        try:
            self._signer = c2pa.Signer.from_info(info)
            self._context = c2pa.Context.from_dict(reader_settings(keys.anchors_pem))
        except c2pa.C2paError as exc:
            raise SigningFailed(f"the Content Credentials signer cannot start: {exc}") from None

    @property
    def development(self) -> bool:
        return self.keys.development

    def sign(self, data: bytes, fmt: str, manifest: Mapping[str, Any]) -> bytes:
        """``data`` with the manifest embedded and signed (``fmt``: jpeg, png, webp or tiff)."""
        return self._sign(data, fmt, dict(manifest), intent=None)

    def countersign(self, data: bytes, fmt: str, manifest: Mapping[str, Any]) -> bytes:
        """Add a manifest to an already signed file without touching its pixels: the file (with its
        manifest) becomes the new manifest's parent ingredient.

        C2PA's EDIT intent, not UPDATE: c2pa-rs 0.91.3 writes UPDATE manifests into WebP and TIFF
        files that then fail their own data-hash check (and its verify-after-sign misses it), so the
        new manifest carries its own hard binding; that costs about 300 bytes.
        """
        return self._sign(data, fmt, dict(manifest), intent=c2pa.C2paBuilderIntent.EDIT)

    def reserve_for_approval(self, signed: bytes, fmt: str) -> int:
        """Bytes an approval manifest adds to a file like ``signed``, measured once per format with
        the longest user id the approval log stores, so a capped file still fits once approved.
        (It hardly varies: the new claim, signature and certificate chain, and the parent's link.)"""
        if fmt not in self._reserve:
            probe = approval_manifest(title="probe", mime=MIME[fmt], approval=_APPROVAL_PROBE)
            self._reserve[fmt] = len(self.countersign(signed, fmt, probe)) - len(signed) + _APPROVAL_MARGIN
        return self._reserve[fmt]

    def _sign(self, data: bytes, fmt: str, manifest: dict[str, Any], *, intent: Any) -> bytes:
        if fmt not in MIME:
            raise SigningFailed(f"Content Credentials cannot be embedded in {fmt.upper()} files")
        out = io.BytesIO()
        try:
            with self._lock, c2pa.Builder(manifest, self._context) as builder:
                if intent is not None:
                    builder.set_intent(intent)
                builder.sign(self._signer, MIME[fmt], io.BytesIO(data), out)
        except c2pa.C2paError as exc:
            raise SigningFailed(f"signing the Content Credentials failed: {exc}") from None
        return out.getvalue()
