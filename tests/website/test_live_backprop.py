"""Chapter 3's live explorers respond on the built website (no kernel) and in JupyterLab.

Every request off 127.0.0.1 is blocked (tests/website/conftest.py). Each explorer's
slider is moved through at least 50 positions, and the figure (the canvas's pixels) and
the aria-live line must change at every one; the numbers the line states are checked
against ``descend``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

import descend as ds
from descend.live import explorers_backprop as xb

from .live import assert_clean, mounted
from .live import snapshot as _snapshot

pytestmark = pytest.mark.browser

CH3 = "book/03-backprop.html"
BP = ".descend-live[data-kind='backprop']"
FD = ".descend-live[data-kind='fdstep']"
FIGURE = "(sel) => document.querySelector(sel + ' canvas').toDataURL()"
NUMBER = r"(−?[\d.]+(?:e[+−]?\d+)?)"
# the chain rule for w1 as the status writes it (a negative factor in parentheses)
RULE_W1 = rf"∂L/∂w₁ = ∂L/∂z₁ · x = \(?{NUMBER}\)? × \(?{NUMBER}\)? = {NUMBER}\."


def number(text: str) -> float:
    return float(text.replace("−", "-"))


def descend_grads(x, y, w1, b1, w2, b2):
    """dL/dW1, db1, dW2, db2 of the tiny network, by descend.Network."""
    net = ds.Network([1, 1, 1], activation="tanh", initializer="zeros")
    for name, v in (("W1", w1), ("b1", b1), ("W2", w2), ("b2", b2)):
        net.params[name][...] = v
    _, grads = net.loss_and_grads(np.array([[x]]), np.array([y]))
    return {k: v.item() for k, v in grads.items()}


def test_backprop_explorer_steps_and_follows_every_slider(site_page):
    run = site_page(CH3, fresh=True)
    box = mounted(run, BP)
    status = box.locator(".dl-status")
    assert status.inner_text().startswith("Step 0 of 13, inputs and weights set")
    # Next walks the forward pass, then the backward pass, one node per step
    seen = {snapshot(run.page, BP)}
    for k in range(1, 14):
        box.get_by_role("button", name="Next").click()
        seen.add(snapshot(run.page, BP))
        assert status.inner_text().startswith(f"Step {k} of 13, ")
        if k == 3:
            assert "forward pass, the value of z₂" in status.inner_text()
    assert len({s[0] for s in seen}) == 14 and len({s[1] for s in seen}) == 14
    assert box.get_by_role("button", name="Next").is_disabled()
    assert "Gradients known: L, z₂, w₂, b₂, a₁, z₁, w₁, b₁, x." in status.inner_text()
    # back to step 11, the gradient of w1, then move w1 through 50 positions of its 600
    step = box.get_by_label("step")
    step.focus()
    step.press("ArrowLeft")
    step.press("ArrowLeft")
    assert "the gradient of w₁" in status.inner_text()
    w1 = box.get_by_label("w₁ =")
    assert (w1.get_attribute("min"), w1.get_attribute("max"), w1.get_attribute("step")) == (
        "-3",
        "3",
        "0.01",
    )  # 600 positions
    w1.focus()
    w1.press("Home")
    seen = {snapshot(run.page, BP)}
    for i in range(1, 51):
        for _ in range(7):
            w1.press("ArrowRight")
        seen.add(snapshot(run.page, BP))
        # the status's numbers are descend's: dL/dw1 at w1 = -3 + 0.07 i, the rest as set
        text = status.inner_text()
        m = re.search(RULE_W1, text)
        assert m, text
        want = descend_grads(1.5, 1.0, round(-3 + 0.07 * i, 2), -0.3, -1.2, 0.4)["W1"]
        assert number(m[3]) == pytest.approx(want, rel=5e-4, abs=5e-5), (i, text)
        assert number(m[2]) == 1.5
    assert len({s[0] for s in seen}) == 51 and len({s[1] for s in seen}) == 51
    # the label: every gradient flips its sign
    before = number(re.search(RULE_W1, status.inner_text())[3])
    box.get_by_label("label y").select_option("0")
    after = number(re.search(RULE_W1, status.inner_text())[3])
    want = descend_grads(1.5, 0.0, 0.5, -0.3, -1.2, 0.4)["W1"]
    assert np.sign(after) == -np.sign(before) and after == pytest.approx(want, rel=5e-4)
    assert_clean(run)


def test_finite_difference_slider_has_320_positions_and_states_descends_errors(site_page):
    run = site_page(CH3, fresh=True)
    box = mounted(run, FD)
    status = box.locator(".dl-status")
    assert status.inner_text().startswith("h = 1.00e−5: relative error 3.4e−12 ")
    slider = box.get_by_label("step h")
    assert slider.get_attribute("max") == str(xb.FD_POSITIONS) == "320"
    s = xb.TINY_DEFAULTS
    theta = np.array([s[p] for p in xb.PARAMS])
    exact = np.array([xb.tiny_network(**s)["grads"][p] for p in xb.PARAMS])

    def centred_error(h):
        f = lambda t: xb.tiny_loss(t, s["x"], s["y"])  # noqa: E731
        return ds.relative_error(exact, ds.numerical_gradient(f, theta.copy(), h))

    slider.focus()
    slider.press("Home")
    seen = {snapshot(run.page, FD)}
    for i in range(1, 54):
        for _ in range(6):
            slider.press("ArrowRight")
        seen.add(snapshot(run.page, FD))
        text = status.inner_text()
        m = re.match(rf"h = {NUMBER}: relative error {NUMBER} for the centred", text)
        assert m, text
        h = number(m[1])
        assert h == xb.fd_step(6 * i)  # the h written is the h used
        # the same error as descend.numerical_gradient's, to the digits shown
        assert number(m[2]) == float(f"{centred_error(h):.1e}"), (h, text)
    assert len({s[0] for s in seen}) == 54 and len({s[1] for s in seen}) == 54
    slider.press("End")  # h = 1: the far right, truncation
    assert "truncation (the h² term) dominates" in status.inner_text()
    assert "looks like a bug" in status.inner_text()
    # the plot is pickable: a click sets h where it lands
    canvas = box.locator("canvas.dl-pick")
    b = canvas.bounding_box()
    left, right = 26 * 3.8 / 1000, 1 - 26 * 1.2 / 1000  # the plot's margins
    canvas.click(position={"x": b["width"] * (left + (right - left) * 0.25), "y": b["height"] / 2})
    assert number(slider.input_value()) == 80  # a quarter of the way: h = 1e-12
    assert status.inner_text().startswith("h = 1.00e−12: ")
    assert_clean(run)


@pytest.mark.parametrize("sel,font", [(BP, 24), (FD, 26)])
def test_chapter_3_explorers_fit_a_phone_in_the_dark(site_page, sel, font):
    run = site_page(CH3, color_scheme="dark", fresh=True)
    run.page.set_viewport_size({"width": 390, "height": 844})
    box = mounted(run, sel)
    box.scroll_into_view_if_needed()
    run.page.wait_for_timeout(300)
    assert run.page.evaluate(f'document.querySelector("{sel}").scrollWidth') <= 390
    canvas = box.locator("canvas")
    b = canvas.bounding_box()
    units = int(canvas.get_attribute("width"))
    assert b["width"] <= 390 and font * b["width"] / units >= 8, (b, units)  # text >= 8 px
    # dark: the canvas's corner is the dark background
    corner = run.page.evaluate(
        f"""() => Array.from(document.querySelector("{sel} canvas").getContext("2d")
            .getImageData(2, 2, 1, 1).data)"""
    )
    assert corner[:3] == [32, 33, 36]
    shots = os.environ.get("DESCEND_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        kind = "backprop" if sel == BP else "fdstep"
        box.screenshot(path=str(Path(shots) / f"live-03-{kind}-390-dark.png"))
    assert_clean(run)


@pytest.fixture(scope="module")
def lab_notebook(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a notebook that shows both explorers."""
    import nbformat

    from .test_jupyterlab import running_jupyterlab

    work = tmp_path_factory.mktemp("lab_backprop")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import descend.live\n\ndescend.live.backprop_explorer()"),
        nbformat.v4.new_code_cell("descend.live.finite_difference_explorer()"),
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
        bp = page.locator(".dl-backprop")
        bp.wait_for(state="attached", timeout=120_000)
        bp.scroll_into_view_if_needed()
        status = bp.locator(".dl-status")
        assert status.inner_text().startswith("Step 0 of 13")
        for _ in range(7):
            bp.get_by_role("button", name="Next").click()
        assert "∂L/∂w₂ = ∂L/∂z₂ · a₁ = (−0.6129) × 0.7163 = −0.439." in status.inner_text()
        bp.get_by_label("step").focus()
        page.keyboard.press("End")  # the slider's keys, not the notebook's
        assert status.inner_text().startswith("Step 13 of 13")
        fd = page.locator(".dl-fdstep")
        fd.wait_for(state="attached", timeout=60_000)
        fd.scroll_into_view_if_needed()
        fd.get_by_label("step h").focus()
        page.keyboard.press("End")
        assert (
            fd.locator(".dl-status").inner_text().startswith("h = 1.00e+0: relative error 9.0e−2")
        )
        assert errors == []
    finally:
        context.close()


def snapshot(page, sel):
    return _snapshot(page, sel, FIGURE)
