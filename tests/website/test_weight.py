"""What a reader's browser transfers, gzipped, to show each page (issue 15, "a light website").

A reader's first page (empty cache) must stay under 1.2 MB in total (HTML, scripts,
styles, fonts, images) and every later page, after the page before it in the table of
contents, under 400 KB. Measured in headless Chromium with every request off 127.0.0.1
blocked; ``transfer.py`` says how bytes are counted.

No page loads the ipywidgets widget manager (``require.js``, ``embed-amd.js``: 940 KB):
every explorer, the precomputed ones too, is mounted by the site's own ``live/site.js``.
A precomputed explorer's frames are files (``live/frames/``), and a page load fetches only
the frame each explorer shows (the others come when the reader reaches for it).

A page over a limit is marked ``xfail(strict=True)`` in ``FIRST_XFAIL``/``LATER_XFAIL``
with its measured weight and the reason: the day it gets under, the strict marker fails,
and the marker must go.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from pathlib import Path

import pytest

from .conftest import PAGES
from .transfer import measure

FIRST_LIMIT = 1_200_000  # bytes: 1.2 MB, a reader's first page
LATER_LIMIT = 400_000  # bytes: each further page
# The ipywidgets manager and its set-up (myst-nb's nb_ipywidgets_js in _config.yml), and
# what a page referencing it would name
WIDGET_MANAGER = ("_static/descend-widgets.js", "assets/requirejs/", "assets/html-manager/")
MANAGER_NAMES = ("embed-amd", "require.js", "@jupyter-widgets/html-manager", "html-manager/")
FRAMES_STATE = re.compile(r'<div class="descend-live" data-kind="frames" data-state="([^"]*)"')


def _xfail(kb: int, why: str):
    """A page over a limit: its measured weight (KB = 1000 bytes) and why."""
    return pytest.mark.xfail(strict=True, reason=f"{kb} KB: {why}")


# Pages over a limit, measured on the built site.
FIRST_XFAIL: dict[str, pytest.MarkDecorator] = {}
LATER_XFAIL: dict[str, pytest.MarkDecorator] = {}


def _marked(marks: dict) -> list:
    return [pytest.param(p, marks=marks[p]) if p in marks else p for p in PAGES]


@pytest.fixture(scope="session")
def weights(browser, server):
    return measure(browser, server, PAGES)


def frames_shown(built_site: Path, path: str) -> tuple[set[str], int]:
    """The site-relative files of the frames the page's explorers show first, and how many
    frames its explorers hold in all."""
    shown, total = set(), 0
    for raw in FRAMES_STATE.findall((built_site / path).read_text(encoding="utf-8")):
        state = json.loads(html.unescape(raw))
        index = state["index"]
        flat = (
            index[0] * len(state["sliders"][1]["texts"]) + index[1] if len(index) == 2 else index[0]
        )
        src = state["frames"][flat]["src"]
        shown.add(posixpath.normpath(posixpath.join(posixpath.dirname(path), src)))
        total += len(state["frames"])
    return shown, total


def _report(visit) -> str:
    return ", ".join(f"{url.split('?')[0]} {b / 1000:.0f} KB" for url, b in visit.largest(6))


@pytest.mark.browser
@pytest.mark.parametrize("path", _marked(FIRST_XFAIL))
def test_first_visit_weight(weights, path: str):
    visit = weights[path]["first"]
    assert visit.external == [], f"requests leaving the site: {visit.external}"
    assert visit.total <= FIRST_LIMIT, (
        f"{path}: a first visit moves {visit.total / 1000:.0f} KB (> {FIRST_LIMIT / 1000:.0f}); "
        f"largest: {_report(visit)}"
    )


@pytest.mark.browser
@pytest.mark.parametrize("path", _marked(LATER_XFAIL))
def test_later_visit_weight(weights, path: str):
    visit = weights[path]["later"]
    assert visit.total <= LATER_LIMIT, (
        f"{path}: a later visit moves {visit.total / 1000:.0f} KB (> {LATER_LIMIT / 1000:.0f}); "
        f"largest: {_report(visit)}"
    )


@pytest.mark.browser
def test_a_page_fetches_only_the_frames_its_explorers_show(weights, built_site: Path):
    """Frames are files, not data in the page; loading a page fetches one per explorer."""
    pages_with_frames = 0
    for path in PAGES:
        shown, total = frames_shown(built_site, path)
        states = FRAMES_STATE.findall((built_site / path).read_text(encoding="utf-8"))
        assert not any("data:image" in s for s in states), f"{path} embeds frames as data"
        fetched = {u for u in weights[path]["first"].files if u.startswith("live/frames/")}
        assert fetched == shown, f"{path}: fetched {sorted(fetched)}, shows {sorted(shown)}"
        assert all((built_site / f).is_file() for f in shown)
        pages_with_frames += total > len(shown)
    assert pages_with_frames >= 1  # some page holds frames it does not fetch at first


@pytest.mark.browser
def test_no_page_fetches_the_widget_manager(weights):
    """Every explorer is mounted by live/site.js: the ipywidgets manager is never fetched."""
    for path in PAGES:
        fetched = [u for u in weights[path]["first"].files if u.startswith(WIDGET_MANAGER)]
        assert fetched == [], f"{path} fetches the ipywidgets manager: {fetched}"


@pytest.mark.browser
def test_no_built_page_references_the_widget_manager(built_site: Path):
    """Not one page of the site (in the table of contents or not) names the manager's files
    or holds widget state for it (book/_ext/descend_book.py drops the live widgets' state)."""
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) >= len(PAGES)
    found = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        names = [
            n for n in (*MANAGER_NAMES, "application/vnd.jupyter.widget-state+json") if n in text
        ]
        if names:
            found[str(page.relative_to(built_site))] = names
    assert found == {}, f"pages that would load the ipywidgets manager: {found}"


@pytest.mark.browser
def test_no_page_fetches_the_heavy_theme_and_maths_files(weights):
    """Neither Font Awesome's 530 KB script nor its full fonts, nor MathJax's -full build."""
    for path in PAGES:
        urls = [u.split("?")[0] for u in weights[path]["first"].files]
        heavy = [
            u
            for u in urls
            if u.endswith(("fontawesome.js", "tex-chtml-full.js"))
            or "vendor/fontawesome/webfonts/" in u
            or (u.startswith("assets/html-manager/") and u.endswith((".woff2", ".woff", ".ttf")))
        ]
        assert heavy == [], f"{path} fetches {heavy}"
