"""Precomputed explorers (``ds.widgets.explorer``, ``explorer2d``) without a widget manager.

On the built website (no kernel, every request off 127.0.0.1 blocked) each explorer's
sliders are moved through every position by the keyboard: at each one the readout, the
frame and its alt text must be the ones the page's state holds for that position (the
state descend wrote; on the website each frame is a file), with no console error. In
JupyterLab (anywidget) the same widget moves by the keyboard and sends its position back
to the kernel. Without a browser: the book's extension turns the frames into files and
warns about a page that would need the ipywidgets manager.
"""

from __future__ import annotations

import base64
import html
import json
import re

import pytest
from playwright.sync_api import expect

from .conftest import PAGES, ROOT

FRAMES = ".descend-live[data-kind='frames']"
# the chapters that call ds.widgets.explorer / explorer2d (read from the notebooks)
FRAME_PAGES = [
    p
    for p in PAGES
    if (ROOT / p).with_suffix(".ipynb").exists()
    and re.search(r"widgets\.explorer(2d)?\(", (ROOT / p).with_suffix(".ipynb").read_text("utf-8"))
]

SHOWN = """el => {
  const imgs = [...el.querySelectorAll('img.descend-frame')]
      .filter(i => i.getBoundingClientRect().height > 0);
  return {
    n: imgs.length,
    alt: imgs.length ? imgs[0].alt : null,
    src: imgs.length ? imgs[0].getAttribute('src') : null,
    complete: imgs.length ? imgs[0].complete && imgs[0].naturalWidth > 0 : false,
    readouts: [...el.querySelectorAll('output')].map(o => o.textContent),
    status: el.querySelector('.dl-status').textContent,
  };
}"""


