"""The live explorers of chapters 7 and 8 respond on the built website (no kernel).

Every request off 127.0.0.1 is blocked (tests/website/conftest.py). A data point is
dragged through 50 positions and the learning-rate slider moved through 60, and the
figure (the canvases' pixels) and the aria-live status line must change at every one; the
numbers in the status line are checked against ``descend`` (``descend.train.train`` for
the run, ``numpy.linalg.lstsq`` for the least-squares line), to the digits shown.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

import descend as ds
import descend.live as L

from . import live
from .live import assert_clean, snapshot

pytestmark = pytest.mark.browser

CH7, CH8 = "book/07-linear-regression.html", "book/08-logistic-regression.html"
LINE = ".descend-live[data-kind='linefit']"
LOGI = ".descend-live[data-kind='logfit']"
NUM = r"(-?[\d.]+(?:e[+-]\d+)?)"
LINE_STATUS = re.compile(
    rf"Step (\d+), learning rate {NUM}: loss {NUM}, w = {NUM}, b = {NUM}\. "
    rf"Least squares: w\* = {NUM}, b\* = {NUM}, loss {NUM}; gradient descent is stable for "
    rf"η < 2/λmax = {NUM}\. Point (\d+) at \({NUM}, {NUM}\)\."
)
LINE_DIVERGED = re.compile(
    rf"Step (\d+), learning rate {NUM}: the run diverged at step (\d+) \(the loss overflowed\)\."
)
LOGI_STATUS = re.compile(
    rf"Step (\d+), learning rate {NUM}: loss {NUM}, (\d+) of (\d+) points on their class's "
    rf"side; boundary {NUM} x1 ([+−]) {NUM} x2 ([+−]) {NUM} = 0, \|w\| = {NUM}\. "
    rf"Point (\d+) \(class ([01])\) at \({NUM}, {NUM}\)\."
)
SHOWN = 1e-3  # the status line shows 4 significant digits


def line_explorer():
    """The chapter's explorer, made as chapter 7 makes it."""
    X, y = ds.data.line(40, slope=2.0, intercept=1.0, noise=1.0, rng=np.random.default_rng(7))
    return L.line_fit_explorer(X, y, lr=0.1, steps=3, start=(-1.0, 4.0))


def logistic_explorer():
    """The chapter's explorer, made as chapter 8 makes it."""
    rng = np.random.default_rng(4)
    X, y = ds.data.blobs(120, noise=0.9, rng=rng, centers=[[-1.0, -0.6], [1.2, 1.0]])
    return L.logistic_fit_explorer(X, y, lr=0.5, steps=8, start=((-1.0, 0.5), 0.5))


def mounted(run, sel):
    box = live.mounted(run, sel)
    box.scroll_into_view_if_needed()
    return box


def line_status(page) -> re.Match:
    text = page.locator(f"{LINE} .dl-status").inner_text().strip()
    m = LINE_STATUS.fullmatch(text)
    assert m, f"the status line does not state the fit: {text!r}"
    return m


def check_line(m: re.Match, explorer, data) -> None:
    """The status line's numbers are descend's for that run on those points."""
    steps, lr = int(m[1]), float(m[2])
    x, y = np.array(data["x"]), np.array(data["y"])
    A = np.column_stack([x, np.ones(len(x))])
    w_star, b_star = np.linalg.lstsq(A, y, rcond=None)[0]
    surface = ds.surfaces.line_fit(x, y)
    assert float(m[6]) == pytest.approx(w_star, rel=SHOWN, abs=1e-4)
    assert float(m[7]) == pytest.approx(b_star, rel=SHOWN, abs=1e-4)
    assert float(m[8]) == pytest.approx(surface.min_values[0], rel=SHOWN)
    bound = 2 / np.linalg.eigvalsh(surface.hessian)[-1]
    assert float(m[9]) == pytest.approx(bound, rel=SHOWN)
    if steps == 0:
        w, b = explorer.settings["start"]
        loss = float(np.mean((w * x + b - y) ** 2))
    else:
        net, history = explorer.run(steps=steps, lr=lr, data=data)
        w, b, loss = net.params["W1"][0, 0], net.params["b1"][0], history.epoch_losses[-1]
    assert float(m[3]) == pytest.approx(loss, rel=SHOWN)
    assert float(m[4]) == pytest.approx(w, rel=SHOWN, abs=1e-4)
    assert float(m[5]) == pytest.approx(b, rel=SHOWN, abs=1e-4)


def snap(v: float) -> float:
    """A moved point's coordinate: on the grid of 0.01 (the explorers' rule)."""
    return round(v * 100) / 100


