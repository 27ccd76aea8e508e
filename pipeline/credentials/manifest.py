"""What a delivered file's Content Credentials say: the C2PA manifest definitions keyart signs.

A delivered file's manifest has the approved master as its ``parentOf`` ingredient (identified by
its sha256), one ``c2pa.actions.v2`` assertion (``c2pa.opened`` on the master, then what each op
did, in order: ``actions.py``) and keyart's own ``com.keyart.production`` assertion: campaign,
spec, seed, engine, models, and the people (who briefed, who asked, who approved the master and
when). An approval after delivery adds a second manifest on top (``approval_manifest``).
People are recorded by the id they acted under (a Slack user id, or the login name for the CLI).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
MIME = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "tiff": "image/tiff"}
# The development CA's organisation name; reports print DEVELOPMENT_NOTE for files it signed.
DEVELOPMENT_ORG = "keyart development certificate"
DEVELOPMENT_NOTE = "signed with a development certificate: not trusted outside this workspace"
PRODUCTION = "com.keyart.production"
APPROVAL = "com.keyart.approval"
MASTER_LABEL = "master"


def _version() -> str:
    try:
        return metadata.version("keyart")
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "0"


SOFTWARE_AGENT = {"name": "keyart", "version": _version()}


@dataclass
class Production:
    """How a file was made and who decided what: everything its manifest says besides the pixels."""

    master_sha256: str
    master_title: str = "master"
    master_format: str = "image/png"
    master_origin: dict[str, Any] = field(default_factory=dict)  # upload, or model + seed of a generated one
    steps: list[dict[str, Any]] = field(default_factory=list)  # step_credentials() of each op, in order
    people: dict[str, Any] = field(default_factory=dict)  # briefed_by, requested_by, master_approved_by
    facts: dict[str, Any] = field(default_factory=dict)  # campaign, unit, asset_ref, seed, engine, models


def production_manifest(
    prod: Production, *, spec: str, title: str, mime: str, source_type: str
) -> dict[str, Any]:
    """The manifest definition for a delivered file (c2pa ``Builder`` JSON)."""
    origin = prod.master_origin
    described = "the approved master" + (f" ({origin['summary']})" if origin.get("summary") else "")
    ingredients: list[dict[str, Any]] = [
        {
            "title": prod.master_title,
            "format": prod.master_format,
            "relationship": "parentOf",
            "label": MASTER_LABEL,
            "instance_id": master_id(prod.master_sha256),
            "document_id": master_id(prod.master_sha256),
            "description": described,
        }
    ]
    actions: list[dict[str, Any]] = [
        {
            "action": "c2pa.opened",
            "softwareAgent": SOFTWARE_AGENT,
            "description": f"opened {described}",
            "parameters": {"ingredientIds": [MASTER_LABEL]},
        }
    ]
    for step in prod.steps:
        actions += step.get("actions") or []
        ingredients += step.get("ingredients") or []
    data = {
        **_clean(prod.facts),
        "spec": spec,
        "digital_source_type": source_type,
        "master": {"sha256": prod.master_sha256, **_clean(origin)},
        "people": _clean(prod.people),
    }
    return {
        "claim_generator_info": [SOFTWARE_AGENT],
        "title": title,
        "format": mime,
        "ingredients": ingredients,
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": actions, "allActionsIncluded": True}},
            {"label": PRODUCTION, "data": data},
        ],
    }


def approval_manifest(*, title: str, mime: str, approval: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest added when a person approves a delivered file: the file itself is the parent
    ingredient (``CredentialSigner.countersign``: the pixels do not change)."""
    who = f"{approval.get('user')} ({approval.get('via')}, {approval.get('at')})"
    return {
        "claim_generator_info": [SOFTWARE_AGENT],
        "title": title,
        "format": mime,
        "assertions": [
            {
                "label": "c2pa.actions.v2",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.published",
                            "softwareAgent": SOFTWARE_AGENT,
                            "description": f"approved for delivery by {who}",
                        }
                    ]
                },
            },
            {"label": APPROVAL, "data": {"variant_approved_by": _clean(approval)}},
        ],
    }


def synthesized_pixels(prod: Production) -> bool:
    """Whether any recorded action synthesised pixels (it carries a digital source type)."""
    return any(a.get("digitalSourceType") for step in prod.steps for a in step.get("actions") or [])


def master_id(sha256: str) -> str:
    return f"urn:keyart:sha256:{sha256}"


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """Drop empty values (CBOR has no use for them, and readers need not guess what null means)."""
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}
