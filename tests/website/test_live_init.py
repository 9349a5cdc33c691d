"""Chapter 1's live explorer responds on the built website (no kernel) and in JupyterLab.

Every request off 127.0.0.1 is blocked (tests/website/conftest.py). The explorer's status
line is the test's window into it: "normal N(0, 0.01²), tanh, 10 layers of 32: layer 10's
outputs have spread 3.65e-13 (vanished); the weight gradients' spread is 3.95e-15 at
layer 1 and 4.21e-15 at layer 10 (level within a factor 1.07)." Its numbers are checked
against descend (:meth:`InitExplorer.layer_stats` on the chapter's explorer), the
canvases' pixels show that the figure changed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

import descend.live as L
from descend.live.explorers_init import GAIN_POSITIONS, STD_POSITIONS

from . import live
from .live import assert_clean

pytestmark = pytest.mark.browser

CH1 = "book/01-initialize.html"
SEL = ".descend-live[data-kind='init']"
FIGURE = f'() => [...document.querySelectorAll("{SEL} canvas")].map(c => c.toDataURL()).join()'
NUMBER = r"(-?[\d.]+(?:e[+-]\d+)?)"
STATUS = re.compile(
    rf"(.+?), (\w+), (\d+) layers? of (\d+): layer (\d+)'s outputs have spread {NUMBER} "
    rf"\((.+?)\); the weight gradients' spread is {NUMBER} at layer 1"
    rf"(?: and {NUMBER} at layer \d+ \((.+?)\))?\."
)
SHOTS = Path(os.environ.get("DESCEND_SHOTS_INIT", "/work/wt/shots/init"))


def chapter_explorer():
    """The chapter's explorer, rebuilt: the same seed, so the same draws."""
    return L.init_explorer(
        np.random.default_rng(2), scheme="normal", std=0.01, activation="tanh", depth=10
    )


def mounted(run):
    return live.mounted(run, SEL)


def status(box) -> re.Match:
    text = box.locator(".dl-status").inner_text().strip()
    m = STATUS.fullmatch(text)
    assert m, f"the status line does not state the layers: {text!r}"
    return m


def assert_descends(m: re.Match, settings: dict) -> None:
    """The status line's numbers are descend's, to the 3 digits shown."""
    want = chapter_explorer().layer_stats(settings)
    depth = settings["depth"]
    assert (int(m[3]), int(m[4]), int(m[5])) == (depth, settings.get("width", 32), depth)
    assert float(m[6]) == pytest.approx(want["std"][-1], rel=6e-3)
    assert float(m[8]) == pytest.approx(want["grad_std"][0], rel=6e-3)
    if depth > 1:
        assert float(m[9]) == pytest.approx(want["grad_std"][-1], rel=6e-3)


@pytest.fixture
def chapter(site_page):
    run = site_page(CH1, fresh=True)
    return run, mounted(run)


def test_explorer_replaces_the_frames_and_states_descends_numbers(chapter):
    run, box = chapter
    page = run.page
    assert page.locator(f"{SEL} .descend-live-fallback").count() == 0
    views = 'script[type="application/vnd.jupyter.widget-view+json"]'
    assert page.locator(views).count() == 0  # no precomputed explorer left on the page
    for name in ("scheme", "activation", "width"):
        assert box.get_by_label(name, exact=True).count() == 1, name
    assert box.get_by_label(re.compile("^depth")).get_attribute("max") == "30"
    scale = box.get_by_label(re.compile("^σ of every weight"))
    assert int(scale.get_attribute("max")) - int(scale.get_attribute("min")) + 1 == 241
    assert box.locator(".dl-status").get_attribute("aria-live") == "polite"
    assert box.get_by_label("scheme", exact=True).locator("option").all_inner_texts() == [
        "normal N(0, σ²)",
        "Xavier (Glorot)",
        "He (Kaiming)",
    ]
    m = status(box)
    assert m[1] == "normal N(0, 0.01²)" and m[2] == "tanh" and m[7] == "vanished"
    assert_descends(m, {"depth": 10})
    # the width menu by keyboard: 16 units, and again descend's numbers
    box.get_by_label("width", exact=True).select_option("16")
    assert_descends(status(box), {"depth": 10, "width": 16})
    assert_clean(run)


def test_depth_slider_redraws_at_each_of_its_30_positions(chapter):
    run, box = chapter
    page = run.page
    depth = box.get_by_label(re.compile("^depth"))
    depth.focus()
    page.keyboard.press("Home")
    seen = {(page.evaluate(FIGURE), box.locator(".dl-status").inner_text())}
    for _ in range(29):
        page.keyboard.press("ArrowRight")
        seen.add((page.evaluate(FIGURE), box.locator(".dl-status").inner_text()))
    assert len({s[0] for s in seen}) == 30 and len({s[1] for s in seen}) == 30
    m = status(box)
    assert m[3] == "30" and m[7] == "vanished"
    assert_descends(m, {"depth": 30})
    assert_clean(run)


