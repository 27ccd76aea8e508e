"""A variant approved after delivery gets the approval on record in its own Content Credentials.

Approval happens after the file is delivered (a ✅ on the posted file), so the delivered manifest
cannot name the approver. Re-signing from scratch would hide that the file existed, signed, before
anyone approved it; so keyart *countersigns*: the delivered file, with its manifest, becomes the
parent ingredient of a new manifest (pixels unchanged; see ``CredentialSigner.countersign``) whose
``com.keyart.approval`` assertion says who approved it, when and how, and whose action is
``c2pa.published``. The delivered file's manifest stays verifiable inside the approved copy, and the
approved copy is stored as its own asset (kind ``approved``, parent = the variant). Export kept
room for this manifest under the byte cap, so the approved copy still meets the channel's cap.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.credentials.manifest import MIME, approval_manifest
from pipeline.credentials.record import iso
from pipeline.errors import BadRequest
from pipeline.runtime import Runtime
from pipeline.specs import get_spec
from storage.db import read_session, session_scope
from storage.models import Approval, Asset, AssetBase
from storage.repos import campaigns


@dataclass
class ApprovedCopy:
    asset: Asset | None  # None: no approved copy (the note says why); the approval log has the decision
    note: str = ""


def approve_delivery(runtime: Runtime, approval: Approval) -> ApprovedCopy:
    """Countersign the variant an ``approve`` decision names; store and return the approved copy."""
    from pipeline.credentials.reader import read_credentials
    from pipeline.credentials.signer import SigningFailed

    with read_session(runtime.engine) as s:
        variant = campaigns.get_asset(s, approval.asset_id) if approval.asset_id else None
    if variant is None or variant.kind != "variant" or variant.campaign_id != approval.campaign_id:
        raise BadRequest("that message does not show a delivered variant of this campaign")
    if variant.format not in MIME or runtime.signer is None:
        return ApprovedCopy(None, f"{variant.format.upper()} files cannot carry Content Credentials")
    record = {
        "user": approval.user_id,
        "via": approval.source,
        "at": iso(approval.created_at),
        "reaction": approval.reaction,
        "approval_id": approval.id,
    }
    manifest = approval_manifest(
        title=variant.filename or f"variant.{variant.format}", mime=MIME[variant.format], approval=record
    )
    signed = runtime.signer.countersign(runtime.blobs.read_bytes(variant.sha256), variant.format, manifest)
    # Read it back before anyone ships it: the library's own post-sign check has missed broken files.
    check = read_credentials(signed, anchors_pem=runtime.signer.keys.anchors_pem)
    if check.exit_code != 0:
        raise SigningFailed(f"the approved copy of `{variant.filename}` does not validate: {check.reason}")
    cap = get_spec(variant.spec).max_bytes if variant.spec else None
    if cap and len(signed) > cap:
        return ApprovedCopy(
            None,
            f"the approval is recorded, but a copy carrying it would be {len(signed):,} "
            f"bytes, over the {cap / 1000:g} KB cap of `{variant.spec}`: the delivered "
            "file stays the one to ship",
        )
    key = runtime.blobs.put_bytes(signed)
    with session_scope(runtime.engine) as s:
        copy = campaigns.add_asset(
            s,
            AssetBase(
                campaign_id=variant.campaign_id,
                parent_id=variant.id,
                kind="approved",
                status="approved",
                sha256=key,
                width=variant.width,
                height=variant.height,
                format=variant.format,
                size_bytes=len(signed),
                spec=variant.spec,
                op="approve",
                op_version="1.0.0",
                params={"approval": record, "approved_from": variant.sha256},
                engine=variant.engine,
                model=variant.model,
                seed=variant.seed,
                geometry=dict(variant.geometry),
                notes=[],
                filename=variant.filename,
                job_id=variant.job_id,
            ),
        )
    return ApprovedCopy(copy)
