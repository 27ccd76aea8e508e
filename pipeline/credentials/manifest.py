"""What a delivered file's Content Credentials say: the C2PA manifest definitions keyart signs.

A delivered file's manifest has the approved master as its ``parentOf`` ingredient (identified by
its sha256), one ``c2pa.actions.v2`` assertion and keyart's own ``com.keyart.production``
assertion. Actions, in the order the ops ran (an edit the variant was built on comes first):

- ``c2pa.opened``: the master (always first, pointing at the parent ingredient);
- ``c2pa.cropped`` / ``c2pa.resized``: read from each op's geometry (what part of the master the
  frame shows, at what scale), so any op that crops or scales says so;
- ``c2pa.edited`` with an IPTC digital source type where an op *synthesised* pixels (its generated
  mask): ``algorithmicMedia`` for the classical engine's continuation,
  ``compositeWithTrainedAlgorithmicMedia`` for a model's fill mixed with master pixels,
  ``trainedAlgorithmicMedia`` for a whole-frame re-render (``variant``);
- ``c2pa.edited`` with ``algorithmicMedia`` where `fit` drew a designed layout panel or backdrop;
- ``c2pa.edited`` for ``clean`` / ``swap`` / ``recolor`` (what the picture shows changed);
- ``c2pa.color_adjustments`` for ``harmonize`` (levels and white balance only: nothing depicted changes);
- ``c2pa.placed`` for ``brand``, with the logo and the copy as ``componentOf`` ingredients.

Every action names keyart as its ``softwareAgent`` and the op, engine and model in its parameters.
People are recorded by the id they acted under (a Slack user id, or the login name for the CLI).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any

from PIL import Image

if TYPE_CHECKING:  # pipeline.ops imports export, which imports this module
    from pipeline.ops.base import Geometry

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
MIME = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "tiff": "image/tiff"}
# The development CA's organisation name; reports print DEVELOPMENT_NOTE for files it signed.
DEVELOPMENT_ORG = "keyart development certificate"
DEVELOPMENT_NOTE = "signed with a development certificate: not trusted outside this workspace"
PRODUCTION = "com.keyart.production"
APPROVAL = "com.keyart.approval"
MASTER_LABEL = "master"
_PIXEL_TOLERANCE = 0.5  # master pixels: rounding in a crop box is not a crop
_SCALE_TOLERANCE = 0.002
_EDITS = {
    "clean": "removed specks or an object",
    "swap": "replaced a region",
    "recolor": "recoloured a region",
}


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


def step_credentials(
    op: str,
    params: Mapping[str, Any],
    *,
    before: Geometry,
    after: Geometry,
    engine: str,
    model: str | None,
    generated_share: float,
    designed_share: float = 0.0,
    logo: Image.Image | None = None,
    key: str = "",
) -> dict[str, Any]:
    """The actions (and ingredients) one op run contributes; ``key`` makes ingredient labels unique."""
    agent = {
        "com.keyart.op": op,
        "com.keyart.engine": engine,
        **({"com.keyart.model": model} if model else {}),
    }

    def action(name: str, description: str, source: str | None = None, **extra: Any) -> dict[str, Any]:
        out: dict[str, Any] = {
            "action": name,
            "softwareAgent": SOFTWARE_AGENT,
            "description": description,
            "parameters": {**agent, **extra},
        }
        if source:
            out["digitalSourceType"] = IPTC + source
        return out

    actions: list[dict[str, Any]] = []
    ingredients: list[dict[str, Any]] = []
    if _cut(before, after):
        actions.append(action("c2pa.cropped", f"{op}: cropped the frame"))
    if _rescaled(before, after):
        w, h = after.output_size
        source = "compositeWithTrainedAlgorithmicMedia" if op == "upscale" and model else None
        actions.append(action("c2pa.resized", f"{op}: resized to {w}×{h}", source))
    diffusion = engine == "diffusion"
    if op == "variant":
        actions.append(
            action("c2pa.edited", "re-rendered the whole frame from the master", "trainedAlgorithmicMedia")
        )
    elif generated_share > 0 and op != "upscale":
        source = "compositeWithTrainedAlgorithmicMedia" if diffusion else "algorithmicMedia"
        how = "a generative model filled" if diffusion else "classical continuation filled"
        actions.append(action("c2pa.edited", f"{op}: {how} {generated_share:.0%} of the frame", source))
    elif op in _EDITS:
        actions.append(action("c2pa.edited", f"{op}: {_EDITS[op]}"))
    if designed_share > 0 and op != "brand":
        actions.append(
            action(
                "c2pa.edited",
                f"{op}: drew a designed panel or backdrop ({designed_share:.0%} of "
                "the frame: brand colour, gradient or ambient blur; no AI)",
                "algorithmicMedia",
            )
        )
    if op == "harmonize":
        actions.append(
            action(
                "c2pa.color_adjustments",
                "harmonize: matched black/white points and white balance to the master",
            )
        )
    if op == "brand":
        ingredients = _placed(params, logo, key)
        if ingredients:
            what = " and ".join(i["title"] for i in ingredients)
            actions.append(
                action(
                    "c2pa.placed",
                    f"brand: placed {what} (deterministic compositing, no AI)",
                    ingredientIds=[i["label"] for i in ingredients],
                )
            )
    if op not in _KNOWN and not actions:
        actions.append(action("c2pa.edited", f"{op}: changed the pixels"))
    return {"actions": actions, "ingredients": ingredients}


_KNOWN = {
    "fit",
    "reframe",
    "expand",
    "upscale",
    "export",
    "brand",
    "harmonize",
    "variant",
    "generate",
    *_EDITS,
}


def _cut(before: Geometry, after: Geometry) -> bool:
    """Whether part of the previous frame is no longer shown."""
    b, a = before.source_box, after.source_box
    t = _PIXEL_TOLERANCE
    return a[0] > b[0] + t or a[1] > b[1] + t or a[2] < b[2] - t or a[3] < b[3] - t


def _rescaled(before: Geometry, after: Geometry) -> bool:
    return any(abs(x / y - 1) > _SCALE_TOLERANCE for x, y in zip(after.scale, before.scale, strict=True))


def _placed(params: Mapping[str, Any], logo: Image.Image | None, key: str) -> list[dict[str, Any]]:
    placed = []
    if logo is not None and params.get("use_logo", True):
        digest = hashlib.sha256(logo.convert("RGBA").tobytes()).hexdigest()
        placed.append(
            {
                "title": "the brand logo",
                "format": "image/png",
                "relationship": "componentOf",
                "label": f"{key}logo",
                "instance_id": f"urn:keyart:rgba-sha256:{digest}",
                "description": f"{logo.width}×{logo.height} logo from the brand kit",
            }
        )
    text = str(params.get("text") or "").strip()
    if text:
        digest = hashlib.sha256(text.encode()).hexdigest()
        placed.append(
            {
                "title": "the copy",
                "format": "text/plain",
                "relationship": "componentOf",
                "label": f"{key}copy",
                "instance_id": f"urn:keyart:text-sha256:{digest}",
                "description": f"copy line “{text}”",
            }
        )
    return placed


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