def test_scale_slider_walks_every_position_and_finds_the_gain(chapter):
    run, box = chapter
    page = run.page
    scale = box.get_by_label(re.compile("^σ of every weight"))
    scale.focus()
    page.keyboard.press("Home")
    values, lines, pictures = [scale.get_attribute("aria-valuetext")], set(), set()
    for k in range(240):
        page.keyboard.press("ArrowRight")
        values.append(scale.get_attribute("aria-valuetext"))
        lines.add(box.locator(".dl-status").inner_text())
        if k < 60:
            pictures.add(page.evaluate(FIGURE))
    assert [float(v) for v in values] == list(STD_POSITIONS)  # the slider is Python's grid
    assert len(lines) == 240 and len(pictures) == 60  # a new figure at every position
    m = status(box)
    assert m[1] == "normal N(0, 10²)" and m[7].startswith("saturated")
    assert_descends(m, {"depth": 10, "std": 10.0})
    # Xavier with ReLU, 30 layers: the slider sets the gain; 1 fades, 1.41 keeps it steady
    box.get_by_label("scheme", exact=True).select_option("xavier")
    box.get_by_label("activation", exact=True).select_option("relu")
    depth = box.get_by_label(re.compile("^depth"))
    depth.focus()
    page.keyboard.press("End")
    gain = box.get_by_label(re.compile("^gain g"))
    assert gain.get_attribute("aria-valuetext") == "1"
    m = status(box)
    assert m[7] == "vanished"
    assert_descends(m, {"depth": 30, "scheme": "xavier", "activation": "relu", "gain": 1.0})
    gain.focus()
    gains = []
    for _ in range(15):
        page.keyboard.press("ArrowRight")
        gains.append(float(gain.get_attribute("aria-valuetext")))
    assert gains == [g for g in GAIN_POSITIONS if 1 < g <= 1.41]
    m = status(box)
    assert m[1] == "Xavier (Glorot) with gain 1.41" and m[7] == "steady"
    assert_descends(m, {"depth": 30, "scheme": "xavier", "activation": "relu", "gain": 1.41})
    # pointer: the slider's right end explodes
    gain.scroll_into_view_if_needed()
    b = gain.bounding_box()
    page.mouse.click(b["x"] + b["width"] - 2, b["y"] + b["height"] / 2)
    assert gain.get_attribute("aria-valuetext") == "10.1" and status(box)[7] == "exploded"
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        box.screenshot(path=str(SHOTS / "init-1280-light.png"))
    assert_clean(run)


def test_explorer_fits_a_phone_in_the_dark(site_page):
    run = site_page(CH1, color_scheme="dark", fresh=True)
    page = run.page
    page.set_viewport_size({"width": 390, "height": 844})
    box = mounted(run)
    box.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    assert page.evaluate(f'document.querySelector("{SEL}").scrollWidth') <= 390
    rights = page.eval_on_selector_all(
        ".dl-init, .dl-init *", "els => els.map(e => e.getBoundingClientRect().right)"
    )
    assert max(rights) <= 390, max(rights)
    smallest = page.eval_on_selector_all(
        ".dl-init :is(span, label, p, select)",
        "els => Math.min(...els.map(e => parseFloat(getComputedStyle(e).fontSize)))",
    )
    assert smallest >= 8, smallest
    for c in box.locator("canvas").all():  # canvas text, >= 8 CSS px
        b = c.bounding_box()
        units = int(c.get_attribute("width"))
        font = {1000: 28, 640: 24}[units]  # the font each canvas draws with
        assert b["width"] <= 390 and font * b["width"] / units >= 8, (b, units)
    corner = page.evaluate(
        f'() => Array.from(document.querySelector("{SEL} canvas")'
        ".getContext('2d').getImageData(1, 1, 1, 1).data)"
    )
    assert sum(corner[:3]) < 3 * 80, corner  # the chart's background is dark
    depth = box.get_by_label(re.compile("^depth"))
    depth.scroll_into_view_if_needed()
    b = depth.bounding_box()  # by touch-sized pointer: the right end is 30 layers
    page.mouse.click(b["x"] + b["width"] - 2, b["y"] + b["height"] / 2)
    assert status(box)[3] == "30"
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        box.screenshot(path=str(SHOTS / "init-390-dark.png"))
    assert_clean(run)


@pytest.fixture(scope="module")
def lab_notebook(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a one-cell notebook that shows the explorer."""
    import nbformat

    from .test_jupyterlab import running_jupyterlab

    work = tmp_path_factory.mktemp("lab_init")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import numpy as np\nimport descend.live\n\n"
            "descend.live.init_explorer(np.random.default_rng(2), depth=10)"
        )
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)"}
    nbformat.write(nb, work / "init.ipynb")
    with running_jupyterlab(work) as base:
        yield base + "lab/tree/init.ipynb"


def test_explorer_responds_in_jupyterlab(browser, lab_notebook):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(lab_notebook)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        box = page.locator(".dl-init")
        box.wait_for(state="attached", timeout=120_000)
        box.scroll_into_view_if_needed()
        m = status(box)
        assert m[3] == "10" and m[7] == "vanished"
        assert_descends(m, {"depth": 10})
        before = box.locator("canvas").first.evaluate("c => c.toDataURL()")
        box.get_by_label(re.compile("^depth")).focus()
        page.keyboard.press("End")  # the slider's key, not the notebook's
        m = status(box)
        assert m[3] == "30"
        assert_descends(m, {"depth": 30})
        assert box.locator("canvas").first.evaluate("c => c.toDataURL()") != before
        assert errors == []
    finally:
        context.close()
