"""Tests of descend.widgets (explorers and their PNG frames) and descend.live's widget."""

from __future__ import annotations

import base64
import html
import io
import json
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402
from traitlets import TraitError  # noqa: E402

import descend as ds  # noqa: E402
from descend.live.frames import Frames  # noqa: E402

WG = ds.widgets


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def line_plot(value):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, value])
    ax.set_title(f"v={value}")
    return fig


def decode(frame: dict) -> tuple[str, bytes]:
    """A frame of a descend.live.frames.Frames: its alt text and its PNG bytes."""
    prefix = "data:image/png;base64,"
    assert frame["src"].startswith(prefix), frame["src"][:40]
    return frame["alt"], base64.b64decode(frame["src"][len(prefix) :])


def test_explorer_has_one_frame_per_value_and_real_labels():
    values = [0.001, 0.084, 0.5, 1.0]
    box = WG.explorer(line_plot, values, label="η", title="T", description="D", fmt="{:.3g}")
    assert isinstance(box, Frames) and box.kind == "frames"
    assert box.sliders == [{"label": "η", "texts": ["η = 0.001", "η = 0.084", "η = 0.5", "η = 1"]}]
    assert len(box.frames) == 4
    assert (box.title, box.description) == ("T", "D")
    assert box.index == [0] and box.frame == box.frames[0]


def test_explorer_is_a_live_widget_the_website_mounts_without_a_widget_manager():
    box = WG.explorer(line_plot, [1, 2, 3], label="a", title="T", description="D", initial=3)
    data, _ = box._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data  # the anywidget view
    placeholder = data["text/html"]
    assert placeholder.startswith('<div class="descend-live" data-kind="frames" data-state="')
    state = json.loads(html.unescape(re.search(r'data-state="([^"]*)"', placeholder)[1]))
    assert state == {
        "title": "T",
        "description": "D",
        "sliders": [{"label": "a", "texts": ["a = 1", "a = 2", "a = 3"]}],
        "frames": box.frames,
        "index": [2],
    }
    assert "export function render" in box._lib["explorer"]
    assert "descend-explorer" in box._lib["explorer"]  # the class the website's tests find


def test_explorer_frames_are_small_quantised_pngs_with_alt_text():
    box = WG.explorer(line_plot, [1, 2], label="a", title="Lines", description="D", dpi=80)
    alts = []
    for frame in box.frames:
        alt, png = decode(frame)
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
    assert box.index == [1] and box.frame["alt"] == "line rising to 0.2"
    assert decode(box.frames[2])[0] == "line rising to 0.3"
    box.index = [2]  # what the browser writes when the reader moves the slider
    assert box.frame["alt"] == "line rising to 0.3"


def test_explorer_index_must_name_a_position_of_each_slider():
    box = WG.explorer(line_plot, [1, 2, 3], label="a", title="T", description="D")
    with pytest.raises(TraitError, match=r"each of the 1 slider\(s\), 0 to \[2\]; got \[3\]"):
        box.index = [3]
    with pytest.raises(TraitError, match="got \\[0, 0\\]"):
        box.index = [0, 0]
    assert box.index == [0]
    with pytest.raises(ValueError, match="one frame per position"):
        Frames(title="T", description="D", sliders=box.sliders, frames=box.frames[:2], index=[0])


def test_explorer_closes_the_figures_it_renders():
    before = len(plt.get_fignums())
    WG.explorer(line_plot, [1, 2, 3], label="a", title="T", description="D")
    assert len(plt.get_fignums()) == before


def test_explorer_escapes_text_in_the_website_placeholder():
    box = WG.explorer(
        line_plot,
        [1],
        label="a",
        title="<b>x</b>",
        description='say "hi"',
        alt=lambda v: 'quote " and <tag>',
    )
    placeholder = box.placeholder_html()
    assert "<b>" not in placeholder and "&lt;b&gt;x&lt;/b&gt;" in placeholder
    assert "<tag>" not in placeholder and 'say "hi"' not in placeholder
    assert box.title == "<b>x</b>" and box.frame["alt"] == 'quote " and <tag>'  # JS sets text


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


def test_explorer2d_has_a_frame_per_pair_in_row_major_order():
    box = WG.explorer2d(
        lambda a, b: line_plot(a * b),
        [1, 2, 3],
        [10, 20],
        labels=("a", "b"),
        title="Grid",
        description="D",
        initial=(2, 20),
    )
    assert [s["texts"] for s in box.sliders] == [["a = 1", "a = 2", "a = 3"], ["b = 10", "b = 20"]]
    assert [s["label"] for s in box.sliders] == ["a", "b"]
    assert len(box.frames) == 6
    assert [decode(f)[0] for f in box.frames] == [
        f"Grid: a = {a}, b = {b}" for a in (1, 2, 3) for b in (10, 20)
    ]
    assert box.index == [1, 1] and box.frame["alt"] == "Grid: a = 2, b = 20"
    box.index = [2, 0]
    assert box.frame["alt"] == "Grid: a = 3, b = 10"


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


def test_frame_html_checks_its_input():
    with pytest.raises(ValueError, match="PNG"):
        WG.frame_html(b"GIF89a", "alt")
    png = WG.fig_to_png(line_plot(1))
    with pytest.raises(ValueError, match="alt text"):
        WG.frame_html(png, " ")


# ------------------------------------------------------------------ frames