def to_pixels(canvas_box, xlim, ylim, x, y):
    u = (x - xlim[0]) / (xlim[1] - xlim[0])
    v = (ylim[1] - y) / (ylim[1] - ylim[0])
    return canvas_box["x"] + u * canvas_box["width"], canvas_box["y"] + v * canvas_box["height"]


# ------------------------------------------------------------------ chapter 7


def test_line_fit_starts_with_descends_numbers_and_labelled_controls(site_page):
    run = site_page(CH7)
    box = mounted(run, LINE)
    assert box.locator(".descend-live-fallback").count() == 0
    assert box.locator(".dl-status").get_attribute("aria-live") == "polite"
    assert box.locator("canvas.dl-pick").count() == 1
    for name in ("Play", "Step", "Reset", "Restore points"):
        assert box.get_by_role("button", name=name).count() == 1, name
    slider = box.get_by_label("learning rate η")
    assert int(slider.get_attribute("max")) - int(slider.get_attribute("min")) >= 200
    assert box.get_by_label("point", exact=True).count() == 1
    explorer = line_explorer()
    m = line_status(run.page)
    assert (m[1], m[2], m[10]) == ("3", "0.1", "1")
    check_line(m, explorer, explorer.data)
    assert_clean(run)


def test_line_fit_dragged_point_moves_both_lines_at_50_positions(site_page):
    run = site_page(CH7, fresh=True)
    page = run.page
    box = mounted(run, LINE)
    explorer = line_explorer()
    s = explorer.settings
    data = {"x": list(explorer.data["x"]), "y": list(explorer.data["y"])}
    i = int(np.argmax(data["x"]))  # the right-most point, dragged down
    plot = box.locator("canvas.dl-pick")
    cbox = plot.bounding_box()
    px, py = to_pixels(cbox, s["xlim"], s["ylim"], data["x"][i], data["y"][i])
    page.mouse.move(px, py)
    page.mouse.down()
    seen = {snapshot(page, LINE)}
    for k in range(1, 51):
        page.mouse.move(px - 0.4 * k, py + 3.0 * k)
        seen.add(snapshot(page, LINE))
        m = line_status(page)
        assert int(m[10]) == i + 1
        if k % 10 == 0:  # the point's new place, as the status line gives it
            data["x"][i], data["y"][i] = float(m[11]), float(m[12])
            check_line(m, explorer, data)
    page.mouse.up()
    assert len(seen) == 51  # the figure and the status changed at every position
    assert len({fig for fig, _ in seen}) == 51 and len({text for _, text in seen}) == 51
    # the point went down by 150 CSS px: in data units 150 / height * 18
    assert data["y"][i] == pytest.approx(
        explorer.data["y"][i] - 150 / cbox["height"] * 18, abs=0.02
    )
    # the keyboard route: choose point 5, move it up three times by 0.05 (snapped to 0.01)
    box.get_by_label("point", exact=True).fill("5")
    plot.focus()
    before = line_status(page)
    assert before[10] == "5"
    want = float(before[12])
    for _ in range(3):
        page.keyboard.press("ArrowUp")
        want = snap(want + 0.05)
    m = line_status(page)
    assert float(m[12]) == pytest.approx(want, abs=1e-9)
    data["y"][4] = float(m[12])
    check_line(m, explorer, data)
    # Restore points brings back the chapter's data
    box.get_by_role("button", name="Restore points").click()
    check_line(line_status(page), explorer, explorer.data)
    assert_clean(run)


