"""Synthetic data sets, splitting, scaling and mini-batches.

Everything here is generated on the spot from an explicit random generator
``rng = np.random.default_rng(seed)``: no downloads, no hidden global seed, and the
same seed always gives the same arrays.

Shapes follow the library's convention: a batch is rows, ``X`` has shape ``(n, d)``
and the labels ``y`` have shape ``(n,)``. The classification sets are two-dimensional
(``d = 2``) so they can be drawn, their labels are integers ``0, 1, ...``, the classes
are as balanced as ``n`` allows (sizes differ by at most one), and the rows come in a
random order, so a mini-batch holds a mix of classes.

Introduced in: book/01-initialize (two moons, the running example); the other sets in
the chapters that use them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from descend.errors import (
    as_float_array,
    check_bool,
    check_int,
    check_labels,
    check_positive,
    check_rng,
    check_same_length,
)

__all__ = [
    "line",
    "blobs",
    "two_moons",
    "circles",
    "spirals",
    "xor",
    "running_example",
    "train_val_split",
    "Standardizer",
    "minibatches",
]


def _class_sizes(n: int, k: int) -> list[int]:
    """Split ``n`` examples into ``k`` classes whose sizes differ by at most one."""
    return [n // k + (1 if j < n % k else 0) for j in range(k)]


def _finish(
    parts: list[np.ndarray], noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Stack the noise-free points of each class, add Gaussian noise, shuffle the rows."""
    X = np.concatenate(parts, axis=0)
    y = np.concatenate([np.full(len(p), j, dtype=np.int64) for j, p in enumerate(parts)])
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(X))
    return X[order], y[order]


def _check_n_noise(n: Any, noise: Any) -> tuple[int, float]:
    n = check_int(n, "n (the number of examples)", 1)
    noise = check_positive(noise, "noise (the standard deviation of the added noise)", True)
    return n, noise


# ---------------------------------------------------------------------------------------
# data sets
# ---------------------------------------------------------------------------------------


def line(
    n: int,
    slope: float,
    intercept: float,
    noise: float,
    rng: np.random.Generator | None = None,
    x_range: tuple[float, float] = (-3.0, 3.0),
) -> tuple[np.ndarray, np.ndarray]:
    """Points scattered around the line ``y = slope * x + intercept``.

    ``x`` is uniform on ``x_range``; ``y`` gets Gaussian noise of standard deviation
    ``noise``.

    Parameters
    ----------
    n : int
        Number of examples, at least 1.
    slope, intercept : float
        The true line.
    noise : float
        Standard deviation of the noise added to ``y`` (0 puts every point on the line).
    rng : numpy.random.Generator
        Required; ``np.random.default_rng(seed)``.
    x_range : (low, high)
        Interval the inputs are drawn from, ``low < high``.

    Returns
    -------
    X : ndarray, shape (n, 1)
        The inputs, one column.
    y : ndarray, shape (n,)
        The targets.

    Introduced in: book/04-gradient
    """
    n, noise = _check_n_noise(n, noise)
    rng = check_rng(rng, "line")
    for value, name in ((slope, "slope"), (intercept, "intercept")):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
        if not math.isfinite(float(value)):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    lo, hi = _check_interval(x_range, "x_range")
    x = rng.uniform(lo, hi, size=n)
    y = slope * x + intercept + noise * rng.standard_normal(n)
    return x.reshape(n, 1), y


def _check_interval(interval: Any, name: str) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in interval)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a pair (low, high) of numbers, got {interval!r}") from exc
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(
            f"{name} must be a pair (low, high) of finite numbers with low < high, got {interval!r}"
        )
    return lo, hi


def blobs(
    n: int,
    noise: float,
    rng: np.random.Generator | None = None,
    centers: int | Sequence[Sequence[float]] = 2,
) -> tuple[np.ndarray, np.ndarray]:
    """Round Gaussian clouds, one per class.

    Parameters
    ----------
    n : int
        Number of examples, at least 1, split evenly over the classes.
    noise : float
        Standard deviation of every cloud around its centre.
    rng : numpy.random.Generator
        Required; ``np.random.default_rng(seed)``.
    centers : int or array-like, shape (k, 2)
        Either the number of classes ``k >= 2``, whose centres are then spread evenly
        on a circle of radius 2 (two classes sit at ``(2, 0)`` and ``(-2, 0)``), or the
        centres themselves.

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray of int, shape (n,)
        Class ``j`` is the cloud around ``centers[j]``.

    Introduced in: book/08-logistic-regression
    """
    n, noise = _check_n_noise(n, noise)
    rng = check_rng(rng, "blobs")
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        k = check_int(centers, "centers (the number of classes)", 2)
        angles = 2 * np.pi * np.arange(k) / k
        C = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    else:
        C = as_float_array(centers, "centers", ndim=2)
        if C.shape[1] != 2 or C.shape[0] < 2:
            raise ValueError(
                f"centers must have shape (k, 2) with k >= 2 classes, got shape {C.shape}"
            )
    parts = [np.tile(c, (m, 1)) for c, m in zip(C, _class_sizes(n, len(C)), strict=True)]
    return _finish(parts, noise, rng)


