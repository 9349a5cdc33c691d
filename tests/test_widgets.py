"""Tests of descend.widgets: explorers (one and two parameters) and playgrounds."""

from __future__ import annotations

import base64
import io
import re

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from ipywidgets.widgets import widget as _widget_module  # noqa: E402
from ipywidgets.widgets.widget_link import Link  # noqa: E402
from PIL import Image  # noqa: E402

import descend as ds  # noqa: E402

WG = ds.widgets
IMG = re.compile(r'<img class="descend-frame" alt="([^"]*)" src="data:image/png;base64,([^"]+)"')


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def line_plot(value):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, value])
    ax.set_title(f"v={value}")
    return fig


def decode(frame_html: str) -> tuple[str, bytes]:
    m = IMG.search(frame_html)
    assert m, frame_html[:120]
    return m.group(1), base64.b64decode(m.group(2))


def links_between(a, b) -> list:
    """The jslinks in the kernel that join widget a's index to widget b's selected_index."""
    return [
        w
        for w in list(_widget_module._instances.values())
        if isinstance(w, Link) and w.source == (a, "index") and w.target == (b, "selected_index")
    ]


def test_explorer_has_one_frame_per_value_and_real_labels():
    values = [0.001, 0.084, 0.5, 1.0]
    box = WG.explorer(line_plot, values, label="η", title="T", description="D", fmt="{:.3g}")
    title, desc, slider, stack = box.children
    assert isinstance(slider, W.SelectionSlider) and isinstance(stack, W.Stack)
    assert [lab for lab, _ in slider.options] == ["η = 0.001", "η = 0.084", "η = 0.5", "η = 1"]
    assert len(stack.children) == 4
    assert "descend-explorer" in box._dom_classes
    assert ">T<" in title.value and ">D<" in desc.value
    assert slider.index == 0 and stack.selected_index == 0


def test_explorer_links_slider_and_stack_in_the_browser():
    box = WG.explorer(line_plot, [1, 2, 3], label="a", title="T", description="D")
    _, _, slider, stack = box.children
    assert len(links_between(slider, stack)) == 1


def test_explorer_frames_are_small_quantised_pngs_with_alt_text():
    box = WG.explorer(line_plot, [1, 2], label="a", title="Lines", description="D", dpi=80)
    alts = []
    for frame in box.children[3].children:
        alt, png = decode(frame.value)
        alts.append(alt)
        with Image.open(io.BytesIO(png)) as im:
            assert im.format == "PNG" and im.mode == "P"
            assert im.size == (320, 240)  # 4 x 3 inches at 80 dpi
            assert len(im.getcolors(256)) <= 64
        assert len(png) < 30_000
    assert alts == ["Lines: a = 1", "Lines: a = 2"]


def test_explorer_custom_alt_and_initial_value():
    box = WG.explorer(
        line_plot,
        [0.1, 0.2, 0.3],
        label="x",
        title="T",
        description="D",
        initial=0.2,
        alt=lambda v: f"line rising to {v}",
    )
    _, _, slider, stack = box.children
    assert slider.index == 1 and stack.selected_index == 1
    assert decode(stack.children[2].value)[0] == "line rising to 0.3"


def test_explorer_closes_the_figures_it_renders():
    before = len(plt.get_fignums())
    WG.explorer(line_plot, [1, 2, 3], label="a", title="T", description="D")
    assert len(plt.get_fignums()) == before


def test_explorer_escapes_text():
    box = WG.explorer(
        line_plot,
        [1],
        label="a",
        title="<b>x</b>",
        description='say "hi"',
        alt=lambda v: 'quote " and <tag>',
    )
    assert "&lt;b&gt;" in box.children[0].value
    assert 'alt="quote &quot; and &lt;tag&gt;"' in box.children[3].children[0].value


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        ({"values": []}, ValueError, "empty"),
        ({"values": [1, float("nan")]}, ValueError, "finite"),
        ({"values": 3}, TypeError, "sequence"),
        ({"values": [0.11, 0.12], "fmt": "{:.1f}"}, ValueError, "more digits"),
        ({"values": [1, 2], "initial": 5}, ValueError, "not one of the values"),
        ({"values": [1], "title": ""}, ValueError, "title"),
        ({"values": [1], "description": "  "}, ValueError, "description"),
        ({"values": [1], "label": ""}, ValueError, "label"),
        ({"values": [1], "alt": lambda v: ""}, ValueError, "alt"),
    ],
)
def test_explorer_rejects_bad_input(kwargs, err, match):
    args = {"label": "a", "title": "T", "description": "D", **kwargs}
    values = args.pop("values")
    with pytest.raises(err, match=match):
        WG.explorer(line_plot, values, **args)


