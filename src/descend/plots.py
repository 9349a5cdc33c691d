"""The book's figures: one style, a colour-blind-safe palette, and the plots every chapter reuses.

Every function here draws numbers it is given (or computes with a function it is
given) and returns the matplotlib object it drew on, so a chapter can add to it.
Nothing here trains, samples or prints.

The style (:func:`setup`) gives every figure an opaque, near-white background and
dark text: a figure then reads the same on the website's light and dark pages (a
light card on a dark page), which a transparent background cannot promise.
Colours come from the Okabe-Ito palette, chosen to stay distinct for the common
forms of colour blindness; lines also differ by marker or dash where it matters.

Introduced in: book/00-one-dimension.ipynb
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from descend.errors import as_float_array, check_positive

__all__ = [
    "PALETTE",
    "COLORS",
    "BACKGROUND",
    "STEPS",
    "setup",
    "style",
    "six_step_map",
    "six_step_alt",
    "contour",
    "decision_boundary",
    "loss_curve",
    "plain_log_ticks",
]

#: Okabe-Ito colours by name (Okabe and Ito 2008, "Color Universal Design").
COLORS: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}

#: The colour cycle of every figure: Okabe-Ito, most distinct colours first.
#: Yellow and black come last: yellow is faint on the light background.
PALETTE: tuple[str, ...] = tuple(COLORS.values())

#: Figure background: opaque and near-white so a figure reads on light and dark pages.
BACKGROUND = "#fcfcfc"
_TEXT = "#222222"
_GRID = "#d9d9d9"

#: The six steps of the loop, in order (the names used by :func:`six_step_map`).
STEPS: tuple[str, ...] = ("initialize", "forward", "backprop", "gradient", "update", "iterate")

_RC: dict[str, Any] = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 100,
    "figure.facecolor": BACKGROUND,
    "figure.edgecolor": BACKGROUND,
    "savefig.facecolor": BACKGROUND,
    "savefig.edgecolor": BACKGROUND,
    "savefig.bbox": "tight",
    "axes.facecolor": BACKGROUND,
    "axes.edgecolor": _TEXT,
    "axes.labelcolor": _TEXT,
    "axes.titlecolor": _TEXT,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.grid": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
    "grid.color": _GRID,
    "grid.linewidth": 0.6,
    "lines.linewidth": 2.0,
    "lines.markersize": 6,
    "text.color": _TEXT,
    "xtick.color": _TEXT,
    "ytick.color": _TEXT,
    "legend.frameon": False,
    "legend.fontsize": 10,
    "font.size": 11,
    "image.cmap": "viridis",
    "mathtext.fontset": "dejavusans",
}


def style() -> dict[str, Any]:
    """Return the book's matplotlib settings (a copy of the rcParams that :func:`setup` applies).

    Use it to draw one figure in the book style without changing the global state::

        with plt.rc_context(ds.plots.style()):
            ...

    Introduced in: book/00-one-dimension.ipynb
    """
    return dict(_RC)


def setup() -> None:
    """Apply the book style to matplotlib (call once at the top of a chapter).

    Sets the colour cycle to :data:`PALETTE`, an opaque near-white background, dark
    text and light grid lines, so figures read the same in the website's light and
    dark modes. Calling it twice is harmless.

    Introduced in: book/00-one-dimension.ipynb
    """
    mpl.rcParams.update(_RC)
    # Load pyplot's backend now, outside any rc_context. In a Jupyter kernel, loading the
    # inline backend switches matplotlib to interactive mode (that is how figures get
    # shown); if the first figure were made inside plt.rc_context (six_step_map does),
    # leaving the context would switch interactive mode off again and no later figure
    # would appear. A throwaway figure, closed at once, is never displayed.
    plt.close(plt.figure())


def _step_index(active: int | str | None) -> int | None:
    """Return the 0-based step index of ``active`` (1-6, a step name, or None)."""
    if active is None:
        return None
    if isinstance(active, bool):
        raise TypeError(f"active must be a step number 1-6 or a name, got {active!r}")
    if isinstance(active, (int, np.integer)):
        if not 1 <= int(active) <= 6:
            raise ValueError(f"active must be a step number from 1 to 6, got {active}")
        return int(active) - 1
    if isinstance(active, str):
        key = active.strip().lower()
        if key not in STEPS:
            raise ValueError(
                f"unknown step {active!r} for active; choose one of: "
                + ", ".join(STEPS)
                + " (or a number 1-6, or None)"
            )
        return STEPS.index(key)
    raise TypeError(f"active must be a step number 1-6, a step name or None, got {active!r}")


def six_step_alt(active: int | str | None = None) -> str:
    """Alt text describing :func:`six_step_map` with the same ``active`` step.

    Introduced in: book/00-one-dimension.ipynb
    """
    i = _step_index(active)
    text = (
        "The six-step loop of gradient descent: 1 initialize, then a cycle of "
        "2 forward, 3 backprop, 4 gradient and 5 update, repeated by 6 iterate"
    )
    if i is None:
        return text + "."
    return text + f"; step {i + 1}, {STEPS[i]}, is highlighted."


def six_step_map(active: int | str | None = None, ax: Axes | None = None) -> Figure:
    """Draw the map of the training loop, with one step lit.

    Step 1 (initialize) happens once; steps 2-5 (forward, backprop, gradient,
    update) form the loop, and step 6 (iterate) is the arrow that closes it.

    Parameters
    ----------
    active : int, str or None
        The step to highlight: a number 1-6, a name from :data:`STEPS`, or None
        for no highlight.
    ax : Axes, optional
        Axes to draw on; a new figure of size (8, 2.6) inches is made if omitted.

    Returns
    -------
    Figure
        The figure holding the map. Its alt text is :func:`six_step_alt`.

    Introduced in: book/00-one-dimension.ipynb
    """
    i_active = _step_index(active)
    with plt.rc_context(_RC):
        if ax is None:
            fig, ax = plt.subplots(figsize=(8.0, 2.6))
        else:
            fig = ax.figure
        ax.set_axis_off()
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 3.2)
        ax.set_aspect("equal")

        # box centres: initialize on the left, the four loop steps in a row, iterate below
        centres = {
            0: (0.95, 2.2),
            1: (3.05, 2.2),
            2: (5.0, 2.2),
            3: (6.95, 2.2),
            4: (8.95, 2.2),
            5: (6.0, 0.55),
        }
        labels = ["Initialize", "Forward", "Backprop", "Gradient", "Update", "Iterate"]
        w, h = 1.7, 0.8
        lit = COLORS["orange"]
        for k, (cx, cy) in centres.items():
            on = k == i_active
            box = FancyBboxPatch(
                (cx - w / 2, cy - h / 2),
                w,
                h,
                boxstyle="round,pad=0.02,rounding_size=0.15",
                facecolor=lit if on else "#ffffff",
                edgecolor=_TEXT if on else "#777777",
                linewidth=2.4 if on else 1.2,
            )
            ax.add_patch(box)
            ax.text(
                cx,
                cy,
                f"{k + 1} {labels[k]}",
                ha="center",
                va="center",
                fontsize=11,
                fontweight="bold" if on else "normal",
                color="#000000" if on else _TEXT,
            )

        def arrow(p, q, **kw):
            ax.add_patch(
                FancyArrowPatch(
                    p, q, arrowstyle="-|>", mutation_scale=14, color="#555555", lw=1.4, **kw
                )
            )

        for a, b in [(0, 1), (1, 2), (2, 3), (3, 4)]:
            (xa, ya), (xb, yb) = centres[a], centres[b]
            arrow((xa + w / 2, ya), (xb - w / 2, yb))
        # update -> iterate -> forward: the loop closing
        ux, uy = centres[4]
        ix, iy = centres[5]
        fx, fy = centres[1]
        arrow((ux, uy - h / 2), (ix + w / 2, iy), connectionstyle="arc3,rad=-0.25")
        arrow((ix - w / 2, iy), (fx, fy - h / 2), connectionstyle="arc3,rad=-0.25")
        ax.text(
            8.6,
            0.55,
            "repeat until a\nstopping rule fires",
            ha="left",
            va="center",
            fontsize=9,
            color="#555555",
        )
    return fig


def _level_values(Z: np.ndarray, levels: int | Sequence[float], scale: str) -> np.ndarray:
    """Contour levels for grid values ``Z``: given, evenly spaced, or log-spaced."""
    if not isinstance(levels, (int, np.integer)):
        lv = as_float_array(levels, "levels", ndim=1)
        if lv.size < 1 or np.any(np.diff(lv) <= 0):
            raise ValueError("levels must be a non-empty increasing sequence of numbers")
        return lv
    if isinstance(levels, bool) or levels < 2:
        raise ValueError(f"levels must be an integer >= 2 or a sequence of values, got {levels!r}")
    zmin, zmax = float(Z.min()), float(Z.max())
    if scale == "auto":
        spread = zmax - zmin
        med = float(np.median(Z)) - zmin
        # a surface whose median sits far below its max (Rosenbrock) needs log levels
        scale = "log" if spread > 0 and med < 0.05 * spread else "linear"
    if scale == "linear":
        return np.linspace(zmin, zmax, int(levels) + 2)[1:-1]
    if scale == "log":
        spread = max(zmax - zmin, 1e-12)
        return zmin + np.geomspace(spread * 1e-4, spread, int(levels))
    raise ValueError(f"unknown scale {scale!r} for contour; choose one of: auto, linear, log")


def contour(
    surface: Any,
    ax: Axes | None = None,
    paths: Iterable[Any] = (),
    levels: int | Sequence[float] = 30,
    *,
    scale: str = "auto",
    resolution: int = 200,
    labels: Sequence[str] | None = None,
    show_minima: bool = True,
    filled: bool = False,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
) -> Axes:
    """Contour plot of a 2-D surface, with optimisation paths drawn on top.

    Parameters
    ----------
    surface : descend.surfaces.Surface
        Anything with ``f(x, y)`` (vectorised), ``xlim``, ``ylim`` and optionally
        ``minima`` (sequence of ``(x, y)``) and ``name``.
    ax : Axes, optional
        Axes to draw on; a new square-ish figure is made if omitted.
    paths : iterable
        Paths to draw: arrays of shape ``(k, 2)`` or objects with a ``points``
        attribute of that shape (``descend.train.Path``).
    levels : int or sequence of float
        Number of contour levels, or the levels themselves.
    scale : {"auto", "linear", "log"}
        Spacing of generated levels; "log" spaces them geometrically above the
        minimum (for steep valleys such as Rosenbrock's); "auto" picks.
    resolution : int
        Grid points per axis (20-1000).
    labels : sequence of str, optional
        Legend labels, one per path.
    show_minima : bool
        Mark ``surface.minima`` with stars.
    filled : bool
        Filled contours instead of lines.
    xlim, ylim : (float, float), optional
        Override the surface's plotting window.

    Returns
    -------
    Axes

    Introduced in: book/04-gradient.ipynb
    """
    f = getattr(surface, "f", None)
    if not callable(f):
        raise TypeError(
            f"surface must be a descend Surface (with f(x, y), xlim, ylim), "
            f"got {type(surface).__name__}; build one with ds.surfaces.get(name)"
        )
    xlim = tuple(xlim if xlim is not None else surface.xlim)
    ylim = tuple(ylim if ylim is not None else surface.ylim)
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)):
        raise TypeError(f"resolution must be an integer, got {resolution!r}")
    if not 20 <= resolution <= 1000:
        raise ValueError(f"resolution must be between 20 and 1000, got {resolution}")
    xs = np.linspace(xlim[0], xlim[1], int(resolution))
    ys = np.linspace(ylim[0], ylim[1], int(resolution))
    Xg, Yg = np.meshgrid(xs, ys)
    Z = np.asarray(f(Xg, Yg), dtype=float)
    if Z.shape != Xg.shape:
        raise ValueError(
            f"surface.f(x, y) returned shape {Z.shape} for grids of shape {Xg.shape}; "
            "it must be vectorised (work elementwise on arrays)"
        )
    if not np.all(np.isfinite(Z)):
        raise ValueError("surface.f is not finite everywhere on the plotting window; narrow it")
    lv = _level_values(Z, levels, scale)
    paths = list(paths)
    if labels is not None and len(labels) != len(paths):
        raise ValueError(f"got {len(labels)} labels for {len(paths)} paths; give one per path")

    with plt.rc_context(_RC):
        if ax is None:
            _, ax = plt.subplots(figsize=(5.2, 4.4))
        if filled:
            ax.contourf(Xg, Yg, Z, levels=lv, cmap="viridis", alpha=0.85)
        else:
            ax.contour(Xg, Yg, Z, levels=lv, cmap="viridis", linewidths=0.9)
        if show_minima:
            for k, (mx, my) in enumerate(getattr(surface, "minima", ()) or ()):
                ax.plot(
                    [mx],
                    [my],
                    marker="*",
                    markersize=14,
                    color=COLORS["black"],
                    markerfacecolor=COLORS["yellow"],
                    linestyle="none",
                    label="minimum" if k == 0 else None,
                    zorder=5,
                )
        markers = ["o", "s", "^", "D", "v", "P", "X", "h"]
        for k, p in enumerate(paths):
            pts = as_float_array(getattr(p, "points", p), f"paths[{k}]", ndim=2)
            if pts.shape[1] != 2:
                raise ValueError(f"paths[{k}] must have shape (k, 2), got {pts.shape}")
            color = PALETTE[k % len(PALETTE)] if k % len(PALETTE) != 6 else COLORS["black"]
            ax.plot(
                pts[:, 0],
                pts[:, 1],
                marker=markers[k % len(markers)],
                markersize=4,
                linewidth=1.6,
                color=color,
                label=None if labels is None else labels[k],
                zorder=4,
            )
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_xlabel("$x$")
        ax.set_ylabel("$y$")
        ax.grid(False)
        name = getattr(surface, "name", None)
        if name:
            ax.set_title(str(name))
        if labels is not None or (show_minima and getattr(surface, "minima", ())):
            ax.legend(loc="upper right", fontsize=9, frameon=True, framealpha=0.85)
    return ax


def decision_boundary(
    predict: Callable[[np.ndarray], np.ndarray],
    X: Any,
    y: Any,
    ax: Axes | None = None,
    *,
    resolution: int = 150,
    padding: float = 0.5,
    threshold: float = 0.5,
    show_proba: bool = True,
) -> Axes:
    """Plot a binary classifier's decision boundary over 2-D data.

    Parameters
    ----------
    predict : callable
        ``predict(P) -> p`` with ``P`` of shape ``(m, 2)`` and ``p`` of shape ``(m,)``
        (or ``(m, 1)``): the predicted probability of class 1.
    X : array of shape (n, 2)
        The data points.
    y : array of shape (n,)
        Their labels, 0 or 1.
    ax : Axes, optional
        Axes to draw on; a new figure is made if omitted.
    resolution : int
        Grid points per axis (20-600).
    padding : float
        Margin around the data, in data units.
    threshold : float
        Probability drawn as the boundary line.
    show_proba : bool
        Shade the predicted probability behind the points.

    Returns
    -------
    Axes

    Introduced in: book/02-forward.ipynb
    """
    if not callable(predict):
        raise TypeError(f"predict must be a function P (m, 2) -> p (m,), got {type(predict)}")
    X, y, (x0, x1, y0, y1), gx, gy = _boundary_grid(X, y, resolution, padding)
    p = _grid_proba(predict, gx, gy)
    with plt.rc_context(_RC):
        if ax is None:
            _, ax = plt.subplots(figsize=(5.0, 4.2))
        if show_proba:
            ax.contourf(gx, gy, p, levels=_PROBA_LEVELS, cmap=_proba_cmap(), vmin=0, vmax=1)
        if np.nanmin(p) < threshold < np.nanmax(p):
            ax.contour(gx, gy, p, levels=[threshold], colors=[_TEXT], linewidths=1.8)
        _scatter_classes(ax, X, y)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.grid(False)
        ax.legend(loc="upper right", fontsize=9, frameon=True, framealpha=0.85)
    return ax


_PROBA_LEVELS = np.linspace(0, 1, 11)


def _proba_cmap() -> mpl.colors.Colormap:
    """Blue (class 0) to white to orange (class 1): the shading of predicted probability."""
    return mpl.colors.LinearSegmentedColormap.from_list(
        "descend_bo", ["#b3d4ea", "#fcfcfc", "#f5d699"]
    )


def _boundary_grid(
    X: Any, y: Any, resolution: int, padding: float
) -> tuple[np.ndarray, np.ndarray, tuple[float, float, float, float], np.ndarray, np.ndarray]:
    """Check 2-D data and labels; return them, the plot's limits and a grid over them."""
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2) for a 2-D plot, got {X.shape}")
    y = as_float_array(y, "y").reshape(-1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y has {y.shape[0]} labels but X has {X.shape[0]} rows")
    if isinstance(resolution, bool) or not 20 <= int(resolution) <= 600:
        raise ValueError(f"resolution must be an integer between 20 and 600, got {resolution!r}")
    padding = check_positive(padding, "padding", allow_zero=True)
    x0, x1 = X[:, 0].min() - padding, X[:, 0].max() + padding
    y0, y1 = X[:, 1].min() - padding, X[:, 1].max() + padding
    gx, gy = np.meshgrid(np.linspace(x0, x1, int(resolution)), np.linspace(y0, y1, int(resolution)))
    return X, y, (x0, x1, y0, y1), gx, gy


def _grid_proba(predict: Callable[[np.ndarray], np.ndarray], gx: np.ndarray, gy: np.ndarray):
    """``predict`` on every grid point, checked and shaped like the grid."""
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    p = np.asarray(predict(grid), dtype=float)
    if p.size != grid.shape[0]:
        raise ValueError(
            f"predict returned {p.size} values for {grid.shape[0]} points; it must return one "
            "probability per row, shape (m,) or (m, 1)"
        )
    p = p.reshape(gx.shape)
    if not np.all(np.isfinite(p)):
        raise ValueError("predict returned NaN or infinity; check the model's parameters")
    return p


def _scatter_classes(ax: Axes, X: np.ndarray, y: np.ndarray) -> None:
    for cls, color, marker in [(0, COLORS["blue"], "o"), (1, COLORS["orange"], "s")]:
        sel = y == cls
        ax.scatter(
            X[sel, 0],
            X[sel, 1],
            s=18,
            c=color,
            marker=marker,
            edgecolors="#222222",
            linewidths=0.4,
            label=f"class {cls}",
        )


def plain_log_ticks(ax: Axes, axis: str = "y") -> Axes:
    """Label a logarithmic axis with plain numbers (0.1, 1, 10) instead of powers of ten.

    Easier to read for a learner, and much quicker to draw: matplotlib typesets
    ``10^{-1}`` labels with its maths parser, a few milliseconds per label and frame.

    Introduced in: book/06-iterate.ipynb
    """
    if axis not in ("x", "y"):
        raise ValueError(f'axis must be "x" or "y", got {axis!r}')
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(ticker.FuncFormatter(_plain_number))
    target.set_minor_formatter(ticker.NullFormatter())
    return ax


def _plain_number(value: float, _pos: Any = None) -> str:
    return f"{value:g}"


def loss_curve(
    losses: Any,
    ax: Axes | None = None,
    *,
    val: Any = None,
    log: bool = True,
    xlabel: str = "epoch",
    label: str = "training loss",
    val_label: str = "validation loss",
    start: int = 0,
) -> Axes:
    """Plot a training curve (and optionally a validation curve).

    Parameters
    ----------
    losses : array of shape (k,)
        The loss after each epoch (or step).
    ax : Axes, optional
        Axes to draw on; a new figure is made if omitted.
    val : array of shape (k,), optional
        Validation losses on the same x positions.
    log : bool
        Logarithmic y axis (only applied when every loss is > 0).
    xlabel : str
        Label of the x axis ("epoch" or "step").
    label, val_label : str
        Legend labels.
    start : int
        x value of the first loss (0 if the first entry is the initial loss).

    Returns
    -------
    Axes

    Introduced in: book/06-iterate.ipynb
    """
    losses = as_float_array(losses, "losses", ndim=1)
    if losses.size == 0:
        raise ValueError("losses is empty; train for at least one epoch before plotting")
    x = np.arange(start, start + losses.size)
    val_arr = None
    if val is not None:
        val_arr = as_float_array(val, "val", ndim=1)
        if val_arr.size != losses.size:
            raise ValueError(
                f"val has {val_arr.size} values but losses has {losses.size}; "
                "give one validation loss per training loss"
            )
    with plt.rc_context(_RC):
        if ax is None:
            _, ax = plt.subplots(figsize=(6.0, 3.4))
        ax.plot(x, losses, color=COLORS["blue"], label=label)
        if val_arr is not None:
            ax.plot(x, val_arr, color=COLORS["vermillion"], linestyle="--", label=val_label)
        positive = losses.min() > 0 and (val_arr is None or val_arr.min() > 0)
        if log and positive:
            ax.set_yscale("log")
            plain_log_ticks(ax, "y")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("loss")
        if val_arr is not None:
            ax.legend()
    return ax
