"""Tests of descend.plots: palette, style, six-step map, PNG frames, plot helpers."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

import descend as ds  # noqa: E402

P = ds.plots


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _relative_luminance(color: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    la, lb = sorted([_relative_luminance(a), _relative_luminance(b)], reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_palette_is_okabe_ito_and_distinct():
    assert len(P.PALETTE) == 8
    assert len(set(P.PALETTE)) == 8
    assert P.PALETTE[0] == "#0072B2" and P.PALETTE[1] == "#E69F00"
    assert set(P.PALETTE) == set(P.COLORS.values())


def test_line_colours_are_legible_on_the_figure_background():
    # the first six colours carry lines and markers: each must stand out from the background
    for color in P.PALETTE[:6]:
        assert _contrast(color, P.BACKGROUND) >= 1.8, color
    # the text colour must meet WCAG AA for normal text on the background
    assert _contrast(P.style()["text.color"], P.BACKGROUND) >= 4.5


def test_setup_applies_the_book_style():
    with plt.rc_context():
        P.setup()
        rc = matplotlib.rcParams
        assert rc["figure.facecolor"] == P.BACKGROUND
        cycle = [c["color"] for c in rc["axes.prop_cycle"]]
        assert [c.lower() for c in cycle] == [c.lower() for c in P.PALETTE]
        fig, ax = plt.subplots()
        (line,) = ax.plot([0, 1])
        assert line.get_color().lower() == P.PALETTE[0].lower()


def test_style_returns_a_copy():
    s = P.style()
    s["figure.facecolor"] = "red"
    assert P.style()["figure.facecolor"] == P.BACKGROUND


@pytest.mark.parametrize("active", [None, 1, 3, "update", "Iterate"])
def test_six_step_map_lights_exactly_one_box(active):
    fig = P.six_step_map(active)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    for k, name in enumerate(["Initialize", "Forward", "Backprop", "Gradient", "Update"]):
        assert f"{k + 1} {name}" in texts
    bold = [t.get_text() for t in ax.texts if t.get_fontweight() == "bold"]
    if active is None:
        assert bold == []
    else:
        idx = active - 1 if isinstance(active, int) else P.STEPS.index(active.lower())
        assert len(bold) == 1 and bold[0].startswith(f"{idx + 1} ")


def test_six_step_map_draws_on_given_axes():
    fig, ax = plt.subplots()
    assert P.six_step_map(2, ax=ax) is fig


@pytest.mark.parametrize("bad", [0, 7, "descend", 2.5, True])
def test_six_step_map_rejects_unknown_steps(bad):
    with pytest.raises((ValueError, TypeError), match="step|active"):
        P.six_step_map(bad)


def test_six_step_alt_names_the_lit_step():
    assert "step 4, gradient, is highlighted" in P.six_step_alt(4)
    assert "highlighted" not in P.six_step_alt(None)


def _bowl():
    return SimpleNamespace(
        name="bowl",
        f=lambda x, y: x**2 + 3 * y**2,
        xlim=(-2.0, 2.0),
        ylim=(-1.0, 1.0),
        minima=((0.0, 0.0),),
    )


def test_contour_draws_levels_paths_and_minimum():
    path = np.array([[1.5, 0.8], [1.0, 0.3], [0.4, 0.1], [0.0, 0.0]])
    ax = P.contour(
        _bowl(), paths=[path, SimpleNamespace(points=path * 0.5)], levels=12, labels=["a", "b"]
    )
    lines = [ln for ln in ax.get_lines() if ln.get_label() in ("a", "b")]
    assert len(lines) == 2
    np.testing.assert_allclose(lines[0].get_xydata(), path)
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_title() == "bowl"
    assert any(ln.get_marker() == "*" for ln in ax.get_lines())


def test_contour_levels_linear_and_log():
    Z = np.array([[0.0, 1.0], [2.0, 100.0]])
    lin = P._level_values(Z, 5, "linear")
    assert len(lin) == 5 and np.allclose(np.diff(lin), np.diff(lin)[0])
    log = P._level_values(Z, 5, "log")
    assert np.allclose(log[1:] / log[:-1], log[1] / log[0]) and log[-1] == pytest.approx(100)
    # the median (1.5) sits far below the maximum: "auto" picks log spacing
    np.testing.assert_allclose(P._level_values(Z, 5, "auto"), log)
    even = np.array([[0.0, 1.0], [2.0, 3.0]])
    np.testing.assert_allclose(P._level_values(even, 5, "auto"), P._level_values(even, 5, "linear"))
    np.testing.assert_allclose(P._level_values(Z, [1.0, 2.0], "auto"), [1.0, 2.0])
    with pytest.raises(ValueError, match="increasing"):
        P._level_values(Z, [2.0, 1.0], "auto")


def test_contour_rejects_bad_input():
    with pytest.raises(TypeError, match="Surface"):
        P.contour(object())
    with pytest.raises(ValueError, match=r"shape \(k, 2\)"):
        P.contour(_bowl(), paths=[np.zeros((4, 3))])
    with pytest.raises(ValueError, match="one per path"):
        P.contour(_bowl(), paths=[np.zeros((2, 2))], labels=["a", "b"])
    with pytest.raises(ValueError, match="scale"):
        P.contour(_bowl(), scale="cubic")


def test_decision_boundary_draws_the_half_line():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    ax = P.decision_boundary(lambda Q: 1 / (1 + np.exp(-5 * Q[:, 0])), X, y)
    offsets = [c.get_offsets() for c in ax.collections if hasattr(c, "get_offsets")]
    n_points = sum(len(o) for o in offsets if len(o) in (int((y == 0).sum()), int(y.sum())))
    assert n_points == 40
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"class 0", "class 1"}


def test_decision_boundary_rejects_bad_input():
    X = np.zeros((5, 2))
    y = np.zeros(5)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        P.decision_boundary(lambda Q: Q[:, 0], np.zeros((5, 3)), y)
    with pytest.raises(ValueError, match="labels"):
        P.decision_boundary(lambda Q: Q[:, 0], X, np.zeros(4))
    with pytest.raises(ValueError, match="one probability per row"):
        P.decision_boundary(lambda Q: Q, X, y)
    with pytest.raises(ValueError, match="NaN"):
        P.decision_boundary(lambda Q: np.full(len(Q), np.nan), X, y)


def test_loss_curve_log_scale_and_validation():
    ax = P.loss_curve([1.0, 0.5, 0.25], val=[1.2, 0.7, 0.6])
    assert ax.get_yscale() == "log"
    train, val = ax.get_lines()
    assert train.get_xdata().tolist() == [0, 1, 2]
    assert val.get_ydata().tolist() == [1.2, 0.7, 0.6]
    ax2 = P.loss_curve([1.0, 0.0, -1.0])  # not all positive: stays linear
    assert ax2.get_yscale() == "linear"


def test_loss_curve_rejects_bad_input():
    with pytest.raises(ValueError, match="empty"):
        P.loss_curve([])
    with pytest.raises(ValueError, match="validation"):
        P.loss_curve([1.0, 2.0], val=[1.0])
    with pytest.raises(ValueError, match="non-finite"):
        P.loss_curve([1.0, np.nan])


def test_loss_curve_labels_a_log_axis_with_plain_numbers():
    fig, ax = plt.subplots()
    P.loss_curve([1.0, 0.3, 0.05, 0.01], ax=ax)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert "0.1" in labels and "1" in labels
    assert not any("$" in s or "10^" in s for s in labels)
    with pytest.raises(ValueError, match='"x" or "y"'):
        P.plain_log_ticks(ax, "z")
