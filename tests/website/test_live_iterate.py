"""Chapter 6's live explorers respond on the built website (no kernel) and in JupyterLab.

Every request off 127.0.0.1 is blocked (tests/website/conftest.py). The basin explorer's
map is picked at 50 positions by pointer and moved 50 steps by keyboard; the training
explorer's epoch slider is moved through 60 epochs. At every position the figure (the
canvases' pixels) and the aria-live status line must change, and the numbers the status
states are descend's: the minimum ``ds.minimize`` reaches from the start, the losses and
accuracy of ``ds.train.train`` at that epoch.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

import descend as ds
import descend.live

from .live import assert_clean, mounted, snapshot

pytestmark = pytest.mark.browser

PAGE = "book/06-iterate.html"
BASINS = ".descend-live[data-kind='basins']"
TRAINING = ".descend-live[data-kind='training']"
BASIN_STATUS = re.compile(
    r"From \((-?[\d.]+), (-?[\d.e-]+)\), gradient descent with η = ([\d.]+) after (\d+) steps "
    r"ends at \((-?[\d.]+), (-?[\d.]+)\), f = (-?[\d.]+): (?:minimum (\d)|still on its way)"
)
EPOCH_STATUS = re.compile(
    r"Epoch (\d+) of 270 \((\w+), η = ([\d.]+), batch size (\d+)\): training loss ([\d.]+), "
    r"validation loss ([\d.]+), validation accuracy (\d+)%\.$"
)
SHOTS = Path(os.environ.get("DESCEND_SCREENSHOTS", Path(__file__).parents[2] / "_build" / "shots"))


def reached(start, lr=0.05, steps=150):
    """descend's answer: the end of gradient descent and the minimum nearest it (0 = deepest)."""
    wells = ds.surfaces.multi_well()
    path = ds.minimize(wells, start, ds.optim.SGD(lr=lr), steps=steps)
    d = np.hypot(*(np.array(wells.minima) - path.points[-1]).T)
    return path.points[-1], path.values[-1], int(np.argmin(d)), float(d.min())


def test_basins_respond_to_50_picks_and_50_keys_with_descends_minimum(site_page):
    run = site_page(PAGE, fresh=True)
    box = mounted(run, BASINS)
    canvas = box.locator("canvas.dl-pick")
    assert canvas.count() == 1 and box.locator(".dl-status").get_attribute("aria-live") == "polite"
    first = box.locator(".dl-status").inner_text()
    assert first.startswith("From (0, 0), gradient descent with η = 0.05 after 150 steps")
    assert "minimum 1 (f = -3.38), the deepest" in first
    canvas.scroll_into_view_if_needed()
    r = canvas.bounding_box()
    seen, minima = set(), set()
    for i in range(10):
        for j in range(5):
            x, y = r["x"] + r["width"] * (0.04 + 0.1 * i), r["y"] + r["height"] * (0.08 + 0.2 * j)
            run.page.mouse.click(x, y)
            shot = snapshot(run.page, BASINS)
            seen.add(shot)
            m = BASIN_STATUS.match(shot[1])
            assert m, shot[1]
            if m[8]:
                minima.add(int(m[8]))
    assert len({s[0] for s in seen}) == 50 and len({s[1] for s in seen}) == 50
    assert minima == {1, 2, 3, 4}  # every basin was hit somewhere
    # keyboard from (0, 0): each ArrowRight moves the start 5/400 to the right; the start is
    # then known exactly, so the minimum named and its f are checked against descend
    box.get_by_label("start x").fill("200")  # x = 0
    box.get_by_label("start y").fill("200")  # y = 0
    canvas.focus()
    keyed = [snapshot(run.page, BASINS)]
    x = 0.0
    named = set()
    for _ in range(50):
        canvas.press("ArrowRight")
        x += 5.0 / 400
        shot = snapshot(run.page, BASINS)
        keyed.append(shot)
        m = BASIN_STATUS.match(shot[1])
        end, value, k, dist = reached((x, 0.0))
        assert float(m[1]) == pytest.approx(x, abs=6e-3)
        assert (float(m[5]), float(m[6])) == pytest.approx(tuple(end), abs=6e-3)
        assert float(m[7]) == pytest.approx(value, abs=6e-4)
        assert (int(m[8]) - 1 if m[8] else None) == (k if dist < 1e-2 else None), shot[1]
        named.add(m[8])
    assert len(set(keyed)) == 51
    assert {"1", "3", "4"} <= named  # the keys crossed two borders between basins
    # the learning rate: its slider has 301 positions, and the largest rate changes the map
    lr = box.get_by_label("learning rate")
    assert lr.get_attribute("max") == "300"
    before = snapshot(run.page, BASINS)
    lr.focus()
    lr.press("End")
    run.page.wait_for_timeout(1500)  # the basin map fills in over a few frames
    after = snapshot(run.page, BASINS)
    assert "η = 0.5" in after[1] and after[0] != before[0]
    assert_clean(run)


