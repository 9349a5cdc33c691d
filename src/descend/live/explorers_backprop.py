"""Live explorers of chapter 3: the backward pass node by node, and the finite-difference step.

Both work on the chapter's tiny network: one input ``x``, one hidden tanh unit, one output
logit, binary cross-entropy against a label ``y``::

    z1 = w1 x + b1,   a1 = tanh(z1),   z2 = w2 a1 + b2,   L = BCE(z2, y)

* :class:`BackpropExplorer` (``backprop.js``): the network as a computational graph; the
  reader sets ``x``, ``y`` and the four parameters, and steps through the forward pass and
  then the backward pass one node at a time, each gradient written as the chain rule with
  the current numbers.
* :class:`FiniteDifferenceExplorer` (``fdstep.js``): a gradient check of the same network
  with step ``h`` on a log slider (``1e-16`` to ``1``): centred and forward differences
  against the backprop gradient, and their relative errors over every ``h``.

:func:`tiny_network` is the network written out in scalars, one line per node, with
Python's :mod:`math`. ``engine.js``'s ``tinyNetwork`` does the same operations in the same
order with JavaScript's ``Math``; both call the C library's ``tanh``, ``exp`` and ``log1p``
algorithms (fdlibm's), so the page's numbers equal these to the last bit, which a gradient
check at tiny ``h`` needs: there its error is made of those last bits. (NumPy's vectorised
``tanh`` and ``log1p`` round differently in the last bit for about a third of inputs, so
``descend.Network`` agrees with :func:`tiny_network` to about 1e-16, not bit for bit.)

Introduced in: book/03-backprop
"""

from __future__ import annotations

import math
from typing import Any

import traitlets as t

from descend.errors import check_int

from . import LiveWidget

__all__ = [
    "TINY_DEFAULTS",
    "PARAMS",
    "BACKPROP_STEPS",
    "tiny_network",
    "tiny_loss",
    "BackpropExplorer",
    "backprop_explorer",
    "FiniteDifferenceExplorer",
    "finite_difference_explorer",
    "FD_POSITIONS",
    "fd_step",
]

#: The chapter's example: input 1.5, label 1, and its four parameters.
TINY_DEFAULTS = {"x": 1.5, "y": 1.0, "w1": 0.8, "b1": -0.3, "w2": -1.2, "b2": 0.4}
#: The parameters of the tiny network, in the order a gradient check takes them.
PARAMS = ("w1", "b1", "w2", "b2")
#: The range of every slider (x and the parameters).
SLIDER_RANGE = (-3.0, 3.0)
#: The steps of the backprop explorer: the node each one computes, forward then backward.
BACKPROP_STEPS = (
    ("start", None),
    ("forward", "z1"),
    ("forward", "a1"),
    ("forward", "z2"),
    ("forward", "L"),
    ("backward", "L"),
    ("backward", "z2"),
    ("backward", "w2"),
    ("backward", "b2"),
    ("backward", "a1"),
    ("backward", "z1"),
    ("backward", "w1"),
    ("backward", "b1"),
    ("backward", "x"),
)


def tiny_network(x: float, y: float, w1: float, b1: float, w2: float, b2: float) -> dict:
    """Every node's forward value and every gradient of the chapter's tiny network.

    The same operations, in the same order, as ``descend.layers.dense_forward``,
    ``descend.activations.tanh_forward``, ``descend.losses.binary_cross_entropy`` and their
    backward functions on one example, in scalars.

    Returns
    -------
    dict
        ``{"values": {"z1", "a1", "z2", "p", "L"}, "grads": {"L", "z2", "w2", "b2", "a1",
        "z1", "w1", "b1", "x"}}`` with ``p = sigma(z2)`` and ``grads[n] = dL/dn``.

    Introduced in: book/03-backprop
    """
    # forward
    z1 = x * w1 + b1
    a1 = math.tanh(z1)
    z2 = a1 * w2 + b2
    e = math.exp(-abs(z2))  # BCE from logits, without overflow
    loss = max(z2, 0.0) - z2 * y + math.log1p(e)
    p = 1 / (1 + e) if z2 >= 0 else e / (1 + e)  # sigma(z2)
    # backward
    dz2 = p - y  # dL/dz2 = sigma(z2) - y (one example: the mean divides by 1)
    dw2, db2, da1 = a1 * dz2, dz2, dz2 * w2
    dz1 = da1 * (1 - a1 * a1)
    dw1, db1, dx = x * dz1, dz1, dz1 * w1
    return {
        "values": {"z1": z1, "a1": a1, "z2": z2, "p": p, "L": loss},
        "grads": {
            "L": 1.0,
            "z2": dz2,
            "w2": dw2,
            "b2": db2,
            "a1": da1,
            "z1": dz1,
            "w1": dw1,
            "b1": db1,
            "x": dx,
        },
    }


