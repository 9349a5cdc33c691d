"""Step 2, forward (and step 3, backprop): the dense layer ``Z = X @ W + b``.

Shapes, for a batch of ``n`` examples (rows) going from ``n_in`` to ``n_out`` units:

* ``X``: ``(n, n_in)``, ``W``: ``(n_in, n_out)``, ``b``: ``(n_out,)``, ``Z``: ``(n, n_out)``.

The backward pass is the chain rule for ``Z = X @ W + b`` given the upstream gradient
``dZ = dL/dZ``: ``dX = dZ @ W.T``, ``dW = X.T @ dZ``, ``db = sum of dZ over the batch``.
Each gradient has the shape of the thing it is the gradient of.

Each function checks its input (types and shapes) and then computes, in the lines
of the formula; :class:`descend.network.Network` calls them layer by layer.

Introduced in: book/02-forward
"""

from __future__ import annotations

from typing import Any

import numpy as np

from descend.errors import as_float_array

__all__ = ["dense_forward", "dense_backward"]


def dense_forward(X: Any, W: Any, b: Any) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Affine map of a batch: ``Z = X @ W + b``.

    Parameters
    ----------
    X : array, shape ``(n, n_in)``
        The layer's input, one example per row.
    W : array, shape ``(n_in, n_out)``
        Weights; ``W[i, j]`` connects input ``i`` to unit ``j``.
    b : array, shape ``(n_out,)``
        Biases, one per unit (broadcast over the rows).

    Returns
    -------
    Z : ndarray, shape ``(n, n_out)``
    cache : tuple ``(X, W)``
        What :func:`dense_backward` needs.

    Introduced in: book/02-forward
    """
    # X may hold an overflowed inf inside a diverging network; the loss reports that.
    X = as_float_array(X, "X", ndim=2, finite=False)
    W = as_float_array(W, "W", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    if X.shape[1] != W.shape[0]:
        raise ValueError(
            f"X has {X.shape[1]} columns but W has {W.shape[0]} rows; X @ W needs "
            f"X of shape (n, {W.shape[0]}) for W of shape {W.shape}"
        )
    if b.shape[0] != W.shape[1]:
        raise ValueError(
            f"b has shape {b.shape} but W has shape {W.shape}; b needs one entry per "
            f"unit, shape ({W.shape[1]},)"
        )
    return X @ W + b, (X, W)


def dense_backward(
    dZ: Any, cache: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the loss with respect to the dense layer's input and parameters.

    Parameters
    ----------
    dZ : array, shape ``(n, n_out)``
        ``dL/dZ``, the upstream gradient.
    cache : tuple ``(X, W)``
        From :func:`dense_forward`.

    Returns
    -------
    dX : ndarray, shape ``(n, n_in)``
        ``dZ @ W.T``, passed on to the layer below.
    dW : ndarray, shape ``(n_in, n_out)``
        ``X.T @ dZ``: each example's outer product ``x^T dz``, summed over the batch.
    db : ndarray, shape ``(n_out,)``
        ``dZ.sum(axis=0)``.

    Introduced in: book/03-backprop
    """
    X, W = cache
    dZ = as_float_array(dZ, "dZ", finite=False)
    if dZ.shape != (X.shape[0], W.shape[1]):
        raise ValueError(
            f"dZ has shape {dZ.shape} but the layer's output Z has shape "
            f"{(X.shape[0], W.shape[1])}; dZ must have the shape of Z"
        )
    dX = dZ @ W.T
    dW = X.T @ dZ
    db = dZ.sum(axis=0)
    return dX, dW, db
