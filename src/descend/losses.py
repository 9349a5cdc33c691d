"""Step 2, forward: the loss, one number that says how wrong the predictions are.

Every loss takes the network's raw outputs (for classification the *logits*, the
scores before sigmoid or softmax) and the targets ``y``, and returns
``(loss, grad)``: the loss averaged over the batch (a Python float) and its gradient
with respect to the outputs, the same shape as them. That gradient is where
backpropagation starts. The formulas match PyTorch's ``MSELoss``,
``BCEWithLogitsLoss`` and ``CrossEntropyLoss`` (with ``reduction="mean"``).

Working from logits lets each loss be computed stably: sigmoid and log, or softmax
and log, are fused so that no ``exp`` overflows and no ``log(0)`` appears, however
large the logits. :func:`naive_binary_cross_entropy` is the textbook version that
does overflow, kept for the chapter that shows why.

A label vector ``y`` of shape ``(n,)`` is accepted where the outputs are ``(n, 1)``.

Introduced in: book/02-forward
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from descend.activations import sigmoid, softmax
from descend.errors import as_float_array, check_choice
from descend.registry import Registry

__all__ = [
    "mse",
    "binary_cross_entropy",
    "softmax_cross_entropy",
    "log_softmax",
    "naive_binary_cross_entropy",
    "LOSSES",
    "get",
]


def _outputs(out: Any, name: str, ndim: tuple[int, ...] = (1, 2)) -> np.ndarray:
    out = as_float_array(out, name, ndim=ndim)
    if out.size == 0:
        raise ValueError(f"{name} is empty (shape {out.shape}); a loss needs at least one example")
    return out


def _targets(y: Any, out: np.ndarray, out_name: str) -> np.ndarray:
    """Return ``y`` as a float array of ``out``'s shape and dtype, or say why it cannot be."""
    y = as_float_array(y, "y")
    given = y.shape
    if y.ndim == 1 and out.ndim == 2 and out.shape[1] == 1:
        y = y.reshape(-1, 1)  # labels (n,) for outputs (n, 1)
    if y.shape != out.shape:
        raise ValueError(
            f"y has shape {given} but {out_name} has shape {out.shape}; they must match "
            "(a label vector of shape (n,) is accepted for outputs of shape (n, 1))"
        )
    return y.astype(out.dtype, copy=False)


# ---------------------------------------------------------------- regression


def mse(y_hat: Any, y: Any) -> tuple[float, np.ndarray]:
    """Mean squared error ``L = mean((y_hat - y)^2)`` over all elements.

    Parameters
    ----------
    y_hat : array, shape ``(n,)`` or ``(n, k)``
        Predictions (a network's linear outputs).
    y : array, shape of ``y_hat`` (or ``(n,)`` when ``y_hat`` is ``(n, 1)``)
        Targets.

    Returns
    -------
    loss : float
    dy_hat : ndarray, shape of ``y_hat``
        ``2 (y_hat - y) / N`` with ``N = y_hat.size``.

    Introduced in: book/02-forward
    """
    y_hat = _outputs(y_hat, "y_hat")
    diff = y_hat - _targets(y, y_hat, "y_hat")
    return float(np.mean(diff**2)), 2 * diff / diff.size


# ---------------------------------------------------------------- binary classification


def _binary_targets(y: Any, z: np.ndarray) -> np.ndarray:
    """Labels 0 or 1 (or probabilities) of the shape of the logits ``z``; or say what is wrong."""
    y = _targets(y, z, "logits")
    low, high = y.min(), y.max()
    if low < 0 or high > 1:
        raise ValueError(
            f"y must hold labels 0 or 1 (or probabilities in [0, 1]), got values from "
            f"{low:g} to {high:g}"
        )
    return y


def binary_cross_entropy(logits: Any, y: Any) -> tuple[float, np.ndarray]:
    """Binary cross-entropy from logits: ``L = -mean(y log p + (1-y) log(1-p))``, ``p = sigma(z)``.

    Computed as ``mean(max(z, 0) - z y + log(1 + exp(-|z|)))``, the same value
    rearranged so nothing overflows: ``exp`` only sees ``-|z| <= 0`` and no
    probability is rounded to 0 before its log is taken.

    Parameters
    ----------
    logits : array, shape ``(n,)`` or ``(n, k)``
        Scores ``z``; ``sigma(z)`` is the predicted probability of label 1.
    y : array, shape of ``logits`` (or ``(n,)`` when ``logits`` is ``(n, 1)``)
        Labels 0 or 1 (probabilities in [0, 1] are accepted too).

    Returns
    -------
    loss : float
    dlogits : ndarray, shape of ``logits``
        ``(sigma(z) - y) / N`` with ``N = logits.size``.

    Introduced in: book/02-forward
    """
    z = _outputs(logits, "logits")
    y = _binary_targets(y, z)
    loss = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return float(loss.mean()), (sigmoid(z) - y) / z.size