def test_line_fit_learning_rate_at_60_positions_and_play_step_reset(site_page):
    run = site_page(CH7, fresh=True)
    page = run.page
    box = mounted(run, LINE)
    explorer = line_explorer()
    slider = box.get_by_label("learning rate η")
    slider.focus()
    seen = {snapshot(page, LINE)}
    rates = explorer.slider_lrs()
    for k in range(1, 61):  # positions 160 .. 220: 0.1 to past the bound, to 0.5623
        page.keyboard.press("ArrowRight")
        seen.add(snapshot(page, LINE))
        assert slider.get_attribute("aria-valuetext") == f"{rates[160 + k]:g}"
        if k % 15 == 0:
            m = line_status(page)
            assert float(m[2]) == rates[160 + k]
            check_line(m, explorer, explorer.data)
    assert len(seen) == 61
    # a rate that overflows within the run: Play until it stops, the status says so
    page.keyboard.press("End")
    box.get_by_role("button", name="Play").click()
    page.wait_for_function(
        f'() => /diverged/.test(document.querySelector("{LINE} .dl-status").textContent)',
        timeout=20_000,
    )
    m = LINE_DIVERGED.match(box.locator(".dl-status").inner_text())
    assert m and float(m[2]) == 1.0
    with pytest.raises(ds.DivergenceError) as err:
        explorer.run(steps=1000, lr=1.0)
    assert int(m[3]) == err.value.step
    assert box.get_by_role("button", name="Play").count() == 1  # stopped by itself
    # back to 0.1; Reset, Step, Play and Pause
    slider.fill("160")
    box.get_by_role("button", name="Reset").click()
    m = line_status(page)
    assert (m[1], m[2]) == ("0", "0.1")
    check_line(m, explorer, explorer.data)
    box.get_by_role("button", name="Step").click()
    check_line(line_status(page), explorer, explorer.data)
    assert line_status(page)[1] == "1"
    box.get_by_role("button", name="Play").click()
    page.wait_for_function(
        f'() => +/Step (\\d+)/.exec(document.querySelector("{LINE} .dl-status")'
        ".textContent)[1] >= 40",
        timeout=20_000,
    )
    box.get_by_role("button", name="Pause").click()
    m = line_status(page)
    assert int(m[1]) >= 40
    check_line(m, explorer, explorer.data)
    assert_clean(run)


SCALING = ".descend-live[data-kind='scaling']"
SCALING_STATUS = re.compile(
    rf"Input \(x − {NUM} x̄\) / {NUM}(?: \((raw|centred|scaled|standardised)\))?: "
    rf"condition number κ = {NUM}, learning rate 1/λmax = {NUM}, (\d+) steps? to come "
    r"within 1e-6 of the least-squares loss\."
)


def scaling_explorer():
    """The chapter's explorer, made as chapter 7 makes it."""
    rng = np.random.default_rng(7)
    ds.data.line(40, slope=2.0, intercept=1.0, noise=1.0, rng=rng)  # the chapter's first draw
    X_raw, y2 = ds.data.line(40, slope=0.5, intercept=3.0, noise=0.5, rng=rng, x_range=(0, 10))
    return L.feature_scaling(X_raw, y2, shown=40, tol=1e-6)


def scaling_status(page) -> re.Match:
    text = page.locator(f"{SCALING} .dl-status").inner_text().strip()
    m = SCALING_STATUS.fullmatch(text)
    assert m, f"the status line does not state the run: {text!r}"
    return m


def check_scaling(m: re.Match, explorer, centre, scale) -> None:
    assert float(m[1]) == pytest.approx(centre, abs=5e-4)
    x = np.array(explorer.data["x"])
    assert float(m[2]) == pytest.approx(1 + scale * (x.std() - 1), rel=SHOWN)
    kappa = np.linalg.cond(explorer.surface(centre, scale).hessian)
    assert float(m[4]) == pytest.approx(kappa, rel=SHOWN)
    assert float(m[5]) == pytest.approx(explorer.learning_rate(centre, scale), rel=SHOWN)
    assert int(m[6]) == explorer.steps_to_tolerance(centre, scale)


def test_feature_scaling_sliders_reshape_the_bowl_at_every_position(site_page):
    run = site_page(CH7, fresh=True)
    page = run.page
    box = mounted(run, SCALING)
    explorer = scaling_explorer()
    centre = box.get_by_label("centre c")
    scale = box.get_by_label("scale s")
    for slider in (centre, scale):
        assert int(slider.get_attribute("max")) - int(slider.get_attribute("min")) >= 200
    m = scaling_status(page)
    assert m[3] == "raw"
    check_scaling(m, explorer, 0.0, 0.0)
    centre.focus()
    seen = {snapshot(page, SCALING)}
    for k in range(1, 61):
        page.keyboard.press("ArrowRight")
        seen.add(snapshot(page, SCALING))
        if k % 20 == 0:
            check_scaling(scaling_status(page), explorer, k / 240, 0.0)
    assert len({fig for fig, _ in seen}) == 61 and len({text for _, text in seen}) == 61
    page.keyboard.press("End")
    m = scaling_status(page)
    assert m[3] == "centred"
    check_scaling(m, explorer, 1.0, 0.0)
    scale.focus()
    page.keyboard.press("End")
    m = scaling_status(page)
    assert m[3] == "standardised" and m[6] == "1"
    check_scaling(m, explorer, 1.0, 1.0)
    centre.focus()
    page.keyboard.press("Home")
    m = scaling_status(page)
    assert m[3] == "scaled"
    check_scaling(m, explorer, 0.0, 1.0)
    assert_clean(run)


# ------------------------------------------------------------------ chapter 8


