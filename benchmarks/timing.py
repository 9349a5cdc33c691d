"""Shared helpers of the benchmarks: repeated timing, the machine, the thread counts, storage.

Every figure in ``benchmarks/RESULTS.md`` is a median of repeated runs measured by
:func:`median_time`; the raw numbers of each part are kept in ``benchmarks/results/``
as JSON so one part can be re-run without re-running the others.
"""

from __future__ import annotations

import ctypes
import datetime as _dt
import gc
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS_DIR = HERE / "results"


def median_time(fn: Callable[[], Any], repeats: int, warmup: int = 1) -> dict[str, Any]:
    """Call ``fn`` ``warmup`` times untimed, then ``repeats`` times timed.

    Returns the median, min and max in seconds, every timing, and the last result.
    A garbage collection runs before each timed call so no call pays for another's
    garbage.
    """
    result = None
    for _ in range(warmup):
        result = fn()
    times = []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return {
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "times": times,
        "result": result,
    }


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation between order statistics."""
    xs = sorted(values)
    if not xs:
        raise ValueError("percentile of an empty list")
    k = (len(xs) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


# ------------------------------------------------------------------ threads


def _openblas() -> tuple[Any, str] | None:
    """The OpenBLAS library NumPy loaded, and its symbol prefix/suffix, or None."""
    import numpy  # noqa: F401  (loads the BLAS)

    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return None
    for path in sorted(set(re.findall(r"(/\S*openblas\S*\.so\S*)", maps))):
        lib = ctypes.CDLL(path)
        for prefix, suffix in (("scipy_openblas_", "64_"), ("openblas_", "64_"), ("openblas_", "")):
            if hasattr(lib, f"{prefix}get_num_threads{suffix}"):
                return lib, f"{prefix}{{}}{suffix}"
    return None


def blas_threads() -> int | None:
    """How many threads NumPy's OpenBLAS uses (None when it cannot be asked)."""
    found = _openblas()
    if found is None:
        return None
    lib, pattern = found
    return int(getattr(lib, pattern.format("get_num_threads"))())


def set_blas_threads(n: int) -> None:
    """Set NumPy's OpenBLAS thread count (no-op when it cannot be reached)."""
    found = _openblas()
    if found is not None:
        lib, pattern = found
        getattr(lib, pattern.format("set_num_threads"))(int(n))


# ------------------------------------------------------------------ the machine


def machine() -> dict[str, Any]:
    """What the figures were measured on: CPU, cores, memory, Python and library versions."""
    import numpy as np

    info: dict[str, Any] = {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "cores": os.cpu_count(),
        "blas": _blas_name(),
        "blas_threads": blas_threads(),
    }
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        m = re.search(r"model name\s*:\s*(.+)", cpuinfo)
        info["cpu"] = m.group(1).strip() if m else platform.processor()
    except OSError:
        info["cpu"] = platform.processor()
    try:
        meminfo = Path("/proc/meminfo").read_text()
        kb = int(re.search(r"MemTotal:\s*(\d+)", meminfo).group(1))
        info["memory_gib"] = round(kb / 2**20, 1)
    except (OSError, AttributeError):
        info["memory_gib"] = None
    info["load_average"] = load_average()
    try:
        import torch

        info["torch"] = torch.__version__
    except ImportError:
        info["torch"] = None
    return info


def _blas_name() -> str:
    try:
        import numpy as np

        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # the layout of show_config differs between NumPy versions
        return "unknown"


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages (how busy the shared machine was)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# ------------------------------------------------------------------ storage


def save(part: str, data: dict[str, Any]) -> Path:
    """Store one part's figures (with the machine and the time) as ``results/<part>.json``."""
    RESULTS_DIR.mkdir(exist_ok=True)
    data = {"part": part, "machine": machine(), "commit": git_commit(), **data}
    path = RESULTS_DIR / f"{part}.json"
    path.write_text(json.dumps(data, indent=1, default=_jsonable) + "\n")
    return path


def load(part: str) -> dict[str, Any] | None:
    path = RESULTS_DIR / f"{part}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())


def _jsonable(x: Any) -> Any:
    try:
        import numpy as np

        if isinstance(x, np.generic):
            return x.item()
        if isinstance(x, np.ndarray):
            return x.tolist()
    except ImportError:  # pragma: no cover
        pass
    return str(x)


def log(*args: Any) -> None:
    print(*args, file=sys.stderr, flush=True)