def _book_extension():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "descend_book", ROOT / "book/_ext/descend_book.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_site_gets_each_frame_as_a_file(tmp_path):
    """book/_ext/descend_book.py: a frames placeholder's data URIs become files' URLs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import descend as ds

    def render(v):
        fig, ax = plt.subplots(figsize=(2, 1.5))
        ax.plot([0, 1], [0, v % 2])  # values 1 and 3 draw the same figure
        return fig

    box = ds.widgets.explorer(render, [1, 2, 3], label="v", title="T", description="D")
    other = '<div class="descend-live" data-kind="lr1d" data-state="data:image/png;base64,AA==">'
    context = {"body": f"<p>x</p>{box.placeholder_html()}{other}"}
    app = type("App", (), {"outdir": str(tmp_path)})()
    _book_extension()._frames_as_files(app, "book/02-forward", "page.html", context, None)
    state = json.loads(
        html.unescape(re.search(r'data-kind="frames" data-state="([^"]*)"', context["body"])[1])
    )
    srcs = [f["src"] for f in state["frames"]]
    assert all(re.fullmatch(r"\.\./live/frames/[0-9a-f]{24}\.png", s) for s in srcs), srcs
    assert srcs[0] == srcs[2] != srcs[1]  # the same figure is one file
    assert [f["alt"] for f in state["frames"]] == [f["alt"] for f in box.frames]
    files = sorted((tmp_path / "live" / "frames").iterdir())
    assert len(files) == 2
    assert (tmp_path / "live" / "frames" / srcs[1].rsplit("/", 1)[1]).read_bytes() == (
        base64.b64decode(box.frames[1]["src"].split(",", 1)[1])
    )
    assert other in context["body"]  # other explorers' state is left alone


def test_plain_ipywidgets_on_a_page_are_a_build_warning(caplog):
    """A page whose widget state holds more than live explorers would need the manager."""
    ext = _book_extension()
    state = {
        "a": {"model_module": "anywidget", "model_name": "AnyModel", "state": {}},
        "b": {"model_module": "@jupyter-widgets/controls", "model_name": "IntSliderModel"},
    }
    body = json.dumps({"version_major": 2, "version_minor": 0, "state": state})
    js_files = {"ipywidgets_state": ("", {"body": body}), "ipywidgets_0": ("x.js", {})}
    env = type("Env", (), {"nb_metadata": {"book/x": {"js_files": js_files}}})()
    app = type("App", (), {"env": env})()
    with caplog.at_level("WARNING"):
        ext._without_live_widget_state(app, "book/x", "page.html", {}, None)
    assert "holds ipywidgets (IntSliderModel)" in caplog.text
    assert "b" in json.loads(js_files["ipywidgets_state"][1]["body"])["state"]
    assert "a" not in json.loads(js_files["ipywidgets_state"][1]["body"])["state"]
    assert "ipywidgets_0" in js_files  # kept: the page would still show its widgets


@pytest.mark.browser
def test_some_chapter_has_a_precomputed_explorer():
    assert FRAME_PAGES, "no chapter calls ds.widgets.explorer: the tests below test nothing"


@pytest.mark.browser
@pytest.mark.parametrize("path", FRAME_PAGES)
def test_every_position_of_every_slider_shows_its_frame(site_page, path: str):
    run = site_page(path, fresh=True)
    page = run.page
    boxes = page.locator(FRAMES)
    assert boxes.count() >= 1, f"{path} calls ds.widgets.explorer but shows none"
    for b in range(boxes.count()):
        box = boxes.nth(b)
        page.wait_for_function("el => el.dataset.mounted === 'true'", arg=box.element_handle())
        state = json.loads(box.get_attribute("data-state"))  # what descend wrote
        sliders = box.locator('input[type="range"]')
        assert sliders.count() == len(state["sliders"]) in (1, 2)
        counts = [len(s["texts"]) for s in state["sliders"]]
        for k in range(sliders.count()):
            slider = sliders.nth(k)
            assert slider.get_attribute("max") == str(counts[k] - 1)
            slider.focus()
            slider.press("Home")
            seen = set()
            for position in range(counts[k]):
                if position:
                    slider.press("ArrowRight")
                index = [int(sliders.nth(j).input_value()) for j in range(sliders.count())]
                assert index[k] == position
                flat = index[0] * counts[1] + index[1] if len(index) == 2 else index[0]
                want = state["frames"][flat]
                shown = box.evaluate(SHOWN)
                assert shown["n"] == 1, f"{path} explorer {b}: {shown['n']} frames visible"
                assert (shown["alt"], shown["src"]) == (want["alt"], want["src"])
                assert shown["alt"].strip() and shown["status"] == shown["alt"]
                texts = [s["texts"][i] for s, i in zip(state["sliders"], index, strict=True)]
                assert shown["readouts"] == texts
                assert slider.get_attribute("aria-valuetext") == texts[k]
                seen.add((shown["alt"], shown["src"]))
            page.wait_for_function(
                "el => [...el.querySelectorAll('img.descend-frame')].every(i => i.complete "
                "&& i.naturalWidth > 0)",
                arg=box.element_handle(),
            )
            # every position showed a frame of its own
            assert len(seen) == counts[k], f"{path} explorer {b} slider {k}: {len(seen)} frames"
    assert run.errors == [] and run.console_errors == [], (run.errors, run.console_errors)
    assert run.external == [] and run.failed == [], (run.external, run.failed)


@pytest.fixture(scope="module")
def lab_notebook(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a notebook with a two-slider explorer."""
    import nbformat

    from .test_jupyterlab import running_jupyterlab

    work = tmp_path_factory.mktemp("lab_frames")
    make = (
        "import matplotlib.pyplot as plt\n"
        "import descend as ds\n\n\n"
        "def render(a, b):\n"
        "    fig, ax = plt.subplots(figsize=(3, 2))\n"
        "    ax.plot([0, 1], [0, a * b])\n"
        "    ax.set_ylim(0, 9)\n"
        "    return fig\n\n\n"
        "box = ds.widgets.explorer2d(\n"
        "    render, [1, 2, 3], [1, 2, 3], labels=('a', 'b'), title='Lines',\n"
        "    description='A line of slope a times b.', alt=lambda a, b: f'slope {a * b}',\n"
        ")\n"
        "box"
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(make), nbformat.v4.new_code_cell("print(box.index)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)"}
    nbformat.write(nb, work / "frames.ipynb")
    with running_jupyterlab(work) as base:
        yield base + "lab/tree/frames.ipynb"


@pytest.mark.browser
def test_explorer_moves_in_jupyterlab_and_tells_the_kernel(browser, lab_notebook):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(lab_notebook)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        box = page.locator(".descend-explorer")
        box.wait_for(state="attached", timeout=120_000)
        box.scroll_into_view_if_needed()
        img = box.locator("img.descend-frame")
        expect(img).to_have_attribute("alt", "slope 1")
        expect(box.locator("output")).to_have_text(["a = 1", "b = 1"])
        src = img.get_attribute("src")
        box.get_by_label("Lines (b)").focus()
        page.keyboard.press("ArrowRight")  # the slider's key, not the notebook's
        page.keyboard.press("ArrowRight")
        box.get_by_label("Lines (a)").focus()
        page.keyboard.press("ArrowRight")
        expect(img).to_have_attribute("alt", "slope 6")  # a = 2, b = 3
        expect(box.locator("output")).to_have_text(["a = 2", "b = 3"])
        assert img.get_attribute("src") != src
        # the position reached the kernel: run the second cell again and read its output
        page.locator(".jp-CodeCell").nth(1).locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        expect(page.locator(".jp-CodeCell").nth(1).locator(".jp-OutputArea-output")).to_have_text(
            "[1, 2]", timeout=30_000
        )
        assert errors == []
    finally:
        context.close()