def logistic_status(page) -> re.Match:
    text = page.locator(f"{LOGI} .dl-status").inner_text().strip()
    m = LOGI_STATUS.fullmatch(text)
    assert m, f"the status line does not state the run: {text!r}"
    return m


def check_logistic(m: re.Match, explorer, data) -> None:
    steps, lr = int(m[1]), float(m[2])
    net, history = explorer.run(steps=steps, lr=lr, data=data)
    (w1, w2), b = net.params["W1"][:, 0], net.params["b1"][0]
    X, y = np.array(data["X"]), np.array(data["y"])
    assert float(m[3]) == pytest.approx(history.epoch_losses[-1], rel=SHOWN)
    assert int(m[4]) == int(np.sum((X @ [w1, w2] + b >= 0) == (y == 1)))
    assert int(m[5]) == len(y)
    sign = {"+": 1, "−": -1}
    assert float(m[6]) == pytest.approx(w1, rel=SHOWN, abs=1e-4)
    assert sign[m[7]] * float(m[8]) == pytest.approx(w2, rel=SHOWN, abs=1e-4)
    assert sign[m[9]] * float(m[10]) == pytest.approx(b, rel=SHOWN, abs=1e-4)
    assert float(m[11]) == pytest.approx(np.hypot(w1, w2), rel=SHOWN)


def test_logistic_starts_with_descends_numbers(site_page):
    run = site_page(CH8)
    box = mounted(run, LOGI)
    assert box.locator(".descend-live-fallback").count() == 0
    assert box.locator(".dl-status").get_attribute("aria-live") == "polite"
    assert box.locator("canvas.dl-pick").count() == 1
    for name in ("Play", "Step", "Reset", "Flip class", "Restore points"):
        assert box.get_by_role("button", name=name).count() == 1, name
    explorer = logistic_explorer()
    m = logistic_status(run.page)
    assert (m[1], m[2], m[12]) == ("8", "0.5", "1")
    check_logistic(m, explorer, explorer.data)
    assert_clean(run)


def test_logistic_dragged_and_flipped_points_retrain_at_50_positions(site_page):
    run = site_page(CH8, fresh=True)
    page = run.page
    box = mounted(run, LOGI)
    explorer = logistic_explorer()
    lim = explorer.settings["lim"]
    data = {"X": [list(p) for p in explorer.data["X"]], "y": list(explorer.data["y"])}
    X = np.array(data["X"])
    # a point far from the others (no neighbour within 0.5), so the drag picks it
    gaps = np.linalg.norm(X[:, None] - X[None], axis=2) + np.eye(len(X)) * 9
    i = int(np.argmax(gaps.min(axis=1)))
    plot = box.locator("canvas.dl-pick")
    cbox = plot.bounding_box()
    px, py = to_pixels(cbox, lim, lim, *data["X"][i])
    page.mouse.move(px, py)
    page.mouse.down()
    seen = {snapshot(page, LOGI)}
    for k in range(1, 51):
        page.mouse.move(px + 2.0 * k * (1 if px < cbox["x"] + cbox["width"] / 2 else -1), py)
        seen.add(snapshot(page, LOGI))
        m = logistic_status(page)
        assert int(m[12]) == i + 1
        if k % 10 == 0:
            data["X"][i] = [float(m[14]), float(m[15])]
            check_logistic(m, explorer, data)
    page.mouse.up()
    assert len({fig for fig, _ in seen}) == 51 and len({text for _, text in seen}) == 51
    # Shift+click flips the class; so do the button and the C key
    px, py = to_pixels(cbox, lim, lim, *data["X"][i])
    before = logistic_status(page)
    page.keyboard.down("Shift")
    page.mouse.click(px, py)
    page.keyboard.up("Shift")
    m = logistic_status(page)
    assert m[13] == str(1 - int(before[13]))
    data["y"][i] = int(m[13])
    check_logistic(m, explorer, data)
    box.get_by_role("button", name="Flip class").click()
    assert logistic_status(page)[13] == before[13]
    plot.focus()
    page.keyboard.press("c")
    m = logistic_status(page)
    assert m[13] == str(1 - int(before[13]))
    check_logistic(m, explorer, data)
    # the keyboard route moves a chosen point
    box.get_by_label("point", exact=True).fill("7")
    plot.focus()
    page.keyboard.press("Shift+ArrowLeft")
    m = logistic_status(page)
    assert m[12] == "7" and float(m[14]) == pytest.approx(snap(data["X"][6][0] - 0.5), abs=1e-9)
    data["X"][6][0] = float(m[14])
    check_logistic(m, explorer, data)
    assert_clean(run)


