"""Live explorer of chapter 5: the batch size and the noise of the path.

:class:`BatchSizeExplorer` (``batch.js``) runs mini-batch SGD on a straight-line fit (the
mean squared error over the slope ``w`` and the intercept ``b``, a quadratic bowl) for a
budget of passes over the data, at any batch size from 1 to ``n`` and any learning rate the
reader sets, and draws the path on the loss's contours beside the full-batch path, the loss
against the number of examples seen, and the spread of the gradient estimate at that batch
size. The engine draws no random numbers: the batch orders (one permutation of the examples
per epoch) are drawn here, by the explorer's ``rng``, exactly as :func:`descend.train.train`
draws them from the same generator, so the browser's path is descend's
(``tests/website/test_engine_golden_batch.py``).

Introduced in: book/05-update
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import traitlets as t

from descend import optim as _optim
from descend import surfaces as _surfaces
from descend import train as _train
from descend.errors import as_float_array, check_in_range, check_int, check_rng
from descend.live import LiveWidget
from descend.network import Network

__all__ = [
    "BatchSizeExplorer",
    "batch_size_explorer",
    "gradient_spread",
    "LR_RANGE",
    "LR_POSITIONS",
]

#: The learning-rate slider: LR_POSITIONS + 1 positions, evenly spaced in log10(lr).
LR_RANGE = (5e-4, 0.5)
LR_POSITIONS = 300
MAX_EPOCHS = 10


def _line_data(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    X = as_float_array(X, "X", ndim=(1, 2))
    if X.ndim == 2 and X.shape[1] != 1:
        raise ValueError(f"X must hold one feature, shape (n, 1) or (n,), got shape {X.shape}")
    x = X.reshape(-1)
    y = as_float_array(y, "y", ndim=(1, 2)).reshape(-1)
    if x.shape != y.shape:
        raise ValueError(f"X has {x.size} examples but y has {y.size}; they need one target each")
    return x, y


def gradient_spread(
    X: Any, y: Any, theta: tuple[float, float], batch_size: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """The mean, covariance and spread of a mini-batch gradient of a line fit, exactly.

    For the mean squared error of the line ``y_hat = w x + b`` at ``theta = (w, b)``, each
    example's gradient is ``g_i = 2 (w x_i + b - y_i) (x_i, 1)``. A batch of ``B`` examples
    drawn at random *without replacement* estimates the full gradient ``g = mean g_i`` by
    ``g_B = mean of its g_i``: right on average, and with covariance

    ``Cov(g_B) = (n - B) / (B (n - 1)) * S``,  ``S = (1/n) sum (g_i - g)(g_i - g)^T``,

    the finite-population correction of ``S / B``. The spread is the length of the vector
    of standard deviations, ``sqrt(trace Cov(g_B))``: 0 for the full batch ``B = n``.

    Parameters
    ----------
    X : array-like, shape (n, 1) or (n,)
    y : array-like, shape (n,)
    theta : (float, float)
        The slope and intercept where the gradient is estimated.
    batch_size : int
        ``B``, from 1 to ``n``.

    Returns
    -------
    mean : ndarray, shape (2,)
        The full gradient (dL/dw, dL/db).
    cov : ndarray, shape (2, 2)
        The covariance of the batch estimate.
    spread : float

    Introduced in: book/05-update
    """
    x, y = _line_data(X, y)
    n = x.size
    B = check_int(batch_size, "batch_size", 1, n, f" (n={n} examples)")
    w, b = (float(v) for v in theta)
    r = 2.0 * (w * x + b - y)  # each example's d(loss)/d(y_hat)
    G = np.column_stack([r * x, r])  # (n, 2): each example's gradient
    mean = G.mean(axis=0)
    D = G - mean
    S = D.T @ D / n
    factor = 0.0 if n == 1 else (n - B) / (B * (n - 1))
    cov = factor * S
    return mean, cov, float(math.sqrt(max(float(np.trace(cov)), 0.0)))


class BatchSizeExplorer(LiveWidget):
    """Mini-batch SGD on a line fit: the batch size and the learning rate, live (chapter 5).

    Traits
    ------
    data : dict
        ``x`` and ``y``: the line fit's data (rounded to 3 decimals; the rounded numbers
        are the data).
    orders : list of list of int
        One permutation of the examples per epoch, drawn by the builder's ``rng`` as
        :func:`descend.train.train` draws them (``rng.permutation(n)`` per epoch).
    line : dict
        The loss surface: ``minimum`` (the least-squares ``(w*, b*)``), ``fmin``,
        ``hessian`` (``[h11, h12, h22]``), ``xlim``, ``ylim`` and ``lam_max``.
    settings : dict
        ``batch_size``, ``lr`` and ``epochs`` (the budget: passes over the data); set it
        from Python to move the controls.
    result : dict
        Written by the browser: ``batch_size``, ``lr``, ``updates``, ``end`` (the last
        point), ``distance`` (from the minimum), ``loss`` (the last training loss),
        ``diverged`` (the step, or None) and ``spread`` (at the start).

    Introduced in: book/05-update
    """

    kind = "batch"
    page_state = ("data", "orders", "line", "settings")
    data = t.Dict().tag(sync=True)
    orders = t.List().tag(sync=True)
    line = t.Dict().tag(sync=True)
    settings = t.Dict().tag(sync=True)
    result = t.Dict().tag(sync=True)

    def __init__(self, rng_state: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rng_state = rng_state

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The data as descend takes it: ``X`` of shape (n, 1) and ``y`` of shape (n,)."""
        return np.array(self.data["x"], dtype=float)[:, None], np.array(self.data["y"], dtype=float)

    def surface(self) -> _surfaces.Surface:
        """The loss over (slope, intercept): :func:`descend.surfaces.line_fit` of the data."""
        return _surfaces.line_fit(*self.arrays())

    def slider_lrs(self) -> list[float]:
        """Every learning rate the slider offers, as the browser computes them."""
        lo, hi = (math.log10(v) for v in LR_RANGE)
        return [
            float(f"{10 ** (lo + k / LR_POSITIONS * (hi - lo)):.3g}")
            for k in range(LR_POSITIONS + 1)
        ]

    def run(
        self, batch_size: int | None = None, lr: float | None = None, epochs: int | None = None
    ) -> tuple[np.ndarray, _train.History]:
        """The run the browser shows, by :func:`descend.train.train`: every point and the history.

        Starts from the flat line ``w = b = 0`` with plain SGD and the explorer's batch
        orders (a generator in the state the builder's ``rng`` had). Returns the points
        ``(w, b)`` before the first and after every update, shape (updates + 1, 2), and the
        :class:`descend.train.History`. Raises :class:`descend.DivergenceError` where the
        browser reports a divergence.

        Introduced in: book/05-update
        """
        s = self.settings
        X, y = self.arrays()
        B = s["batch_size"] if batch_size is None else batch_size
        epochs = s["epochs"] if epochs is None else epochs
        check_int(epochs, "epochs", 1, len(self.orders), " (the batch orders drawn)")
        if self._rng_state is None:
            raise ValueError(
                "this explorer was not made by batch_size_explorer, so its batch orders "
                "cannot be replayed; make it with descend.live.batch_size_explorer(X, y, rng)"
            )
        rng = np.random.Generator(np.random.PCG64())
        rng.bit_generator.state = copy.deepcopy(self._rng_state)
        model = Network([1, 1], initializer="zeros", loss="mse")
        points = [(0.0, 0.0)]
        history = _train.train(
            model,
            X,
            y,
            _optim.SGD(lr=s["lr"] if lr is None else lr),
            epochs=epochs,
            batch_size=B,
            rng=rng,
            on_step=lambda info: points.append(
                (float(info.params["W1"][0, 0]), float(info.params["b1"][0]))
            ),
        )
        return np.array(points), history