def test_explorer_render_must_return_a_figure():
    with pytest.raises(TypeError, match="not a matplotlib Figure"):
        WG.explorer(lambda v: plt.subplots()[1], [1], label="a", title="T", description="D")
    with pytest.raises(TypeError, match="render"):
        WG.explorer("not callable", [1], label="a", title="T", description="D")


def test_explorer2d_outer_and_inner_stacks():
    box = WG.explorer2d(
        lambda a, b: line_plot(a * b),
        [1, 2, 3],
        [10, 20],
        labels=("a", "b"),
        title="Grid",
        description="D",
        initial=(2, 20),
    )
    title, desc, s1, s2, outer = box.children
    assert [lab for lab, _ in s1.options] == ["a = 1", "a = 2", "a = 3"]
    assert [lab for lab, _ in s2.options] == ["b = 10", "b = 20"]
    assert len(outer.children) == 3 and all(len(st.children) == 2 for st in outer.children)
    assert outer.selected_index == 1 and all(st.selected_index == 1 for st in outer.children)
    assert s1.index == 1 and s2.index == 1
    assert len(links_between(s1, outer)) == 1
    assert all(len(links_between(s2, st)) == 1 for st in outer.children)
    assert decode(outer.children[2].children[0].value)[0] == "Grid: a = 3, b = 10"
    assert "descend-explorer" in box._dom_classes


def test_explorer2d_rejects_bad_input():
    kw = {"labels": ("a", "b"), "title": "T", "description": "D"}
    with pytest.raises(ValueError, match="values2 is empty"):
        WG.explorer2d(lambda a, b: line_plot(a), [1], [], **kw)
    with pytest.raises(ValueError, match="pair"):
        WG.explorer2d(
            lambda a, b: line_plot(a), [1], [2], labels=("a",), title="T", description="D"
        )
    with pytest.raises(ValueError, match="too many"):
        WG.explorer2d(lambda a, b: line_plot(a), range(30), range(30), **kw)


def test_playground_shows_first_frame_and_rerenders_on_change():
    calls = []

    def render(lr, steps):
        calls.append((lr, steps))
        return line_plot(lr * steps)

    lr = W.FloatSlider(value=0.5, min=0, max=1, description="lr")
    steps = W.IntSlider(value=2, min=1, max=10, description="steps")
    box = WG.playground(render, {"lr": lr, "steps": steps}, title="Play", description="D")
    title, desc, controls, image, status, note = box.children
    assert calls == [(0.5, 2)]
    assert decode(image.value)[0] == "Play: lr = 0.5, steps = 2"
    assert lr.continuous_update is False
    assert "Run this notebook to play" in note.value
    lr.value = 0.25
    assert calls[-1] == (0.25, 2)
    assert decode(image.value)[0] == "Play: lr = 0.25, steps = 2"
    assert "descend-playground" in box._dom_classes


def test_playground_reports_render_errors_instead_of_raising():
    def render(x):
        if x > 1:
            raise ValueError("x too big")
        return line_plot(x)

    x = W.FloatSlider(value=0.5, max=5)
    box = WG.playground(render, {"x": x}, title="T", description="D", note="Run it live.")
    image_before = box.children[3].value
    x.value = 3.0
    assert "x too big" in box.children[4].value
    assert box.children[3].value == image_before  # the last good frame stays
    x.value = 1.0
    assert box.children[4].value == ""
    assert "Run it live." in box.children[5].value


