"""Before and after: the library's training speed at an older commit and now.

The older commit is the last one with the speed layer that issue 12 removed (private
kernels behind the public functions, the trusted update path, the fused finiteness
tests), so the ratio says what one route per operation costs.

The older ``descend`` is exported with ``git archive`` into a temporary folder and
timed in a worker process (``training.py``) with that folder first on ``PYTHONPATH``;
the current one is timed the same way. The two take turns, a few rounds each, and
each worker times the NumPy floor alongside, so the ratio to the floor is measured
under the same load as the library.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from timing import HERE, ROOT, log

# The library with its speed layer, before issue 12 made every operation one body.
BEFORE = "14c1779"


def _export(ref: str, dest: Path) -> Path:
    archive = dest / "src.tar"
    with archive.open("wb") as f:
        subprocess.run(["git", "archive", ref, "src/descend"], cwd=ROOT, stdout=f, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    return dest / "src"


def _worker(src: Path, repeats: int, quick: bool) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    args = [sys.executable, str(HERE / "training.py"), str(repeats)] + (["quick"] if quick else [])
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True, cwd=HERE)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    if not data["descend"].startswith(str(src)):
        raise RuntimeError(f"the worker imported {data['descend']}, not the copy in {src}")
    return data["times"]


def run(repeats: int = 6, quick: bool = False, ref: str = BEFORE) -> dict[str, Any]:
    rounds = 2 if quick else 3
    per_round = max(2, repeats // rounds)
    times: dict[str, dict[str, dict[str, list[float]]]] = {
        "before": defaultdict(lambda: defaultdict(list)),
        "after": defaultdict(lambda: defaultdict(list)),
    }
    with tempfile.TemporaryDirectory() as tmp:
        old_src = _export(ref, Path(tmp))
        for r in range(rounds):
            for label, src in (("before", old_src), ("after", ROOT / "src")):
                log(f"speedup: round {r + 1}/{rounds}, descend {label}")
                for config, impls in _worker(src, per_round, quick).items():
                    for impl, ts in impls.items():
                        times[label][config][impl] += ts
    rows = []
    for config in times["after"]:
        row: dict[str, Any] = {"config": config}
        for label in ("before", "after"):
            d = statistics.median(times[label][config]["descend"])
            f = statistics.median(times[label][config]["numpy floor"])
            row[label] = {"descend_s": d, "floor_s": f, "ratio": d / f}
        row["speedup"] = row["before"]["descend_s"] / row["after"]["descend_s"]
        rows.append(row)
    return {"before_ref": ref, "rounds": rounds, "runs_per_round": per_round, "rows": rows}
