"""The built website for the browser benchmarks: served on 127.0.0.1, pages opened in Chromium.

Shared by ``page_weight.py``, ``live_latency.py`` and ``screenshots.py``. Chromium is
Debian's (``/usr/bin/chromium``, launched as the website suite launches it:
``tests/website/transfer.launch``); every request off 127.0.0.1 is blocked and recorded
(``tests/website/transfer.new_context``); a page counts as loaded when the suite's own
conditions hold (``tests/website/conftest``: maths typeset, widgets shown, no request in
flight), except that a live explorer whose mount failed is reported, not waited for.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import socketserver
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from timing import ROOT

sys.path.insert(0, str(ROOT))
from tests.website.conftest import (  # noqa: E402
    PAGES,
    WAIT_FOR_MATHS,
    WAIT_FOR_WIDGETS,
    NetworkQuiet,
)
from tests.website.transfer import launch, new_context  # noqa: E402

__all__ = ["HTML", "PAGES", "OpenPage", "launch", "open_page", "pages_with", "serve"]

HTML = ROOT / "_build" / "html"

# Every live explorer has finished mounting, well or badly (site.js sets "error").
LIVE_SETTLED = """() => [...document.querySelectorAll('div.descend-live')]
  .every(el => el.dataset.mounted === 'true' || el.dataset.mounted === 'error')"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def check_built(html: Path) -> None:
    if not (html / "index.html").is_file():
        raise SystemExit(f"{html} holds no built site: jupyter-book build -W -n --keep-going .")


@contextlib.contextmanager
def serve(html: Path = HTML) -> Iterator[str]:
    """Serve the folder ``html`` on 127.0.0.1 (a free port); yields the base URL."""
    check_built(html)
    httpd = socketserver.ThreadingTCPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(html))
    )
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def pages_with(marker: str, html: Path = HTML) -> list[str]:
    """The pages of the table of contents whose built HTML contains ``marker``.

    A live explorer is mounted by ``live/site.js`` on a ``<div class="descend-live">``
    written into the page at build time, so a page without the class has none.
    """
    return [p for p in PAGES if marker in (html / p).read_text(encoding="utf-8")]


@dataclass
class OpenPage:
    """A page opened in its own context, and what went wrong while it loaded and ran."""

    page: object
    path: str
    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # uncaught exceptions and console errors

    def close(self) -> None:
        self.page.context.close()


def open_page(browser, base_url: str, path: str, **options) -> OpenPage:
    """Open ``path`` in a fresh context (``options``: viewport, color_scheme, ...)."""
    run = OpenPage(page=None, path=path)
    context = new_context(browser, base_url, run.external, **options)
    page = context.new_page()
    run.page = page
    page.on("pageerror", lambda exc: run.errors.append(f"uncaught: {exc}"))
    page.on("console", lambda msg: run.errors.append(msg.text) if msg.type == "error" else None)
    quiet = NetworkQuiet(page)
    page.goto(base_url + path, wait_until="load")
    page.wait_for_function(WAIT_FOR_WIDGETS, timeout=60_000)
    page.wait_for_function(WAIT_FOR_MATHS, timeout=60_000)
    page.wait_for_function(LIVE_SETTLED, timeout=60_000)
    quiet.wait(timeout_s=60.0)
    return run