def naive_binary_cross_entropy(logits: Any, y: Any) -> float:
    """Binary cross-entropy the textbook way: ``p = sigma(z)`` first, then ``-mean(y log p + ...)``.

    Numerically unstable on purpose, for the chapter that shows the failure: for
    ``|z|`` beyond about 37, ``p`` rounds to exactly 0 or 1 in float64, ``log(0)``
    is ``-inf`` and ``0 * -inf`` is NaN, so the loss comes out ``inf`` or ``nan``
    where :func:`binary_cross_entropy` returns the right finite number. NumPy's
    warnings are silenced inside so the page shows the result, not the warnings.

    Parameters
    ----------
    logits : array, shape ``(n,)`` or ``(n, k)``
    y : array, shape of ``logits``
        Labels 0 or 1.

    Returns
    -------
    float
        The loss, possibly ``inf`` or ``nan``.

    Introduced in: book/02-forward
    """
    z = _outputs(logits, "logits")
    y = _binary_targets(y, z)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        p = 1 / (1 + np.exp(-z))
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


# ---------------------------------------------------------------- multi-class classification


def log_softmax(Z: Any) -> np.ndarray:
    """``log softmax(z)_k = z_k - log sum_j exp(z_j)`` along the last axis, computed stably.

    Uses ``log sum_j exp(z_j) = m + log sum_j exp(z_j - m)`` with ``m = max_j z_j``,
    so ``log_softmax([1000, 1]) = [0, -999]`` instead of ``[nan, -inf]``.

    Parameters
    ----------
    Z : array, shape ``(..., k)``

    Returns
    -------
    ndarray, shape of ``Z``

    Introduced in: book/02-forward
    """
    Z = as_float_array(Z, "Z")
    if Z.ndim == 0:
        raise ValueError("log_softmax needs at least one axis of scores, got a single number")
    shifted = Z - Z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _one_hot(y: np.ndarray, logits: np.ndarray) -> np.ndarray:
    """Return targets ``Y`` of shape ``(n, k)`` from labels ``(n,)`` or one-hot rows ``(n, k)``.

    ``y`` has been checked by ``as_float_array(y, "y", ndim=(1, 2))``.
    """
    n, k = logits.shape
    if y.ndim == 2:
        if y.shape != logits.shape:
            raise ValueError(
                f"y has shape {y.shape} but logits has shape {logits.shape}; give one-hot "
                f"rows of shape ({n}, {k}) or integer labels of shape ({n},)"
            )
        if np.any(y < 0) or not np.allclose(y.sum(axis=1), 1.0):
            raise ValueError(
                "each row of y must be one-hot (or probabilities that sum to 1); "
                "for integer labels pass a vector of shape (n,)"
            )
        return y.astype(logits.dtype, copy=False)
    if y.shape[0] != n:
        raise ValueError(f"y has {y.shape[0]} labels but logits has {n} rows; give one per row")
    fractional = y != np.round(y)
    bad = fractional | (y < 0) | (y >= k)
    if np.any(bad):
        i = int(np.argmax(bad))  # the first bad label
        raise ValueError(
            f"y must hold integer class labels 0 to {k - 1} (logits has k={k} columns), "
            f"got {y[i]:g} at index {i}, "
            + ("not a whole number" if fractional[i] else "outside that range")
        )
    Y = np.zeros_like(logits)
    Y[np.arange(n), y.astype(int)] = 1
    return Y


def softmax_cross_entropy(logits: Any, y: Any) -> tuple[float, np.ndarray]:
    """Softmax cross-entropy from logits, ``L = -mean_i sum_k Y_ik log softmax(z_i)_k``.

    With one-hot ``Y`` this is ``-log`` of the probability given to the right class,
    averaged over the batch; computed through :func:`log_softmax`, so it is finite
    for any finite logits.

    Parameters
    ----------
    logits : array, shape ``(n, k)``
        One score per class.
    y : array, shape ``(n,)`` or ``(n, k)``
        Integer labels ``0 .. k-1``, or one-hot rows (or rows of probabilities).

    Returns
    -------
    loss : float
    dlogits : ndarray, shape ``(n, k)``
        ``(softmax(z) - Y) / n``.

    Introduced in: book/02-forward
    """
    z = _outputs(logits, "logits", ndim=(2,))
    Y = _one_hot(as_float_array(y, "y", ndim=(1, 2)), z)
    n = z.shape[0]
    loss = -np.sum(Y * log_softmax(z)) / n
    return float(loss), (softmax(z) - Y) / n


#: name -> loss function, looked up in this module on every access (see descend.registry)
LOSSES: Registry = Registry(
    ("mse", "binary_cross_entropy", "softmax_cross_entropy"), lambda name: globals()[name]
)


def get(name: str) -> Callable[[Any, Any], tuple[float, np.ndarray]]:
    """Return the loss called ``name`` (a key of :data:`LOSSES`).

    Introduced in: book/02-forward
    """
    return LOSSES[check_choice("losses.get", name, LOSSES, "loss")]
