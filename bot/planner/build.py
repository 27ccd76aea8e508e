""":class:`Intent` → :class:`Plan` steps: shared edits first, then one chain per variant.

Each variant is ``<name>.fit`` → [``.upscale``] → [``.harmonize``] → [``.brand``] → ``<name>.export``,
reading from the master or from the shared edit it builds on (``edit.swap-jp`` for ``story-jp``).
With an upscale, ``fit`` frames at the master's own scale (``output="source"``) and ``upscale``
does all of the enlarging (with a model on the diffusion engine).
A re-rendered variant ("re-render the story at low strength") starts with ``<name>.variant`` instead
of ``.fit`` on the diffusion engine; on the classical engine it keeps ``fit`` and says so.
"""

from __future__ import annotations

from typing import Any

from bot.planner.base import PlanContext
from bot.planner.intent import Intent, Swap
from bot.planner.removals import LOGO_KEPT_OFF_NOTE
from bot.planner.rerender import DEFAULT_STRENGTH
from bot.planner.text import MAX_REQUEST_CHARS
from pipeline.errors import BadRequest
from pipeline.plan import MASTER, Plan, Step
from pipeline.questions import MAX_QUESTIONS, Option, Question

EXAMPLES = (
    "“story, feed and the IAB set”, “make 9:16 and 4:5”, “linkedin + youtube thumbnail”, "
    "“swap the background to white”, “remove the specks”, “JP version with a Tokyo skyline at dusk”"
)


def check_request(text: str) -> None:
    """Refuse an empty or over-long request (both planners, before any planning work)."""
    if not text:
        raise BadRequest(f"the request is empty. Try e.g. {EXAMPLES}.")
    if len(text) > MAX_REQUEST_CHARS:
        raise BadRequest(
            f"the request is {len(text)} characters; the limit is {MAX_REQUEST_CHARS} — "
            "send the production request on its own"
        )


# Shared with the LLM planner, which adds the same notes in code.
NO_BRAND_KIT_NOTE = (
    "no brand kit yet: the logo goes on once one is added to the thread (until then brand steps "
    "place only the copy)"
)
NO_MASTER_NOTE = "there is no approved master yet — upload one (or approve a candidate) before running this"


class _Steps:
    def __init__(self) -> None:
        self.steps: list[Step] = []
        self._ids: set[str] = set()

    def add(
        self, step_id: str, op: str, params: dict[str, Any], source: str, variant: str | None = None
    ) -> str:
        unique, n = step_id, 2
        while unique in self._ids:  # a second recolor becomes edit.recolor-2
            unique, n = f"{step_id}-{n}", n + 1
        self._ids.add(unique)
        self.steps.append(Step(id=unique, op=op, params=params, input=source, variant=variant))
        return unique


def build_plan(intent: Intent, request: str, ctx: PlanContext, notes: list[str]) -> Plan:
    out = _Steps()
    source = MASTER
    for op, params in intent.edits:
        source = out.add(f"edit.{op}", op, params, source)
    pre_swap = source
    base_swap = _swap_params(intent.swap, ctx.engine, notes, "")
    base = out.add("edit.swap", "swap", base_swap, pre_swap) if base_swap else pre_swap
    versions: list[tuple[str, str, str | None, tuple[str, ...] | None]] = [("", base, None, None)]
    plain: list[str] = []
    for market in intent.markets:
        swap = _swap_params(market.swap, ctx.engine, notes, market.code.upper())
        source = out.add(f"edit.swap-{market.code}", "swap", swap, pre_swap) if swap else base
        if market.swap is None and market.cta is None:
            plain.append(market.code.upper())
        versions.append((market.code, source, market.cta, market.specs))
    if plain:
        notes.append(
            f"{' and '.join(plain)} versions: nothing market-specific was named (a background or copy), "
            "so those variants match the base set — add e.g. “DE version with CTA 'Jetzt kaufen'”"
        )

    acts = bool(out.steps or intent.tweaks or any(m.cta for m in intent.markets))
    targets = _targets(intent, ctx, notes, acts)
    count = sum(len(targets) if only is None else len(only) for *_, only in versions)
    if count > ctx.max_variants:
        raise BadRequest(
            f"that request makes {count} variants ({len(targets)} channels, {len(versions)} versions); "
            f"the limit is {ctx.max_variants} per request — split it into smaller requests"
        )
    logo_wanted = False
    fitted: list[str] = []  # asked to re-render, but the engine can only fit
    for suffix, source, cta, only in versions:
        for spec in targets if only is None else [t for t in targets if t in only]:
            name = f"{spec}-{suffix}" if suffix else spec
            op, frame = _frame(intent, ctx, spec, notes)
            if op == "fit" and _applies(intent, "variant", spec):
                fitted.append(name)
            if op == "fit" and _applies(intent, "upscale", spec):
                frame["output"] = "source"  # fit frames at the master's scale; upscale enlarges
            last = out.add(f"{name}.{op}", op, frame, source, name)
            for op in ("upscale", "harmonize"):
                if _applies(intent, op, spec):
                    last = out.add(f"{name}.{op}", op, {"spec": spec} if op == "upscale" else {}, last, name)
            brand = _brand(intent, ctx, spec, cta)
            if brand is not None:
                logo_wanted |= brand.get("use_logo") is True
                last = out.add(f"{name}.brand", "brand", brand, last, name)
            out.add(f"{name}.export", "export", {"spec": spec, **_merged(intent, "export", spec)}, last, name)
    if fitted:
        notes.append(
            f"re-rendering (img2img variants) needs the diffusion engine (`--engine diffusion`); the "
            f"classical engine fits the master instead for {', '.join(f'`{n}`' for n in fitted)}"
        )
    if logo_wanted and not ctx.has_brand_kit:
        notes.append(NO_BRAND_KIT_NOTE)
    if intent.logo_removed and ctx.has_brand_kit and not logo_wanted:
        notes.append(LOGO_KEPT_OFF_NOTE)
    if not ctx.has_master:
        notes.append(NO_MASTER_NOTE)
    deduped = list(dict.fromkeys(notes))
    made = {spec for *_, only in versions for spec in (targets if only is None else only)}
    questions = _questions(intent, made)
    plan = Plan(steps=out.steps, notes=deduped, questions=questions, request=request, planner="rules")
    return plan.validate_plan(engine=ctx.engine, max_variants=ctx.max_variants)


