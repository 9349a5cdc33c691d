"""The website on a phone: a 390-pixel-wide touch screen (issue 15, "phones").

Every page fits the width (no sideways scrolling of the page), every explorer fits it and
answers a tap on its slider by showing another frame, and no figure's text is drawn
smaller than about 8 CSS pixels. A figure is a PNG whose text shrinks with it: its
smallest text, in CSS pixels, is the book style's smallest font size (points, from
``descend.plots.style()``) times the PNG's dots per inch / 72 times the scale the page
draws it at (rendered width / the PNG's width). The dots per inch come from the PNG's
pHYs chunk. Explorer frames carry none (yet): for them the test assumes the lowest dpi the
book could have drawn them at (``descend.widgets.explorer``'s default or any smaller
``dpi=`` a chapter passes), which underestimates their text, never overestimates it.
"""

from __future__ import annotations

import base64
import inspect
import re
import struct
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from .conftest import PAGES, ROOT, WAIT_FOR_LIVE, WAIT_FOR_MATHS, WAIT_FOR_WIDGETS, NetworkQuiet
from .transfer import new_context

WIDTH = 390
PHONE = {
    "viewport": {"width": WIDTH, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
MIN_TEXT_PX = 8.0
TOLERANCE_PX = 0.25  # "about 8 CSS pixels"
FIGURES = ".cell_output img, figure img, .descend-explorer img, .descend-playground img"
EXPLORER_PAGES = [
    p
    for p in PAGES
    if (ROOT / p).with_suffix(".ipynb").exists()
    and any(
        call in (ROOT / p).with_suffix(".ipynb").read_text(encoding="utf-8")
        for call in ("widgets.explorer", "widgets.playground")
    )
]


def smallest_font_pt() -> float:
    """The smallest text size (points) the book style gives figures: ticks, legends, labels."""
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    import descend as ds

    keys = (
        "font.size",
        "legend.fontsize",
        "axes.labelsize",
        "axes.titlesize",
        "xtick.labelsize",
        "ytick.labelsize",
    )
    with mpl.rc_context(ds.plots.style()):
        return min(FontProperties(size=mpl.rcParams[k]).get_size_in_points() for k in keys)


def png_dpi(data: bytes) -> float | None:
    """Dots per inch from a PNG's pHYs chunk (None when it has none)."""
    i = 8
    while i + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[i : i + 8])
        if kind == b"pHYs":
            x, _y, unit = struct.unpack(">IIB", data[i + 8 : i + 17])
            return x * 0.0254 if unit == 1 else None
        if kind == b"IDAT":
            return None
        i += 12 + length
    return None


def frame_dpi() -> float:
    """The lowest dpi an explorer frame of the book may have: the default or a chapter's."""
    import descend as ds

    default = float(inspect.signature(ds.widgets.explorer).parameters["dpi"].default)
    passed = [
        float(x)
        for nb in (ROOT / "book").glob("*.ipynb")
        for x in re.findall(r"\bdpi=(\d+(?:\.\d+)?)", nb.read_text(encoding="utf-8"))
    ]
    return min([default, *passed])


def image_bytes(src: str, built_site: Path) -> bytes:
    if src.startswith("data:"):
        return base64.b64decode(src.split(",", 1)[1])
    return (built_site / unquote(urlparse(src).path).lstrip("/")).read_bytes()


def open_phone(browser, base_url: str, path: str):
    external: list[str] = []
    context = new_context(browser, base_url, external, **PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    quiet = NetworkQuiet(page)
    page.goto(base_url + path, wait_until="load")
    page.wait_for_function(WAIT_FOR_WIDGETS, timeout=60_000)
    page.wait_for_function(WAIT_FOR_MATHS, timeout=60_000)
    page.wait_for_function(WAIT_FOR_LIVE, timeout=60_000)
    quiet.wait()
    return page, external, errors


@pytest.fixture(scope="session")
def _phone_pages(browser, server):
    cache: dict[str, tuple] = {}
    yield cache
    for page, _, _ in cache.values():
        page.context.close()


@pytest.fixture
def phone_page(browser, server, _phone_pages):
    def _open(path: str):
        if path not in _phone_pages:
            _phone_pages[path] = open_phone(browser, server, path)
        return _phone_pages[path][0]

    return _open


# ---------------------------------------------------------------- checks without a browser


def test_png_dpi_reads_the_phys_chunk():
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="PNG", dpi=(80, 80))
    assert png_dpi(out.getvalue()) == pytest.approx(80, abs=0.1)
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="PNG")
    assert png_dpi(out.getvalue()) is None


