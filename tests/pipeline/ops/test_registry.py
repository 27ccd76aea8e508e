"""The registry fails loudly at import time on badly declared ops."""

from __future__ import annotations

import pytest
from pydantic import Field

from pipeline.errors import BadRequest
from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.registry import RegistryError, get_op, op


class _Documented(OpParams):
    """Does nothing."""

    level: int = Field(1, ge=0, le=3, description="How much.")


class _Undocumented(OpParams):
    level: int = Field(1, description="How much.")


class _FieldWithoutDescription(OpParams):
    """Has an undocumented field."""

    level: int = 1


def test_duplicate_name_is_refused() -> None:
    with pytest.raises(RegistryError, match="already defined"):

        @op("fit", version="1.0.0")
        def fit(inputs: OpInputs, params: _Documented, ctx: OpContext) -> OpResult:
            raise AssertionError

    assert get_op("fit").fn.__module__ == "pipeline.ops.fit"


@pytest.mark.parametrize(
    ("params_type", "message"),
    [(_Undocumented, "needs a docstring"), (_FieldWithoutDescription, "needs Field\\(description")],
)
def test_missing_documentation_is_refused(params_type: type[OpParams], message: str) -> None:
    def fn(inputs: OpInputs, params: OpParams, ctx: OpContext) -> OpResult:
        raise AssertionError

    fn.__annotations__["params"] = params_type
    with pytest.raises(RegistryError, match=message):
        op("undocumented_probe", version="1.0.0")(fn)


def test_bad_version_and_name() -> None:
    def fn(inputs: OpInputs, params: _Documented, ctx: OpContext) -> OpResult:
        raise AssertionError

    with pytest.raises(RegistryError, match=r"MAJOR\.MINOR\.PATCH"):
        op("probe_version", version="1.0")(fn)
    with pytest.raises(RegistryError, match="lowercase"):
        op("Bad Name", version="1.0.0")(fn)


def test_unknown_op_and_bad_params_are_user_facing() -> None:
    with pytest.raises(BadRequest, match="unknown op `sharpen`"):
        get_op("sharpen")
    with pytest.raises(BadRequest, match="did you mean `iab-leaderboard`"):
        get_op("fit").parse_params({"spec": "leaderbord"})
    with pytest.raises(BadRequest, match="strength"):
        get_op("variant").parse_params({"spec": "story", "strength": 5})
    with pytest.raises(BadRequest, match="Extra inputs are not permitted"):
        get_op("fit").parse_params({"spec": "story", "path": "/etc/passwd"})
