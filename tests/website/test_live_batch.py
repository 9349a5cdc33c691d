"""Chapter 5's live batch-size explorer and chapter 0's x_t panel, on the built website.

Every request off 127.0.0.1 is blocked (tests/website/conftest.py). The explorer's status
line is the test's window into it: "Batch size B = 10, η = 0.05: 40 updates for 400
examples (2 passes); the path ends 0.102 from the least-squares line, loss 1.08 (least
squares 1.04); the full batch (2 updates) ends 1.32 away. Spread of a batch's gradient:
4.3 at the start, 1.24 at the minimum." Its numbers are checked against descend running
the same run (``BatchSizeExplorer.run``, i.e. ``descend.train.train``); the canvases'
pixels show that the figure changed.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import numpy as np
import pytest

import descend as ds
import descend.live as L
from descend.live.explorers_batch import gradient_spread

from .live import assert_clean, mounted, snapshot

pytestmark = pytest.mark.browser

CH0, CH5 = "book/00-one-dimension.html", "book/05-update.html"
BATCH = ".descend-live[data-kind='batch']"
LR1D = ".descend-live[data-kind='lr1d']"
NUM = r"([-\d.e+]+)"
STATUS = re.compile(
    rf"Batch size B = (\d+), η = ([\d.]+): (?:(\d+) updates for (\d+) examples \(\d+ passe?s?\); "
    rf"the path ends {NUM} from the least-squares line, loss {NUM} \(least squares {NUM}\)"
    rf"(, higher than at the start: η is too large for this batch size)?"
    rf"|the path diverges: the loss overflows at update (\d+)); "
    rf"(?:the full batch \((\d+) updates?\) ends {NUM} away(?:, its loss growing)?"
    rf"|the full batch diverges)\. "
    rf"Spread of a batch's gradient: {NUM} at the start, {NUM} at the minimum\."
)


@pytest.fixture(scope="module")
def explorer():
    """The chapter's explorer, made as the chapter makes it."""
    X, y = ds.data.line(200, slope=2.0, intercept=-1.0, noise=1.0, rng=np.random.default_rng(0))
    return L.batch_size_explorer(
        X, y, rng=np.random.default_rng(2), lr=0.05, batch_size=10, epochs=2
    )


def status(page) -> re.Match:
    text = page.locator(f"{BATCH} .dl-status").inner_text().strip()
    m = STATUS.fullmatch(text)
    assert m, f"the status line does not state the run: {text!r}"
    return m


def check_against_descend(m: re.Match, explorer) -> None:
    """The status's numbers are descend's for the run it names (shown to 3 digits)."""
    B, lr = int(m[1]), float(m[2])
    X, y = explorer.arrays()
    w_star = np.array(explorer.line["minimum"])
    points, history = explorer.run(B, lr)
    assert int(m[3]) == len(points) - 1 == 2 * math.ceil(200 / B)
    assert float(m[5]) == pytest.approx(np.linalg.norm(points[-1] - w_star), rel=6e-3)
    assert float(m[6]) == pytest.approx(history.epoch_losses[-1], rel=6e-3)
    full, _ = explorer.run(200, lr)
    assert float(m[11]) == pytest.approx(np.linalg.norm(full[-1] - w_star), rel=6e-3)
    assert float(m[12]) == pytest.approx(gradient_spread(X, y, (0.0, 0.0), B)[2], rel=6e-3, abs=0)
    assert float(m[13]) == pytest.approx(gradient_spread(X, y, w_star, B)[2], rel=6e-3, abs=0)


def test_batch_size_slider_every_size_changes_the_figure_and_is_descends(site_page, explorer):
    run = site_page(CH5, fresh=True)
    box = mounted(run, BATCH)
    assert box.locator(".descend-live-fallback").count() == 0
    assert box.locator(".dl-status").get_attribute("aria-live") == "polite"
    slider = box.get_by_role("slider", name="batch size B")
    assert (slider.get_attribute("min"), slider.get_attribute("max")) == ("1", "200")
    m = status(run.page)
    assert (m[1], m[2], m[3], m[4]) == ("10", "0.05", "40", "400")
    check_against_descend(m, explorer)
    slider.focus()
    slider.press("Home")
    seen = [snapshot(run.page, BATCH)]
    sizes = [int(status(run.page)[1])]
    for _ in range(60):  # B = 1 .. 61, one size per press
        slider.press("ArrowRight")
        seen.append(snapshot(run.page, BATCH))
        sizes.append(int(status(run.page)[1]))
    assert sizes == list(range(1, 62))
    assert len({s[0] for s in seen}) == 61 and len({s[1] for s in seen}) == 61
    for B in (1, 2, 7, 33, 61):  # the numbers stated at a few of those sizes
        slider.fill(str(B))
        check_against_descend(status(run.page), explorer)
    slider.press("End")
    m = status(run.page)
    assert m[1] == "200" and m[3] == "2" and float(m[12]) == 0.0 == float(m[13])
    assert m[5] == m[11]  # the full batch is the full batch
    assert_clean(run)