def tiny_loss(theta: Any, x: float, y: float) -> float:
    """The tiny network's loss at ``theta = (w1, b1, w2, b2)``: the function a gradient
    check differentiates (``descend.numerical_gradient(lambda t: tiny_loss(t, x, y), theta)``).

    Introduced in: book/03-backprop
    """
    w1, b1, w2, b2 = (float(v) for v in theta)
    return tiny_network(x, y, w1, b1, w2, b2)["values"]["L"]


def _settings(who: str, values: dict[str, Any]) -> dict[str, float]:
    unknown = sorted(set(values) - set(TINY_DEFAULTS))
    if unknown:
        raise TypeError(
            f"{who}: unknown setting(s) {unknown}; the settings are {list(TINY_DEFAULTS)}"
        )
    s = {**TINY_DEFAULTS, **values}
    lo, hi = SLIDER_RANGE
    for name in ("x", *PARAMS):
        v = s[name]
        if not isinstance(v, int | float) or not math.isfinite(v) or not lo <= v <= hi:
            raise ValueError(
                f"{who}: {name} must be a number from {lo:g} to {hi:g} (the slider's range), "
                f"got {v!r}"
            )
        s[name] = float(v)
    if s["y"] not in (0, 1):
        raise ValueError(f"{who}: the label y must be 0 or 1, got {s['y']!r}")
    s["y"] = float(s["y"])
    return s


class BackpropExplorer(LiveWidget):
    """The tiny network's forward and backward pass, one node at a time, live.

    Traits
    ------
    settings : dict
        ``x``, ``y`` (0 or 1), ``w1``, ``b1``, ``w2``, ``b2`` and ``step`` (0 to
        ``len(BACKPROP_STEPS) - 1``); set it from Python to move the controls.
    history : dict
        Written by the browser: the ``settings`` shown, the ``values`` and ``grads`` of
        the nodes computed so far.

    Introduced in: book/03-backprop
    """

    kind = "backprop"
    page_state = ("settings",)
    settings = t.Dict().tag(sync=True)
    history = t.Dict().tag(sync=True)


def backprop_explorer(step: int = 0, **values: float) -> BackpropExplorer:
    """A :class:`BackpropExplorer` at the chapter's example, or at the ``x``, ``y``, ``w1``,
    ``b1``, ``w2``, ``b2`` given (each from -3 to 3; ``y`` 0 or 1), showing ``step``.

    Introduced in: book/03-backprop
    """
    s = _settings("backprop_explorer", values)
    s["step"] = check_int(step, "step", 0, len(BACKPROP_STEPS) - 1)
    return BackpropExplorer(settings=s)


class FiniteDifferenceExplorer(LiveWidget):
    """A gradient check of the tiny network with a live finite-difference step ``h``.

    Traits
    ------
    settings : dict
        The network's ``x``, ``y``, ``w1``, ``b1``, ``w2``, ``b2`` and the slider's
        position ``pos`` (``h = fd_step(pos)``).
    history : dict
        Written by the browser: ``h``, the relative errors ``centred`` and ``forward``,
        and the per-parameter differences.

    Introduced in: book/03-backprop
    """

    kind = "fdstep"
    page_state = ("settings",)
    settings = t.Dict().tag(sync=True)
    history = t.Dict().tag(sync=True)


#: The finite-difference slider's positions (see :func:`fd_step`).
FD_POSITIONS = 320


def fd_step(pos: int) -> float:
    """The step ``h`` at position ``pos`` (0 to ``FD_POSITIONS``) of the explorer's slider:
    ``10 ** (-16 + 16 pos / FD_POSITIONS)`` rounded to 3 significant digits (so the ``h`` the
    page writes is exactly the ``h`` it uses).

    Introduced in: book/03-backprop
    """
    pos = check_int(pos, "pos", 0, FD_POSITIONS)
    return float(f"{10 ** (-16 + 16 * pos / FD_POSITIONS):.2e}")


def finite_difference_explorer(
    h_exponent: float = -5.0, **values: float
) -> FiniteDifferenceExplorer:
    """A :class:`FiniteDifferenceExplorer` of the tiny network (the chapter's example, or the
    ``x``, ``y``, ``w1``, ``b1``, ``w2``, ``b2`` given) starting at ``h = 10 ** h_exponent``
    (``h_exponent`` from -16 to 0, a multiple of 0.05: the slider's 320 steps).

    Introduced in: book/03-backprop
    """
    s = _settings("finite_difference_explorer", values)
    pos = (float(h_exponent) + 16.0) * FD_POSITIONS / 16.0
    if not (0 <= pos <= FD_POSITIONS and abs(pos - round(pos)) < 1e-9):
        raise ValueError(
            "finite_difference_explorer: h_exponent must lie from -16 to 0 in steps of 0.05 "
            f"(h = 10 ** h_exponent), got {h_exponent!r}"
        )
    s["pos"] = int(round(pos))
    return FiniteDifferenceExplorer(settings=s)
