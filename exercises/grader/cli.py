"""The command line: ``python -m exercises grade SET PATH --out DIR``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from exercises import sandbox
from exercises.grader.judging import SubmissionResult, grade
from exercises.grader.kernel import kill_all
from exercises.grader.plan import Settings, make_plan
from exercises.grader.report import sandbox_status, write_results
from exercises.grader.submissions import find_submissions, read_submission
from exercises.model import ExerciseSet, find_set, load_sets


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("set", help="exercise set: number (3), slug (backprop) or name (03-backprop)")
    p.add_argument("path", type=Path, help="a submitted notebook or a folder of them")
    p.add_argument("--out", type=Path, required=True, help="folder for the results")
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed of the hidden inputs (default: a fresh one; it is recorded)",
    )
    p.add_argument("--workers", type=int, default=2, help="submissions graded at once (2)")
    p.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds per exercise, overriding each exercise's own limit (mostly 10)",
    )
    p.add_argument(
        "--cell-time-limit",
        type=float,
        default=20.0,
        help="seconds per code cell of a submission (20)",
    )
    p.add_argument("--memory-mb", type=int, default=2048, help="memory limit per kernel (2048)")
    p.add_argument(
        "--disk-mb", type=int, default=512, help="scratch space per kernel, where root (512)"
    )
    p.add_argument(
        "--sandbox",
        choices=("auto", "require", "off"),
        default=None,
        help="Landlock filesystem sandbox: require (the default; refuse to grade without "
        "it), auto (use it if available; the default with --gradescope), off",
    )
    p.add_argument(
        "--sets-dir",
        type=Path,
        default=None,
        help="folder with the set sources (e.g. a private copy with other hidden "
        "checks); default exercises/sets",
    )
    p.add_argument(
        "--gradescope",
        action="store_true",
        help="PATH is Gradescope's submission folder; write OUT/results.json",
    )
    p.add_argument(
        "--hidden-visibility",
        default="after_published",
        choices=("hidden", "after_due_date", "after_published", "visible"),
        help="Gradescope visibility of hidden checks (after_published)",
    )


def run(args: argparse.Namespace) -> int:
    settings = Settings(
        time_limit=args.time_limit,
        cell_time_limit=args.cell_time_limit,
        memory_mb=args.memory_mb,
        disk_mb=args.disk_mb,
        sandbox=args.sandbox or ("auto" if args.gradescope else "require"),
        workers=args.workers,
        seed=args.seed,
        hidden_visibility=args.hidden_visibility,
    )
    if settings.sandbox == "require" and not sandbox.landlock_abi():
        print(
            "error: the filesystem sandbox (Landlock, Linux >= 5.13) is not available on this "
            "machine; grading without it lets a submission read the solutions: pass "
            "--sandbox auto (or off) to grade anyway",
            file=sys.stderr,
        )
        return 2
    ex = find_set(load_sets(args.sets_dir), args.set)
    submissions = find_submissions(args.path)
    if args.gradescope:
        submissions = _gradescope_pick(submissions, ex)
    if not submissions:
        print(f"error: no .ipynb files under {args.path}", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    plan = make_plan(ex, settings)
    print(
        f"Grading {len(submissions)} submission(s) of set {ex.name} (seed {plan.seed}; "
        f"sandbox: {sandbox_status(settings)})",
        file=sys.stderr,
    )

    def progress(res: SubmissionResult) -> None:
        print(
            f"  {res.name}: {res.score:g}/{res.max_score:g} ({res.seconds:.1f} s)"
            + ("" if res.status == "graded" else f" [{res.status}]"),
            file=sys.stderr,
        )

    watched = [args.sets_dir.resolve()] if args.sets_dir else []
    try:
        results = grade(
            plan, submissions, watched=watched, protected=[args.out.resolve()], progress=progress
        )
    except KeyboardInterrupt:
        kill_all(interrupted=True)
        raise
    finally:
        kill_all()
    write_results(plan, results, args.out, gradescope=args.gradescope)
    print(f"Done in {time.monotonic() - t0:.1f} s; results in {args.out}", file=sys.stderr)
    return 1 if any(r.status == "error" for r in results) else 0


def _gradescope_pick(found: list[tuple[str, Path]], ex: ExerciseSet) -> list[tuple[str, Path]]:
    """Gradescope grades one notebook: prefer the one marked with this set's number."""
    if len(found) <= 1:
        return [("submission", p) for _, p in found]
    for _, p in found:
        nb, _problem = read_submission(p)
        if nb is not None and nb.metadata.get("descend", {}).get("set") == ex.number:
            return [("submission", p)]
    return [("submission", found[0][1])]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m exercises.grader", description="Grade exercise notebooks."
    )
    add_arguments(p)
    return run(p.parse_args(argv))
