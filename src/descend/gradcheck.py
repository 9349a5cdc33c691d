"""Step 4, gradient: check backpropagation against finite differences.

The centred difference ``(f(x + h e_i) - f(x - h e_i)) / (2h)`` approximates the
partial derivative ``df/dx_i`` with an error of order ``h^2`` (the one-sided
``(f(x + h e_i) - f(x)) / h`` only reaches order ``h``). It needs two evaluations of
``f`` per parameter, which is why networks are trained with backpropagation and
only *checked* with finite differences, on small examples, in float64.

Read the relative error of a correct float64 gradient as: ``< 1e-7`` right;
``1e-7 .. 1e-4`` suspicious unless the function has kinks (ReLU) nearby;
``> 1e-4`` almost certainly a bug.

Introduced in: book/03-backprop
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from descend.errors import as_float_array, check_positive

__all__ = ["numerical_gradient", "relative_error", "check_network_gradients"]


def numerical_gradient(f: Callable[[np.ndarray], float], x: Any, h: float = 1e-5) -> np.ndarray:
    """Centred-difference gradient of a scalar function ``f`` at ``x``.

    ``grad_i = (f(x + h e_i) - f(x - h e_i)) / (2h)`` for every element ``i``.

    ``x`` is changed in place, one element at a time, and restored exactly
    afterwards; so ``f`` may read ``x`` through a closure (as a network's loss reads
    its own parameter arrays) instead of through its argument.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``.
    x : ndarray of float, any shape
        The point. Use float64: in float32 the differences drown in rounding.
    h : float
        The step, ``> 0``.

    Returns
    -------
    ndarray, shape of ``x``

    Introduced in: book/03-backprop
    """
    h = check_positive(h, "h")
    if not (isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.floating)):
        x = as_float_array(x, "x")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = _scalar(f(x))
        x[i] = old - h
        f_minus = _scalar(f(x))
        x[i] = old  # restore
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _scalar(value: Any) -> float:
    if np.ndim(value) != 0:
        raise TypeError(f"f must return a single number, got an array of shape {np.shape(value)}")
    return float(value)


def relative_error(a: Any, b: Any) -> float:
    """Relative error between two arrays: ``max_i |a_i - b_i| / max_i (|a_i| + |b_i|)``.

    The denominator is at least the smallest positive float64, so two zero arrays
    have error 0. Scale-free: a gradient of size 1e-3 and one of size 1e3 are judged
    alike.

    Parameters
    ----------
    a, b : array, the same shape

    Returns
    -------
    float, between 0 and 1

    Introduced in: book/03-backprop
    """
    a = as_float_array(a, "a")
    b = as_float_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a has shape {a.shape} but b has shape {b.shape}; compare equal shapes")
    if a.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(a) + np.abs(b))), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(a - b))) / scale


def check_network_gradients(net: Any, X: Any, y: Any, h: float = 1e-5) -> dict[str, float]:
    """Compare a network's backprop gradients with centred differences of its loss.

    Parameters
    ----------
    net : Network
        A float64 network (anything with ``params``, ``loss_and_grads`` and ``loss``).
    X : array, shape ``(n, n_in)``
    y : array
        Targets for ``net``'s loss.
    h : float
        Finite-difference step.

    Returns
    -------
    dict of str -> float
        For every parameter name (``W1``, ``b1``, ...), the relative error between
        the backprop gradient and the numerical one over that array's elements.

    Introduced in: book/03-backprop
    """
    dtypes = {p.dtype for p in net.params.values()}
    if dtypes != {np.dtype(np.float64)}:
        raise ValueError(
            f"gradient checking needs float64 parameters, got {sorted(str(d) for d in dtypes)}; "
            "build the network with dtype=np.float64 (float32 rounding swamps the differences)"
        )
    _, grads = net.loss_and_grads(X, y)  # backprop
    errors = {}
    for name, p in net.params.items():
        # p is perturbed in place, so the loss (which reads net.params) sees each change
        numeric = numerical_gradient(lambda _: net.loss(X, y), p, h)
        errors[name] = relative_error(grads[name], numeric)
    return errors