def test_fig_to_png_is_a_small_quantised_png():
    fig, ax = plt.subplots(figsize=(6, 4))
    x = np.linspace(0, 6, 300)
    ax.imshow(np.outer(np.sin(x), np.cos(x)), cmap="viridis")  # many colours before quantising
    png = WG.fig_to_png(fig, dpi=80, colors=64)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(png)) as im:
        assert im.mode == "P"
        assert im.size == (480, 320)  # 6 x 4 inches at 80 dpi
        assert len(im.getcolors(256)) <= 64
    assert len(png) < 60_000
    assert fig.dpi == pytest.approx(matplotlib.rcParams["figure.dpi"])  # restored


def test_fig_to_png_dpi_sets_the_size():
    fig, _ = plt.subplots(figsize=(5, 2))
    with Image.open(io.BytesIO(WG.fig_to_png(fig, dpi=100))) as im:
        assert im.size == (500, 200)


@pytest.mark.parametrize(
    "kwargs, err",
    [
        ({"dpi": 10}, ValueError),
        ({"dpi": -1}, ValueError),
        ({"colors": 1}, ValueError),
        ({"colors": 300}, ValueError),
        ({"colors": 8.5}, TypeError),
    ],
)
def test_fig_to_png_rejects_bad_settings(kwargs, err):
    fig, _ = plt.subplots()
    with pytest.raises(err):
        WG.fig_to_png(fig, **kwargs)


def test_fig_to_png_needs_a_figure():
    _, ax = plt.subplots()
    with pytest.raises(TypeError, match="Figure"):
        WG.fig_to_png(ax)


def test_fig_to_png_full_colour_when_colors_is_none():
    fig, ax = plt.subplots(figsize=(3, 2))
    x = np.linspace(0, 6, 300)
    ax.imshow(np.outer(np.sin(x), np.cos(x)), cmap="viridis")
    with Image.open(io.BytesIO(WG.fig_to_png(fig, dpi=50, colors=None))) as im:
        assert im.mode == "RGB" and im.size == (150, 100)
        assert len(im.getcolors(150 * 100)) > 64  # not quantised


# ------------------------------------------------------------------ live explorers (descend.live)
# (the engine and the explorers' JavaScript are tested in a browser: tests/website/)


@pytest.fixture(scope="module")
def live_playground():
    import descend.live

    return descend.live.playground(np.random.default_rng(0), n=60, noise_levels=(0.1, 0.2))


def test_live_playground_state_comes_from_python(live_playground):
    import descend.live as L

    pg = live_playground
    assert set(pg.data) == {"two moons", "circles", "spirals", "xor"}
    for sets in pg.data.values():
        assert [d["noise"] for d in sets] == [0.1, 0.2]
        for d in sets:
            assert len(d["X"]) + len(d["X_val"]) == 60 and len(d["X"]) == len(d["y"])
            assert set(d["y"]) <= {0, 1}
    # the weights of every architecture the controls can pick, for both initializers
    for init in ("xavier_normal", "he_normal"):
        assert L.weights_key(1, 0, init) in pg.weights
        for depth in range(1, L.MAX_DEPTH + 1):
            for width in range(1, L.MAX_WIDTH + 1):
                w = pg.weights[L.weights_key(width, depth, init)]
                assert list(w) == [f"{p}{l}" for l in range(1, depth + 2) for p in "Wb"]
    net = pg.network({"width": 3, "depth": 2, "activation": "relu"})
    assert net.sizes == (2, 3, 3, 1)
    assert np.array_equal(net.params["W2"], pg.weights["he_normal/2x3"]["W2"])


def test_live_widget_bundle_has_the_widget_and_the_website_placeholder(live_playground):
    data, _ = live_playground._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    placeholder = data["text/html"]
    assert placeholder.startswith('<div class="descend-live" data-kind="playground" data-state="')
    state = json.loads(html.unescape(re.search(r'data-state="([^"]*)"', placeholder)[1]))
    assert state == live_playground.state()
    assert set(state) == {"data", "weights", "settings"}  # not the history, not the sources
    assert "notebook with a kernel" in data["text/plain"]
    assert set(live_playground._lib) == {"engine", "draw", "explorer"}
    assert "export function render" in live_playground._lib["explorer"]


def test_live_playground_checks_its_settings():
    import descend.live as L

    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="np.random.Generator"):
        L.playground()
    with pytest.raises(TypeError, match="unknown setting"):
        L.playground(rng, colour="red")
    with pytest.raises(ValueError, match="activation"):
        L.playground(rng, activation="swish")
    with pytest.raises(ValueError, match="noise levels"):
        L.playground(rng, noise=0.3)
    with pytest.raises(ValueError, match="batch_size"):
        L.playground(rng, batch_size=7)
    with pytest.raises(ValueError, match="width"):
        L.playground(rng, width=9)
    with pytest.raises(ValueError, match="no live module"):
        L.source("nope.js")
    assert {"engine.js", "draw.js", "playground.js", "site.js", "widget.js"} <= set(L.JS_FILES)


def test_live_playground_takes_your_data(live_playground):
    pg = type(live_playground)(
        data=live_playground.data,
        weights=live_playground.weights,
        settings=live_playground.settings,
    )
    X = np.array([[0.0, 1.0], [1.0, 0.5], [2.0, 2.0]])
    pg.set_data(X, [0, 1, 1], X[:2], [1, 0], name="mine")
    assert list(pg.data) == ["mine"] and pg.settings["data"] == "mine"
    assert pg.data["mine"][0]["y"] == [0, 1, 1] and pg.data["mine"][0]["X_val"] == X[:2].tolist()
    with pytest.raises(ValueError, match="shape"):
        pg.set_data(np.zeros((3, 3)), [0, 1, 1], X, [0, 1, 1])
    with pytest.raises(ValueError, match="labels 0 and 1"):
        pg.set_data(X, [0, 2, 1], X, [0, 1, 1])