def test_learning_rate_slider_moves_the_best_batch_and_shows_too_large_steps(site_page, explorer):
    run = site_page(CH5, fresh=True)
    box = mounted(run, BATCH)
    lr = box.get_by_role("slider", name="learning rate η")
    assert (lr.get_attribute("min"), lr.get_attribute("max")) == ("0", "300")
    rates = explorer.slider_lrs()
    lr.focus()
    seen, shown = [snapshot(run.page, BATCH)], [float(status(run.page)[2])]
    for _ in range(60):  # from 0.05 up, one position per press
        lr.press("ArrowRight")
        seen.append(snapshot(run.page, BATCH))
        shown.append(float(status(run.page)[2]))
    assert shown == rates[200:261]  # the browser's rates are the ones Python lists
    assert len({s[0] for s in seen}) == 61 and len({s[1] for s in seen}) == 61
    check_against_descend(status(run.page), explorer)
    # at the end of the slider single examples throw the path off: the status says so
    box.get_by_role("slider", name="batch size B").fill("1")
    lr.press("End")
    m = status(run.page)
    assert m[2] == "0.5" and (m[8] or m[9]), m[0]
    assert_clean(run)


def test_batch_explorer_fits_a_phone_in_the_dark(site_page):
    run = site_page(CH5, color_scheme="dark", fresh=True)
    run.page.set_viewport_size({"width": 390, "height": 844})
    box = mounted(run, BATCH)
    box.scroll_into_view_if_needed()
    run.page.wait_for_timeout(300)
    assert run.page.evaluate(f'document.querySelector("{BATCH}").scrollWidth') <= 390
    rights = run.page.eval_on_selector_all(
        ".dl-batch, .dl-batch *", "els => els.map(e => e.getBoundingClientRect().right)"
    )
    assert max(rights) <= 390, max(rights)
    for c in box.locator("canvas").all():  # canvas text: 22 units, >= 8 CSS px
        b = c.bounding_box()
        assert b["width"] <= 390 and 22 * b["width"] / int(c.get_attribute("width")) >= 8, b
    corner = run.page.evaluate(
        "() => Array.from(document.querySelectorAll('.dl-batch canvas')[1]"
        ".getContext('2d').getImageData(1, 1, 1, 1).data)"
    )
    assert sum(corner[:3]) < 3 * 80, corner  # the loss chart's background is dark
    shots = os.environ.get("DESCEND_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        box.screenshot(path=str(Path(shots) / "live-05-batch-390-dark.png"))
    assert_clean(run)


def test_learning_rate_1d_shows_x_against_the_step_and_the_exact_marks(site_page):
    run = site_page(CH0, fresh=True)
    box = mounted(run, LR1D)
    assert box.locator("canvas").count() == 2
    assert "against the step" in box.locator("canvas").nth(1).get_attribute("aria-label")
    slider = box.get_by_label("learning rate")
    rates = L.learning_rate_1d("quadratic").slider_lrs("quadratic")
    k_half, k_bound = rates.index(0.5), rates.index(1.0)
    text = {}
    for k in (k_half - 1, k_half, k_bound - 1, k_bound, k_bound + 1):
        slider.fill(str(k))
        text[k] = box.locator(".dl-status").inner_text()
    assert text[k_half].startswith("η = 0.5:") and "lands on x* = 2 in one step" in text[k_half]
    assert "sliding in from one side" in text[k_half - 1]
    assert "zig-zagging in slowly" in text[k_bound - 1]  # 0.99: not yet within 0.001
    assert (
        text[k_bound].startswith("η = 1:")
        and "bounces between the same two points" in (text[k_bound])
    )
    assert "diverges: each jump lands further from x* = 2" in text[k_bound + 1]
    # the x_t panel says "diverging" in red above the bound (pixels differ from just below)
    steps_panel = "document.querySelectorAll('.dl-lr1d canvas')[1].toDataURL()"
    slider.fill(str(k_bound + 1))
    above = run.page.evaluate(steps_panel)
    slider.fill(str(k_bound - 1))
    assert run.page.evaluate(steps_panel) != above
    assert_clean(run)


@pytest.fixture(scope="module")
def lab_notebook(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a one-cell notebook with the chapter's explorer."""
    import nbformat

    from .test_jupyterlab import running_jupyterlab

    work = tmp_path_factory.mktemp("lab_batch")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import numpy as np\nimport descend as ds\nimport descend.live\n\n"
            "X, y = ds.data.line(200, slope=2.0, intercept=-1.0, noise=1.0,"
            " rng=np.random.default_rng(0))\n"
            "descend.live.batch_size_explorer(X, y, rng=np.random.default_rng(2))"
        ),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)"}
    nbformat.write(nb, work / "batch.ipynb")
    with running_jupyterlab(work) as base:
        yield base + "lab/tree/batch.ipynb"


def test_batch_explorer_responds_in_jupyterlab(browser, lab_notebook, explorer):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(lab_notebook)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        box = page.locator(".dl-batch")
        box.wait_for(state="attached", timeout=120_000)
        box.scroll_into_view_if_needed()
        line = box.locator(".dl-status")
        assert line.inner_text().startswith("Batch size B = 10, η = 0.05: 40 updates")
        box.get_by_role("slider", name="batch size B").focus()
        for _ in range(3):
            page.keyboard.press("ArrowLeft")  # the slider's keys, not the notebook's
        m = STATUS.fullmatch(line.inner_text().strip())
        assert m and m[1] == "7"
        check_against_descend(m, explorer)
        assert errors == []
    finally:
        context.close()
