"""A fresh environment where only `descend` is installed: the learner's kernel.

A learner's kernel on Colab, in VS Code or after `pip install descend` holds the course
library, its declared dependencies and ipykernel: no myst-nb, no jupyter-book, no test
tools. `ensure()` makes such an environment (a virtual environment with `pip install .`
and `ipykernel` only) and a Jupyter kernel in it, ``descend-fresh``, whose environment
inherits nothing of this one's packages (its kernelspec empties PYTHONPATH).

nbval runs every chapter and every exercise solution in that kernel (tests/conftest.py
points nbval at it), so one run of the notebooks proves both that their claims hold and
that they need nothing but `descend`.

The environment is kept in `_build/fresh-env/<hash of pyproject.toml and Python version>`
and reused while the dependencies are unchanged; `descend` itself is reinstalled (without
touching the dependencies) when any file under `src/` changed since it was installed.
The first run downloads the dependencies from PyPI (about a minute, the one network use
of the suite, like the install itself); later runs reuse them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb")) + sorted(
    (ROOT / "exercises" / "solutions").glob("*.ipynb")
)
KERNEL = "descend-fresh"
# how the environment is made; part of its cache key. pip is upgraded first: the pip that
# ships with Python 3.11 rejects "descend @ git+file:///..." (an empty host), newer ones
# (as on Colab) accept it.
RECIPE = "venv --upgrade-deps; pip install . ipykernel; ipykernel install --prefix"
CELL_TIMEOUT = 120  # seconds; the slowest chapter cell takes a few seconds


def _digest(paths: list[Path], extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for p in paths:
        h.update(p.relative_to(ROOT).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


def _source_digest() -> str:
    files = sorted(
        p for p in (ROOT / "src").rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )
    return _digest([ROOT / "pyproject.toml", *files])


def clean_env(prefix: Path) -> dict[str, str]:
    """This process's environment without what would leak our packages into the kernel."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
    }
    env["PATH"] = f"{prefix / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(prefix)
    env["PYTHONNOUSERSITE"] = "1"
    return env


def run(prefix: Path, *args: str, timeout: float = 900) -> str:
    proc = subprocess.run(
        [str(prefix / "bin" / "python"), *args],
        cwd=prefix,
        env=clean_env(prefix),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc.stdout


def install_descend(prefix: Path, target: str) -> None:
    """(Re)install only the `descend` package from `target`, its dependencies untouched."""
    # no build isolation: the environment's own setuptools builds it, nothing is downloaded
    run(
        prefix,
        *("-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall"),
        *("--no-build-isolation", target),
    )


def ensure() -> Path:
    """A cached virtual environment holding `pip install .` and ipykernel, nothing else.

    Returns its prefix; its kernel (named ``KERNEL``) is in ``<prefix>/share/jupyter``.
    """
    key = _digest([ROOT / "pyproject.toml"], extra=sys.version + RECIPE)
    prefix = ROOT / "_build" / "fresh-env" / key
    marker = prefix / "descend-source.txt"
    if not (prefix / "ready").is_file():
        for old in prefix.parent.glob("*"):  # environments of an older pyproject.toml
            shutil.rmtree(old)
        venv.EnvBuilder(with_pip=True, clear=True, upgrade_deps=True).create(prefix)
        run(prefix, "-m", "pip", "install", "--quiet", str(ROOT), "ipykernel")
        run(prefix, "-m", "ipykernel", "install", "--prefix", str(prefix), "--name", KERNEL)
        marker.write_text(_source_digest())
        (prefix / "ready").write_text(RECIPE + "\n")
    if marker.read_text() != _source_digest():
        install_descend(prefix, str(ROOT))
        marker.write_text(_source_digest())
    _plain_kernel(prefix)
    return prefix


def _plain_kernel(prefix: Path) -> None:
    """Make the kernel's environment its own: no PYTHONPATH or user site from the caller."""
    spec_file = prefix / "share" / "jupyter" / "kernels" / KERNEL / "kernel.json"
    spec = json.loads(spec_file.read_text())
    wanted = {"PYTHONPATH": "", "PYTHONNOUSERSITE": "1", "VIRTUAL_ENV": str(prefix)}
    if spec.get("env") != wanted:
        spec["env"] = wanted
        spec_file.write_text(json.dumps(spec, indent=1))
