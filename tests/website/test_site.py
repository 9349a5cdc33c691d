"""The built website, page by page, in headless Chromium with the network cut off.

Every page of the table of contents must load with no request leaving 127.0.0.1, no
uncaught error and no console error; its maths must be typeset; every explorer must
answer the keyboard; axe-core must find no serious or critical accessibility problem
(in light and dark mode); every image needs alt text. What a page weighs, as bytes a
browser transfers, is checked in ``test_weight.py``; how it looks on a phone in
``test_phone.py``.
"""

from __future__ import annotations

import json
import re
import time
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from .conftest import PAGES, ROOT

FRAMES_STATE = re.compile(r'<div class="descend-live" data-kind="frames" data-state="([^"]*)"')


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def images_in(html: str) -> list[dict[str, str | None]]:
    parser = _Images()
    parser.feed(html)
    return parser.images


def explorer_frames(html_text: str) -> list[dict[str, str]]:
    """Every frame ({alt, src}) of the page's precomputed explorers (descend.live.Frames)."""
    return [
        frame
        for raw in FRAMES_STATE.findall(html_text)
        for frame in json.loads(unescape(raw))["frames"]
    ]


# ---------------------------------------------------------------- static checks (no browser)


def test_every_toc_page_is_built_and_nothing_else(built_site: Path):
    built = {
        p.relative_to(built_site).as_posix()
        for p in built_site.rglob("*.html")
        if p.parent.name != "_static" and "_sources" not in p.parts
    }
    built -= {"genindex.html", "search.html", "index.html"}
    assert built == set(PAGES), "built pages differ from _toc.yml (stale? rm -rf _build/html)"


@pytest.mark.parametrize("path", PAGES)
def test_every_image_has_alt_text(built_site: Path, path: str):
    html = (built_site / path).read_text(encoding="utf-8")
    imgs = images_in(html) + explorer_frames(html)
    missing = [(i.get("src") or "")[:60] for i in imgs if not (i.get("alt") or "").strip()]
    assert not missing, f"{path}: images without alt text: {missing}"


def test_no_external_script_or_style_in_html(built_site: Path):
    """No page names an off-site script, stylesheet or font (the browser test checks loads)."""
    pattern = re.compile(r'<(?:script|link)[^>]+(?:src|href)="(https?:)?//', re.I)
    offenders = [p.name for p in built_site.rglob("*.html") if pattern.search(p.read_text("utf-8"))]
    assert not offenders


def test_explorer_frames_are_small_quantised_png_files(built_site: Path):
    """Explorers' frames are files of the site (live/frames/), quantised PNGs with alt text."""
    from PIL import Image

    frames = {}
    for path in PAGES:
        for frame in explorer_frames((built_site / path).read_text(encoding="utf-8")):
            file = (built_site / path).parent / frame["src"]
            assert frame["src"].startswith("../live/frames/") and file.is_file(), frame["src"]
            frames[file.resolve()] = frame["alt"]
    assert len(frames) >= 5
    for file in frames:
        with Image.open(file) as im:
            assert im.format == "PNG" and im.mode == "P" and len(im.getcolors(256)) <= 64


REPO_URL = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]


@pytest.mark.parametrize("path", PAGES)
def test_header_buttons(built_site: Path, path: str):
    """Every page links the repository and offers a download; notebooks launch on Binder/Colab."""
    html = (built_site / path).read_text(encoding="utf-8")
    assert f'href="{REPO_URL}"' in html
    assert "btn-download-source-button" in html
    is_notebook = (ROOT / path).with_suffix(".ipynb").exists()
    nb = path.removesuffix(".html") + ".ipynb"
    binder = f"https://mybinder.org/v2/gh/{REPO_URL.split('github.com/')[1]}/main?urlpath=tree/{nb}"
    colab = f"https://colab.research.google.com/github/{REPO_URL.split('github.com/')[1]}"
    assert (binder in html) is is_notebook
    assert (f"{colab}/blob/main/{nb}" in html) is is_notebook
    assert ("colab.research.google.com" in html) is is_notebook