def chapter_run(batch_size=32, epochs=270):
    X, y, X_val, y_val = ds.data.running_example(seed=0)
    net = ds.Network([2, 8, 8, 1], activation="tanh", rng=np.random.default_rng(1))
    snaps = []
    h = ds.train.train(
        net,
        X,
        y,
        ds.optim.Adam(lr=0.02),
        epochs=epochs,
        batch_size=batch_size or None,
        rng=np.random.default_rng(0),
        X_val=X_val,
        y_val=y_val,
        on_epoch=lambda *a, **k: snaps.append(
            np.mean((net.predict_proba(X_val).ravel() >= 0.5) == y_val)
        ),
    )
    return [h.initial_loss, *h.epoch_losses], [h.initial_val_loss, *h.val_losses], snaps


def check_epoch(text, train, val, acc):
    m = EPOCH_STATUS.match(text)
    assert m, text
    e = int(m[1])
    assert float(m[5]) == pytest.approx(train[e], abs=6e-5), text
    assert float(m[6]) == pytest.approx(val[e], abs=6e-5), text
    if e:
        assert int(m[7]) == round(100 * acc[e - 1]), text
    return e


def test_training_slider_steps_60_epochs_with_descends_losses(site_page):
    run = site_page(PAGE, fresh=True)
    box = mounted(run, TRAINING)
    train, val, acc = chapter_run()
    slider = box.get_by_role("slider", name="epoch:")
    assert slider.get_attribute("max") == "270"
    slider.focus()
    seen = [snapshot(run.page, TRAINING)]
    assert check_epoch(seen[0][1], train, val, acc) == 0
    for k in range(1, 61):
        slider.press("ArrowRight")
        shot = snapshot(run.page, TRAINING)
        seen.append(shot)
        assert check_epoch(shot[1], train, val, acc) == k
    assert len({s[0] for s in seen}) == 61 and len({s[1] for s in seen}) == 61
    # the end of the run: trained on over a few frames, then descend's last epoch
    slider.press("End")
    status = box.locator(".dl-status")
    run.page.wait_for_function(
        f'() => document.querySelector("{TRAINING} .dl-status").textContent'
        ".startsWith('Epoch 270 of 270') ",
        timeout=20_000,
    )
    assert check_epoch(status.inner_text(), train, val, acc) == 270
    # Reset, Step, Play and Pause
    box.get_by_role("button", name="Reset (epoch 0)").click()
    assert status.inner_text().startswith("Epoch 0 of 270")
    box.get_by_role("button", name="Step (one epoch)").click()
    assert status.inner_text().startswith("Epoch 1 of 270")
    box.get_by_role("button", name="Play").click()
    run.page.wait_for_function(
        f'() => +/Epoch (\\d+)/.exec(document.querySelector("{TRAINING} .dl-status")'
        ".textContent)[1] >= 20",
        timeout=20_000,
    )
    box.get_by_role("button", name="Pause").click()
    e = check_epoch(status.inner_text(), train, val, acc)
    assert e >= 20
    # another batch size: the run starts again, and is descend's with that batch size
    box.get_by_label("batch size").select_option("0")
    run.page.wait_for_function(  # a restart trains back to the epoch shown, maybe over frames
        f'() => !document.querySelector("{TRAINING} .dl-status").textContent'
        ".includes('Training on')",
        timeout=20_000,
    )
    full_train, full_val, full_acc = chapter_run(batch_size=0, epochs=e)
    text = status.inner_text()
    assert "batch size 150" in text
    assert check_epoch(text, full_train, full_val, full_acc) == e
    assert_clean(run)


