"""Every chapter and every exercise solution runs where only `descend` is installed.

A learner's kernel on Colab, in VS Code or after `pip install descend` holds the course
library, its declared dependencies and ipykernel: no myst-nb, no jupyter-book, no test
tools. This test makes such an environment (a virtual environment with
`pip install .` and `ipykernel` only, nothing inherited from this one, not even
PYTHONPATH) and runs each notebook in it with nbclient, top to bottom.

The environment is kept in `_build/fresh-env/<hash of pyproject.toml and Python version>`
and reused while the dependencies are unchanged; `descend` itself is reinstalled (without
touching the dependencies) when any file under `src/` changed since it was installed.
The first run downloads the dependencies from PyPI (about a minute); later runs only
execute the notebooks.

`test_install_cell_installs_from_git` runs a chapter's hidden install cell with the
repository's URL replaced by a `git+file://` URL of a clone of HEAD: the course must build
from a git checkout with its package data.
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

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from traitlets import default

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

pytestmark = pytest.mark.slow


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


@pytest.fixture(scope="session")
def fresh_env() -> Path:
    """A cached virtual environment holding `pip install .` and ipykernel, nothing else."""
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
    return prefix


def test_fresh_env_holds_only_the_course_and_its_dependencies(fresh_env: Path):
    listed = json.loads(run(fresh_env, "-m", "pip", "list", "--format=json"))
    names = {p["name"].lower().replace("_", "-") for p in listed}
    assert "descend" in names and "ipykernel" in names
    # the book's tools are absent, so a chapter that needs them fails here
    assert not names & {"myst-nb", "jupyter-book", "nbval", "pytest", "nbclient"}, names
    where = run(fresh_env, "-c", "import descend; print(descend.__file__)")
    assert str(fresh_env) in where and str(ROOT / "src") not in where


def execute(prefix: Path, path: Path) -> None:
    """Run the notebook at ``path`` top to bottom in the environment's kernel."""
    kernels = str(prefix / "share" / "jupyter" / "kernels")

    class FreshKernelManager(AsyncKernelManager):
        """Finds the kernel in the environment, not in this one's Jupyter paths."""

        @default("kernel_spec_manager")
        def _only_the_fresh_kernel(self) -> KernelSpecManager:
            return KernelSpecManager(kernel_dirs=[kernels])

    client = NotebookClient(
        nbformat.read(path, as_version=4),
        kernel_name=KERNEL,
        kernel_manager_class=FreshKernelManager,
        timeout=CELL_TIMEOUT,
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    # "auto": the kernel manager gives the kernel CurveZMQ keys when its kernelspec declares
    # support (ipykernel 7's does), so ipykernel does not warn about plain-text TCP
    client.execute(env=clean_env(prefix), transport_encryption="auto")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.relative_to(ROOT).as_posix() for p in NOTEBOOKS])
def test_notebook_runs_in_a_fresh_env(fresh_env: Path, path: Path):
    execute(fresh_env, path)


def test_install_cell_installs_from_git(fresh_env: Path, tmp_path: Path):
    """The hidden first cell of a chapter installs `descend` from a git URL, package data too."""
    clone = tmp_path / "repository"  # not "descend": the kernel runs in tmp_path
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    first = nbformat.read(ROOT / "book" / "00-one-dimension.ipynb", as_version=4).cells[0]
    url = "https://github.com/descend-course/descend"
    assert url in first.source
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(first.source.replace(url, f"file://{clone}"))]
    )
    path = tmp_path / "install.ipynb"
    nbformat.write(nb, path)
    run(fresh_env, "-m", "pip", "uninstall", "--quiet", "--yes", "descend")
    try:
        execute(fresh_env, path)
    finally:  # the next session reinstalls the working tree's descend
        (fresh_env / "descend-source.txt").write_text("installed from a git clone")
    # every file git tracks under src/descend is in the installed package
    tracked = subprocess.run(
        ["git", "ls-files", "src/descend"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout.split()
    installed_listing = run(
        fresh_env,
        "-c",
        "import descend, pathlib; d = pathlib.Path(descend.__file__).parent; "
        "print('\\n'.join(sorted(str(p.relative_to(d)) for p in d.rglob('*') "
        "if p.is_file() and '__pycache__' not in p.parts)))",
    ).split()
    missing = [t for t in tracked if t.removeprefix("src/descend/") not in installed_listing]
    assert not missing, f"not installed from git: {missing}"
    assert str(fresh_env) in run(fresh_env, "-c", "import descend; print(descend.__file__)")
