"""Which C2PA actions each op run contributes, from what the run reports (no op-specific records).

- ``c2pa.cropped`` / ``c2pa.resized``: read from the op's geometry (what part of the master the
  frame shows, at what scale), so any op that crops or scales says so;
- ``c2pa.edited`` with an IPTC digital source type where the op *synthesised* pixels (its generated
  mask): ``algorithmicMedia`` for the classical engine's continuation,
  ``compositeWithTrainedAlgorithmicMedia`` for a model's fill mixed with master pixels,
  ``trainedAlgorithmicMedia`` for a whole-frame re-render (``variant``);
- ``c2pa.edited`` with ``algorithmicMedia`` where `fit` drew a designed layout panel or backdrop;
- ``c2pa.edited`` for ``clean`` / ``swap`` / ``recolor`` (what the picture shows changed);
- ``c2pa.color_adjustments`` for ``harmonize`` (levels and white balance only: nothing depicted changes);
- ``c2pa.placed`` for ``brand``, with the logo and the copy as ``componentOf`` ingredients;
- ``c2pa.edited`` for an op this table does not know yet (never claim less than what happened).

Every action names keyart as its ``softwareAgent`` and the op, engine and model in its parameters.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PIL import Image

from pipeline.credentials.manifest import IPTC, SOFTWARE_AGENT

if TYPE_CHECKING:  # pipeline.ops imports export, which imports the credentials package
    from pipeline.ops.base import Geometry

_PIXEL_TOLERANCE = 0.5  # master pixels: rounding in a crop box is not a crop
_SCALE_TOLERANCE = 0.002
_EDITS = {
    "clean": "removed specks or an object",
    "swap": "replaced a region",
    "recolor": "recoloured a region",
}


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
    record: Mapping[str, Any] | None = None,
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
        ingredients = _placed(params, (record or {}).get("placed"), logo, key)
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


def _placed(params: Mapping[str, Any], said: Any, logo: Image.Image | None, key: str) -> list[dict[str, Any]]:
    """The logo and the copy as ingredients: those `brand` says it placed (its record's ``placed``
    list: it may drop one that fits nowhere), else those its params asked for."""
    names = set(said) if isinstance(said, list) else {"logo", "copy"}
    placed = []
    if logo is not None and params.get("use_logo", True) and "logo" in names:
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
    if text and "copy" in names:
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