@pytest.mark.parametrize("sel", [BASINS, TRAINING])
def test_explorers_fit_a_phone_in_the_dark(site_page, sel):
    run = site_page(PAGE, color_scheme="dark", fresh=True)
    run.page.set_viewport_size({"width": 390, "height": 844})
    box = mounted(run, sel)
    box.scroll_into_view_if_needed()
    run.page.wait_for_timeout(500)
    assert run.page.evaluate(f'document.querySelector("{sel}").scrollWidth') <= 390
    dark = run.page.evaluate(
        f'() => {{ const c = document.querySelector("{sel} canvas");'
        " return [...c.getContext('2d').getImageData(2, 2, 1, 1).data]; }"
    )
    smallest = {BASINS: 24, TRAINING: 22}[sel]  # the smallest font the canvases draw with
    for c in box.locator("canvas").all():
        b = c.bounding_box()
        units = int(c.get_attribute("width"))
        assert b["width"] <= 390 and smallest * b["width"] / units >= 8, (b, units)
    if sel == TRAINING:
        assert sum(dark[:3]) < 3 * 128  # the map's background follows the dark theme
    SHOTS.mkdir(parents=True, exist_ok=True)
    box.screenshot(path=str(SHOTS / f"live-06-{sel.split(chr(39))[1]}-390-dark.png"))
    assert_clean(run)


@pytest.fixture(scope="module")
def lab_notebook(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a notebook that shows both explorers."""
    import nbformat

    from .test_jupyterlab import running_jupyterlab

    work = tmp_path_factory.mktemp("lab_iterate")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import descend.live\n\ndescend.live.basin_explorer()"),
        nbformat.v4.new_code_cell(
            "import numpy as np\nimport descend as ds\n\n"
            "X, y, X_val, y_val = ds.data.running_example(seed=0)\n"
            "net = ds.Network([2, 8, 8, 1], activation='tanh', rng=np.random.default_rng(1))\n"
            "descend.live.training_explorer(net, X, y, X_val, y_val, "
            "rng=np.random.default_rng(0))"
        ),
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
        basins = page.locator(".dl-basins")
        basins.wait_for(state="attached", timeout=120_000)
        basins.scroll_into_view_if_needed()
        status = basins.locator(".dl-status")
        assert status.inner_text().startswith("From (0, 0), gradient descent with η = 0.05")
        basins.locator("canvas.dl-pick").focus()
        for _ in range(30):
            page.keyboard.press("ArrowRight")  # the map's keys, not the notebook's
        assert status.inner_text().startswith("From (0.375, 0)")  # 30 steps of 5/400
        assert "minimum 3" in status.inner_text()  # across the border, as descend says
        assert reached((0.375, 0.0))[2] == 2
        training = page.locator(".dl-training")
        training.wait_for(state="attached", timeout=60_000)
        training.scroll_into_view_if_needed()
        line = training.locator(".dl-status")
        assert line.inner_text().startswith("Epoch 0 of 270")
        training.get_by_role("button", name="Step (one epoch)").click()
        train, val, acc = chapter_run(epochs=1)
        assert check_epoch(line.inner_text(), train, val, acc) == 1
        assert errors == []
    finally:
        context.close()
