"""Step 1, initialize: starting values for a layer's weights ``W``.

Every initializer takes the array's ``shape`` and an explicit random generator
``rng = np.random.default_rng(seed)``, so the same seed always gives the same
network. The deterministic ones (``zeros``, ``constant``) accept ``rng`` and
ignore it, so all of them can be called the same way.

For a weight matrix ``W`` of shape ``(n_in, n_out)`` (the book's convention
``Z = X @ W + b``), ``fan_in = n_in`` inputs feed each unit and ``fan_out = n_out``
units read each input. The scaled schemes keep the variance of the signal about
the same from layer to layer:

* Xavier/Glorot (Glorot and Bengio 2010): ``Var[W] = 2 / (fan_in + fan_out)``,
  for tanh and sigmoid;
* He (He et al. 2015): ``Var[W] = 2 / fan_in``, for ReLU, which zeroes half its inputs.

Biases start at zero (:class:`descend.network.Network` does that).

Introduced in: book/01-initialize
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from descend.errors import check_choice, check_number, check_positive, check_rng
from descend.registry import Registry

__all__ = [
    "fans",
    "zeros",
    "constant",
    "normal",
    "uniform",
    "xavier_normal",
    "xavier_uniform",
    "he_normal",
    "he_uniform",
    "INITIALIZERS",
    "get",
]

Shape = int | tuple[int, ...]


def _shape(shape: Any) -> tuple[int, ...]:
    """Return ``shape`` as a tuple of positive ints, or raise saying what is wrong."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    ok = isinstance(shape, (tuple, list)) and len(shape) > 0
    ok = ok and all(
        isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0 for s in shape
    )
    if not ok:
        raise ValueError(
            f"shape must be a tuple of positive integers such as (n_in, n_out), got {shape!r}"
        )
    return tuple(int(s) for s in shape)


def fans(shape: Shape) -> tuple[int, int]:
    """Return ``(fan_in, fan_out)`` of a weight array.

    Parameters
    ----------
    shape : int or tuple
        ``(n_in, n_out)`` for a weight matrix ``W``; a 1-D shape ``(n,)`` has
        ``fan_in = fan_out = n``.

    Returns
    -------
    (int, int)
        ``(n_in, n_out)``.

    Introduced in: book/01-initialize
    """
    shape = _shape(shape)
    if len(shape) > 2:
        raise ValueError(
            f"fans needs a weight shape (n_in, n_out) or (n,), got {shape} with "
            f"{len(shape)} dimensions"
        )
    return (shape[0], shape[-1])


def zeros(shape: Shape, rng: np.random.Generator | None = None) -> np.ndarray:
    """Return an array of zeros: ``W = 0``.

    All-zero weights make every unit of a layer compute the same thing and
    receive the same gradient, so they never become different (the symmetry
    problem). Fine for biases, fatal for weights of a hidden layer.

    Parameters
    ----------
    shape : int or tuple
        Shape of the array, e.g. ``(n_in, n_out)``.
    rng : ignored
        Accepted so every initializer is called the same way.

    Returns
    -------
    ndarray of float64, shape ``shape``

    Introduced in: book/01-initialize
    """
    return np.zeros(_shape(shape))


def constant(shape: Shape, value: float, rng: np.random.Generator | None = None) -> np.ndarray:
    """Return an array filled with ``value``: ``W_ij = value``.

    Like :func:`zeros`, equal weights keep the units of a layer identical.

    Parameters
    ----------
    shape : int or tuple
        Shape of the array.
    value : float
        The value of every entry.
    rng : ignored

    Returns
    -------
    ndarray of float64, shape ``shape``

    Introduced in: book/01-initialize
    """
    return np.full(_shape(shape), check_number(value, "value"))


def normal(
    shape: Shape, rng: np.random.Generator | None = None, mean: float = 0.0, std: float = 0.01
) -> np.ndarray:
    """Draw ``W_ij ~ N(mean, std^2)`` independently.

    Parameters
    ----------
    shape : int or tuple
        Shape of the array.
    rng : np.random.Generator
        The source of randomness, ``np.random.default_rng(seed)``. Required.
    mean, std : float
        Mean and standard deviation (``std >= 0``).

    Returns
    -------
    ndarray of float64, shape ``shape``

    Introduced in: book/01-initialize
    """
    shape = _shape(shape)
    rng = check_rng(rng, "normal")
    mean = check_number(mean, "mean")
    std = check_positive(std, "std", allow_zero=True)
    return rng.normal(mean, std, size=shape)


