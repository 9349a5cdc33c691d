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
    return _identity_forward(_array(Z))


def _identity_forward(Z: np.ndarray, overwrite: bool = False) -> tuple[np.ndarray, tuple[int, ...]]:
    # overwrite: the caller owns Z and will not read it again, so A may be Z itself
    return (Z if overwrite else Z.copy()), Z.shape


def identity_backward(dA: Any, cache: tuple[int, ...]) -> np.ndarray:
    """``dZ = dA``.

    Introduced in: book/03-backprop
    """
    return _identity_backward(_check_dA(dA, cache), cache)


def _identity_backward(
    dA: np.ndarray, cache: tuple[int, ...], overwrite: bool = False
) -> np.ndarray:
    return dA if overwrite else dA.copy()


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
    return _sigmoid_from_exp(Z, np.exp(-np.abs(Z)))


def _sigmoid_from_exp(Z: np.ndarray, e: np.ndarray) -> np.ndarray:
    """``sigma(Z)`` given ``e = exp(-|Z|)``; ``losses.binary_cross_entropy`` needs ``e`` too."""
    d = 1 + e
    return np.where(Z >= 0, 1 / d, e / d)


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
    return _sigmoid_forward(_array(Z))


def _sigmoid_forward(Z: np.ndarray, overwrite: bool = False) -> tuple[np.ndarray, np.ndarray]:
    A = _sigmoid_from_exp(Z, np.exp(-np.abs(Z)))
    return A, A


def sigmoid_backward(dA: Any, cache: np.ndarray) -> np.ndarray:
    """``dZ = dA * A * (1 - A)``, shape of ``A``.

    Introduced in: book/03-backprop
    """
    return _sigmoid_backward(_check_dA(dA, cache.shape), cache)


def _sigmoid_backward(dA: np.ndarray, A: np.ndarray, overwrite: bool = False) -> np.ndarray:
    return dA * A * (1 - A)


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
    return _tanh_forward(_array(Z))


def _tanh_forward(Z: np.ndarray, overwrite: bool = False) -> tuple[np.ndarray, np.ndarray]:
    # overwrite: the caller owns Z and will not read it again, so tanh(Z) can replace it
    A = np.tanh(Z, out=Z) if overwrite else np.tanh(Z)
    return A, A


def tanh_backward(dA: Any, cache: np.ndarray) -> np.ndarray:
    """``dZ = dA * (1 - A^2)``.

    Introduced in: book/03-backprop
    """
    return _tanh_backward(_check_dA(dA, cache.shape), cache)


def _tanh_backward(dA: np.ndarray, A: np.ndarray, overwrite: bool = False) -> np.ndarray:
    if dA.dtype != A.dtype:
        return dA * (1 - A**2)
    # The same numbers computed in one buffer: two (n, units) temporaries fewer. With
    # overwrite (the caller owns dA and A and is done with A), no new buffer at all.
    if overwrite:
        A *= A
        np.subtract(1, A, out=A)
        dA *= A  # dA * (1 - A^2): a product of two numbers, the same either way round
        return dA
    dZ = np.multiply(A, A)
    np.subtract(1, dZ, out=dZ)
    dZ *= dA
    return dZ


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
    return _relu_forward(_array(Z))


def _relu_forward(Z: np.ndarray, overwrite: bool = False) -> tuple[np.ndarray, np.ndarray]:
    return np.maximum(Z, 0), Z


def relu_backward(dA: Any, cache: np.ndarray) -> np.ndarray:
    """``dZ = dA * [Z > 0]``: the gradient passes where the unit was on.

    Introduced in: book/03-backprop
    """
    return _relu_backward(_check_dA(dA, cache.shape), cache)


def _relu_backward(dA: np.ndarray, Z: np.ndarray, overwrite: bool = False) -> np.ndarray:
    return dA * (Z > 0).astype(Z.dtype)


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
    return _leaky_relu_forward(_array(Z), alpha=_alpha(alpha))


def _leaky_relu_forward(
    Z: np.ndarray, overwrite: bool = False, alpha: float = 0.01
) -> tuple[np.ndarray, tuple[np.ndarray, float]]:
    return np.where(Z > 0, Z, alpha * Z), (Z, alpha)


def leaky_relu_backward(dA: Any, cache: tuple[np.ndarray, float]) -> np.ndarray:
    """``dZ = dA * (1 if Z > 0 else alpha)``.

    Introduced in: book/03-backprop
    """
    Z, alpha = cache
    return _leaky_relu_backward(_check_dA(dA, Z.shape), (Z, _alpha(alpha)))


def _leaky_relu_backward(
    dA: np.ndarray, cache: tuple[np.ndarray, float], overwrite: bool = False
) -> np.ndarray:
    Z, alpha = cache
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
    return _softmax(Z)


def _softmax(Z: np.ndarray) -> np.ndarray:
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
    return _softmax_backward(_check_dA(dA, cache.shape), cache)


def _softmax_forward(Z: np.ndarray, overwrite: bool = False) -> tuple[np.ndarray, np.ndarray]:
    A = _softmax(Z)
    return A, A


def _softmax_backward(dA: np.ndarray, A: np.ndarray, overwrite: bool = False) -> np.ndarray:
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


ACTIVATIONS: dict[str, Activation] = {
    "identity": Activation(
        "identity", identity, identity_derivative, identity_forward, identity_backward
    ),
    "sigmoid": Activation(
        "sigmoid", sigmoid, sigmoid_derivative, sigmoid_forward, sigmoid_backward
    ),
    "tanh": Activation("tanh", tanh, tanh_derivative, tanh_forward, tanh_backward),
    "relu": Activation("relu", relu, relu_derivative, relu_forward, relu_backward),
    "leaky_relu": Activation(
        "leaky_relu", leaky_relu, leaky_relu_derivative, leaky_relu_forward, leaky_relu_backward
    ),
    "softmax": Activation("softmax", softmax, None, softmax_forward, softmax_backward),
}


# The unchecked forward and backward of every activation, for Network: it checks its
# input and parameters once per call, so its layers need not check theirs again. Each
# takes ``overwrite=True`` when the caller owns the arrays passed in and is done with
# them (the kernel may then reuse their memory; the numbers are the same).
_KERNELS: dict[str, tuple[Callable[..., tuple[np.ndarray, Any]], Callable[..., np.ndarray]]] = {
    "identity": (_identity_forward, _identity_backward),
    "sigmoid": (_sigmoid_forward, _sigmoid_backward),
    "tanh": (_tanh_forward, _tanh_backward),
    "relu": (_relu_forward, _relu_backward),
    "leaky_relu": (_leaky_relu_forward, _leaky_relu_backward),
    "softmax": (_softmax_forward, _softmax_backward),
}


def get(name: str) -> Activation:
    """Return the :class:`Activation` called ``name`` (a key of :data:`ACTIVATIONS`).

    Introduced in: book/02-forward
    """
    return ACTIVATIONS[check_choice("activations.get", name, ACTIVATIONS, "activation")]