def test_first_chapter_has_its_figures(built_site: Path):
    """The one-dimension chapter shows at least three static figures besides its explorer."""
    html = (built_site / "book/00-one-dimension.html").read_text(encoding="utf-8")
    figures = [i for i in images_in(html) if (i.get("src") or "").startswith("../_images/")]
    assert len(figures) >= 3


# ---------------------------------------------------------------- in the browser


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_page_loads_offline_without_errors(site_page, path: str):
    run = site_page(path)
    assert run.external == [], f"requests leaving the site: {run.external}"
    assert run.errors == [], f"uncaught errors: {run.errors}"
    assert run.console_errors == [], f"console errors: {run.console_errors}"
    assert run.failed == [], f"failed local requests: {run.failed}"


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_maths_is_typeset(site_page, path: str):
    run = site_page(path)
    n_math = run.page.locator(".math").count()
    n_typeset = run.page.locator("mjx-container").count()
    assert n_typeset >= n_math
    assert run.page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"
    if path.endswith("00-one-dimension.html"):
        assert n_math > 10  # the chapter is full of formulas: they must all render
        # the site defines no TeX macro of its own: a notebook's maths needs nothing that
        # JupyterLab, Colab or VS Code lack (tests/website/test_notebook_maths.py)
        mml = run.page.evaluate("() => MathJax.tex2mml('\\\\vtheta')")
        assert 'mathcolor="red">\\vtheta' in mml  # MathJax's mark of an undefined macro


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_explorers_answer_the_keyboard(site_page, path: str):
    run = site_page(path, fresh=True)
    page = run.page
    explorers = page.locator(".descend-explorer")
    n = explorers.count()
    # every explorer the page's placeholders hold is mounted (chapter 9 keeps two)
    assert n == page.locator(".descend-live[data-kind='frames']").count()
    if path.endswith("09-network.html"):
        assert n == 2
    for i in range(n):
        box = explorers.nth(i)
        sliders = box.locator('input[type="range"]')
        assert sliders.count() >= 1, f"explorer {i} on {path} has no slider"
        for h in range(sliders.count()):
            before = visible_frame(box)
            slider = sliders.nth(h)
            readout_before = slider.get_attribute("aria-valuetext")
            slider.focus()
            at_end = slider.input_value() == slider.get_attribute("max")
            page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
            after = wait_for_new_frame(box, before)
            readout = box.locator("output").nth(h).inner_text()
            assert slider.get_attribute("aria-valuetext") == readout != readout_before
            assert after != before, f"explorer {i} slider {h}: the frame did not change"
            assert (after or "").split("|")[0].strip(), "the visible frame has no alt text"


def wait_for_new_frame(box, before: str | None, timeout_s: float = 5.0) -> str | None:
    """Poll until the visible frame differs from ``before`` (or the time is up).

    A fixed sleep was flaky on a busy machine; polling waits only as long as needed.
    """
    deadline = time.monotonic() + timeout_s
    after = visible_frame(box)
    while after == before and time.monotonic() < deadline:
        box.page.wait_for_timeout(50)
        after = visible_frame(box)
    return after


def visible_frame(box) -> str | None:
    """Alt text of the one frame image currently visible in an explorer."""
    return box.evaluate(
        """b => {
        const imgs = Array.from(b.querySelectorAll('img.descend-frame'))
            .filter(i => i.offsetParent !== null && i.getBoundingClientRect().height > 0);
        return imgs.length === 1 ? imgs[0].alt + '|' + imgs[0].src.length + '|' +
            imgs[0].src.slice(-40) : 'visible frames: ' + imgs.length;
    }"""
    )


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_problem(site_page, path: str, scheme: str):
    from axe_playwright_python.sync_playwright import Axe

    run = site_page(path, color_scheme=scheme)
    results = Axe().run(run.page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(str(n.get("target")) for n in v["nodes"][:5])
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not bad, f"{path} [{scheme}]:\n" + "\n".join(bad)


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_rendered_images_have_alt_text(site_page, path: str):
    run = site_page(path)
    missing = run.page.evaluate(
        "() => Array.from(document.images).filter(i => !(i.alt || '').trim())"
        ".map(i => i.src.slice(0, 80))"
    )
    assert missing == []