def uniform(
    shape: Shape, rng: np.random.Generator | None = None, low: float = -0.05, high: float = 0.05
) -> np.ndarray:
    """Draw ``W_ij ~ U(low, high)`` independently.

    The standard deviation of ``U(low, high)`` is ``(high - low) / sqrt(12)``.

    Parameters
    ----------
    shape : int or tuple
        Shape of the array.
    rng : np.random.Generator
        The source of randomness. Required.
    low, high : float
        The interval, ``low < high``.

    Returns
    -------
    ndarray of float64, shape ``shape``

    Introduced in: book/01-initialize
    """
    shape = _shape(shape)
    rng = check_rng(rng, "uniform")
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"uniform needs finite low < high, got low={low!r}, high={high!r}")
    return rng.uniform(low, high, size=shape)


def xavier_normal(
    shape: Shape, rng: np.random.Generator | None = None, gain: float = 1.0
) -> np.ndarray:
    """Xavier/Glorot normal: ``W_ij ~ N(0, std^2)``, ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    Parameters
    ----------
    shape : int or tuple
        ``(n_in, n_out)``.
    rng : np.random.Generator
        The source of randomness. Required.
    gain : float
        Multiplies the standard deviation (``> 0``).

    Returns
    -------
    ndarray of float64, shape ``shape``

    Introduced in: book/01-initialize
    """
    rng = check_rng(rng, "xavier_normal")
    gain = check_positive(gain, "gain")
    fan_in, fan_out = fans(shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return rng.normal(0.0, std, size=_shape(shape))


def xavier_uniform(
    shape: Shape, rng: np.random.Generator | None = None, gain: float = 1.0
) -> np.ndarray:
    """Xavier/Glorot uniform: ``W_ij ~ U(-a, a)``, ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    Same variance as :func:`xavier_normal`: ``a^2 / 3 = gain^2 * 2 / (fan_in + fan_out)``.

    Parameters
    ----------
    shape : int or tuple
        ``(n_in, n_out)``.
    rng : np.random.Generator
        The source of randomness. Required.
    gain : float
        Multiplies the bound (``> 0``).

    Returns
    -------
    ndarray of float64, shape ``shape``

    Introduced in: book/01-initialize
    """
    rng = check_rng(rng, "xavier_uniform")
    gain = check_positive(gain, "gain")
    fan_in, fan_out = fans(shape)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=_shape(shape))


def he_normal(shape: Shape, rng: np.random.Generator | None = None) -> np.ndarray:
    """He (Kaiming) normal: ``W_ij ~ N(0, std^2)``, ``std = sqrt(2 / fan_in)``.

    Parameters
    ----------
    shape : int or tuple
        ``(n_in, n_out)``.
    rng : np.random.Generator
        The source of randomness. Required.

    Returns
    -------
    ndarray of float64, shape ``shape``

    Introduced in: book/01-initialize
    """
    rng = check_rng(rng, "he_normal")
    fan_in, _ = fans(shape)
    return rng.normal(0.0, math.sqrt(2.0 / fan_in), size=_shape(shape))


def he_uniform(shape: Shape, rng: np.random.Generator | None = None) -> np.ndarray:
    """He (Kaiming) uniform: ``W_ij ~ U(-a, a)``, ``a = sqrt(6 / fan_in)``.

    Same variance as :func:`he_normal`: ``a^2 / 3 = 2 / fan_in``.

    Parameters
    ----------
    shape : int or tuple
        ``(n_in, n_out)``.
    rng : np.random.Generator
        The source of randomness. Required.

    Returns
    -------
    ndarray of float64, shape ``shape``

    Introduced in: book/01-initialize
    """
    rng = check_rng(rng, "he_uniform")
    fan_in, _ = fans(shape)
    a = math.sqrt(6.0 / fan_in)
    return rng.uniform(-a, a, size=_shape(shape))


#: name -> initializer, looked up in this module on every access (see descend.registry)
INITIALIZERS: Registry = Registry(
    (
        "zeros",
        "constant",
        "normal",
        "uniform",
        "xavier_normal",
        "xavier_uniform",
        "he_normal",
        "he_uniform",
    ),
    lambda name: globals()[name],
)


def get(name: str) -> Callable[..., np.ndarray]:
    """Return the initializer called ``name`` (a key of :data:`INITIALIZERS`).

    Introduced in: book/01-initialize
    """
    return INITIALIZERS[check_choice("init.get", name, INITIALIZERS, "initializer")]
