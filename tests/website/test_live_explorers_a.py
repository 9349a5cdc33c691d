"""The live explorers of chapters 0 and 4 respond on the built website (no kernel).

Every request off 127.0.0.1 is blocked (tests/website/conftest.py). Each explorer's
control is moved through at least 50 positions, by keyboard and by pointer, and the
figure (the canvas's pixels) and the aria-live line must change at every one.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import descend as ds
import descend.live

from .live import assert_clean, mounted, snapshot

pytestmark = pytest.mark.browser

CH0, CH4 = "book/00-one-dimension.html", "book/04-gradient.html"
LR1D = ".descend-live[data-kind='lr1d']"
GRAD = ".descend-live[data-kind='gradient']"


def test_learning_rate_slider_has_400_positions_and_redraws_at_each(site_page):
    run = site_page(CH0, fresh=True)
    box = mounted(run, LR1D)
    slider = box.get_by_label("learning rate")
    assert slider.get_attribute("max") == "400"
    assert "2/f'' = 1" in box.locator(".dl-scale").inner_text()  # the bound on the slider
    assert "2/f''(x*) = 1" in box.locator(".dl-bound").inner_text()  # and in words
    slider.focus()
    slider.press("Home")
    seen = {snapshot(run.page, LR1D)}
    first = box.locator(".dl-status").inner_text()
    for _ in range(50):
        for _ in range(8):
            slider.press("ArrowRight")
        seen.add(snapshot(run.page, LR1D))
    assert len({s[0] for s in seen}) == 51 and len({s[1] for s in seen}) == 51
    last = box.locator(".dl-status").inner_text()
    assert "crawling" in first and "diverges" in last, (first, last)
    # the iterates listed are descend's: x1 = x0 - lr f'(x0) at the slider's last rate
    lr = float(re.search(r"η = ([\d.e+-]+):", last)[1])
    x1 = float(re.search(r"x1 = ([-\d.e+]+)", box.locator(".dl-values").inner_text())[1])
    fn = descend.live.explorers_a.FUNCTIONS_1D["quadratic"]
    assert x1 == pytest.approx(fn.x0 - lr * fn.df(fn.x0), rel=1e-3)
    # another function: the bound moves with its curvature
    box.get_by_label("function", exact=True).select_option("quartic")
    assert "2/f''(x*) = 2" in box.locator(".dl-bound").inner_text()
    assert_clean(run)


def test_learning_rate_slider_follows_the_pointer(site_page):
    run = site_page(CH0, fresh=True)
    box = mounted(run, LR1D)
    box.get_by_label("learning rate").scroll_into_view_if_needed()
    r = box.get_by_label("learning rate").bounding_box()
    seen = set()
    # half a slider apart each time: a click on the thumb itself would not move it
    for k in [j for pair in zip(range(25), range(25, 50), strict=True) for j in pair]:
        run.page.mouse.click(r["x"] + 10 + k * (r["width"] - 20) / 49, r["y"] + r["height"] / 2)
        seen.add(snapshot(run.page, LR1D))
    assert len({s[0] for s in seen}) == 50 and len({s[1] for s in seen}) == 50
    assert_clean(run)


def test_gradient_explorer_picks_any_point_by_pointer_and_keys(site_page):
    run = site_page(CH4, fresh=True)
    box = mounted(run, GRAD)
    assert box.get_by_label("point x").get_attribute("max") == "400"
    assert box.locator(".dl-status").get_attribute("aria-live") == "polite"
    canvas = box.locator("canvas").first
    canvas.scroll_into_view_if_needed()
    r = canvas.bounding_box()
    seen = set()
    for i in range(10):
        for j in range(5):
            x, y = r["x"] + r["width"] * (0.05 + 0.09 * i), r["y"] + r["height"] * (0.1 + 0.19 * j)
            run.page.mouse.click(x, y)
            seen.add(snapshot(run.page, GRAD))
    assert len({s[0] for s in seen}) == 50 and len({s[1] for s in seen}) == 50
    # the numbers stated are Himmelblau's at the stated point (stated to 3 digits)
    text = box.locator(".dl-status").inner_text()
    m = re.match(r"At \(([-\d.]+), ([-\d.]+)\): f = ([-\d.e+]+), gradient \(([-\d.e+]+),", text)
    px, py = float(m[1]), float(m[2])
    himmelblau = ds.surfaces.get("himmelblau")
    assert float(m[3]) == pytest.approx(himmelblau.value((px, py)), rel=0.05, abs=0.5)
    assert float(m[4]) == pytest.approx(himmelblau.gradient((px, py))[0], rel=0.05, abs=0.5)
    # keyboard: the focused map moves the point one step per arrow key
    canvas.focus()
    keyed = [snapshot(run.page, GRAD)]
    for _ in range(50):
        canvas.press("ArrowLeft")
        keyed.append(snapshot(run.page, GRAD))
    assert len(set(keyed)) == 51
    box.get_by_label("surface", exact=True).select_option("rosenbrock")
    assert box.locator(".dl-status").inner_text() != text
    assert_clean(run)


@pytest.mark.parametrize("path,sel", [(CH0, LR1D), (CH4, GRAD)])
def test_explorers_fit_a_phone_in_the_dark(site_page, path, sel):
    run = site_page(path, color_scheme="dark", fresh=True)
    run.page.set_viewport_size({"width": 390, "height": 844})
    box = mounted(run, sel)
    box.scroll_into_view_if_needed()
    run.page.wait_for_timeout(300)
    width = run.page.evaluate(f'document.querySelector("{sel}").scrollWidth')
    assert width <= 390
    for c in box.locator("canvas").all():  # canvas text, >= 8 CSS px
        b = c.bounding_box()
        units = int(c.get_attribute("width"))
        font = {1000: 26, 600: 24}[units]  # the smallest font each canvas draws with
        assert b["width"] <= 390 and font * b["width"] / units >= 8, (b, units)
    shots = os.environ.get("DESCEND_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        box.screenshot(path=str(Path(shots) / f"live-{Path(path).stem}-390-dark.png"))
    assert_clean(run)


@pytest.fixture(scope="module")
def lab_notebook(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a two-cell notebook that shows both explorers."""
    import nbformat

    from .test_jupyterlab import running_jupyterlab

    work = tmp_path_factory.mktemp("lab_a")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import descend.live\n\ndescend.live.gradient_explorer()"),
        nbformat.v4.new_code_cell("descend.live.learning_rate_1d()"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)"}
    nbformat.write(nb, work / "live.ipynb")
    with running_jupyterlab(work) as base:
        yield base + "lab/tree/live.ipynb"


def test_both_explorers_respond_in_jupyterlab(browser, lab_notebook):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(lab_notebook)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        grad = page.locator(".dl-gradient")
        grad.wait_for(state="attached", timeout=120_000)
        grad.scroll_into_view_if_needed()
        status = grad.locator(".dl-status")
        before = status.inner_text()
        assert before.startswith("At (1, 1): f = 106")
        grad.locator("canvas").first.focus()
        for _ in range(5):
            page.keyboard.press("ArrowUp")  # the map's keys, not the notebook's
        assert status.inner_text().startswith("At (1, 1.1")  # 5 steps of 10/400 up
        lr = page.locator(".dl-lr1d")
        lr.wait_for(state="attached", timeout=60_000)
        lr.scroll_into_view_if_needed()
        line = lr.locator(".dl-status").inner_text()
        lr.get_by_label("learning rate").focus()
        page.keyboard.press("End")
        assert "diverges" in lr.locator(".dl-status").inner_text() != line
        assert errors == []
    finally:
        context.close()
