"""Chapter 2's live explorers respond on the built website (no kernel) and in JupyterLab.

Every request off 127.0.0.1 is blocked (tests/website/conftest.py). The two-weights map
(a ``dl-pick`` canvas) is picked at 50 points by pointer and moved 50 steps by keyboard,
the neuron's weight slider 50 steps: the figure (the canvases' pixels) and the aria-live
line must change at every one, and the numbers stated must be descend's for the state the
page carries (its placeholder's JSON, rebuilt in Python).
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

import descend.live as live
from descend.live.explorers_forward import neuron_curve

from .live import assert_clean, mounted
from .live import snapshot as _snapshot

pytestmark = pytest.mark.browser

CH2 = "book/02-forward.html"
TWO = ".descend-live[data-kind='twoweights']"
NEURON = ".descend-live[data-kind='neuron']"
# a hash of every canvas's pixels (cheaper than encoding them as PNG at every position)
FIGURE = """(sel) => [...document.querySelectorAll(sel + ' canvas')].map((c) => {
  const d = new Uint32Array(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.buffer);
  let h = 2166136261;
  for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i], 16777619);
  return h >>> 0;
}).join()"""
PICKED = re.compile(r"w_a = ([-\d.]+), w_b = ([-\d.]+): loss ([\d.]+), training accuracy (\d+)%")


def page_widget(run):
    """The page's two-weights explorer rebuilt in Python from its placeholder's state."""
    state = run.page.evaluate(
        "(sel) => document.querySelector(sel).dataset.state",
        "div.descend-live[data-kind='twoweights']",
    )
    return live.TwoWeights(**json.loads(html.unescape(state)))


def check_numbers(widget, text):
    """The status line's loss and accuracy are descend's at the weights it states."""
    m = PICKED.match(text)
    assert m, text
    wa, wb, loss, acc = float(m[1]), float(m[2]), float(m[3]), int(m[4])
    X, y = widget.arrays()
    net = widget.network_at(wa, wb)
    assert loss == pytest.approx(net.loss(X, y), abs=5e-4), text
    assert acc == round(100 * float(np.mean(net.predict(X) == y))), text
    return wa, wb


def test_two_weights_picked_anywhere_on_the_map_by_pointer_and_keys(site_page):
    run = site_page(CH2, fresh=True)
    box = mounted(run, TWO)
    widget = page_widget(run)
    assert box.locator(".dl-status").get_attribute("aria-live") == "polite"
    first = box.locator(".dl-status").inner_text()
    assert check_numbers(widget, first) == (0, 0)
    sliders = box.locator("input[type='range']")
    assert sliders.count() == 2
    assert [s.get_attribute("max") for s in sliders.all()] == ["400", "400"]
    pick = box.locator("canvas.dl-pick")
    pick.scroll_into_view_if_needed()
    r = pick.bounding_box()
    seen = set()
    for i in range(10):
        for j in range(5):
            # inside the map's plot area (its margins hold the axes)
            x, y = r["x"] + r["width"] * (0.16 + 0.08 * i), r["y"] + r["height"] * (0.1 + 0.17 * j)
            run.page.mouse.click(x, y)
            shot = snapshot(run.page, TWO)
            check_numbers(widget, shot[1])
            seen.add(shot)
    assert len({s[0] for s in seen}) == 50 and len({s[1] for s in seen}) == 50
    # a drag moves the pick too
    before = snapshot(run.page, TWO)
    run.page.mouse.move(r["x"] + r["width"] * 0.3, r["y"] + r["height"] * 0.3)
    run.page.mouse.down()
    run.page.mouse.move(r["x"] + r["width"] * 0.6, r["y"] + r["height"] * 0.5, steps=5)
    run.page.mouse.up()
    assert snapshot(run.page, TWO) != before
    # keyboard: each arrow moves w_a by one of the 400 steps of its range
    pick.focus()
    wa0, wb0 = check_numbers(widget, box.locator(".dl-status").inner_text())
    keyed = [snapshot(run.page, TWO)]
    for _ in range(50):
        pick.press("ArrowLeft")
        keyed.append(snapshot(run.page, TWO))
        check_numbers(widget, keyed[-1][1])
    assert len(set(keyed)) == 51
    wa, wb = check_numbers(widget, keyed[-1][1])
    step = np.ptp(widget.window["wa"]) / 400
    assert wa == pytest.approx(max(widget.window["wa"][0], wa0 - 50 * step)) and wb == wb0
    # on the star's weights the line says so and the loss is the trained network's
    star = [float(widget.network_at().params["W2"][k, 0]) for k in (0, 1)]
    X, y = widget.arrays()
    assert f"has loss {widget.network_at().loss(X, y):.3f}" in keyed[-1][1]
    assert f"w_a = {star[0]:.4g}, w_b = {star[1]:.4g}" in keyed[-1][1]
    assert_clean(run)


def test_one_neuron_sliders_shift_and_steepen_the_curve(site_page):
    run = site_page(CH2, fresh=True)
    box = mounted(run, NEURON)
    w = box.get_by_label("weight w")
    b = box.get_by_label("bias b")
    for s in (w, b):  # >= 200 positions each
        lo, hi, step = (float(s.get_attribute(k)) for k in ("min", "max", "step"))
        assert round((hi - lo) / step) + 1 >= 200
    w.focus()
    seen = [snapshot(run.page, NEURON)]
    for _ in range(50):
        w.press("ArrowRight")
        seen.append(snapshot(run.page, NEURON))
    assert len({s[0] for s in seen}) == 51 and len({s[1] for s in seen}) == 51
    # w went from 1 to 1.5 in 50 steps of 0.01; the bias moves the switch to -b/w
    b.focus()
    for _ in range(150):
        b.press("ArrowLeft")  # b: 0 -> -1.5
    text = box.locator(".dl-status").inner_text()
    m = re.match(
        r"w = ([\d.]+), b = −([\d.]+): the output rises from 0 to 1 around "
        r"x = −b/w = ([\d.]+), with slope ([\d.]+) there",
        text,
    )
    assert m, text
    wv, bv, x0, slope = float(m[1]), -float(m[2]), float(m[3]), float(m[4])
    assert (wv, bv) == (1.5, -1.5) and x0 == pytest.approx(-bv / wv, abs=5e-4)
    h = 1e-6
    a = neuron_curve([x0 - h, x0 + h], wv, bv)
    assert slope == pytest.approx((a[1] - a[0]) / (2 * h), rel=1e-3)  # w/4
    assert "σ(1.50·x − 1.50)" in box.locator(".dl-formula").inner_text()
    # other activations: the same switch point, their own shapes
    box.get_by_label("activation").select_option("tanh")
    assert (
        "from −1 to 1 around x = −b/w = 1, with slope 1.5" in box.locator(".dl-status").inner_text()
    )
    box.get_by_label("activation").select_option("relu")
    assert "a kink at x = −b/w = 1: the output is 0 to the left and changes with slope 1.5" in (
        box.locator(".dl-status").inner_text()
    )
    assert_clean(run)


@pytest.mark.parametrize("sel,units", [(TWO, 600), (NEURON, 800)])
def test_explorers_fit_a_phone_in_the_dark(site_page, sel, units):
    run = site_page(CH2, color_scheme="dark", fresh=True)
    run.page.set_viewport_size({"width": 390, "height": 844})
    box = mounted(run, sel)
    box.scroll_into_view_if_needed()
    run.page.wait_for_timeout(300)
    assert run.page.evaluate(f'document.querySelector("{sel}").scrollWidth') <= 390
    for c in box.locator("canvas").all():  # canvas text (24 units) >= 8 CSS px
        bb = c.bounding_box()
        assert int(c.get_attribute("width")) == units
        assert bb["width"] <= 390 and 24 * bb["width"] / units >= 8, bb
    # dark: the canvas's corner (background) is dark
    corner = run.page.evaluate(
        "(sel) => [...document.querySelector(sel + ' canvas').getContext('2d')"
        ".getImageData(1, 1, 1, 1).data].slice(0, 3)",
        sel,
    )
    assert max(corner) < 80, corner
    shots = os.environ.get("DESCEND_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        kind = "twoweights" if sel == TWO else "neuron"
        box.screenshot(path=str(Path(shots) / f"live-02-{kind}-390-dark.png"))
    assert_clean(run)


@pytest.fixture(scope="module")
def lab_notebook(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a notebook that shows both explorers."""
    import nbformat

    from .test_jupyterlab import running_jupyterlab

    work = tmp_path_factory.mktemp("lab_forward")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import numpy as np\nimport descend as ds\nimport descend.live\n\n"
            "rng = np.random.default_rng(0)\n"
            "X, y = ds.data.two_moons(60, 0.1, rng=rng)\n"
            "net = ds.Network([2, 3, 1], activation='tanh', rng=rng)\n"
            "descend.live.two_weights(net, X, y, start=(1.0, 1.0))"
        ),
        nbformat.v4.new_code_cell("descend.live.one_neuron()"),
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
        two = page.locator(".dl-twoweights")
        two.wait_for(state="attached", timeout=120_000)
        two.scroll_into_view_if_needed()
        status = two.locator(".dl-status")
        assert status.inner_text().startswith("w_a = 1, w_b = 1: loss ")
        two.locator("canvas.dl-pick").focus()
        for _ in range(4):
            page.keyboard.press("ArrowUp")  # the map's keys, not the notebook's
        assert status.inner_text().startswith("w_a = 1, w_b = 1.16: loss ")  # 4 x 16/400
        neuron = page.locator(".dl-neuron")
        neuron.wait_for(state="attached", timeout=60_000)
        neuron.scroll_into_view_if_needed()
        neuron.get_by_label("weight w").focus()
        page.keyboard.press("End")
        assert neuron.locator(".dl-status").inner_text().startswith("w = 5.00, b = 0.00:")
        assert errors == []
    finally:
        context.close()


def snapshot(page, sel):
    return _snapshot(page, sel, FIGURE)