def test_logistic_learning_rate_at_60_positions(site_page):
    run = site_page(CH8, fresh=True)
    page = run.page
    box = mounted(run, LOGI)
    explorer = logistic_explorer()
    rates = explorer.slider_lrs()
    slider = box.get_by_label("learning rate η")
    slider.focus()
    seen = {snapshot(page, LOGI)}
    for k in range(1, 61):  # positions 120 .. 180: 0.5 to 5
        page.keyboard.press("ArrowRight")
        seen.add(snapshot(page, LOGI))
        if k % 20 == 0:
            m = logistic_status(page)
            assert float(m[2]) == rates[120 + k]
            check_logistic(m, explorer, explorer.data)
    assert len({fig for fig, _ in seen}) == 61 and len({text for _, text in seen}) == 61
    box.get_by_role("button", name="Play").click()
    page.wait_for_function(
        f'() => +/Step (\\d+)/.exec(document.querySelector("{LOGI} .dl-status")'
        ".textContent)[1] >= 60",
        timeout=20_000,
    )
    box.get_by_role("button", name="Pause").click()
    check_logistic(logistic_status(page), explorer, explorer.data)
    assert_clean(run)


# ------------------------------------------------------------------ phones


@pytest.mark.parametrize("path,sel", [(CH7, LINE), (CH7, SCALING), (CH8, LOGI)])
def test_explorers_fit_a_phone_in_the_dark(site_page, path, sel):
    run = site_page(path, color_scheme="dark", fresh=True)
    run.page.set_viewport_size({"width": 390, "height": 844})
    box = mounted(run, sel)
    run.page.wait_for_timeout(300)
    rights = run.page.eval_on_selector_all(
        f"{sel}, {sel} *", "els => els.map(e => e.getBoundingClientRect().right)"
    )
    assert max(rights) <= 390, max(rights)
    smallest = run.page.eval_on_selector_all(
        f"{sel} :is(span, label, p, button, input)",
        "els => Math.min(...els.map(e => parseFloat(getComputedStyle(e).fontSize)))",
    )
    assert smallest >= 8, smallest
    for c in box.locator("canvas").all():  # canvas text is drawn at 22 units: >= 8 CSS px
        b = c.bounding_box()
        assert 22 * b["width"] / int(c.get_attribute("width")) >= 8, b
    corner = run.page.evaluate(
        f'() => Array.from([...document.querySelectorAll("{sel} canvas")].at(-1)'
        ".getContext('2d').getImageData(2, 2, 1, 1).data)"
    )
    assert sum(corner[:3]) < 3 * 80, corner  # the last chart's background is dark
    shots = os.environ.get("DESCEND_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        kind = sel.split("'")[1]
        box.screenshot(path=str(Path(shots) / f"live-{Path(path).stem}-{kind}-390-dark.png"))
    assert_clean(run)


# ------------------------------------------------------------------ JupyterLab


@pytest.fixture(scope="module")
def lab_notebook(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a notebook that shows both explorers."""
    import nbformat

    from .test_jupyterlab import running_jupyterlab

    work = tmp_path_factory.mktemp("lab_regression")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import numpy as np\nimport descend as ds\nimport descend.live\n\n"
            "X, y = ds.data.line(40, slope=2.0, intercept=1.0, noise=1.0, "
            "rng=np.random.default_rng(7))\n"
            "line = descend.live.line_fit_explorer(X, y)\nline"
        ),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)"}
    nbformat.write(nb, work / "live.ipynb")
    with running_jupyterlab(work) as base:
        yield base + "lab/tree/live.ipynb"


def test_line_fit_responds_in_jupyterlab(browser, lab_notebook):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(lab_notebook)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        ui = page.locator(".dl-linefit")
        ui.wait_for(state="attached", timeout=120_000)
        ui.scroll_into_view_if_needed()
        status = ui.locator(".dl-status")
        assert status.inner_text().startswith("Step 3, learning rate 0.1: loss 2.61")
        ui.get_by_role("button", name="Step").click()
        assert status.inner_text().startswith("Step 4, learning rate 0.1")
        ui.locator("canvas.dl-pick").focus()
        page.keyboard.press("ArrowDown")  # the plot's key, not the notebook's
        m = LINE_STATUS.fullmatch(status.inner_text().strip())
        assert m and m[10] == "1"
        explorer = line_explorer()
        data = {"x": list(explorer.data["x"]), "y": list(explorer.data["y"])}
        data["y"][0] = float(m[12])
        assert data["y"][0] == pytest.approx(snap(explorer.data["y"][0] - 0.05), abs=1e-9)
        check_line(m, explorer, data)
        assert errors == []
    finally:
        context.close()
