"""The book: clean build, cached rebuild, and each notebook's execution time.

The build runs in a copy of the working tree (a temporary folder, without ``_build``
and ``.git``), so a clean build really starts from nothing and never disturbs the
``_build`` folder of anyone working in the repository. The command is the README's:
``jupyter-book build -W -n --keep-going .`` (warnings are errors).

* clean build: ``_build`` removed, every notebook executed;
* cached rebuild: the same command again with nothing changed (jupyter-cache and
  Sphinx's environment reused);
* per notebook: the execution time jupyter-cache recorded during the clean build.

The copy's ``_build/html`` is kept for the explorers part (page weights) until the
caller removes the copy.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from timing import ROOT, log

BUILD = ["jupyter-book", "build", "-W", "-n", "--keep-going", "."]
IGNORE = shutil.ignore_patterns(
    "_build", ".git", "__pycache__", ".ipynb_checkpoints", "*.egg-info", "node_modules",
    ".pytest_cache", ".ruff_cache", ".hypothesis", "results",
)  # fmt: skip


def copy_tree() -> Path:
    """A copy of the working tree in a new temporary folder (the caller removes it)."""
    dest = Path(tempfile.mkdtemp(prefix="descend-bench-")) / "descend"
    shutil.copytree(ROOT, dest, ignore=IGNORE, symlinks=True)
    return dest


def _build(tree: Path, log_name: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    proc = subprocess.run(BUILD, cwd=tree, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    out = proc.stdout + proc.stderr
    (tree / f"{log_name}.log").write_text(out)
    warnings = re.search(r"(\d+) warnings?", out.split("build finished")[-1])
    problems = [
        re.sub(r"\x1b\[[0-9;]*m", "", line)
        for line in out.splitlines()
        if ("WARNING" in line or "ERROR" in line or "Error:" in line)
        and "[IPKernelApp]" not in line  # the kernel's own notice, not a build warning
    ][:10]
    return {
        "seconds": seconds,
        "exit_code": proc.returncode,
        "succeeded": proc.returncode == 0 and "build succeeded" in out,
        "warnings": int(warnings.group(1)) if warnings and "with problems" in out else 0,
        "problems": problems,
    }


def notebook_times(tree: Path) -> list[dict[str, Any]]:
    """Execution time of each notebook as jupyter-cache recorded it, slowest first."""
    from jupyter_cache import get_cache

    cache = get_cache(tree / "_build" / ".jupyter_cache")
    rows = []
    for record in cache.list_cache_records():
        seconds = (record.data or {}).get("execution_seconds")
        uri = Path(record.uri)
        try:
            name = str(uri.relative_to(tree))
        except ValueError:
            name = uri.name
        rows.append({"notebook": name, "seconds": seconds})
    rows.sort(key=lambda r: -(r["seconds"] or 0))
    return rows


def chapters(tree: Path) -> list[str]:
    """The notebooks of the book (in ``book/``), built or not."""
    return sorted(str(p.relative_to(tree)) for p in (tree / "book").glob("*.ipynb"))


def toc_files(tree: Path) -> set[str]:
    """Every ``file:`` entry of ``_toc.yml`` (comments are not entries)."""
    import yaml

    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "file" in node:
                found.add(str(node["file"]).removesuffix(".ipynb").removesuffix(".md"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(yaml.safe_load((tree / "_toc.yml").read_text()))
    return found


def run(tree: Path, repeats: int = 3, clean_repeats: int = 1) -> dict[str, Any]:
    """Clean build(s), then ``repeats`` cached rebuilds, in ``tree`` (a copy)."""
    cleans = []
    times: list[dict[str, Any]] = []
    for i in range(clean_repeats):
        shutil.rmtree(tree / "_build", ignore_errors=True)
        log(f"book: clean build {i + 1}/{clean_repeats}")
        cleans.append(_build(tree, f"clean-build-{i + 1}"))
        times = notebook_times(tree)  # the last clean build's execution times
    cached = []
    for i in range(repeats):
        log(f"book: cached rebuild {i + 1}/{repeats}")
        cached.append(_build(tree, f"cached-build-{i + 1}"))
    in_toc = toc_files(tree)
    return {
        "command": " ".join(BUILD),
        "clean": {
            "runs": cleans,
            "median_s": statistics.median(c["seconds"] for c in cleans),
        },
        "cached": {
            "runs": cached,
            "median_s": statistics.median(c["seconds"] for c in cached),
        },
        "notebooks": times,
        "chapters_present": chapters(tree),
        "chapters_in_toc": [c for c in chapters(tree) if c.removesuffix(".ipynb") in in_toc],
    }
