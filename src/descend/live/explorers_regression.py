"""Live explorers of chapters 7 and 8: a line and a logistic boundary fitted while you watch.

* :class:`LineFitExplorer` (``linefit.js``, chapter 7): full-batch gradient descent on the
  mean squared error of a line ``y = w x + b``, with data points the reader drags, a
  log-scale learning-rate slider and Play/Pause/Step/Reset; it draws the current line, the
  least-squares line of the current points (the normal equations), the loss against the
  step and the loss bowl over ``(w, b)`` with the path.
* :class:`LogisticFitExplorer` (``logfit.js``, chapter 8): the same for logistic regression
  on two classes of points in the plane (drag a point, flip its class), with the decision
  boundary, the predicted probability as shading and the loss curve.

The browser's maths is ``engine.js``'s ``fullBatchRun`` (``descend.train.train`` with one
full batch per epoch and SGD) and ``leastSquaresLine`` / ``lineFit``
(``descend.surfaces.line_fit``), golden-tested against the library. The data are the
chapter's, rounded to 3 decimals (the rounded numbers are the data); a dragged point
snaps to a grid of 0.01. No random numbers are drawn here or in the browser.

Introduced in: book/07-linear-regression
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets as t

from descend import optim as _optim
from descend import train as _train
from descend.errors import as_float_array, check_in_range, check_int, check_number
from descend.live import LiveWidget
from descend.network import Network

__all__ = [
    "FeatureScaling",
    "LR_POSITIONS",
    "LineFitExplorer",
    "LogisticFitExplorer",
    "feature_scaling",
    "line_fit_explorer",
    "logistic_fit_explorer",
    "slider_lr",
]

#: The learning-rate sliders' positions: lr = lr_min (lr_max / lr_min) ** (k / 240),
#: k = 0 .. 240, rounded to 4 significant digits.
LR_POSITIONS = 240
MAX_POINTS = 200


def slider_lr(k: int, lr_min: float, lr_max: float) -> float:
    """The learning rate at slider position ``k`` (0 .. 240), as the browser computes it."""
    k = check_int(k, "k", 0, LR_POSITIONS, " (a slider position)")
    return float(f"{lr_min * (lr_max / lr_min) ** (k / LR_POSITIONS):.4g}")


def _position(lr: float, lr_min: float, lr_max: float) -> int:
    return round(LR_POSITIONS * np.log(lr / lr_min) / np.log(lr_max / lr_min))


class _FitExplorer(LiveWidget):
    """What both explorers share: data, settings, the run the browser shows, ``result``."""

    page_state = ("data", "settings")
    data = t.Dict().tag(sync=True)
    settings = t.Dict().tag(sync=True)
    result = t.Dict().tag(sync=True)
    sizes: tuple[int, int] = (1, 1)
    loss = "mse"

    def slider_lrs(self) -> list[float]:
        """Every learning rate the slider offers, as the browser computes them."""
        s = self.settings
        return [slider_lr(k, s["lr_min"], s["lr_max"]) for k in range(LR_POSITIONS + 1)]

    def _arrays(self, data: dict | None) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _start_params(self) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def network(self) -> Network:
        """The :class:`descend.Network` the browser's run starts from (the start's weights)."""
        net = Network(list(self.sizes), loss=self.loss, initializer="zeros")
        for name, value in self._start_params().items():
            net.params[name][...] = value
        return net

    def run(
        self, steps: int | None = None, lr: float | None = None, data: dict | None = None
    ) -> tuple[Network, _train.History]:
        """The run the browser shows, computed by ``descend.train.train``.

        ``steps`` epochs (at least 1; one full-batch step each) of SGD at ``lr`` on ``data`` (each
        defaults to the explorer's: ``settings["steps"]``, ``settings["lr"]``, ``data``;
        pass the browser's ``result["data"]`` to replay a run with moved points). Returns
        the trained network and its history (with a snapshot after every epoch); raises
        :class:`descend.DivergenceError` where the browser's run stops.

        Introduced in: book/07-linear-regression
        """
        s = self.settings
        steps = check_int(s["steps"] if steps is None else steps, "steps", 1, s["max_steps"])
        lr = check_number(s["lr"] if lr is None else lr, "lr")
        X, y = self._arrays(data)
        net = self.network()
        history = _train.train(
            net, X, y, _optim.SGD(lr=lr), epochs=steps, shuffle=False, snapshot_every=1
        )
        return net, history


def _common_settings(lr, lr_min, lr_max, steps, max_steps) -> dict[str, Any]:
    check_in_range(lr_min, "lr_min", 1e-6, 1.0)
    check_in_range(lr_max, "lr_max", 10 * lr_min, 1e3, why="at least 10 lr_min")
    check_in_range(lr, "lr", lr_min, lr_max, why="the slider's range")
    max_steps = check_int(max_steps, "max_steps", 1, 5000)
    steps = check_int(steps, "steps", 0, max_steps, f" (at most max_steps = {max_steps})")
    return {
        "lr": slider_lr(_position(lr, lr_min, lr_max), lr_min, lr_max),
        "lr_min": float(lr_min),
        "lr_max": float(lr_max),
        "steps": steps,
        "max_steps": max_steps,
    }


def _check_points(n: int) -> None:
    if not 2 <= n <= MAX_POINTS:
        raise ValueError(f"the explorer takes 2 to {MAX_POINTS} points, got {n}")


def _window(lim: Any, name: str) -> list[float]:
    lo, hi = (check_number(v, name) for v in lim)
    if not lo < hi:
        raise ValueError(f"{name} must be (low, high) with low < high, got {lim!r}")
    return [lo, hi]


# ------------------------------------------------------------------ chapter 7: a line


class LineFitExplorer(_FitExplorer):
    """Gradient descent fits a line to points the reader drags (chapter 7).

    Traits
    ------
    data : dict
        ``{"x": [...], "y": [...]}``, rounded to 3 decimals.
    settings : dict
        ``lr`` (a slider position's value), ``lr_min``, ``lr_max``, ``steps`` (shown
        first), ``max_steps`` (where Play stops), ``start`` ``[w0, b0]``, the data plot's
        window ``xlim``, ``ylim`` and the loss bowl's ``wlim``, ``blim`` (widened by the
        browser to hold the start, the least-squares point and the path).
    result : dict
        Written by the browser after each redraw: ``data`` (the points as moved),
        ``lr``, ``steps``, ``w``, ``b``, ``loss``, ``losses`` (step 0 .. steps),
        ``w_star``, ``b_star``, ``loss_star`` (the least-squares line) and ``diverged``
        (the step of a divergence, or None).

    Introduced in: book/07-linear-regression
    """

    kind = "linefit"
    sizes = (1, 1)
    loss = "mse"

    def _arrays(self, data: dict | None) -> tuple[np.ndarray, np.ndarray]:
        d = self.data if data is None else data
        x = as_float_array(d["x"], "x", ndim=1)
        return x.reshape(-1, 1), as_float_array(d["y"], "y", ndim=1)

    def _start_params(self) -> dict[str, np.ndarray]:
        w0, b0 = self.settings["start"]
        return {"W1": np.array([[w0]]), "b1": np.array([b0])}


def line_fit_explorer(
    X: Any,
    y: Any,
    lr: float = 0.1,
    steps: int = 3,
    start: tuple[float, float] = (-1.0, 4.0),
    lr_min: float = 1e-3,
    lr_max: float = 1.0,
    max_steps: int = 1000,
    xlim: tuple[float, float] = (-3.5, 3.5),
    ylim: tuple[float, float] = (-8.0, 10.0),
    wlim: tuple[float, float] = (-2.0, 5.0),
    blim: tuple[float, float] = (-2.5, 5.0),
) -> LineFitExplorer:
    """A :class:`LineFitExplorer` on the points ``(X, y)`` (rounded to 3 decimals).

    ``lr`` is the slider's starting value (rounded to the nearest of its 241 log-spaced
    positions from ``lr_min`` to ``lr_max``), ``steps`` the number of gradient-descent
    steps shown first, ``start`` the starting line ``(w0, b0)``; ``xlim``, ``ylim`` the data
    plot's window (points outside it are refused) and ``wlim``, ``blim`` the loss bowl's.

    Introduced in: book/07-linear-regression
    """
    x = as_float_array(X, "X", ndim=(1, 2))
    if x.ndim == 2 and x.shape[1] != 1:
        raise ValueError(f"X must hold one feature, shape (n, 1) or (n,), got shape {x.shape}")
    x = x.reshape(-1)
    y = as_float_array(y, "y", ndim=1)
    if x.shape != y.shape:
        raise ValueError(f"X has {x.size} examples but y has {y.size}; give one y per x")
    _check_points(x.size)
    if np.ptp(x) == 0:
        raise ValueError("every x is equal, so no single line fits best; give different x")
    xlim, ylim = _window(xlim, "xlim"), _window(ylim, "ylim")
    outside = (x < xlim[0]) | (x > xlim[1]) | (y < ylim[0]) | (y > ylim[1])
    if outside.any():
        i = int(np.argmax(outside))
        raise ValueError(
            f"point {i} ({x[i]:g}, {y[i]:g}) lies outside the window xlim={xlim}, "
            f"ylim={ylim}; widen the window"
        )
    if len(start) != 2:
        raise ValueError(f"start must be a line (w0, b0), got {start!r}")
    settings = _common_settings(lr, lr_min, lr_max, steps, max_steps)
    settings.update(
        start=[check_number(v, "start") for v in start],
        xlim=xlim,
        ylim=ylim,
        wlim=_window(wlim, "wlim"),
        blim=_window(blim, "blim"),
    )
    data = {"x": np.round(x, 3).tolist(), "y": np.round(y, 3).tolist()}
    return LineFitExplorer(data=data, settings=settings)


# ------------------------------------------------------------------ chapter 8: a boundary


class LogisticFitExplorer(_FitExplorer):
    """Gradient descent trains logistic regression on points the reader moves (chapter 8).

    Traits
    ------
    data : dict
        ``{"X": [[x1, x2], ...], "y": [0 or 1, ...]}``, coordinates rounded to 3 decimals.
    settings : dict
        ``lr``, ``lr_min``, ``lr_max``, ``steps``, ``max_steps`` as for
        :class:`LineFitExplorer`; ``start`` ``{"w": [w1, w2], "b": b}`` and the square
        window ``lim`` ``[low, high]`` of both axes.
    result : dict
        Written by the browser: ``data`` (as moved and flipped), ``lr``, ``steps``, ``w``,
        ``b``, ``loss``, ``losses``, ``accuracy`` and ``diverged``.

    Introduced in: book/08-logistic-regression
    """

    kind = "logfit"
    sizes = (2, 1)
    loss = "binary_cross_entropy"

    def _arrays(self, data: dict | None) -> tuple[np.ndarray, np.ndarray]:
        d = self.data if data is None else data
        return as_float_array(d["X"], "X", ndim=2), np.asarray(d["y"], dtype=int)

    def _start_params(self) -> dict[str, np.ndarray]:
        s = self.settings["start"]
        return {"W1": np.array(s["w"], dtype=float).reshape(2, 1), "b1": np.array([s["b"]])}


def logistic_fit_explorer(
    X: Any,
    y: Any,
    lr: float = 0.5,
    steps: int = 8,
    start: tuple[tuple[float, float], float] = ((-1.0, 0.5), 0.5),
    lr_min: float = 5e-3,
    lr_max: float = 50.0,
    max_steps: int = 500,
    lim: tuple[float, float] = (-4.0, 4.5),
) -> LogisticFitExplorer:
    """A :class:`LogisticFitExplorer` on points ``X`` (shape (n, 2)) with labels ``y`` (0/1).

    ``start`` is ``((w1, w2), b)``; ``lim`` the window of both axes (points outside it are
    refused). The other arguments are :func:`line_fit_explorer`'s.

    Introduced in: book/08-logistic-regression
    """
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"X must hold points in the plane, shape (n, 2), got shape {X.shape}")
    y = np.asarray(y)
    if y.shape != (len(X),) or not np.isin(y, (0, 1)).all():
        raise ValueError(f"y must hold {len(X)} labels, each 0 or 1, got {y!r:.80}")
    _check_points(len(X))
    lim = _window(lim, "lim")
    outside = ((X < lim[0]) | (X > lim[1])).any(axis=1)
    if outside.any():
        i = int(np.argmax(outside))
        raise ValueError(f"point {i} {tuple(X[i])} lies outside the window lim={lim}; widen it")
    (w1, w2), b = start
    settings = _common_settings(lr, lr_min, lr_max, steps, max_steps)
    settings.update(
        start={"w": [check_number(w1, "w1"), check_number(w2, "w2")], "b": check_number(b, "b")},
        lim=lim,
    )
    data = {"X": np.round(X, 3).tolist(), "y": y.astype(int).tolist()}
    return LogisticFitExplorer(data=data, settings=settings)


# ------------------------------------------------------------------ chapter 7: feature scaling

#: The scaling explorer's sliders: centre = k / 240 and scale = k / 240, k = 0 .. 240.
SCALING_POSITIONS = 240


class FeatureScaling(LiveWidget):
    """How centring and scaling the input reshape the line fit's loss bowl (chapter 7).

    The input is ``x' = (x - centre * mean(x)) / (1 + scale * (std(x) - 1))``: both sliders
    at 0 give the raw input, ``centre = 1`` the centred one, ``scale = 1`` the one divided by
    its standard deviation, both at 1 the standardised one. For each, gradient descent
    with ``lr = 1 / lambda_max`` runs from ``(w, b) = (0, 0)`` on
    :func:`descend.surfaces.line_fit` until the loss is within ``tol`` of the least-squares
    loss (the engine's ``stepsToTolerance``).

    Traits
    ------
    data : dict
        ``{"x": [...], "y": [...]}`` (the raw input and the targets, rounded to 3 decimals).
    settings : dict
        ``centre``, ``scale`` (slider values, multiples of 1/240), ``shown`` (the steps
        drawn on the bowl), ``tol`` and ``max_steps``.
    result : dict
        Written by the browser: ``centre``, ``scale``, ``kappa``, ``lr``, ``steps`` (to the
        tolerance, None if not reached within ``max_steps``).

    Introduced in: book/07-linear-regression
    """

    kind = "scaling"
    page_state = ("data", "settings")
    data = t.Dict().tag(sync=True)
    settings = t.Dict().tag(sync=True)
    result = t.Dict().tag(sync=True)

    def transform(self, centre: float, scale: float) -> np.ndarray:
        """The input ``x'`` for slider values ``centre`` and ``scale`` (each 0 to 1)."""
        centre = check_in_range(centre, "centre", 0.0, 1.0)
        scale = check_in_range(scale, "scale", 0.0, 1.0)
        x = np.array(self.data["x"])
        mean = np.sum(x) / len(x)
        std = np.sqrt(np.sum((x - mean) ** 2) / len(x))
        return (x - centre * mean) / (1.0 + scale * (std - 1.0))

    def surface(self, centre: float, scale: float) -> Any:
        """:func:`descend.surfaces.line_fit` of the transformed input."""
        from descend import surfaces

        return surfaces.line_fit(self.transform(centre, scale), np.array(self.data["y"]))

    def learning_rate(self, centre: float, scale: float) -> float:
        """``1 / lambda_max`` of the surface's Hessian."""
        return 1.0 / float(np.linalg.eigvalsh(self.surface(centre, scale).hessian)[-1])

    def walk(self, centre: float, scale: float, steps: int) -> Any:
        """``descend.minimize`` from (0, 0) with SGD at :meth:`learning_rate`, ``steps`` steps."""
        from descend.train import minimize

        s = self.surface(centre, scale)
        return minimize(s, (0.0, 0.0), _optim.SGD(lr=self.learning_rate(centre, scale)), steps)

    def steps_to_tolerance(self, centre: float, scale: float) -> int | None:
        """The first step whose loss is within ``tol`` of the lowest, or None (not in reach)."""
        s = self.surface(centre, scale)
        gaps = self.walk(centre, scale, self.settings["max_steps"]).values - s.min_values[0]
        hit = np.flatnonzero(gaps <= self.settings["tol"])
        return int(hit[0]) if hit.size else None


def feature_scaling(
    X: Any,
    y: Any,
    centre: float = 0.0,
    scale: float = 0.0,
    shown: int = 40,
    tol: float = 1e-6,
    max_steps: int = 20_000,
) -> FeatureScaling:
    """A :class:`FeatureScaling` on the raw input ``X`` (one feature) and targets ``y``.

    ``centre`` and ``scale`` are the sliders' starting values (rounded to multiples of
    1/240), ``shown`` the steps drawn on the bowl, ``tol`` the loss gap that counts as
    reached and ``max_steps`` where the count gives up.

    Introduced in: book/07-linear-regression
    """
    x = as_float_array(X, "X", ndim=(1, 2))
    if x.ndim == 2 and x.shape[1] != 1:
        raise ValueError(f"X must hold one feature, shape (n, 1) or (n,), got shape {x.shape}")
    x = x.reshape(-1)
    y = as_float_array(y, "y", ndim=1)
    if x.shape != y.shape:
        raise ValueError(f"X has {x.size} examples but y has {y.size}; give one y per x")
    _check_points(x.size)
    if np.ptp(x) == 0:
        raise ValueError("every x is equal, so no single line fits best; give different x")
    settings = {
        "centre": round(check_in_range(centre, "centre", 0.0, 1.0) * SCALING_POSITIONS)
        / SCALING_POSITIONS,
        "scale": round(check_in_range(scale, "scale", 0.0, 1.0) * SCALING_POSITIONS)
        / SCALING_POSITIONS,
        "shown": check_int(shown, "shown", 1, 200),
        "tol": check_in_range(tol, "tol", 1e-12, 1.0),
        "max_steps": check_int(max_steps, "max_steps", 1, 100_000),
    }
    data = {"x": np.round(x, 3).tolist(), "y": np.round(y, 3).tolist()}
    return FeatureScaling(data=data, settings=settings)
