"""Apply the answer to a plan's question: swap the planned reading's channels for the picked one's.

Planner-agnostic and deterministic: the plan a person saw is the plan that runs, with one choice
changed. Each version of the plan (the base set, ``-jp`` …) keeps its own chain shape: the chain of
the first planned spec is the template for every spec the answer brings in (same ops, same
non-size parameters, same shared edit as input); chains of specs the answer drops are removed.
"""

from __future__ import annotations

from pipeline.errors import BadRequest
from pipeline.plan import Plan, Step


def apply_answer(plan: Plan, question_id: str, option: int) -> Plan:
    """The plan with ``question_id`` answered by ``options[option]`` (the question is then gone)."""
    question = next((q for q in plan.questions if q.id == question_id), None)
    if question is None:
        raise BadRequest(f"this plan has no open question `{question_id}`; ask again")
    if not 0 <= option < len(question.options):
        raise BadRequest(f"question `{question_id}` has no option {option}")
    rest = [q for q in plan.questions if q.id != question_id]
    notes = [n for n in plan.notes if n != question.note]
    old, new = question.default.specs, question.options[option].specs
    steps = plan.steps if option == question.chosen else _swap(plan, old, new)
    return plan.model_copy(update={"steps": steps, "questions": rest, "notes": notes})


def _swap(plan: Plan, old: list[str], new: list[str]) -> list[Step]:
    specs = plan.variant_specs()
    chains: dict[str, list[Step]] = {}
    for step in plan.steps:
        if step.variant:
            chains.setdefault(step.variant, []).append(step)
    # Versions of the plan: "" for the base set, "jp" for story-jp …; each answered on its own.
    groups: dict[str, list[str]] = {}
    for variant, spec in specs.items():
        if spec in old:
            groups.setdefault(variant.removeprefix(spec).lstrip("-"), []).append(variant)
    placed: dict[str, list[Step]] = {}  # first variant of a group → the chains that take the group's place
    for suffix, group in groups.items():
        template, template_spec = chains[group[0]], specs[group[0]]
        out: list[Step] = []
        for spec in new:
            name = _name(spec, suffix)
            if name in group:
                out += chains[name]  # planned already and still wanted: unchanged
            elif name not in chains:  # (a name planned outside the question stays where it is)
                out += _clone(template, template_spec, spec, suffix)
        placed[group[0]] = out
    grouped = {variant for group in groups.values() for variant in group}
    steps: list[Step] = []
    for step in plan.steps:
        if step.variant in placed and step is chains[step.variant][0]:
            steps += placed[step.variant]
        if step.variant not in grouped:
            steps.append(step)
    return steps


def _name(spec: str, suffix: str) -> str:
    return f"{spec}-{suffix}" if suffix else spec


def _clone(template: list[Step], old_spec: str, spec: str, suffix: str) -> list[Step]:
    """``template`` (a chain for ``old_spec``) remade for ``spec``: ids, variant and sizes renamed."""
    old_name, name = _name(old_spec, suffix), _name(spec, suffix)
    steps: list[Step] = []
    for step in template:
        params = {**step.params, "spec": spec} if step.params.get("spec") == old_spec else dict(step.params)
        source = step.input
        if source.startswith(f"{old_name}."):
            source = name + source[len(old_name) :]
        steps.append(
            step.model_copy(
                update={
                    "id": name + step.id[len(old_name) :],
                    "variant": name,
                    "params": params,
                    "input": source,
                }
            )
        )
    return steps
