"""The same playground widget in a running JupyterLab (anywidget), driven by Playwright.

The test starts JupyterLab on 127.0.0.1 with no token, on a copy of chapter 9 (so
JupyterLab's autosave can never write outputs into the book), runs every cell, and moves
the playground's learning-rate control. Skipped, saying why, only when JupyterLab is not
installed.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "book" / "09-network.ipynb"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_jupyterlab(work: Path):
    """JupyterLab on 127.0.0.1 (no token) serving ``work``; yields its base URL.

    The kernel imports this checkout's ``descend`` (``src`` first on PYTHONPATH).
    """
    pytest.importorskip("jupyterlab", reason="jupyterlab is not installed (pip install jupyterlab)")
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.token=",
            "--ServerApp.password=",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.root_dir={work}",
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        ],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "api/status", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start within a minute")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    work = tmp_path_factory.mktemp("lab")
    shutil.copy(CHAPTER, work / CHAPTER.name)
    with running_jupyterlab(work) as base:
        yield base


def test_playground_runs_in_jupyterlab(browser, jupyterlab):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(jupyterlab + "lab/tree/" + CHAPTER.name)
        page.wait_for_selector(".jp-Notebook", timeout=60_000)
        # the kernel has started once the status bar says so
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        ui = page.locator(".dl-playground")
        # JupyterLab renders only the cells in view: wait for it to exist, then scroll to it
        try:
            ui.wait_for(state="attached", timeout=180_000)
        except Exception:
            page.screenshot(path=str(ROOT / "_build" / "jupyterlab-failure.png"))
            raise
        ui.scroll_into_view_if_needed()
        status = ui.locator(".dl-status")
        # the status line is written once the first frame is drawn, after the mount
        expect(status).to_have_text(re.compile(r"^epoch 0, training loss"), timeout=30_000)
        ui.get_by_role("button", name="Play").click()
        page.wait_for_function(
            "() => +(/epoch (\\d+)/.exec("
            "document.querySelector('.dl-playground .dl-status').textContent)"
            " || [0, 0])[1] >= 30",
            timeout=30_000,
        )
        ui.get_by_role("button", name="Pause").click()
        figure = ui.locator("canvas").first
        before = figure.evaluate("c => c.toDataURL()")
        trained = status.inner_text()
        lr = ui.get_by_label("learning rate")
        lr.focus()
        for _ in range(4):
            page.keyboard.press("ArrowRight")
        assert ui.locator(".dl-value").nth(2).inner_text() != "0.01"
        after = figure.evaluate("c => c.toDataURL()")
        assert after != before  # the run restarted with the new rate: another picture
        assert status.inner_text() != trained
        assert errors == []
    finally:
        context.close()
