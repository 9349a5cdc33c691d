"""What a browser transfers to show a page of the website: bytes, as a gzip server sends them.

The suite's server (``conftest.server``) does not compress, so every response a page load
fetches is recorded and counted as a real server with gzip would send it: text (HTML,
scripts, styles, JSON, SVG) gzipped at level 6, everything else (PNG, woff, woff2: already
compressed) as is. Headers are not counted.

A *first visit* opens the page in a fresh browser context (empty cache). A *later visit*
is the page opened after the previous page of the table of contents: every file the
previous page fetched is in the cache and not counted again. Playwright's request routing,
which blocks every request off 127.0.0.1, turns Chromium's own HTTP cache off, so the
cache is modelled by URL: a later visit counts the files of the page's first visit that
the previous page's first visit did not fetch (one page load per page).

Used by ``tests/website/test_weight.py`` (the limits) and ``benchmarks/page_weight.py``
(the table in benchmarks/RESULTS.md).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlparse

from .conftest import CHROMIUM_ARGS, WAIT_FOR_LIVE, WAIT_FOR_MATHS, WAIT_FOR_WIDGETS, NetworkQuiet

COMPRESSIBLE = ("text/", "javascript", "json", "xml", "svg")


def sent_bytes(body: bytes, content_type: str) -> int:
    """Bytes a gzip-enabled server sends for ``body`` (text gzipped, binaries as is)."""
    if any(kind in content_type for kind in COMPRESSIBLE):
        return len(gzip.compress(body, compresslevel=6, mtime=0))
    return len(body)


@dataclass
class Visit:
    """One page load: each counted response's URL (site-relative) and bytes sent."""

    path: str
    files: dict[str, int] = field(default_factory=dict)
    external: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.files.values())

    def largest(self, k: int = 5) -> list[tuple[str, int]]:
        return sorted(self.files.items(), key=lambda kv: -kv[1])[:k]


def _load(context, base_url: str, path: str, seen: set[str]) -> Visit:
    visit = Visit(path=path)
    page = context.new_page()
    responses = []
    page.on("response", lambda resp: responses.append(resp))
    quiet = NetworkQuiet(page)
    page.goto(base_url + path, wait_until="load")
    page.wait_for_function(WAIT_FOR_WIDGETS, timeout=60_000)
    page.wait_for_function(WAIT_FOR_MATHS, timeout=60_000)
    page.wait_for_function(WAIT_FOR_LIVE, timeout=60_000)
    quiet.wait()
    for resp in responses:
        url = urldefrag(resp.url).url
        if not url.startswith(base_url) or url in seen or resp.status >= 400:
            continue
        seen.add(url)
        try:
            body = resp.body()
        except Exception:  # noqa: BLE001 - a redirect or aborted response has no body
            continue
        visit.files[url[len(base_url) :]] = sent_bytes(
            body, resp.header_value("content-type") or ""
        )
    page.close()
    return visit


def new_context(browser, base_url: str, external: list[str], **options):
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
    host = urlparse(base_url).hostname

    def route(r):
        parsed = urlparse(r.request.url)
        if parsed.scheme in ("data", "blob", "about") or parsed.hostname == host:
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return context


def measure(browser, base_url: str, paths: list[str]) -> dict[str, dict[str, Visit]]:
    """``{path: {"first": Visit, "later": Visit}}`` for every path, in toc order.

    Each path is opened once, in a fresh context; its later visit follows the path before
    it (the first path's follows the last).
    """
    firsts: dict[str, Visit] = {}
    for path in paths:
        external: list[str] = []
        context = new_context(browser, base_url, external)
        try:
            firsts[path] = _load(context, base_url, path, set())
        finally:
            context.close()
        firsts[path].external = external
    out = {}
    for i, path in enumerate(paths):
        cached = firsts[paths[i - 1]].files
        later = Visit(path=path, external=firsts[path].external)
        later.files = {u: b for u, b in firsts[path].files.items() if u not in cached}
        out[path] = {"first": firsts[path], "later": later}
    return out


def launch(playwright):
    """Debian's Chromium, as the suite launches it (for scripts outside pytest)."""
    from .conftest import CHROMIUM

    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
