"""Step 2, forward: the activation functions ``A = g(Z)`` and their derivatives.

Each activation comes four ways, side by side:

* the plain function, ``sigmoid(Z)``;
* its elementwise derivative ``g'(Z)``, ``sigmoid_derivative(Z)`` (not for softmax,
  whose derivative is a matrix per example);
* a forward/backward pair for a batch: ``sigmoid_forward(Z) -> (A, cache)`` keeps
  what the backward pass needs, and ``sigmoid_backward(dA, cache) -> dZ`` applies the
  chain rule ``dL/dZ = dL/dA * g'(Z)``.

``Z`` may have any shape (a batch is rows, ``(n, units)``); ``softmax`` works along
the last axis. These functions compute on whatever numbers they are given, as NumPy
does (an overflowed ``inf`` inside a diverging network passes through); the data
itself is checked where it enters, in :class:`descend.network.Network` and the losses.

Introduced in: book/02-forward
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from descend.errors import as_float_array, check_choice, check_positive
from descend.registry import Registry

__all__ = [
    "Activation",
    "ACTIVATIONS",
    "get",
    "identity",
    "identity_derivative",
    "identity_forward",
    "identity_backward",
    "sigmoid",
    "sigmoid_derivative",
    "sigmoid_forward",
    "sigmoid_backward",
    "tanh",
    "tanh_derivative",
    "tanh_forward",
    "tanh_backward",
    "relu",
    "relu_derivative",
    "relu_forward",
    "relu_backward",
    "leaky_relu",
    "leaky_relu_derivative",
    "leaky_relu_forward",
    "leaky_relu_backward",
    "softmax",
    "softmax_forward",
    "softmax_backward",
]


def _array(Z: Any, name: str = "Z") -> np.ndarray:
    return as_float_array(Z, name, finite=False)


def _check_dA(dA: Any, shape: tuple[int, ...]) -> np.ndarray:
    dA = _array(dA, "dA")
    if dA.shape != shape:
        raise ValueError(
            f"dA has shape {dA.shape} but the forward pass produced A of shape {shape}; "
            "the upstream gradient must have the shape of the activation it belongs to"
        )
    return dA


# ---------------------------------------------------------------- identity: g(z) = z


def identity(Z: Any) -> np.ndarray:
    """``g(z) = z``. Any shape.

    Introduced in: book/02-forward
    """
    return _array(Z).copy()


def identity_derivative(Z: Any) -> np.ndarray:
    """``g'(z) = 1``. Any shape.

    Introduced in: book/02-forward
    """
    return np.ones_like(_array(Z))


def identity_forward(Z: Any) -> tuple[np.ndarray, tuple[int, ...]]:
    """Return ``(A, cache)`` with ``A = Z``; the cache is only ``Z``'s shape.

    Introduced in: book/02-forward
    """
    Z = _array(Z)
    return Z.copy(), Z.shape


def identity_backward(dA: Any, cache: tuple[int, ...]) -> np.ndarray:
    """``dZ = dA``.

    Introduced in: book/03-backprop
    """
    return _check_dA(dA, cache).copy()


# ---------------------------------------------------------------- sigmoid: 1 / (1 + e^-z)


def sigmoid(Z: Any) -> np.ndarray:
    """The logistic function ``sigma(z) = 1 / (1 + exp(-z))``, values in (0, 1).

    Computed without overflow for any ``z``: with ``e = exp(-|z|) <= 1``,
    ``sigma(z) = 1 / (1 + e)`` for ``z >= 0`` and ``e / (1 + e)`` for ``z < 0``
    (the same number, rewritten so ``exp`` never sees a large positive argument).

    Parameters
    ----------
    Z : array, any shape

    Returns
    -------
    ndarray, shape of ``Z``

    Introduced in: book/02-forward
    """
    Z = _array(Z)
    e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_derivative(Z: Any) -> np.ndarray:
    """``sigma'(z) = sigma(z) * (1 - sigma(z))``, at most 1/4.

    Introduced in: book/02-forward
    """
    s = sigmoid(Z)
    return s * (1 - s)


def sigmoid_forward(Z: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(A, cache)`` with ``A = sigma(Z)``; the cache is ``A`` (enough for ``sigma'``).

    Introduced in: book/02-forward
    """
    A = sigmoid(Z)
    return A, A


def sigmoid_backward(dA: Any, cache: np.ndarray) -> np.ndarray:
    """``dZ = dA * A * (1 - A)``, shape of ``A``.

    Introduced in: book/03-backprop
    """
    A = cache
    return _check_dA(dA, A.shape) * A * (1 - A)


# ---------------------------------------------------------------- tanh


def tanh(Z: Any) -> np.ndarray:
    """``tanh(z) = (e^z - e^-z) / (e^z + e^-z)``, values in (-1, 1). Any shape.

    Introduced in: book/02-forward
    """
    return np.tanh(_array(Z))


def tanh_derivative(Z: Any) -> np.ndarray:
    """``tanh'(z) = 1 - tanh(z)^2``.

    Introduced in: book/02-forward
    """
    return 1 - np.tanh(_array(Z)) ** 2


