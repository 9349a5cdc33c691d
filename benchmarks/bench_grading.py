"""Grading speed: a folder of 20 submissions per exercise set, graded as an instructor would.

    python benchmarks/bench_grading.py [--sets 1 2 ...] [--workers 2] [--count 20]

For every set it writes ``count`` submissions into a temporary folder (a mix like a
real class: 40 % complete solutions, 20 % untouched notebooks, 40 % with two exercises
left unanswered), grades the folder with ``python -m exercises grade`` (a subprocess,
so the time includes starting Python, loading the sets and writing the results) and
records the wall-clock time, the scores (checked against what each submission
deserves) and the machine's load. The results go to ``benchmarks/results/grading.json``
and a table is printed. Target: under a minute per set on a 2-core machine.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # a script, not part of a package: find the exercises package

from exercises import build, model  # noqa: E402


def submissions(
    ex: model.ExerciseSet, count: int
) -> dict[str, tuple[nbformat.NotebookNode, float]]:
    """``name -> (notebook, the score it deserves)``."""
    solution = nbformat.read(build.SOLUTION_DIR / f"{ex.name}.ipynb", as_version=4)
    stub = nbformat.read(build.STUDENT_DIR / f"{ex.name}.ipynb", as_version=4)
    stubs = {c["id"]: c for c in stub.cells}
    # questions no other solution calls, so leaving one out costs exactly its points
    sources = {
        key: model.source_of(q.solution) for key, q in zip(ex.keys, ex.questions, strict=True)
    }
    leaves = [
        key
        for key in ex.keys
        if not any(ex.question(key).function + "(" in src for k, src in sources.items() if k != key)
    ]
    out = {}
    for i in range(count):
        kind = i % 5
        if kind in (0, 1):
            out[f"learner{i:02d}"] = (solution, ex.max_score)
        elif kind == 2:
            out[f"learner{i:02d}"] = (stub, 0.0)
        else:
            nb = copy.deepcopy(solution)
            missing = [leaves[(i + k) % len(leaves)] for k in (0, 1)]
            for c in nb.cells:
                if c.get("id") in {f"{key}-answer" for key in missing}:
                    c.source = stubs[c["id"]].source
            deserved = ex.max_score - sum(ex.question(key).points for key in missing)
            out[f"learner{i:02d}"] = (nb, deserved)
    return out


def bench_set(ex: model.ExerciseSet, count: int, workers: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        folder, out = Path(tmp) / "submissions", Path(tmp) / "results"
        folder.mkdir()
        expected = {}
        for name, (nb, deserved) in submissions(ex, count).items():
            nbformat.write(nb, folder / f"{name}.ipynb")
            expected[name] = deserved
        load_before = os.getloadavg()[0]
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "exercises",
                "grade",
                str(ex.number),
                str(folder),
                "--out",
                str(out),
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        with open(out / "grades.csv") as f:
            scores = {row["submission"]: float(row["score"]) for row in csv.DictReader(f)}
    wrong = {
        n: (scores.get(n), s) for n, s in expected.items() if abs(scores.get(n, -1) - s) > 1e-6
    }
    return {
        "set": ex.name,
        "submissions": count,
        "workers": workers,
        "seconds": round(seconds, 1),
        "per_submission": round(seconds / count, 2),
        # CPU time of the grader and its kernels: on an idle machine the wall-clock time
        # is about this divided by the number of workers (when there are as many cores)
        "cpu_seconds": round(cpu, 1),
        "scores_as_deserved": not wrong,
        "mismatches": wrong,
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="*", type=int, default=None)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sets = model.load_sets()
    rows = [bench_set(sets[n], args.count, args.workers) for n in (args.sets or sorted(sets))]
    record = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "results": rows,
    }
    path = ROOT / "benchmarks" / "results" / "grading.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n")
    print(
        "| set | submissions | seconds | s/submission | CPU s | scores right | load before/after |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['set']} | {r['submissions']} | {r['seconds']} | {r['per_submission']} | "
            f"{r['cpu_seconds']} | "
            f"{r['scores_as_deserved']} | {r['load_average_before']}/{r['load_average_after']} |"
        )
    print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