def test_playground_rejects_bad_controls():
    with pytest.raises(ValueError, match="non-empty dict"):
        WG.playground(line_plot, {}, title="T", description="D")
    with pytest.raises(TypeError, match="value widget"):
        WG.playground(line_plot, {"go": W.Button(description="go")}, title="T", description="D")
    with pytest.raises(ValueError, match="identifier"):
        WG.playground(line_plot, {"not valid": W.FloatSlider()}, title="T", description="D")


def test_frame_html_checks_its_input():
    with pytest.raises(ValueError, match="PNG"):
        WG.frame_html(b"GIF89a", "alt")
    png = ds.plots.fig_to_png(line_plot(1))
    with pytest.raises(ValueError, match="alt text"):
        WG.frame_html(png, " ")


def _live_render(log, gate=None):
    """A generator playground: three frames per run, each recorded in ``log``."""
    live = ds.plots.LiveFigure(figsize=(3, 2), dpi=40)
    ax = live.figure.subplots()
    (line,) = ax.plot([0, 1], [0, 0], animated=True)
    ax.set_ylim(0, 10)

    def render(k):
        try:
            for frame in range(3):
                line.set_ydata([0, k + frame])
                log.append((k, frame))
                yield live
                if gate is not None and frame == 0:
                    gate.wait(5)
        except GeneratorExit:
            log.append((k, "stopped"))
            raise

    return render


def _mode(frame_html):
    with Image.open(io.BytesIO(decode(frame_html)[1])) as im:
        return im.mode


def test_generator_playground_builds_with_its_last_frame_then_runs_live():
    log = []
    k = W.IntSlider(value=1, min=0, max=5)
    box = WG.playground(_live_render(log), {"k": k}, title="Live", description="D")
    image, status = box.children[3], box.children[4]
    assert log == [(1, 0), (1, 1), (1, 2)]  # ran to the end before returning
    assert _mode(image.value) == "P"  # the page's frame is small (quantised)
    built = image.value
    k.value = 4  # the callback returns at once; the frames come from a thread
    assert box.wait(10)
    assert log[3:] == [(4, 0), (4, 1), (4, 2)]
    assert image.value != built and _mode(image.value) == "RGB"
    assert decode(image.value)[0] == "Live: k = 4" and status.value == ""
    box.update()  # by hand: to the end, in this thread
    assert log[-3:] == [(4, 0), (4, 1), (4, 2)] and _mode(image.value) == "P"


def test_generator_playground_a_new_change_stops_the_old_run():
    import threading

    log, gate = [], threading.Event()
    k = W.IntSlider(value=1, min=0, max=5)
    gate.set()  # the build runs freely
    box = WG.playground(_live_render(log, gate), {"k": k}, title="Live", description="D")
    gate.clear()
    k.value = 2  # this run stops after its first frame, waiting at the gate
    k.value = 3  # ...and is told to stop when it resumes
    gate.set()
    assert box.wait(10)
    run2 = [e for e in log[3:] if e[0] == 2]
    # stopped at its next frame (made, not shown), or never began
    assert run2 in ([(2, 0), (2, 1), (2, "stopped")], [])
    assert log[-3:] == [(3, 0), (3, 1), (3, 2)]
    assert decode(box.children[3].value)[0] == "Live: k = 3"


def test_generator_playground_shows_errors_and_rejects_non_figures():
    live = ds.plots.LiveFigure(figsize=(2, 2), dpi=40)
    live.figure.subplots().plot([0, 1])

    def render(x):
        yield live
        if x > 1:
            raise ValueError("x too big")
        yield live

    x = W.FloatSlider(value=0.5, max=5)
    box = WG.playground(render, {"x": x}, title="T", description="D")
    x.value = 3.0
    assert box.wait(10)
    assert "x too big" in box.children[4].value
    assert decode(box.children[3].value)[0] == "T: x = 3.0"  # its frames before the error

    def bad(x):
        yield "not a figure"

    with pytest.raises(TypeError, match="yielded str"):
        WG.playground(bad, {"x": W.FloatSlider()}, title="T", description="D")

    def empty(x):
        return
        yield

    with pytest.raises(ValueError, match="no figure"):
        WG.playground(empty, {"x": W.FloatSlider()}, title="T", description="D")
