"""Fixtures and settings shared by every test folder.

``built_site`` builds the website once per session; the browser suite
(``tests/website``) and the exercises' leak scan (``tests/exercises``) both use it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run (the course's rule: runs are
# deterministic), so a run that passes here passes in CI; no example database is kept.
settings.register_profile("descend", derandomize=True, database=None, print_blob=True)
settings.load_profile("descend")

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"


def _newest_mtime(folder: Path) -> float:
    files = [*folder.rglob("*.py"), *folder.rglob("*.js")]
    return max((p.stat().st_mtime for p in files), default=0.0)


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Build the book (warnings are errors) and return the html folder.

    The html folder is rebuilt from scratch (Sphinx keeps stale static files), and the
    execution cache, keyed on the notebooks' code only, is dropped when the library
    changed after it was written.
    """
    cache_db = ROOT / "_build" / ".jupyter_cache" / "global.db"
    if cache_db.exists() and _newest_mtime(ROOT / "src" / "descend") > cache_db.stat().st_mtime:
        shutil.rmtree(cache_db.parent)
    shutil.rmtree(HTML, ignore_errors=True)
    exe = shutil.which("jupyter-book")
    cmd = [exe] if exe else [sys.executable, "-m", "jupyter_book"]
    proc = subprocess.run(
        [*cmd, "build", "-W", "-n", "--keep-going", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, (
        "jupyter-book build failed:\n" + proc.stdout[-6000:] + "\n" + proc.stderr[-6000:]
    )
    assert (HTML / "index.html").is_file()
    return HTML
