"""What `fit` does once the rule is decided, on either engine: layouts, packshots, and honest notes.

A layout and a packshot backdrop are *designed* pixels, drawn the same way on both engines (never
by a model); the window a crop or expansion shows is drawn by the engine itself (:mod:`.fit`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pipeline.engines.classical.compose import Composed, compose_layout, compose_packshot
from pipeline.engines.classical.fitrule import FitDecision, least_expansion
from pipeline.engines.classical.layout import LayoutPlan, plan_layout
from pipeline.engines.classical.pyramid import pyramid_for
from pipeline.engines.classical.subject import Subject, alpha_box
from pipeline.ops.base import OpContext, OpInputs, OpResult
from pipeline.specs import ChannelSpec

if TYPE_CHECKING:
    from pipeline.ops.fit import FitParams

# A classical enlargement beyond this reads soft in print and on retina screens (×2 is what
# Lanczos + sharpening carries; the diffusion upscaler goes further).
MAX_CLASSICAL_ENLARGEMENT = 2.0
ALPHA_FORMATS = ("png", "webp")


def is_cutout(inputs: OpInputs) -> bool:
    """A packshot cut out on transparency: the alpha channel is the product's mask."""
    return alpha_box(inputs.image) is not None


def panel_fill(params: FitParams, spec: ChannelSpec, style: dict[str, Any]) -> tuple[str, list[str]]:
    """The fill for a layout's panel: asked for, else the kit's choice, else by channel; with notes."""
    accent = (style.get("colors") or {}).get("accent")
    wanted = params.panel if params.panel != "auto" else str(style.get("panel") or "auto")
    notes: list[str] = []
    if wanted in ("transparent", "white"):
        wanted = "auto"  # backdrops for cut-outs; a photo's panel is never blank
    if wanted == "brand" and not accent:
        notes.append("panel=brand needs a brand kit with an accent colour; used a border gradient instead")
        wanted = "border_gradient"
    if wanted == "auto":
        display = bool({"iab", "display"} & set(spec.groups))
        wanted = "brand" if display and accent else "border_gradient"
    return wanted, notes


def layout_result(
    inputs: OpInputs,
    decision: FitDecision,
    params: FitParams,
    spec: ChannelSpec,
    ctx: OpContext,
    subject: Subject,
    engine: str,
) -> OpResult:
    """The layout ``decision`` planned, drawn at the spec's size, recorded as designed pixels.

    With ``output="source"`` and a photo part that would be enlarged, the whole layout is drawn at the
    photo's own scale (the spec's aspect, smaller) and the `upscale` step that follows enlarges it.
    """
    assert decision.layout is not None
    fill, notes = panel_fill(params, spec, inputs.style)
    accent = (inputs.style.get("colors") or {}).get("accent")
    plan, size = decision.layout, spec.size
    if params.output == "source":
        plan, size, note = _at_source_scale(subject, spec, params, plan)
        notes.append(note)
    composed = compose_layout(
        pyramid_for(inputs.image, ctx.cache),
        plan,
        fill,  # type: ignore[arg-type]
        accent=accent,
        rng=ctx.rng(),
        copy_colour=(inputs.style.get("colors") or {}).get("text"),
    )
    notes = [decision.reason, *notes, *enlargement_notes(decision.layout.scale, spec, engine, inputs)]
    if params.prompt and engine == "classical":
        notes.append("the classical engine ignores `prompt`: the layout's panel is designed, not generated")
    record = {
        "rule": "layout",
        "reason": decision.reason,
        **_common(subject, params, spec),
        "size": list(size),
    }
    return _result(
        inputs,
        composed,
        plan.frame_box(),
        size,
        ctx,
        engine,
        notes,
        record,
        layout={"kind": "layout", **composed.record},
    )


def _at_source_scale(
    subject: Subject, spec: ChannelSpec, params: FitParams, plan: LayoutPlan
) -> tuple[LayoutPlan, tuple[int, int], str]:
    """The layout re-planned on a frame of the spec's aspect at the photo's own scale (≤ 1), if smaller."""
    if plan.scale <= 1.0:
        return (
            plan,
            spec.size,
            "output=source: the layout's photo is not enlarged, so it is drawn at the spec's size",
        )
    short = max(8, round(min(spec.size) / plan.scale))
    ratio = max(spec.size) / min(spec.size)
    long = max(8, round(short * ratio))
    size = (short, long) if spec.height >= spec.width else (long, short)
    smaller = plan_layout(subject, replace(spec, width=size[0], height=size[1]), params.margin)
    return (
        smaller,
        size,
        (
            f"drawn at the source's own scale ({size[0]}×{size[1]}): `upscale` enlarges the "
            f"layout ×{spec.width / size[0]:.2f} to `{spec.name}`'s {spec.width}×{spec.height}"
        ),
    )