def tanh_forward(Z: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(A, cache)`` with ``A = tanh(Z)``; the cache is ``A``.

    Introduced in: book/02-forward
    """
    A = tanh(Z)
    return A, A


def tanh_backward(dA: Any, cache: np.ndarray) -> np.ndarray:
    """``dZ = dA * (1 - A^2)``.

    Introduced in: book/03-backprop
    """
    A = cache
    return _check_dA(dA, A.shape) * (1 - A**2)


# ---------------------------------------------------------------- ReLU: max(z, 0)


def relu(Z: Any) -> np.ndarray:
    """The rectified linear unit ``relu(z) = max(z, 0)``. Any shape.

    Introduced in: book/02-forward
    """
    return np.maximum(_array(Z), 0)


def relu_derivative(Z: Any) -> np.ndarray:
    """``relu'(z) = 1 if z > 0 else 0`` (at the kink z = 0 we use 0, as PyTorch does).

    Introduced in: book/02-forward
    """
    Z = _array(Z)
    return (Z > 0).astype(Z.dtype)


def relu_forward(Z: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(A, cache)`` with ``A = max(Z, 0)``; the cache is ``Z``.

    Introduced in: book/02-forward
    """
    Z = _array(Z)
    return np.maximum(Z, 0), Z


def relu_backward(dA: Any, cache: np.ndarray) -> np.ndarray:
    """``dZ = dA * [Z > 0]``: the gradient passes where the unit was on.

    Introduced in: book/03-backprop
    """
    Z = cache
    return _check_dA(dA, Z.shape) * (Z > 0).astype(Z.dtype)


# ---------------------------------------------------------------- leaky ReLU


def _alpha(alpha: Any) -> float:
    return check_positive(alpha, "alpha", allow_zero=True)


def leaky_relu(Z: Any, alpha: float = 0.01) -> np.ndarray:
    """``leaky_relu(z) = z if z > 0 else alpha * z``: a small slope instead of zero. Any shape.

    Introduced in: book/02-forward
    """
    Z, alpha = _array(Z), _alpha(alpha)
    return np.where(Z > 0, Z, alpha * Z)


def leaky_relu_derivative(Z: Any, alpha: float = 0.01) -> np.ndarray:
    """``1 if z > 0 else alpha`` (``alpha`` at the kink z = 0).

    Introduced in: book/02-forward
    """
    Z, alpha = _array(Z), _alpha(alpha)
    return np.where(Z > 0, 1.0, alpha).astype(Z.dtype)


def leaky_relu_forward(Z: Any, alpha: float = 0.01) -> tuple[np.ndarray, tuple[np.ndarray, float]]:
    """Return ``(A, cache)`` with ``A = leaky_relu(Z)``; the cache is ``(Z, alpha)``.

    Introduced in: book/02-forward
    """
    Z, alpha = _array(Z), _alpha(alpha)
    return np.where(Z > 0, Z, alpha * Z), (Z, alpha)


def leaky_relu_backward(dA: Any, cache: tuple[np.ndarray, float]) -> np.ndarray:
    """``dZ = dA * (1 if Z > 0 else alpha)``.

    Introduced in: book/03-backprop
    """
    Z, alpha = cache
    dA, alpha = _check_dA(dA, Z.shape), _alpha(alpha)
    return dA * np.where(Z > 0, 1.0, alpha).astype(Z.dtype)


# ---------------------------------------------------------------- softmax (last axis)


def softmax(Z: Any) -> np.ndarray:
    """``softmax(z)_k = exp(z_k) / sum_j exp(z_j)`` along the last axis; rows sum to 1.

    Computed as ``exp(z - max(z)) / sum(exp(z - max(z)))``: the same value (the
    factor ``exp(-max z)`` cancels) with no ``exp`` of a large positive number.

    Parameters
    ----------
    Z : array, shape ``(..., k)``

    Returns
    -------
    ndarray, shape of ``Z``

    Introduced in: book/02-forward
    """
    Z = _array(Z)
    if Z.ndim == 0:
        raise ValueError("softmax needs at least one axis of scores, got a single number")
    E = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return E / E.sum(axis=-1, keepdims=True)


def softmax_forward(Z: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(A, cache)`` with ``A = softmax(Z)``; the cache is ``A``.

    Introduced in: book/02-forward
    """
    A = softmax(Z)
    return A, A


def softmax_backward(dA: Any, cache: np.ndarray) -> np.ndarray:
    """``dZ = A * (dA - sum_k dA_k A_k)`` per row: the Jacobian ``diag(A) - A A^T`` applied to dA.

    Introduced in: book/03-backprop
    """
    A = cache
    dA = _check_dA(dA, A.shape)
    return A * (dA - (dA * A).sum(axis=-1, keepdims=True))


# ---------------------------------------------------------------- registry


@dataclass(frozen=True)
class Activation:
    """One activation's four functions under one name (see the module docstring).

    Introduced in: book/02-forward
    """

    name: str
    fn: Callable[..., np.ndarray]
    derivative: Callable[..., np.ndarray] | None
    forward: Callable[..., tuple[np.ndarray, Any]]
    backward: Callable[[Any, Any], np.ndarray]


def _lookup(name: str) -> Activation:
    """The activation called ``name``, built from this module's functions as they are now."""
    functions = globals()
    return Activation(
        name,
        functions[name],
        functions.get(f"{name}_derivative"),  # softmax has none
        functions[f"{name}_forward"],
        functions[f"{name}_backward"],
    )


#: name -> :class:`Activation`, looked up in this module on every access, so replacing
#: ``descend.activations.tanh_backward`` changes every network that uses tanh
ACTIVATIONS: Registry = Registry(
    ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"), _lookup
)


def get(name: str) -> Activation:
    """Return the :class:`Activation` called ``name`` (a key of :data:`ACTIVATIONS`).

    Introduced in: book/02-forward
    """
    return ACTIVATIONS[check_choice("activations.get", name, ACTIVATIONS, "activation")]
