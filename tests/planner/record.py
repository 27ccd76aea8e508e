"""Record the planner corpus against a real chat model, for offline replay in the tests.

    PYTHONPATH=. python -m tests.planner.record --llm openai:gpt-4.1-mini [--tag remove] [--limit 20]

Needs the `llm` extra and the provider's key in the environment (e.g. OPENAI_API_KEY). Writes
``tests/planner/transcripts/<provider>-<model>.json`` and prints the pass rate and each failure;
``tests/planner/test_transcripts.py`` then replays every file in that folder with no network.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.planner.builder import PlanBuilder
from bot.planner.factory import load_chat_model
from bot.planner.limits import Limits
from bot.planner.llm import LLMPlanner, LLMUnavailable
from bot.planner.tools import build_tools, tools_hash
from tests.planner.corpus import CORPUS
from tests.planner.scoring import problems
from tests.planner.transcripts import FOLDER, Recorder, Transcript, case_key, context_of, turn_of, write


def main(argv: list[str] | None = None, model: Any = None) -> int:
    """Record; ``model`` replaces the provider's (the tests pass a scripted one)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm", required=True, metavar="PROVIDER:MODEL")
    parser.add_argument("--tag", action="append", default=[], help="only cases with this tag (repeatable)")
    parser.add_argument("--limit", type=int, default=0, help="at most this many cases (0 = all)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per model call")
    parser.add_argument(
        "--out", type=Path, default=None, help="transcript file (default: transcripts/<model>.json)"
    )
    args = parser.parse_args(argv)
    cases = [c for c in CORPUS if not args.tag or set(args.tag) & set(c.tags)]
    cases = cases[: args.limit] if args.limit else cases
    model = model if model is not None else load_chat_model(args.llm, timeout=args.timeout)
    recorded: list[Transcript] = []
    for n, case in enumerate(cases, 1):
        recorder = Recorder(model)
        ctx = context_of(case_key(case))
        try:
            found = problems(LLMPlanner(lambda r=recorder: r, name=args.llm), case)  # type: ignore[misc]
        except LLMUnavailable as exc:
            found = [f"model failed: {exc}"]
        hashed = tools_hash(build_tools(PlanBuilder(ctx, Limits()), ctx))
        recorded.append(Transcript(case_key(case), [turn_of(r) for r in recorder.replies], hashed, found))
        print(f"[{n}/{len(cases)}] {'ok  ' if not found else 'FAIL'} {case.request[:70]}", flush=True)
    out = args.out or FOLDER / f"{args.llm.replace(':', '-').replace('/', '-')}.json"
    write(out, args.llm, recorded)
    failed = [t for t in recorded if t.problems]
    print(f"{len(recorded) - len(failed)}/{len(recorded)} passed with {args.llm}; written to {out}")
    for t in failed:
        print(f"  FAILS {t.case['request']!r}: {'; '.join(t.problems)[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
