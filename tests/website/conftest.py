"""Fixtures of the website suite: build the book once, serve it on 127.0.0.1, drive Chromium.

The site is built with warnings as errors (``jupyter-book build -W -n --keep-going .``);
the execution cache makes a rebuild after the first one take seconds. Every request a
page makes to anything but the local server is blocked and recorded.

Set ``DESCEND_SCREENSHOTS=/some/folder`` to save a light and a dark screenshot of every
page while the suite runs.
"""

from __future__ import annotations

import functools
import http.server
import os
import socketserver
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def toc_docnames(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Every document of the table of contents (root first), e.g. ``book/intro``."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    names = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                names.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(toc)
    return [str(Path(n).with_suffix("")) if Path(n).suffix else n for n in names]


PAGES = [f"{name}.html" for name in toc_docnames()]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass


@pytest.fixture(scope="session")
def server(built_site: Path):
    """Serve the built site on 127.0.0.1 (a free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright. Missing: fail under CI, skip (with reason) locally."""
    why = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - depends on the machine
        why = f"playwright is not installed ({exc}); pip install -r requirements.txt"
    if why is None and not Path(CHROMIUM).exists():
        why = f"{CHROMIUM} not found; install Debian's chromium (apt-get install chromium)"
    if why is not None:
        if os.environ.get("CI"):
            pytest.fail("browser suite cannot run under CI: " + why)
        pytest.skip(why)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@dataclass
class PageRun:
    """A loaded page and what happened while loading it."""

    page: object
    url: str
    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # uncaught exceptions
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # local requests that failed (404 ...)


WAIT_FOR_WIDGETS = """() => {
  const type = 'script[type="application/vnd.jupyter.widget-view+json"]';
  const views = document.querySelectorAll(type);
  const shown = document.querySelectorAll('.widget-subarea > *');
  return shown.length >= views.length;
}"""

WAIT_FOR_MATHS = """() => {
  const maths = document.querySelectorAll('.math');
  if (maths.length === 0) return true;
  return document.querySelectorAll('mjx-container').length >= maths.length;
}"""


WAIT_FOR_LIVE = """() => [...document.querySelectorAll('div.descend-live')]
  .every(el => el.dataset.mounted === 'true')"""


class NetworkQuiet:
    """Waits until no request of the page has been in flight for half a second.

    Playwright's ``wait_for_load_state("networkidle")`` relies on Chromium's own lifecycle
    event, which never fired on pages whose live explorers draw into OffscreenCanvases
    (chapter 5), although every request had finished; so the test counts the requests it
    sees start and end itself.
    """

    def __init__(self, page, quiet_s: float = 0.5) -> None:
        self.page, self.quiet_s = page, quiet_s
        self.in_flight: set[object] = set()
        self.changed = time.monotonic()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request) -> None:
        self.in_flight.add(request)
        self.changed = time.monotonic()

    def _ended(self, request) -> None:
        self.in_flight.discard(request)
        self.changed = time.monotonic()

    def wait(self, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while self.in_flight or time.monotonic() - self.changed < self.quiet_s:
            assert time.monotonic() < deadline, f"requests still in flight: {self.in_flight}"
            self.page.wait_for_timeout(100)  # lets Playwright deliver the events


def open_page(browser, base_url: str, path: str, color_scheme: str = "light") -> PageRun:
    """Open ``path`` of the site with external requests blocked; wait for maths and widgets."""
    context = browser.new_context(
        color_scheme=color_scheme, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    run = PageRun(page=page, url=base_url + path)
    host = urlparse(base_url).hostname

    def route(r):
        url = r.request.url
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob", "about") or parsed.hostname == host:
            r.continue_()
        else:
            run.external.append(url)
            r.abort()

    context.route("**/*", route)
    page.on("pageerror", lambda exc: run.errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: run.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on(
        "response",
        lambda resp: run.failed.append(f"{resp.status} {resp.url}") if resp.status >= 400 else None,
    )
    quiet = NetworkQuiet(page)
    page.goto(run.url, wait_until="load")
    page.wait_for_function(WAIT_FOR_WIDGETS, timeout=30_000)
    page.wait_for_function(WAIT_FOR_MATHS, timeout=30_000)
    page.wait_for_function(WAIT_FOR_LIVE, timeout=30_000)
    quiet.wait()
    shots = os.environ.get("DESCEND_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        name = path.replace("/", "_").removesuffix(".html")
        page.screenshot(path=str(Path(shots) / f"{name}-{color_scheme}.png"), full_page=True)
    return run


@pytest.fixture(scope="session")
def _loaded_pages(browser, server):
    """Pages loaded once per (path, colour scheme) and shared by the read-only checks."""
    cache: dict[tuple[str, str], PageRun] = {}
    yield cache
    for run in cache.values():
        run.page.context.close()


@pytest.fixture
def site_page(browser, server, _loaded_pages):
    """Factory: ``site_page(path, color_scheme="light", fresh=False) -> PageRun``.

    Read-only checks share one load of each page; ``fresh=True`` (for tests that press
    keys) opens a new one, closed after the test.
    """
    opened = []

    def _open(path: str, color_scheme: str = "light", fresh: bool = False) -> PageRun:
        if fresh:
            run = open_page(browser, server, path, color_scheme)
            opened.append(run)
            return run
        key = (path, color_scheme)
        if key not in _loaded_pages:
            _loaded_pages[key] = open_page(browser, server, path, color_scheme)
        return _loaded_pages[key]

    yield _open
    for run in opened:
        run.page.context.close()
