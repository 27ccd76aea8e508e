"""The diffusion engine: FLUX / SDXL / SD 1.5 pipelines behind keyart's op interface.

Heavy imports (torch, diffusers, transformers, spandrel) live only in this package's
submodules and are imported when an op first runs, so the classical engine, the bot and the
CLI work without the ``diffusion`` extra. Entry points for the op modules are the
``<name>_op`` functions in :mod:`pipeline.engines.diffusion.ops`.

Modules: ``models`` (which model per op family, device/dtype), ``warm`` (the one warm model
set per worker process), ``sizes`` / ``blend`` (pure pixel math: model-size rounding, colour
match, seam correction, compositing), ``runner`` (calling a pipeline: seeds, steps, progress),
``outpaint`` / ``inpaint`` / ``upscaling`` (op bodies), ``tiny`` (random-weight model folders
for tests and benchmarks).
"""

from __future__ import annotations

import importlib.util

from pipeline.errors import EngineUnavailable

INSTALL_HINT = "the diffusion engine needs the 'diffusion' extra: pip install 'keyart[diffusion]'"
_REQUIRED = ("torch", "diffusers", "transformers")


def require_backend(*extra: str) -> None:
    """Raise :class:`EngineUnavailable` unless torch/diffusers (and ``extra`` modules) can be imported."""
    missing = [name for name in (*_REQUIRED, *extra) if importlib.util.find_spec(name) is None]
    if missing:
        raise EngineUnavailable(f"{INSTALL_HINT} (missing: {', '.join(missing)})")
