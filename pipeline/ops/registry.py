"""The op registry. ``@op(...)`` registers one function per module and fails loudly at import
on a duplicate name, a missing Params docstring or an undocumented field: the docstrings *are*
the CLI help, the Slack help and the LLM tool descriptions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_type_hints

from pipeline.errors import BadRequest, EngineUnavailable
from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult

OpFn = Callable[[OpInputs, Any, OpContext], OpResult]
ENGINES = ("classical", "diffusion")


class RegistryError(Exception):
    """An op is declared wrongly (raised at import time)."""


@dataclass(frozen=True)
class OpSpec:
    name: str
    version: str
    params_type: type[OpParams]
    fn: OpFn
    engines: tuple[str, ...]
    summary: str
    unavailable: dict[str, str]  # engine -> message for engines this op refuses

    def description(self) -> str:
        return (self.params_type.__doc__ or "").strip()

    def parse_params(self, raw: dict[str, Any]) -> OpParams:
        from pydantic import ValidationError

        try:
            return self.params_type.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'params'}: "
                + err["msg"].removeprefix("Value error, ")
                for err in exc.errors()
            )
            raise BadRequest(f"`{self.name}` parameters: {problems}") from None

    def check_engine(self, engine: str) -> None:
        if engine in self.unavailable:
            raise EngineUnavailable(self.unavailable[engine])
        if engine not in self.engines:
            raise EngineUnavailable(f"`{self.name}` does not run on the {engine} engine")


_OPS: dict[str, OpSpec] = {}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def op(
    name: str, *, version: str, engines: tuple[str, ...] = ENGINES, unavailable: dict[str, str] | None = None
) -> Callable[[OpFn], OpFn]:
    """Register an op function. Its ``params`` annotation names its Params model."""

    def register(fn: OpFn) -> OpFn:
        if not _NAME.match(name):
            raise RegistryError(f"op name {name!r} must be lowercase letters, digits, underscores")
        if not _SEMVER.match(version):
            raise RegistryError(f"op {name!r}: version {version!r} is not MAJOR.MINOR.PATCH")
        if name in _OPS:
            raise RegistryError(f"op {name!r} already defined in {_OPS[name].fn.__module__}")
        params_type = get_type_hints(fn).get("params")
        if not (isinstance(params_type, type) and issubclass(params_type, OpParams)):
            raise RegistryError(f"op {name!r}: annotate `params` with an OpParams subclass")
        if not (params_type.__doc__ or "").strip():
            raise RegistryError(f"{params_type.__name__} needs a docstring; it becomes the tool description")
        for field_name, info in params_type.model_fields.items():
            if not info.description:
                raise RegistryError(f"{params_type.__name__}.{field_name} needs Field(description=...)")
        summary = (params_type.__doc__ or "").strip().splitlines()[0]
        _OPS[name] = OpSpec(name, version, params_type, fn, engines, summary, dict(unavailable or {}))
        return fn

    return register


def get_op(name: str) -> OpSpec:
    load_all()
    try:
        return _OPS[name]
    except KeyError:
        raise BadRequest(f"unknown op `{name}`; known ops: {', '.join(sorted(_OPS))}") from None


def all_ops() -> list[OpSpec]:
    load_all()
    return [_OPS[n] for n in sorted(_OPS)]


def load_all() -> None:
    """Import every op module so their decorators run (idempotent)."""
    import pipeline.ops  # noqa: F401  (its __init__ imports each op module)