def test_the_style_smallest_font_is_a_legend_or_tick_size():
    assert 6 <= smallest_font_pt() <= 12


# ---------------------------------------------------------------- in the browser


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_page_fits_a_phone(phone_page, path: str):
    page = phone_page(path)
    wide = page.evaluate(
        """w => {
        const out = [];
        if (document.documentElement.scrollWidth > w) out.push('page ' +
            document.documentElement.scrollWidth + ' px wide');
        document.querySelectorAll('.descend-explorer, .descend-playground').forEach((e, i) => {
            const r = e.getBoundingClientRect();
            if (r.left < -0.5 || r.right > w + 0.5) out.push(`explorer ${i}: ${r.left}-${r.right}`);
            e.querySelectorAll('input, select, button, output').forEach(c => {
                const q = c.getBoundingClientRect();
                if (q.width && (q.left < r.left - 0.5 || q.right > r.right + 0.5))
                    out.push(`explorer ${i}: a control at ${q.left}-${q.right}`);
            });
        });
        return out;
    }""",
        WIDTH,
    )
    assert wide == [], f"{path} at {WIDTH} px: {wide}"


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_figure_text_is_at_least_8_css_pixels(phone_page, built_site: Path, path: str):
    page = phone_page(path)
    page.evaluate("() => window.scrollTo(0, 0)")
    shown = page.evaluate(
        """sel => Array.from(document.querySelectorAll(sel))
            .filter(i => i.offsetParent !== null && i.getBoundingClientRect().width > 0)
            .map(i => ({src: i.currentSrc || i.src, natural: i.naturalWidth,
                        width: i.getBoundingClientRect().width,
                        frame: i.classList.contains('descend-frame')}))""",
        FIGURES,
    )
    pt = smallest_font_pt()
    small = []
    for img in shown:
        if not img["natural"]:
            continue
        data = image_bytes(img["src"], built_site)
        if data[:8] != b"\x89PNG\r\n\x1a\n":
            continue  # an SVG diagram: its text scales with the page, not with pixels
        dpi = png_dpi(data)
        if dpi is None:
            assert img["frame"], f"{path}: {img['src'][-40:]} has no pHYs (dots per inch)"
            dpi = frame_dpi()
        text_px = pt * dpi / 72 * img["width"] / img["natural"]
        if text_px < MIN_TEXT_PX - TOLERANCE_PX:
            small.append(
                f"{img['src'][-40:]}: {text_px:.1f} px ({img['width']:.0f}/{img['natural']})"
            )
    assert small == [], f"{path}: figure text under {MIN_TEXT_PX:g} px at {WIDTH} px: {small}"


def visible_frame(box) -> str:
    return box.evaluate(
        """b => Array.from(b.querySelectorAll('img.descend-frame'))
            .filter(i => i.offsetParent !== null && i.getBoundingClientRect().height > 0)
            .map(i => i.alt + '|' + i.src.length + '|' + i.src.slice(-40)).join(';')"""
    )


@pytest.mark.browser
@pytest.mark.parametrize("path", EXPLORER_PAGES)
def test_explorers_answer_a_tap(browser, server, path: str):
    page, external, errors = open_phone(browser, server, path)
    try:
        boxes = page.locator(".descend-explorer")
        assert boxes.count() + page.locator(".descend-playground").count() >= 1
        for i in range(boxes.count()):
            box = boxes.nth(i)
            sliders = box.locator('input[type="range"]')
            assert sliders.count() >= 1, f"explorer {i} on {path} has no slider"
            for s in range(sliders.count()):
                slider = sliders.nth(s)
                slider.scroll_into_view_if_needed()
                now = float(slider.input_value())
                top = float(slider.get_attribute("max"))
                r = slider.bounding_box()
                x = r["x"] + r["width"] * (0.9 if now < top / 2 else 0.1)
                before = visible_frame(box)
                page.touchscreen.tap(x, r["y"] + r["height"] / 2)
                deadline = time.monotonic() + 5
                while visible_frame(box) == before and time.monotonic() < deadline:
                    page.wait_for_timeout(50)
                assert visible_frame(box) != before, (
                    f"{path}: explorer {i} slider {s} ignored a tap"
                )
        assert external == [] and errors == []
    finally:
        page.context.close()
