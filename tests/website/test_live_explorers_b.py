"""Chapter 5's live optimizer race on the built website (no kernel, no widget manager).

Every request off 127.0.0.1 is blocked (tests/website/conftest.py). The race's status
line is the test's window into it: "After 500 steps on Rosenbrock from (-1.2, 1): lowest
is momentum (f − f* = 0.00182); highest is gradient descent (f − f* = 2.28)."; the map
canvas's pixels show that the figure changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest

import descend as ds
import descend.live as L

pytestmark = pytest.mark.browser

PAGE = "book/05-update.html"
STATUS = re.compile(
    r"After (\d+) steps on (.+?) from \((-?[\d.e-]+), (-?[\d.e-]+)\): lowest is (.+?) "
    r"\(f − f\* = ([-\d.e+]+)\)"
)
MAP = "document.querySelectorAll('.dl-race .dl-figures canvas')[0]"


def ui(page):
    return page.locator(".dl-race")


def status(page) -> re.Match:
    text = page.locator(".dl-race .dl-status").inner_text()
    m = STATUS.match(text.strip())
    assert m, f"the status line does not state the race: {text!r}"
    return m


def picture(page) -> str:
    return page.evaluate(f"{MAP}.toDataURL()")


def python_leader(surface: str, start, steps: int, **hyper):
    """The lowest racer and its f - f* after `steps`, computed by descend."""
    w = L.optimizer_race(surface=surface, steps=steps, **hyper)
    s = ds.surfaces.get(surface)
    finals = {}
    for key in w.racers:
        try:
            path = ds.minimize(s, start, w.optimizer(key), steps=steps)
            finals[w.racers[key]["label"]] = path.values[-1] - min(s.min_values)
        except ds.DivergenceError:
            pass
    best = min(finals, key=finals.get)
    return best, finals[best]


@dataclass
class Run:
    page: object
    errors: list = field(default_factory=list)  # uncaught exceptions and console errors
    external: list = field(default_factory=list)  # requests off 127.0.0.1 (blocked)


def open_chapter(browser, server, viewport=(1280, 900), color_scheme="light") -> Run:
    """Chapter 5 with every request off 127.0.0.1 blocked, once both explorers are mounted.

    (Not conftest's site_page: that waits for the network to be idle, which this page
    did not always reach on a loaded machine although no request was open.)
    """
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]}, color_scheme=color_scheme
    )
    page = context.new_page()
    run = Run(page)
    host = urlparse(server).hostname

    def route(r):
        parsed = urlparse(r.request.url)
        if parsed.scheme in ("data", "blob", "about") or parsed.hostname == host:
            r.continue_()
        else:
            run.external.append(r.request.url)
            r.abort()

    def console(msg):
        # the browser's own favicon request is not the page's (the site has none)
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            run.errors.append(msg.text)

    context.route("**/*", route)
    page.on("pageerror", lambda exc: run.errors.append(str(exc)))
    page.on("console", console)
    page.goto(server + PAGE)
    for kind in ("race", "bowl"):
        page.wait_for_selector(f".descend-live[data-kind='{kind}'][data-mounted='true']")
    return run


@pytest.fixture
def race(browser, server):
    run = open_chapter(browser, server)
    yield run
    run.page.context.close()


def test_race_is_mounted_with_labelled_controls_and_states_descends_leader(race):
    page = race.page
    assert page.locator(".descend-live[data-kind='race'] .descend-live-fallback").count() == 0
    for name in ["surface", "steps:", "start x:", "start y:"]:  # (the map's own label
        # states the race, so it holds "steps": a label starting with the name is meant)
        assert ui(page).get_by_label(re.compile("^" + name)).count() == 1, name
    for label in ["gradient descent", "momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"]:
        assert ui(page).get_by_label(f"learning rate of {label}").count() == 1, label
        assert ui(page).get_by_label(f"show {label}").count() == 1, label
    for name in ["momentum of momentum", "momentum of Nesterov", "alpha (decay) of RMSProp"]:
        assert ui(page).get_by_label(name).count() == 1, name
    assert ui(page).get_by_label("beta1 of Adam").count() == 1
    assert page.locator(".dl-race .dl-legend li").count() == 6
    assert page.locator(".dl-race .dl-status").get_attribute("aria-live") == "polite"
    m = status(page)
    assert (m[1], m[2], m[3], m[4]) == ("500", "Rosenbrock", "-1.2", "1")
    best, gap = python_leader("rosenbrock", (-1.2, 1.0), 500)
    assert m[5] == best
    assert float(m[6]) == pytest.approx(gap, rel=0.02)  # shown to 2 or 3 digits
    # the surface menu by keyboard: Beale, and again the leader descend finds
    ui(page).get_by_label("surface").focus()
    page.keyboard.press("ArrowDown")
    m = status(page)
    assert m[2] == "Beale"
    best, gap = python_leader("beale", (1.0, 1.5), 500)
    assert m[5] == best and float(m[6]) == pytest.approx(gap, rel=0.02)
    assert race.errors == [] and race.external == []


def test_learning_rate_slider_by_keyboard_changes_the_race_at_every_position(race):
    page = race.page
    lr = ui(page).get_by_label("learning rate of gradient descent")
    assert lr.get_attribute("aria-valuetext") == "0.001"
    lr.focus()
    pictures, values = {picture(page)}, ["0.001"]
    for _ in range(60):
        page.keyboard.press("ArrowRight")
        pictures.add(picture(page))
        values.append(lr.get_attribute("aria-valuetext"))
    assert len(set(values)) == 61 and float(values[-1]) == pytest.approx(
        10 ** (-3 + 60 * 0.02), rel=5e-3
    )
    assert len(pictures) == 61  # the figure changed at every position
    # past Rosenbrock's bound gradient descent diverges, and the status line says so
    text = page.locator(".dl-race .dl-status").inner_text()
    assert "Diverged: gradient descent (at step" in text, text
    assert race.errors == [] and race.external == []


def test_start_picked_by_pointer_and_by_keyboard_changes_the_race(race):
    page = race.page
    page.locator(".dl-race .dl-figures canvas").first.scroll_into_view_if_needed()
    box = page.locator(".dl-race .dl-figures canvas").first.bounding_box()
    pictures, starts = set(), set()
    for i in range(8):
        for j in range(7):
            x = box["x"] + box["width"] * (0.06 + 0.125 * i)
            y = box["y"] + box["height"] * (0.07 + 0.14 * j)
            page.mouse.click(x, y)
            m = status(page)
            starts.add((m[3], m[4]))
            pictures.add(picture(page))
    assert len(starts) == 56 and len(pictures) == 56
    # the last click's start, read back from the map's position: x = -2 + 4 u, y = 3 - 4 v
    u, v = 0.06 + 0.125 * 7, 0.07 + 0.14 * 6
    m = status(page)
    assert float(m[3]) == pytest.approx(-2 + 4 * u, abs=0.02)
    assert float(m[4]) == pytest.approx(3 - 4 * v, abs=0.02)
    # a drag moves it too
    page.mouse.move(box["x"] + 10, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    m = status(page)
    assert float(m[3]) == pytest.approx(0.0, abs=0.03) and float(m[4]) == pytest.approx(
        1.0, abs=0.03
    )
    # keyboard on the focused map: each arrow moves the start by 1% of the window
    page.locator(".dl-race .dl-figures canvas").first.focus()
    before = float(status(page)[3])
    for k in range(1, 6):
        page.keyboard.press("ArrowLeft")
        assert float(status(page)[3]) == pytest.approx(before - 0.04 * k, abs=1e-3)
        pictures.add(picture(page))
    assert race.errors == [] and race.external == []


def test_race_and_bowl_fit_a_phone_in_dark_mode_with_readable_text(browser, server):
    run = open_chapter(browser, server, viewport=(390, 844), color_scheme="dark")
    page = run.page
    try:
        rights = page.eval_on_selector_all(
            ".dl-race, .dl-race *, .dl-bowl, .dl-bowl *",
            "els => els.map(e => e.getBoundingClientRect().right)",
        )
        assert max(rights) <= 390, max(rights)
        smallest = page.eval_on_selector_all(
            ":is(.dl-race, .dl-bowl) :is(span, label, p, select)",
            "els => Math.min(...els.map(e => parseFloat(getComputedStyle(e).fontSize)))",
        )
        assert smallest >= 8, smallest
        # canvas text is drawn at 22 units: at least 8 CSS pixels once the canvas is scaled
        scale = page.evaluate(f"{MAP}.getBoundingClientRect().width / {MAP}.width")
        assert 22 * scale >= 8, scale
        corner = page.evaluate(
            "() => Array.from(document.querySelectorAll('.dl-race .dl-figures canvas')[1]"
            ".getContext('2d').getImageData(1, 1, 1, 1).data)"
        )
        assert sum(corner[:3]) < 3 * 80, corner  # the loss chart's background is dark
        assert run.errors == [] and run.external == []
    finally:
        page.context.close()


# ------------------------------------------------------------------ the learning rate on a bowl

BOWL_STATUS = re.compile(
    r"Learning rate ([\d.]+) \(bound 2/λmax = ([\d.]+)\): the path (.+?)(?:; after 30 steps f "
    r"is ([\d.e+-]+) times its starting value)?\."
)
BOWL_MAP = "document.querySelectorAll('.dl-bowl .dl-figures canvas')[0]"


def bowl_status(page) -> re.Match:
    text = page.locator(".dl-bowl .dl-status").inner_text()
    m = BOWL_STATUS.fullmatch(text.strip())
    assert m, f"the status line does not state the run: {text!r}"
    return m


def bowl_ratio(lr: float) -> float:
    import numpy as np

    bowl = ds.surfaces.quadratic(condition=10.0, angle=np.pi / 6)
    p = ds.minimize(bowl, bowl.start, ds.optim.SGD(lr=lr), steps=30)
    return p.values[-1] / p.values[0]


def test_bowl_learning_rate_by_keyboard_and_pointer_up_to_and_past_the_bound(race):
    run = race
    page = run.page
    assert page.locator(".dl-bowl .dl-status").get_attribute("aria-live") == "polite"
    marks = page.locator(".dl-bowl .dl-ruler span").all_inner_texts()
    assert marks == ["1/λmax", "2/λmax = 0.2"]
    slider = page.locator(".dl-bowl").get_by_label("learning rate η")
    m = bowl_status(page)
    assert (m[1], m[2]) == ("0.1", "0.2") and "zig-zags across the valley while converging" in m[3]
    assert float(m[4]) == pytest.approx(bowl_ratio(0.1), rel=0.05)  # shown to 2 digits
    slider.focus()
    pictures, rates = {page.evaluate(f"{BOWL_MAP}.toDataURL()")}, {0.1}
    for _ in range(95):  # 0.1 -> 0.195, one position (0.001) per press
        page.keyboard.press("ArrowRight")
        pictures.add(page.evaluate(f"{BOWL_MAP}.toDataURL()"))
        rates.add(float(bowl_status(page)[1]))
    assert len(rates) == 96 and len(pictures) == 96  # the figure changed at every position
    m = bowl_status(page)
    assert m[1] == "0.195" and float(m[4]) == pytest.approx(bowl_ratio(0.195), rel=0.05)
    assert float(m[4]) < 1  # still converging just under the bound
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    m = bowl_status(page)
    assert m[1] == "0.2" and "constant width" in m[3]
    page.keyboard.press("ArrowRight")
    m = bowl_status(page)
    assert m[1] == "0.201" and "it diverges" in m[3]
    assert float(m[4]) > 1
    # pointer: the left end of the slider crawls, the right end diverges
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    page.mouse.click(box["x"] + 1, box["y"] + box["height"] / 2)
    m = bowl_status(page)
    assert float(m[1]) < 0.005 and "slides towards the minimum" in m[3]
    page.mouse.click(box["x"] + box["width"] - 1, box["y"] + box["height"] / 2)
    m = bowl_status(page)
    assert float(m[1]) > 0.245 and "diverges" in m[3]
    assert run.errors == [] and run.external == []
