"""The chapter-9 playground trains live on the built website (no kernel, no widget manager).

Every request off 127.0.0.1 is blocked (tests/website/conftest.py). The playground's
status line is the test's window into the run: "epoch 40, training loss 0.210, validation
accuracy 94% (105 parameters)".
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

PAGE = "book/09-network.html"
STATUS = re.compile(
    r"epoch (\d+), training loss ([\d.]+), validation accuracy (\d+)% \((\d+) parameters\)"
)


def status(page) -> tuple[int, float, int, int]:
    text = page.locator(".dl-playground .dl-status").inner_text()
    m = STATUS.fullmatch(text.strip())
    assert m, f"the status line does not state the run: {text!r}"
    return int(m[1]), float(m[2]), int(m[3]), int(m[4])


def ui(page):
    """The playground's own controls (the page holds other explorers' sliders too)."""
    return page.locator(".dl-playground")


def epochs(page, n: int) -> tuple[int, float, int, int]:
    for _ in range(n):
        ui(page).get_by_role("button", name="One epoch").click()
    return status(page)


@pytest.fixture
def playground(site_page):
    run = site_page(PAGE, fresh=True)
    run.page.wait_for_selector(
        ".descend-live[data-kind='playground'][data-mounted='true']", timeout=20_000
    )
    return run


def test_playground_is_mounted_once_with_labelled_controls(playground):
    page = playground.page
    assert page.locator(".descend-live[data-kind='playground']").count() == 1
    assert page.locator(".descend-live-fallback").count() == 0  # replaced by the explorer
    # no widget manager is needed for it: the placeholder is mounted by live/site.js
    scripts = page.eval_on_selector_all("script[type=module]", "els => els.map(e => e.src)")
    assert any(s.endswith("/live/site.js") for s in scripts), scripts
    for name in [
        "data set",
        "noise",
        "hidden layers",
        "units per layer",
        "activation",
        "optimizer",
        "learning rate",
        "batch size",
    ]:
        assert ui(page).get_by_label(name).count() == 1, name
    assert page.locator(".dl-playground .dl-status").get_attribute("aria-live") == "polite"
    assert status(page)[0] == 0


def test_playground_trains_and_its_loss_falls(playground):
    page = playground.page
    _, loss0, _, _ = status(page)
    ui(page).get_by_role("button", name="Play").click()
    page.wait_for_function(
        "() => +(/epoch (\\d+)/.exec("
        "document.querySelector('.dl-playground .dl-status').textContent)"
        " || [0, 0])[1] >= 100",
        timeout=30_000,
    )
    ui(page).get_by_role("button", name="Pause").click()
    epoch, loss, acc, _ = status(page)
    assert epoch >= 100
    assert loss < 0.5 * loss0, (loss0, loss)
    assert acc >= 80
    assert playground.errors == [] and playground.console_errors == []
    assert playground.external == [] and playground.failed == []


def test_changing_a_control_by_keyboard_and_by_pointer_changes_the_run(playground):
    page = playground.page
    before = epochs(page, 3)
    assert before[0] == 3
    # keyboard: the learning-rate slider, a few steps to the right (the run restarts)
    lr = ui(page).get_by_label("learning rate")
    lr.focus()
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    assert ui(page).locator(".dl-value").nth(2).inner_text() != "0.01"
    assert status(page)[0] == 0
    faster = epochs(page, 3)
    assert faster[1] != before[1]  # same start, same batches, another learning rate
    # keyboard on a menu: the optimizer
    ui(page).get_by_label("optimizer").focus()
    page.keyboard.press("ArrowUp")  # Adam -> RMSProp
    sgdish = epochs(page, 3)
    assert sgdish[1] != faster[1]
    # pointer: click the left end of the hidden-layers slider -> no hidden layer
    box = ui(page).get_by_label("hidden layers").bounding_box()
    page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)
    assert status(page)[3] == 3  # logistic regression: W (2, 1) and b (1,)
    linear = epochs(page, 3)
    assert linear[1] != sgdish[1]
    assert playground.errors == [] and playground.console_errors == []


def test_playground_fits_a_phone_and_draws_in_dark_mode(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(server + PAGE)
        page.wait_for_selector(
            ".descend-live[data-kind='playground'][data-mounted='true']", timeout=20_000
        )
        widths = page.eval_on_selector_all(
            ".dl-playground, .dl-playground canvas",
            "els => els.map(e => e.getBoundingClientRect().right)",
        )
        assert max(widths) <= 390, widths
        # the map's background is dark where the classes meet (p near 0.5 is the page's colour)
        dark = page.evaluate("document.documentElement.dataset.theme")
        assert dark == "dark"
        corner = page.evaluate(
            "() => { const c = document.querySelectorAll('.dl-figures canvas')[1];"
            " return Array.from(c.getContext('2d').getImageData(1, 1, 1, 1).data); }"
        )
        assert sum(corner[:3]) < 3 * 80, corner  # the loss chart's background is dark
    finally:
        context.close()