def _questions(intent: Intent, planned: set[str]) -> list[Question]:
    """The readings to confirm, for defaults the plan really makes (the first few)."""
    found: list[Question] = []
    for ask in intent.asks:
        if not set(ask.options[0][1]) <= planned or len(found) == MAX_QUESTIONS:
            continue
        options = [Option(label=label, specs=list(specs)) for label, specs in ask.options]
        found.append(Question(id=f"q{len(found) + 1}", text=ask.text, options=options, note=ask.note))
    return found


def _targets(intent: Intent, ctx: PlanContext, notes: list[str], acts: bool) -> list[str]:
    keep = [t for t in (intent.targets or []) if t not in intent.excluded]
    if keep:
        return keep
    if intent.wants_all or (intent.excluded and not intent.targets):  # "everything except print"
        return [s for s in ctx.default_specs if s not in intent.excluded]
    if acts:
        notes.append(
            f"no channels named: planning the default set ({len(ctx.default_specs)} specs) — "
            "name channels to narrow it"
        )
        return [s for s in ctx.default_specs if s not in intent.excluded]
    understood = "; ".join(notes) if notes else "no channel, edit or market I know"
    raise BadRequest(
        f"I couldn't find anything to make in that request ({understood}). "
        f"Try e.g. {EXAMPLES}; `keyart specs` lists the channels."
    )


def _swap_params(swap: Swap | None, engine: str, notes: list[str], market: str) -> dict[str, Any] | None:
    if swap is None:
        return None
    who = f"{market} versions: " if market else ""
    if not swap.text:
        notes.append(
            f"{who}swap the background to what? Name a colour or (diffusion engine) a scene; left out"
        )
        return None
    if swap.colour:
        return {"region": "background", "color": swap.colour}
    if engine == "diffusion":
        return {"region": "background", "prompt": swap.text}
    kept = (
        f"the {market} variants are copies of the base set"
        if market
        else "the variants keep the master's background"
    )
    notes.append(
        f"{who}swapping the background to “{swap.text}” needs the diffusion engine (`--engine diffusion`); "
        f"the classical engine only swaps to a colour (e.g. “to white” or “to #FFFFFF”). Left out: {kept}"
    )
    return None


def _frame(intent: Intent, ctx: PlanContext, spec: str, notes: list[str]) -> tuple[str, dict[str, Any]]:
    """A variant's first step: ``variant`` (re-render, diffusion engine) or ``fit``, with its params."""
    fit = {"spec": spec, **_merged(intent, "fit", spec)}
    if ctx.engine == "diffusion" and _applies(intent, "variant", spec):
        if len(fit) > 1:  # a re-render is made at the spec's size: nothing to crop or expand
            notes.append(
                f"`{spec}` is re-rendered at its size, so the crop/expand wish "
                f"({', '.join(f'{k}={v}' for k, v in fit.items() if k != 'spec')}) doesn't apply to it"
            )
        return "variant", {"spec": spec, "strength": DEFAULT_STRENGTH, **_merged(intent, "variant", spec)}
    if "prompt" in fit and ctx.engine != "diffusion":
        notes.append(
            f"the classical engine fills expanded areas from the edges; “{fit.pop('prompt')}” "
            "needs the diffusion engine"
        )
    return "fit", fit


def _applies(intent: Intent, op: str, spec: str) -> bool:
    return any(t.op == op and (t.specs is None or spec in t.specs) for t in intent.tweaks)


def _merged(intent: Intent, op: str, spec: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for tweak in intent.tweaks:
        if tweak.op == op and (tweak.specs is None or spec in tweak.specs):
            params.update(tweak.params)
    return params


def _brand(intent: Intent, ctx: PlanContext, spec: str, cta: str | None) -> dict[str, Any] | None:
    asked = _applies(intent, "brand", spec)
    params: dict[str, Any] = {"spec": spec, **_merged(intent, "brand", spec)}
    if cta:
        params["text"] = cta
    if intent.brand_declined:
        if not params.get("text"):
            return None
        params["use_logo"] = False  # "no logo, CTA 'Shop now'": copy only
    elif intent.logo_removed and "use_logo" not in params:
        # "remove the logo": a logo in the photo goes; the kit's logo only comes when asked for.
        if not params.get("text"):
            return None
        params["use_logo"] = False
    elif not (asked or cta or ctx.has_brand_kit):
        return None
    return params
