"""Fixtures for the planner tests: a spy on every op, and a database at the models' schema."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlmodel import SQLModel

from pipeline.ops import registry
from pipeline.ops.registry import all_ops
from storage import migrate
from storage.db import make_engine


@pytest.fixture
def no_op_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace every op function with a spy: planning must never call one."""
    calls: list[str] = []
    for spec in all_ops():

        def spy(*_: Any, _name: str = spec.name) -> Any:
            calls.append(_name)
            raise AssertionError(f"op {_name} ran during planning")

        monkeypatch.setitem(registry._OPS, spec.name, dataclasses.replace(spec, fn=spy))
    return calls


@pytest.fixture
def stamped_db_url(tmp_path: Path) -> str:
    """A SQLite database with the current models' schema, marked as migrated to head.

    ``PlanLog.gpu_seconds`` is newer than the checked-in migration (the lead regenerates those), so
    these tests build the schema from the models instead of running the migrations.
    """
    url = f"sqlite:///{tmp_path / 'planner.db'}"
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    with engine.begin() as connection:
        cfg = migrate.alembic_config(url)
        cfg.attributes["connection"] = connection
        command.stamp(cfg, "head")
    engine.dispose()
    return url
