"""Compare a planner's answer with a corpus case (id-agnostic, so any planner can be scored)."""

from __future__ import annotations

from bot.planner import PlanContext, Planner
from pipeline.errors import BadRequest
from pipeline.plan import MASTER, Plan, Step
from tests.planner.corpus import Case


def lineage_steps(plan: Plan, variant: str) -> list[Step]:
    """The steps from the master to a variant's last step, shared edits included."""
    by_id = {step.id: step for step in plan.steps}
    chain = [plan.final_step(variant)]
    while chain[-1].input != MASTER:
        chain.append(by_id[chain[-1].input])
    return chain[::-1]


def lineages(plan: Plan) -> dict[str, tuple[str, ...]]:
    return {name: tuple(s.op for s in lineage_steps(plan, name)) for name in plan.variants()}


def problems(planner: Planner, case: Case) -> list[str]:
    """What differs from the case; an empty list is a pass."""
    ctx = PlanContext(engine=case.engine, max_variants=case.max_variants, has_brand_kit=case.has_brand_kit)
    try:
        plan = planner.plan(case.request, ctx)
    except BadRequest as exc:
        if case.error is None:
            return [f"unexpected BadRequest: {exc}"]
        return [] if case.error.lower() in str(exc).lower() else [f"BadRequest without {case.error!r}: {exc}"]
    if case.error is not None:
        return [f"expected BadRequest ({case.error!r}), got {plan.variants()}"]
    found: list[str] = []
    got = lineages(plan)
    if set(got) != set(case.variants):
        found.append(
            f"variants: missing {sorted(set(case.variants) - set(got))}, "
            f"extra {sorted(set(got) - set(case.variants))}"
        )
    found += [
        f"{name}: {got[name]} != {want}"
        for name, want in case.variants.items()
        if name in got and got[name] != want
    ]
    for key, want in case.params.items():
        # "story-jp:swap" is the swap in story-jp's lineage; a bare "swap" is any shared swap.
        variant, _, op = key.rpartition(":")
        pool = lineage_steps(plan, variant) if variant in got else [] if variant else plan.steps
        steps = [s for s in pool if s.op == op and (variant or s.variant is None)]
        if not any(dict(want).items() <= s.params.items() for s in steps):
            found.append(f"{key}: no step with {dict(want)} in {[s.params for s in steps]}")
    asked = {
        (frozenset(q.default.specs), frozenset(frozenset(o.specs) for o in q.alternatives()))
        for q in plan.questions
    }
    wanted = {(frozenset(a.chosen), frozenset(frozenset(o) for o in a.others)) for a in case.asks}
    if asked != wanted:
        found.append(f"questions: {[q.text for q in plan.questions]} ({_shown(asked)}) != {_shown(wanted)}")
    notes = " | ".join(plan.notes).lower()
    found += [
        f"no note containing {want!r} in {plan.notes}" for want in case.notes if want.lower() not in notes
    ]
    for unwanted in ("didn't understand", "ignored instructions"):
        if unwanted in notes and not any(unwanted in want.lower() for want in case.notes):
            found.append(f"unexpected note: {plan.notes}")
    return found


def _shown(questions: set[tuple[frozenset[str], frozenset[frozenset[str]]]]) -> list[str]:
    return sorted(f"{sorted(chosen)} or {sorted(sorted(o) for o in others)}" for chosen, others in questions)