def batch_size_explorer(
    X: Any,
    y: Any,
    rng: np.random.Generator | None = None,
    lr: float = 0.05,
    batch_size: int = 10,
    epochs: int = 2,
) -> BatchSizeExplorer:
    """A :class:`BatchSizeExplorer` on the line fit of ``X``, ``y``.

    Parameters
    ----------
    X : array-like, shape (n, 1) or (n,)
        The inputs, one feature (e.g. from :func:`descend.data.line`), 2 to 1000 examples;
        rounded to 3 decimals.
    y : array-like, shape (n,)
        The targets, rounded to 3 decimals.
    rng : numpy.random.Generator
        Draws the batch orders (one permutation per epoch of the budget). Required.
    lr : float
        The starting learning rate, between 0.0005 and 0.5 (the slider's ends; rounded to
        the nearest of its 301 positions).
    batch_size : int
        The starting batch size, 1 to n (the slider offers every size).
    epochs : int
        The budget of every run, in passes over the data: 1 to 10.

    Introduced in: book/05-update
    """
    rng = check_rng(rng, "batch_size_explorer")
    x, y = _line_data(X, y)
    x, y = np.round(x, 3), np.round(y, 3)
    n = check_int(x.size, "the number of examples", 2, 1000)
    surface = _surfaces.line_fit(x, y)  # refuses data whose x are all equal
    batch_size = check_int(batch_size, "batch_size", 1, n, f" (n={n} examples)")
    epochs = check_int(epochs, "epochs", 1, MAX_EPOCHS, " (passes over the data)")
    check_in_range(lr, "lr", *LR_RANGE, why="the slider's range")
    state = copy.deepcopy(rng.bit_generator.state)
    if state.get("bit_generator") != "PCG64":
        raise ValueError(
            "rng must be a PCG64 generator, as np.random.default_rng(seed) makes, so that "
            f"its batch orders can be replayed; got {state.get('bit_generator')}"
        )
    orders = [rng.permutation(n).tolist() for _ in range(epochs)]
    lo, hi = (math.log10(v) for v in LR_RANGE)
    k = round((math.log10(lr) - lo) / (hi - lo) * LR_POSITIONS)
    H = surface.hessian
    explorer = BatchSizeExplorer(
        data={"x": x.tolist(), "y": y.tolist()},
        orders=orders,
        line={
            "minimum": [float(v) for v in surface.minima[0]],
            "fmin": float(surface.min_values[0]),
            "hessian": [float(H[0, 0]), float(H[0, 1]), float(H[1, 1])],
            "lam_max": float(np.linalg.eigvalsh(H)[-1]),
            "xlim": [round(float(v), 3) for v in surface.xlim],
            "ylim": [round(float(v), 3) for v in surface.ylim],
        },
        settings={"batch_size": batch_size, "lr": 0.0, "epochs": epochs},
        rng_state=state,
    )
    explorer.settings = {**explorer.settings, "lr": explorer.slider_lrs()[k]}
    return explorer
