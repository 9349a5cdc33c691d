"""The learner's environment: only `descend` and ipykernel, and the install cell works.

nbval runs every notebook in this environment's kernel (see tests/fresh_env.py and
tests/conftest.py); these tests check the environment itself and the chapters' hidden
install cell.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from traitlets import default

from tests import fresh_env as fe

pytestmark = pytest.mark.slow
ROOT = fe.ROOT


@pytest.fixture(scope="session")
def fresh_env() -> Path:
    return fe.ensure()


def test_fresh_env_holds_only_the_course_and_its_dependencies(fresh_env: Path):
    listed = json.loads(fe.run(fresh_env, "-m", "pip", "list", "--format=json"))
    names = {p["name"].lower().replace("_", "-") for p in listed}
    assert "descend" in names and "ipykernel" in names
    # the book's tools are absent, so a chapter that needs them fails here
    assert not names & {"myst-nb", "jupyter-book", "nbval", "pytest", "nbclient"}, names
    where = fe.run(fresh_env, "-c", "import descend; print(descend.__file__)")
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
        kernel_name=fe.KERNEL,
        kernel_manager_class=FreshKernelManager,
        timeout=fe.CELL_TIMEOUT,
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    # "auto": the kernel manager gives the kernel CurveZMQ keys when its kernelspec declares
    # support (ipykernel 7's does), so ipykernel does not warn about plain-text TCP
    client.execute(env=fe.clean_env(prefix), transport_encryption="auto")


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
    fe.run(fresh_env, "-m", "pip", "uninstall", "--quiet", "--yes", "descend")
    try:
        execute(fresh_env, path)
    finally:  # the next session reinstalls the working tree's descend
        (fresh_env / "descend-source.txt").write_text("installed from a git clone")
    # every file git tracks under src/descend is in the installed package
    tracked = subprocess.run(
        ["git", "ls-files", "src/descend"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout.split()
    installed_listing = fe.run(
        fresh_env,
        "-c",
        "import descend, pathlib; d = pathlib.Path(descend.__file__).parent; "
        "print('\\n'.join(sorted(str(p.relative_to(d)) for p in d.rglob('*') "
        "if p.is_file() and '__pycache__' not in p.parts)))",
    ).split()
    missing = [t for t in tracked if t.removeprefix("src/descend/") not in installed_listing]
    assert not missing, f"not installed from git: {missing}"
    assert str(fresh_env) in fe.run(fresh_env, "-c", "import descend; print(descend.__file__)")
