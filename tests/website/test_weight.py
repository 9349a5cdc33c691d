"""What a reader's browser transfers, gzipped, to show each page (issue 15, "a light website").

A reader's first page (empty cache) must stay under 1.2 MB in total (HTML, scripts,
styles, fonts, images) and every later page, after the page before it in the table of
contents, under 400 KB. Measured in headless Chromium with every request off 127.0.0.1
blocked; ``transfer.py`` says how bytes are counted.

No page loads the ipywidgets widget manager (``require.js``, ``embed-amd.js``: 940 KB):
every explorer, the precomputed ones too, is mounted by the site's own ``live/site.js``.
Pages whose precomputed explorers still embed many PNG frames may be over a limit: each
is marked ``xfail(strict=True)`` below with its measured weight and the reason. The day
a live explorer replaces the frames the test passes, the strict marker fails, and the
marker must go. ``test_..._without_precomputed_frames`` checks every page, marked or
not, with the frames taken out: nothing else may push a page over.
"""

from __future__ import annotations

import base64
import gzip
import random
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
FRAME = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")


def _xfail(kb: int, why: str):
    """A page over a limit: its measured weight (KB = 1000 bytes) and why."""
    return pytest.mark.xfail(strict=True, reason=f"{kb} KB: {why}")


# Pages over a limit, measured on the built site (frames: the page's embedded PNG frames).
FIRST_XFAIL: dict[str, pytest.MarkDecorator] = {}
LATER_XFAIL: dict[str, pytest.MarkDecorator] = {}


def _marked(marks: dict) -> list:
    return [pytest.param(p, marks=marks[p]) if p in marks else p for p in PAGES]


@pytest.fixture(scope="session")
def weights(browser, server):
    return measure(browser, server, PAGES)


def frames_bytes(built_site: Path, path: str) -> int:
    """Gzipped bytes the page's embedded PNG frames add to its HTML."""
    html = (built_site / path).read_text(encoding="utf-8")
    without = FRAME.sub("data:image/png;base64,", html)
    return len(gzip.compress(html.encode(), 6, mtime=0)) - len(
        gzip.compress(without.encode(), 6, mtime=0)
    )


def n_frames(built_site: Path, path: str) -> int:
    return len(FRAME.findall((built_site / path).read_text(encoding="utf-8")))


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
@pytest.mark.parametrize("path", PAGES)
def test_weight_without_precomputed_frames(weights, built_site: Path, path: str):
    """Only the precomputed explorers' PNG frames may push a page over a limit."""
    frames = frames_bytes(built_site, path)
    first, later = weights[path]["first"], weights[path]["later"]
    n = n_frames(built_site, path)
    for visit, limit in ((first, FIRST_LIMIT), (later, LATER_LIMIT)):
        rest = visit.total - frames
        assert rest <= limit, f"{path} ({n} frames): {rest / 1000:.0f} KB; {_report(visit)}"


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


def test_frames_bytes_measures_the_embedded_pngs(tmp_path: Path):
    png = base64.b64encode(random.Random(0).randbytes(6000)).decode()  # does not compress
    (tmp_path / "with.html").write_text(f'<p>x</p><img src="data:image/png;base64,{png}">')
    (tmp_path / "without.html").write_text("<p>x</p>")
    assert frames_bytes(tmp_path, "with.html") > 1000
    assert frames_bytes(tmp_path, "without.html") == 0
    assert n_frames(tmp_path, "with.html") == 1
