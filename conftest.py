"""Settings for every pytest session of the repository (the README's `pytest`).

Notebooks (chapters and exercise solutions) are run by nbval in the learner's kernel: a
fresh environment holding only `descend` and ipykernel (``tests/fresh_env.py``), made or
reused when the session collects a notebook. So a chapter that needs anything the course
library does not declare (myst-nb, a test tool, the repository's paths) fails here, and
one run of the notebooks checks both their claims and that they run anywhere.
"""

from __future__ import annotations

import os

import pytest


def pytest_collection_finish(session: pytest.Session) -> None:
    """Point nbval at the learner's kernel when this session runs notebooks."""
    if not any(type(item).__module__.startswith("nbval") for item in session.items):
        return
    from tests import fresh_env

    prefix = fresh_env.ensure()
    # jupyter_client finds kernelspecs on JUPYTER_PATH first
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(prefix / "share" / "jupyter"), os.environ.get("JUPYTER_PATH")) if p
    )
    session.config.option.nbval_current_env = False
    session.config.option.nbval_kernel_name = fresh_env.KERNEL
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"notebooks run in the kernel {fresh_env.KERNEL!r} of {prefix}")