def packshot_result(
    inputs: OpInputs, params: FitParams, spec: ChannelSpec, ctx: OpContext, subject: Subject, engine: str
) -> OpResult:
    """A cut-out's product framed with margin on a designed backdrop: nothing is ever continued."""
    from pipeline.engines.classical.fitrule import BANNER_FACTOR, aspect_factor, decide

    accent = (inputs.style.get("colors") or {}).get("accent")
    backdrop = (
        params.panel
        if params.panel in ("white", "brand", "transparent")
        else str(inputs.style.get("backdrop") or "white")
    )
    notes: list[str] = []
    if backdrop == "transparent" and spec.format not in ALPHA_FORMATS:
        notes.append(
            f"`{spec.name}` is {spec.format.upper()}, which has no transparency: white backdrop instead"
        )
        backdrop = "white"
    if backdrop == "brand" and not accent:
        notes.append("backdrop=brand needs a brand kit with an accent colour: white instead")
        backdrop = "white"
    pyramid = pyramid_for(inputs.image, ctx.cache)
    if aspect_factor(inputs.image.size, spec.aspect_ratio) > BANNER_FACTOR:
        decision = decide(subject, spec, engine=engine, margin=params.margin, max_expand=0.0, edges={})
    else:
        decision = None
    if decision is not None and decision.layout is not None:  # banner: product on a third, copy beside it
        plan = decision.layout
        composed = compose_packshot(
            pyramid, plan.frame_box(), spec.size, backdrop, accent=accent, rng=ctx.rng()
        )
        box, rule = plan.frame_box(), "packshot-layout"
        layout = {"kind": "layout", **plan.to_record(), **composed.record}
    else:
        box, _, _ = least_expansion(subject, spec.aspect_ratio, max(params.margin, 0.1), {})
        box = with_copy_room(box, subject.key_box, params.room, spec.aspect_ratio)
        composed = compose_packshot(pyramid, box, spec.size, backdrop, accent=accent, rng=ctx.rng())
        rule, layout = "packshot", {"kind": "backdrop", **composed.record}
    why = (
        f"a cut-out packshot: the product framed with margin on a designed {composed.record['fill']['kind']} "
        "backdrop (pixels hidden under transparency never reach the output)"
    )
    scale = spec.size[0] / (box[2] - box[0])
    notes = [why, *notes, *enlargement_notes(scale, spec, engine, inputs)]
    return _result(
        inputs,
        composed,
        box,
        spec.size,
        ctx,
        engine,
        notes,
        {"rule": rule, "reason": why, **_common(subject, params, spec)},
        layout=layout,
    )


def with_copy_room(
    box: tuple[float, float, float, float], key: tuple[int, int, int, int], room: float, aspect: float
) -> tuple[float, float, float, float]:
    """``box`` grown so a strip of ``room`` (share of the frame) stays clear of the product for the copy
    and logo: beside it on wide formats, below it otherwise — the backdrop is designed, so it can be."""
    from pipeline.engines.classical.fitrule import free_strip

    if room <= 0 or free_strip(key, box) >= room:
        return box
    x0, y0, x1, y1 = box
    if aspect >= 1.3:  # the product keeps its place from the left; the strip opens on the right
        width = max(x1 - x0, (key[2] - x0) / (1 - room))
        height = width / aspect
        top = (key[1] + key[3]) / 2 - height / 2
        return (x0, top, x0 + width, top + height)
    height = max(y1 - y0, (key[3] - y0) / (1 - room))  # the product keeps its headroom; copy below
    width = height * aspect
    left = (key[0] + key[2]) / 2 - width / 2
    return (left, y0, left + width, y0 + height)


def _common(subject: Subject, params: FitParams, spec: ChannelSpec) -> dict[str, Any]:
    return {
        "subject": subject.to_record(),
        "cut_faces": [],
        "prefer": params.prefer,
        "output": params.output,
        "size": list(spec.size),
        "generated_share": 0.0,
    }


def _result(
    inputs: OpInputs,
    composed: Composed,
    box: tuple[float, float, float, float],
    size: tuple[int, int],
    ctx: OpContext,
    engine: str,
    notes: list[str],
    record: dict[str, Any],
    layout: dict[str, Any],
) -> OpResult:
    record.update(
        box=[round(v, 3) for v in box],
        designed_share=round(float(composed.designed.mean()), 4),
        layout=layout,
        enlargement=round(size[0] / (box[2] - box[0]), 3),
    )
    return OpResult(
        composed.image,
        inputs.geometry.then_crop(box, size),
        notes,
        seed=ctx.seed,
        engine=engine,
        designed_mask=composed.designed,
        layout=layout,
        record=record,
    )


def enlargement_notes(scale: float, spec: ChannelSpec, engine: str, inputs: OpInputs) -> list[str]:
    """A warning when the master's pixels are enlarged more than the engine can honestly carry."""
    if scale <= MAX_CLASSICAL_ENLARGEMENT or engine != "classical":
        return []
    w, h = inputs.master.size
    advice = (
        "the diffusion engine's upscaler (KEYART_ENGINE=diffusion with KEYART_MODEL_UPSCALER) would do better"
        if {"print", "ooh"} & set(spec.groups)
        else "a larger master would do better"
    )
    return [
        f"⚠️ low resolution: `{spec.name}` enlarges the {w}×{h} master ×{scale:.1f} (more than "
        f"×{MAX_CLASSICAL_ENLARGEMENT:g} on the classical engine reads soft); {advice}"
    ]