def two_moons(
    n: int, noise: float, rng: np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half-circles: the course's running example.

    Without noise, class 0 lies on the upper half of the unit circle,
    ``(cos t, sin t)``, and class 1 on the lower half-circle of radius 1 centred at
    ``(1, 0.5)``, ``(1 - cos t, 0.5 - sin t)``, with ``t`` uniform on ``[0, pi]``
    (the same geometry as scikit-learn's ``make_moons``). No straight line separates
    them, so a linear model fails and a small network succeeds.

    Parameters
    ----------
    n : int
        Number of examples, at least 1; class 0 gets the extra one when ``n`` is odd.
    noise : float
        Standard deviation of the Gaussian noise added to both coordinates.
    rng : numpy.random.Generator
        Required; ``np.random.default_rng(seed)``.

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray of int, shape (n,)

    Introduced in: book/01-initialize
    """
    n, noise = _check_n_noise(n, noise)
    rng = check_rng(rng, "two_moons")
    n0, n1 = _class_sizes(n, 2)
    t0 = rng.uniform(0.0, np.pi, size=n0)
    t1 = rng.uniform(0.0, np.pi, size=n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    return _finish([upper, lower], noise, rng)


def circles(
    n: int, noise: float, rng: np.random.Generator | None = None, factor: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """A circle inside a circle: class 0 on radius 1, class 1 on radius ``factor``.

    Parameters
    ----------
    n : int
        Number of examples, at least 1.
    noise : float
        Standard deviation of the Gaussian noise added to both coordinates.
    rng : numpy.random.Generator
        Required; ``np.random.default_rng(seed)``.
    factor : float
        Radius of the inner circle, ``0 < factor < 1``.

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray of int, shape (n,)

    Introduced in: book/09-network
    """
    n, noise = _check_n_noise(n, noise)
    rng = check_rng(rng, "circles")
    factor = check_positive(factor, "factor (the inner radius)")
    if factor >= 1:
        raise ValueError(f"factor (the inner radius) must be between 0 and 1, got {factor!r}")
    parts = []
    for radius, m in zip((1.0, factor), _class_sizes(n, 2), strict=True):
        t = rng.uniform(0.0, 2 * np.pi, size=m)
        parts.append(radius * np.stack([np.cos(t), np.sin(t)], axis=1))
    return _finish(parts, noise, rng)


def spirals(
    n: int,
    noise: float,
    rng: np.random.Generator | None = None,
    n_classes: int = 2,
    turns: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Arms of a spiral winding out from the origin, one arm per class.

    Without noise, a point of class ``j`` at position ``t`` (uniform on ``[0, 1]``)
    sits at radius ``t`` and angle ``2 pi turns t + 2 pi j / n_classes``.

    Parameters
    ----------
    n : int
        Number of examples, at least 1.
    noise : float
        Standard deviation of the Gaussian noise added to both coordinates.
    rng : numpy.random.Generator
        Required; ``np.random.default_rng(seed)``.
    n_classes : int
        Number of arms, at least 2.
    turns : float
        How many full turns each arm makes, > 0.

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray of int, shape (n,)

    Introduced in: book/09-network
    """
    n, noise = _check_n_noise(n, noise)
    rng = check_rng(rng, "spirals")
    k = check_int(n_classes, "n_classes", 2)
    turns = check_positive(turns, "turns")
    parts = []
    for j, m in enumerate(_class_sizes(n, k)):
        t = rng.uniform(0.0, 1.0, size=m)
        angle = 2 * np.pi * turns * t + 2 * np.pi * j / k
        parts.append(t[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1))
    return _finish(parts, noise, rng)


def xor(
    n: int, noise: float, rng: np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The four quadrants of the square ``[-1, 1]^2``, labelled by exclusive or.

    Without noise, a point's label is 1 exactly when its two coordinates have
    different signs (quadrants II and IV) and 0 when they agree (I and III). Each
    quadrant gets a quarter of the points, uniformly spread.

    Parameters
    ----------
    n : int
        Number of examples, at least 1.
    noise : float
        Standard deviation of the Gaussian noise added to both coordinates.
    rng : numpy.random.Generator
        Required; ``np.random.default_rng(seed)``.

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray of int, shape (n,)

    Introduced in: book/09-network
    """
    n, noise = _check_n_noise(n, noise)
    rng = check_rng(rng, "xor")
    signs = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])  # I, II, III, IV
    quadrants = [
        s * rng.uniform(0.0, 1.0, size=(m, 2))
        for s, m in zip(signs, _class_sizes(n, 4), strict=True)
    ]
    same_sign = np.concatenate([quadrants[0], quadrants[2]])  # label 0
    different_sign = np.concatenate([quadrants[1], quadrants[3]])  # label 1
    return _finish([same_sign, different_sign], noise, rng)


# ---------------------------------------------------------------------------------------
# splitting, scaling, batching
# ---------------------------------------------------------------------------------------


def running_example(
    seed: int = 0, n: int = 200, noise: float = 0.2, val_fraction: float = 0.25
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The course's running example: two moons, split into training and validation sets.

    Every step chapter uses the same data, so a learner sees one problem solved step
    by step. The seed is explicit; the same seed gives the same arrays.

    Parameters
    ----------
    seed : int
        Seeds both the data and the split (``np.random.default_rng(seed)``).
    n : int
        Number of examples in all.
    noise : float
        Standard deviation of the noise added to the moons.
    val_fraction : float
        Fraction held out for validation.

    Returns
    -------
    X_train, y_train, X_val, y_val : ndarray
        Inputs of shape ``(m, 2)`` and integer labels 0/1 of shape ``(m,)``.

    Introduced in: book/01-initialize
    """
    rng = np.random.default_rng(seed)
    X, y = two_moons(n, noise, rng=rng)
    return train_val_split(X, y, val_fraction, rng=rng)


def train_val_split(
    X: Any, y: Any, val_fraction: float, rng: np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the examples and hold out a fraction of them for validation.

    Parameters
    ----------
    X : array-like, shape (n, ...)
        Inputs, one row per example.
    y : array-like, shape (n, ...)
        Labels or targets, one per example (their dtype is kept).
    val_fraction : float
        Fraction of the examples to hold out, ``0 < val_fraction < 1``; the validation
        set gets ``round(val_fraction * n)`` examples, and both parts must be non-empty.
    rng : numpy.random.Generator
        Required; ``np.random.default_rng(seed)`` (it chooses who is held out).

    Returns
    -------
    X_train, y_train, X_val, y_val : ndarray
        In the order :func:`descend.train.train` takes them.

    Introduced in: book/06-iterate
    """
    X = as_float_array(X, "X")
    y = check_labels(y)
    check_same_length(X, y)
    v = check_positive(val_fraction, "val_fraction")
    if v >= 1:
        raise ValueError(
            f"val_fraction must be a fraction between 0 and 1 (exclusive), got {val_fraction!r}"
        )
    rng = check_rng(rng, "train_val_split")
    n = len(X)
    n_val = round(v * n)
    if not 1 <= n_val <= n - 1:
        raise ValueError(
            f"val_fraction={val_fraction!r} of n={n} examples gives {n_val} validation and "
            f"{n - n_val} training examples; both parts need at least one, so choose a "
            f"fraction from {1 / n:.3g} to {1 - 1 / n:.3g} or use more data"
            if n >= 2
            else f"cannot split n={n} example into training and validation parts; use more data"
        )
    order = rng.permutation(n)
    val, tr = order[:n_val], order[n_val:]
    return X[tr], y[tr], X[val], y[val]


def _check_scale(X: np.ndarray, scale: np.ndarray) -> None:
    """Raise unless every column's standard deviation is a finite number > 0.

    The columns have been checked not to be constant, yet the standard deviation can
    still round to 0 (differences so tiny that their squares underflow) or to infinity
    (values so large that their squares overflow); dividing by it gives inf or NaN.
    """
    for bad, how, fix in (
        (scale == 0, "rounds to 0", "multiply it by a large power of 10"),
        (~np.isfinite(scale), "overflows to inf", "divide it by a large power of 10"),
    ):
        if np.any(bad):
            cols = np.flatnonzero(np.atleast_1d(bad)).tolist()
            where = "X" if X.ndim == 1 else f"column(s) {cols} of X"
            raise ValueError(
                f"the standard deviation of {where} {how} in {X.dtype} arithmetic, so "
                f"standardising would give inf or NaN; rescale the data first ({fix})"
            )


class Standardizer:
    """Shift and scale every column to mean 0 and standard deviation 1.

    ``transform(X) = (X - mean_) / scale_``, with ``mean_`` and ``scale_`` (the
    population standard deviation, ``ddof=0``) learned by :meth:`fit` on the training
    data and then applied unchanged to validation and test data.

    A column whose values are all equal cannot be standardised (its standard deviation
    is 0): :meth:`fit` refuses it with a ``ValueError`` naming the column, rather than
    dividing by zero or silently leaving it unscaled. Drop such a column first.

    Attributes
    ----------
    mean_ : ndarray, shape (d,) (or () for 1-D data), or None before fitting
    scale_ : ndarray, same shape as ``mean_``, or None before fitting

    Introduced in: book/07-linear-regression
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def fit(self, X: Any) -> Standardizer:
        """Learn ``mean_`` and ``scale_`` from ``X`` (shape ``(n, d)`` or ``(n,)``); return self."""
        X = as_float_array(X, "X", ndim=(1, 2))
        if len(X) == 0:
            raise ValueError(f"X has no rows (shape {X.shape}); fit needs at least two examples")
        constant = np.ptp(X, axis=0) == 0
        if np.any(constant):
            cols = np.flatnonzero(np.atleast_1d(constant))
            if X.ndim == 1:
                where, first = "X holds", X[0]
            else:
                where, first = f"column(s) {cols.tolist()} of X hold", X[0, cols[0]]
            raise ValueError(
                f"{where} a single value ({first:g}) in all {len(X)} rows, so the standard "
                "deviation is 0 and standardising would divide by zero; drop the constant "
                "column(s) before fitting"
            )
        with np.errstate(over="ignore", under="ignore"):  # _check_scale reports them
            mean, scale = X.mean(axis=0), X.std(axis=0)
        _check_scale(X, scale)
        self.mean_, self.scale_ = mean, scale
        return self

    def _check_fitted(self, X: Any, name: str) -> np.ndarray:
        if self.mean_ is None or self.scale_ is None:
            raise RuntimeError("this Standardizer is not fitted yet: call fit(X_train) first")
        X = as_float_array(X, name, ndim=(1, 2))
        if X.shape[1:] != self.mean_.shape:
            d = self.mean_.shape[0] if self.mean_.ndim else None
            fitted = f"{d} columns" if d is not None else "1-D data"
            raise ValueError(
                f"{name} has shape {X.shape} but the Standardizer was fitted on {fitted}; "
                "transform data with the same columns as the training data"
            )
        return X

    def transform(self, X: Any) -> np.ndarray:
        """Return ``(X - mean_) / scale_``, same shape as ``X``."""
        X = self._check_fitted(X, "X")
        return (X - self.mean_) / self.scale_

    def fit_transform(self, X: Any) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z: Any) -> np.ndarray:
        """Undo :meth:`transform`: return ``Z * scale_ + mean_``, same shape as ``Z``."""
        Z = self._check_fitted(Z, "Z")
        return Z * self.scale_ + self.mean_

    def __repr__(self) -> str:
        if self.mean_ is None:
            return "Standardizer(not fitted)"
        return f"Standardizer(mean_={np.round(self.mean_, 4)}, scale_={np.round(self.scale_, 4)})"


def minibatches(
    X: Any,
    y: Any,
    batch_size: int | None,
    rng: np.random.Generator | None = None,
    shuffle: bool = True,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Iterate once over the data in batches of ``batch_size`` rows: one epoch.

    The last batch holds the remaining ``n % batch_size`` examples when ``batch_size``
    does not divide ``n``, so every example is used exactly once per epoch. The
    arguments are checked when this is called, not when the first batch is drawn.

    Parameters
    ----------
    X : array-like, shape (n, ...)
    y : array-like, shape (n, ...)
    batch_size : int or None
        Between 1 and ``n``; ``None`` gives one batch of all ``n`` examples.
    rng : numpy.random.Generator, optional
        Required when ``shuffle`` is true; it draws the order of the examples.
    shuffle : bool
        Visit the examples in a random order (a new one on every call).

    Yields
    ------
    X_batch : ndarray, shape (batch_size, ...) (the last one may be smaller)
    y_batch : ndarray, shape (batch_size, ...)

    Introduced in: book/05-update
    """
    X = np.asarray(X)
    y = np.asarray(y)
    check_same_length(X, y)
    n = len(X)
    if n == 0:
        raise ValueError("X has no rows; there is nothing to iterate over")
    if batch_size is None:
        batch_size = n
    batch_size = check_int(
        batch_size, "batch_size", 1, n, f" (n={n} examples; None gives one full batch)"
    )
    shuffle = check_bool(shuffle, "shuffle")
    if shuffle:
        if rng is None:
            raise ValueError(
                "shuffle=True needs a random generator: pass rng=np.random.default_rng(seed), "
                "or shuffle=False to keep the order"
            )
        rng = check_rng(rng, "minibatches")
    order = rng.permutation(n) if shuffle else None
    return _batches(X, y, batch_size, order)


def _batches(
    X: np.ndarray, y: np.ndarray, batch_size: int, order: np.ndarray | None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    for start in range(0, len(X), batch_size):
        if order is None:
            yield X[start : start + batch_size], y[start : start + batch_size]
        else:
            idx = order[start : start + batch_size]
            yield X[idx], y[idx]
