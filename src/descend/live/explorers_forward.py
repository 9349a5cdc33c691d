"""Live explorers of chapter 2: two weights of a small network, and one neuron's switch.

* :class:`TwoWeights` (``twoweights.js``): the reader picks two weights of a small
  classifier anywhere on the map of the loss over those two weights (a drag, a click, the
  arrow keys, or two sliders); beside it the network's output over the data (probability
  shading and the decision boundary) and the loss. The map is computed in the browser by
  ``engine.js``'s ``lossSlice``, the mirror of :func:`loss_slice`; the network and the
  data come from here, rounded (the rounded numbers *are* the explorer's network and data:
  :meth:`TwoWeights.network_at` and :meth:`TwoWeights.arrays` give them back to Python).
* :class:`OneNeuron` (``neuron.js``): ``a = g(w x + b)`` for one input, with a slider for
  the weight and one for the bias and a choice of activation ``g``; the curve is
  ``engine.js``'s ``neuronCurve``, the mirror of :func:`neuron_curve`.

Introduced in: book/02-forward
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import traitlets as t

from descend import activations as _activations
from descend.errors import (
    as_float_array,
    check_choice,
    check_int,
    check_labels,
    check_number,
    check_same_length,
)
from descend.layers import dense_forward
from descend.network import Network

from . import LiveWidget

__all__ = [
    "NEURON_ACTIVATIONS",
    "OneNeuron",
    "TwoWeights",
    "loss_slice",
    "neuron_curve",
    "one_neuron",
    "two_weights",
    "with_weights",
]

Entry = tuple[str, int, int]  # (parameter name, row, column): one weight of a network


def _check_entries(net: Network, weights: Sequence[Any], who: str) -> list[Entry]:
    entries = []
    for entry in weights:
        try:
            name, row, col = entry
        except (TypeError, ValueError):
            raise ValueError(
                f"{who}: each weight is (name, row, column), e.g. ('W2', 0, 0); got {entry!r}"
            ) from None
        check_choice(who, name, [k for k in net.params if k.startswith("W")], "weight matrix")
        rows, cols = net.params[name].shape
        shape = f" ({name} has shape {(rows, cols)})"
        row = check_int(row, f"the row of {name}", 0, rows - 1, shape)
        col = check_int(col, f"the column of {name}", 0, cols - 1, shape)
        entries.append((name, row, col))
    return entries


def with_weights(net: Network, weights: Sequence[Entry], values: Sequence[float]) -> Network:
    """A copy of ``net`` whose weights ``weights`` (``(name, row, column)`` each) are ``values``.

    Every other parameter keeps its value; ``net`` itself is not changed.

    Introduced in: book/02-forward
    """
    entries = _check_entries(net, weights, "with_weights")
    if len(values) != len(entries):
        raise ValueError(f"with_weights: {len(entries)} weights but {len(values)} values")
    out = net.copy()
    for (name, row, col), value in zip(entries, values, strict=True):
        out.params[name][row, col] = check_number(value, f"the value of {name}[{row}, {col}]")
    return out


def loss_slice(
    net: Network,
    X: Any,
    y: Any,
    weights: Sequence[Entry],
    wa: Sequence[float],
    wb: Sequence[float],
) -> np.ndarray:
    """The loss of ``net`` on ``(X, y)`` over a grid of two of its weights: a 2-D slice.

    Parameters
    ----------
    net : Network
    X : array (n, n_in); y : array (n,)
    weights : two ``(name, row, column)`` entries, the weights called ``w_a`` and ``w_b``
    wa, wb : 1-D sequences of their values

    Returns
    -------
    ndarray, shape (len(wb), len(wa))
        Row ``i``, column ``j``: the loss with ``w_a = wa[j]`` and ``w_b = wb[i]`` and every
        other parameter as in ``net`` (rows follow ``w_b``, as a contour plot's ``Z``).

    Introduced in: book/02-forward
    """
    if len(weights) != 2:
        raise ValueError(f"loss_slice varies exactly two weights, got {len(weights)}")
    wa = as_float_array(wa, "wa", ndim=1)
    wb = as_float_array(wb, "wb", ndim=1)
    return np.array([[with_weights(net, weights, (a, b)).loss(X, y) for a in wa] for b in wb])


def neuron_curve(x: Any, w: float, b: float, activation: str = "sigmoid") -> np.ndarray:
    """One neuron with one input on many inputs: ``a = g(w x + b)`` for each entry of ``x``.

    A dense layer with one input and one unit (``W = [[w]]``, ``b = [b]``) followed by the
    activation ``g`` (a name of :data:`descend.activations.ACTIVATIONS`).

    Introduced in: book/02-forward
    """
    x = as_float_array(x, "x", ndim=1)
    w, b = check_number(w, "w"), check_number(b, "b")
    g = _activations.get(activation)
    Z, _ = dense_forward(x.reshape(-1, 1), np.array([[w]]), np.array([b]))
    return g.fn(Z).ravel()


def _round(a: Any, decimals: int) -> list:
    return np.round(np.asarray(a, dtype=float), decimals).tolist()


class TwoWeights(LiveWidget):
    """Pick two weights of a small classifier: its output, decision boundary and loss, live.

    Traits
    ------
    data : dict
        ``{"X": [[x1, x2], ...], "y": [0 or 1, ...]}``, rounded to 3 decimals.
    network : dict
        ``sizes``, ``activation`` (one name per hidden layer), ``loss`` and ``params``
        (``W1, b1, ...`` as nested lists, rounded to 4 decimals).
    weights : list
        The two weights the reader moves, ``[[name, row, column], [...]]``: ``w_a``, ``w_b``.
    window : dict
        ``wa`` and ``wb`` (each ``[low, high]``: the map's axes) and ``res`` (the map is
        ``res x res`` losses, computed in the browser).
    marker : str
        What the star (the network's own two weights) stands for, e.g. ``"trained"``.
    settings : dict
        ``wa``, ``wb``: the picked weights; set it from Python to move the pick.
    history : dict
        Written by the browser: ``wa``, ``wb``, ``loss``, ``accuracy``.

    Introduced in: book/02-forward
    """

    kind = "twoweights"
    page_state = ("data", "network", "weights", "window", "marker", "settings")
    data = t.Dict().tag(sync=True)
    network = t.Dict().tag(sync=True)
    weights = t.List().tag(sync=True)
    window = t.Dict().tag(sync=True)
    marker = t.Unicode("the network's own weights").tag(sync=True)
    settings = t.Dict().tag(sync=True)
    history = t.Dict().tag(sync=True)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The explorer's data ``(X (n, 2), y (n,))``: the rounded numbers the browser uses."""
        return np.array(self.data["X"], dtype=float), np.array(self.data["y"], dtype=int)

    def network_at(self, wa: float | None = None, wb: float | None = None) -> Network:
        """The explorer's network (rounded weights) with ``w_a = wa`` and ``w_b = wb``.

        ``None`` keeps the network's own value of that weight (the star).
        """
        spec = self.network
        net = Network(spec["sizes"], spec["activation"], "zeros", spec["loss"])
        for name, value in spec["params"].items():
            net.params[name][...] = value
        entries = [tuple(e) for e in self.weights]
        own = [net.params[name][row, col] for name, row, col in entries]
        values = [own[0] if wa is None else wa, own[1] if wb is None else wb]
        return with_weights(net, entries, values)

    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        """The values of ``w_a`` and ``w_b`` at which the browser computes the map."""
        res = self.window["res"]
        return np.linspace(*self.window["wa"], res), np.linspace(*self.window["wb"], res)


def _check_window(values: Any, name: str) -> list[float]:
    lo, hi = (check_number(v, f"{name}'s ends") for v in values)
    if not lo < hi:
        raise ValueError(f"{name} must be (low, high) with low < high, got {tuple(values)!r}")
    return [lo, hi]


def two_weights(
    net: Network,
    X: Any,
    y: Any,
    weights: Sequence[Entry] = (("W2", 0, 0), ("W2", 1, 0)),
    wa_range: tuple[float, float] = (-6.0, 14.0),
    wb_range: tuple[float, float] = (-5.0, 11.0),
    start: tuple[float, float] = (0.0, 0.0),
    res: int = 81,
    marker: str = "the network's own weights",
) -> TwoWeights:
    """A :class:`TwoWeights` explorer of two weights of ``net`` (a 2-input, 1-output classifier).

    Parameters
    ----------
    net : Network
        ``sizes[0] == 2``, one output, binary cross-entropy: its parameters are sent
        rounded to 4 decimals (the explorer's network is the rounded one).
    X : array (n, 2); y : array (n,) of labels 0 and 1
        The data (at most 1000 points), rounded to 3 decimals.
    weights : two ``(name, row, column)`` entries
        The weights ``w_a`` and ``w_b`` the reader moves.
    wa_range, wb_range : (low, high)
        The map's axes; ``start`` must lie inside them.
    res : int
        The map's resolution (``res x res`` losses computed in the browser), 11 to 201.
    marker : str
        What the star at the network's own two weights stands for.

    Introduced in: book/02-forward
    """
    if not isinstance(net, Network):
        raise TypeError(f"two_weights needs a descend.Network, got {type(net).__name__}")
    if net.sizes[0] != 2 or net.sizes[-1] != 1 or net.loss_name != "binary_cross_entropy":
        raise ValueError(
            "two_weights shows a classifier of points in the plane: a Network with 2 inputs, "
            f"1 output and loss='binary_cross_entropy'; got sizes {net.sizes} and loss "
            f"{net.loss_name!r}"
        )
    X = as_float_array(X, "X", ndim=2)
    y = np.asarray(check_labels(y, "y"))
    check_same_length(X, y)
    if X.shape[1] != 2 or not 1 <= len(X) <= 1000 or not np.isin(y, (0, 1)).all():
        raise ValueError(
            f"X must be 1 to 1000 points of shape (n, 2) with labels y of 0 and 1; got X of "
            f"shape {X.shape} and labels {sorted(set(np.asarray(y).tolist()))[:5]}"
        )
    entries = _check_entries(net, weights, "two_weights")
    if len(entries) != 2 or entries[0] == entries[1]:
        raise ValueError(f"two_weights moves two different weights, got {list(weights)!r}")
    window = {
        "wa": _check_window(wa_range, "wa_range"),
        "wb": _check_window(wb_range, "wb_range"),
        "res": check_int(res, "res", 11, 201, " (the map's resolution)"),
    }
    wa, wb = (check_number(v, "start") for v in start)
    if not (window["wa"][0] <= wa <= window["wa"][1] and window["wb"][0] <= wb <= window["wb"][1]):
        raise ValueError(
            f"start {tuple(start)!r} lies outside the map w_a in {window['wa']}, "
            f"w_b in {window['wb']}; pick a start inside it or widen the ranges"
        )
    return TwoWeights(
        data={"X": _round(X, 3), "y": y.astype(int).tolist()},
        network={
            "sizes": list(net.sizes),
            "activation": list(net.activation_names),
            "loss": net.loss_name,
            "params": {k: _round(v, 4) for k, v in net.params.items()},
        },
        weights=[list(e) for e in entries],
        window=window,
        marker=str(marker),
        settings={"wa": wa, "wb": wb},
    )


#: The activations the one-neuron explorer offers (descend's names).
NEURON_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")


class OneNeuron(LiveWidget):
    """One neuron with one input, ``a = g(w x + b)``: weight and bias sliders, live.

    Traits
    ------
    ranges : dict
        ``w``, ``b``, ``x`` (each ``[low, high]``) and ``step`` (the sliders' step).
    settings : dict
        ``w``, ``b`` and ``activation``; set it from Python to move the controls.
    history : dict
        Written by the browser: ``w``, ``b``, ``activation`` and ``switch`` (``-b / w``,
        or None when ``w = 0``).

    Introduced in: book/02-forward
    """

    kind = "neuron"
    page_state = ("ranges", "settings")
    ranges = t.Dict().tag(sync=True)
    settings = t.Dict().tag(sync=True)
    history = t.Dict().tag(sync=True)


def one_neuron(
    w: float = 1.0,
    b: float = 0.0,
    activation: str = "sigmoid",
    w_range: tuple[float, float] = (-5.0, 5.0),
    b_range: tuple[float, float] = (-6.0, 6.0),
    x_range: tuple[float, float] = (-6.0, 6.0),
    step: float = 0.01,
) -> OneNeuron:
    """A :class:`OneNeuron` explorer starting at ``w``, ``b`` with activation ``activation``.

    The sliders span ``w_range`` and ``b_range`` in steps of ``step``; each must offer at
    least 200 positions. The curve is drawn over ``x_range``.

    Introduced in: book/02-forward
    """
    check_choice("one_neuron", activation, NEURON_ACTIVATIONS, "activation")
    ranges = {
        "w": _check_window(w_range, "w_range"),
        "b": _check_window(b_range, "b_range"),
        "x": _check_window(x_range, "x_range"),
        "step": check_number(step, "step"),
    }
    for name in ("w", "b"):
        lo, hi = ranges[name]
        if not step > 0 or (hi - lo) / step < 200:
            raise ValueError(
                f"the {name} slider from {lo:g} to {hi:g} in steps of {step!r} has fewer than "
                "200 positions; use a smaller step (e.g. 0.01)"
            )
    w, b = check_number(w, "w"), check_number(b, "b")
    for name, v in (("w", w), ("b", b)):
        lo, hi = ranges[name]
        if not lo <= v <= hi:
            raise ValueError(f"{name} = {v:g} lies outside its slider [{lo:g}, {hi:g}]")
    return OneNeuron(ranges=ranges, settings={"w": w, "b": b, "activation": activation})
