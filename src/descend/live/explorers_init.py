"""Live explorer of chapter 1: a deep stack at initialization, layer by layer.

:class:`InitExplorer` (``init.js``) pushes a batch of inputs through a stack of up to
:data:`MAX_DEPTH` hidden layers of up to :data:`MAX_WIDTH` units and sends a loss gradient
back, in the browser, for the initialization scheme, activation, depth, width and scale
the reader picks; it draws every layer's outputs and weight gradients as histograms and
their spreads against depth.

Randomness comes from Python only. :func:`init_explorer` draws, once, standard-normal
numbers with the ``rng`` it is given: the inputs ``X``, the targets ``y`` and one
``MAX_WIDTH x MAX_WIDTH`` block per layer, rounded to 2 decimals (the rounded numbers
are the draws). A layer of the chosen width takes the top-left corner of its block, and
its weights are that corner times the scheme's standard deviation, :func:`init_std`.
That is exactly how :mod:`descend.init` draws: ``rng.normal(0, std, size)`` is ``std``
times ``rng.standard_normal(size)``, so ``descend.init.xavier_normal(shape, rng, gain)``
equals ``init_std("xavier", *shape, gain=gain) * rng.standard_normal(shape)`` for a
generator in the same state (tests/test_live_init.py checks it number for number).
:meth:`InitExplorer.network` rebuilds the browser's network as a :class:`descend.Network`,
and :meth:`InitExplorer.layer_stats` measures it with descend.

Introduced in: book/01-initialize
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import traitlets as t

from descend.errors import check_choice, check_in_range, check_int, check_rng
from descend.network import Network

from . import LiveWidget

__all__ = [
    "SCHEMES",
    "INIT_ACTIVATIONS",
    "WIDTHS",
    "MAX_DEPTH",
    "MAX_WIDTH",
    "STD_POSITIONS",
    "GAIN_POSITIONS",
    "init_std",
    "InitExplorer",
    "init_explorer",
]

#: The schemes offered: name -> what the scale slider sets.
SCHEMES = {
    "normal": "std",  # descend.init.normal(std=std): the same std in every layer
    "xavier": "gain",  # descend.init.xavier_normal(gain=gain)
    "he": "gain",  # descend.init.he_normal's std, times the gain (gain 1: he_normal itself)
}
INIT_ACTIVATIONS = ("tanh", "relu", "leaky_relu", "sigmoid", "identity")
WIDTHS = (4, 8, 16, 32)
MAX_WIDTH, MAX_DEPTH = 32, 30
N_INPUTS = 64  # the batch pushed through the stack
DECIMALS = 2  # the draws' rounding


def _positions(base: int, lo: int, hi: int, per: int) -> tuple[float, ...]:
    # base ** (k / per) for k = lo .. hi, shown and used to 3 significant digits
    return tuple(float(f"{base ** (k / per):.3g}") for k in range(lo, hi + 1))


#: The scale slider's values on a log scale: the standard deviation of ``normal``, 60 per
#: decade from 0.001 to 10 (241 positions; 0.01, 0.1 and 1 among them), and the gain of
#: ``xavier`` and ``he``, 30 per doubling from 0.0992 to 10.1 (201 positions; 0.5, 1,
#: 1.41 = sqrt(2) and 2 among them). ``init.js`` computes the same numbers.
STD_POSITIONS = _positions(10, -180, 60, 60)
GAIN_POSITIONS = _positions(2, -100, 100, 30)


def init_std(scheme: str, fan_in: int, fan_out: int, std: float = 0.01, gain: float = 1.0) -> float:
    """The standard deviation of a layer's weights under ``scheme``, as :mod:`descend.init`.

    * ``"normal"``: ``std`` (``descend.init.normal(shape, rng, std=std)``);
    * ``"xavier"``: ``gain * sqrt(2 / (fan_in + fan_out))`` (``descend.init.xavier_normal``);
    * ``"he"``: ``gain * sqrt(2 / fan_in)`` (``descend.init.he_normal`` at ``gain = 1``).

    Introduced in: book/01-initialize
    """
    check_choice("init_std", scheme, SCHEMES, "scheme")
    if scheme == "normal":
        return float(std)
    if scheme == "xavier":
        return gain * math.sqrt(2.0 / (fan_in + fan_out))
    return gain * math.sqrt(2.0 / fan_in)


class InitExplorer(LiveWidget):
    """A deep stack at initialization: every layer's outputs and gradients, live (chapter 1).

    Traits
    ------
    draws : dict
        Standard-normal draws (rounded to 2 decimals): ``X`` (``n x MAX_WIDTH``, row-major,
        flat), ``y`` (``n``), ``W`` (one flat ``MAX_WIDTH x MAX_WIDTH`` block per hidden
        layer), ``w_out`` (``MAX_WIDTH``), and ``n``, ``max_width``, ``max_depth``.
    settings : dict
        ``scheme``, ``activation``, ``depth``, ``width``, ``std`` (of ``normal``) and
        ``gain`` (of ``xavier`` and ``he``): the controls' values.
    result : dict
        Written by the browser: the ``settings`` drawn, and each hidden layer's output
        spread ``std`` and weight-gradient spread ``grad_std``.

    Introduced in: book/01-initialize
    """

    kind = "init"
    page_state = ("draws", "settings")
    draws = t.Dict().tag(sync=True)
    settings = t.Dict().tag(sync=True)
    result = t.Dict().tag(sync=True)

    def _settings(self, settings: dict[str, Any] | None) -> dict[str, Any]:
        return _check_settings({**self.settings, **(settings or {})})

    def data(self, settings: dict[str, Any] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The inputs ``X`` (``n x width``) and targets ``y`` (``n``) of these settings."""
        s = self._settings(settings)
        d = self.draws
        X = np.array(d["X"], dtype=float).reshape(d["n"], d["max_width"])
        return X[:, : s["width"]].copy(), np.array(d["y"], dtype=float)

    def network(self, settings: dict[str, Any] | None = None) -> Network:
        """The :class:`descend.Network` the browser draws for these settings (same weights).

        Layer ``l`` maps ``width`` inputs to ``width`` units (the output layer to 1); its
        weights are ``init_std(...)`` times the top-left corner of its block of draws,
        its biases zero; the loss is the mean squared error against ``y``.

        Introduced in: book/01-initialize
        """
        s = self._settings(settings)
        d, w = self.draws, s["width"]
        sizes = [w] * (s["depth"] + 1) + [1]
        net = Network(sizes, activation=s["activation"], initializer="zeros", loss="mse")
        blocks = [np.array(b, dtype=float).reshape(d["max_width"], d["max_width"]) for b in d["W"]]
        for l in range(1, len(sizes)):
            n_in, n_out = sizes[l - 1], sizes[l]
            z = blocks[l - 1][:n_in, :n_out] if l < len(sizes) - 1 else d["w_out"][:n_in]
            z = np.array(z, dtype=float).reshape(n_in, n_out)
            net.params[f"W{l}"] = init_std(s["scheme"], n_in, n_out, s["std"], s["gain"]) * z
        return net

    def layer_stats(self, settings: dict[str, Any] | None = None) -> dict[str, np.ndarray]:
        """Each hidden layer's output spread and weight-gradient spread, measured by descend.

        Returns ``{"std": ..., "grad_std": ..., "saturated": ...}``, arrays of length
        ``depth``: ``A[l].std()``, ``dL/dW[l].std()`` and the share of layer ``l``'s
        outputs within 1% of the activation's bounds (tanh: ``|a| > 0.99``; sigmoid:
        ``a < 0.01`` or ``a > 0.99``; 0 for the others).

        Introduced in: book/01-initialize
        """
        s = self._settings(settings)
        net = self.network(s)
        X, y = self.data(s)
        acts = net.activations(X)[1:-1]
        _, grads = net.loss_and_grads(X, y)
        return {
            "std": np.array([a.std() for a in acts]),
            "grad_std": np.array([grads[f"W{l}"].std() for l in range(1, s["depth"] + 1)]),
            "saturated": np.array([_saturated(a, s["activation"]) for a in acts]),
        }


def _saturated(a: np.ndarray, activation: str) -> float:
    if activation == "tanh":
        return float(np.mean(np.abs(a) > 0.99))
    if activation == "sigmoid":
        return float(np.mean((a < 0.01) | (a > 0.99)))
    return 0.0


def _check_settings(s: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(s) - {"scheme", "activation", "depth", "width", "std", "gain"})
    if unknown:
        raise TypeError(
            f"unknown setting(s) {unknown}; the settings are scheme, activation, depth, "
            "width, std and gain"
        )
    check_choice("init_explorer", s["scheme"], SCHEMES, "scheme")
    check_choice("init_explorer", s["activation"], INIT_ACTIVATIONS, "activation")
    depth = check_int(s["depth"], "depth", 1, MAX_DEPTH, " (hidden layers)")
    if s["width"] not in WIDTHS:
        raise ValueError(f"width must be one of {WIDTHS} units, got {s['width']!r}")
    std = check_in_range(s["std"], "std", STD_POSITIONS[0], STD_POSITIONS[-1])
    gain = check_in_range(s["gain"], "gain", GAIN_POSITIONS[0], GAIN_POSITIONS[-1])
    return {**s, "depth": depth, "std": std, "gain": gain}


def _nearest(value: float, positions: tuple[float, ...]) -> float:
    return min(positions, key=lambda p: abs(math.log(p / value)))


def init_explorer(
    rng: np.random.Generator | None = None,
    scheme: str = "normal",
    activation: str = "tanh",
    depth: int = 10,
    width: int = 32,
    std: float = 0.01,
    gain: float = 1.0,
) -> InitExplorer:
    """An :class:`InitExplorer` whose draws come from ``rng``, showing these settings first.

    Parameters
    ----------
    rng : np.random.Generator
        Draws the inputs, targets and every layer's standard-normal weights. Required.
    scheme : str
        ``"normal"`` (every weight ``N(0, std^2)``), ``"xavier"`` or ``"he"``.
    activation : str
        ``"tanh"``, ``"relu"``, ``"leaky_relu"``, ``"sigmoid"`` or ``"identity"``.
    depth : int
        Hidden layers, 1 to 30.
    width : int
        Units per layer (and inputs): 4, 8, 16 or 32.
    std, gain : float
        The scale of ``normal`` (0.001 to 10) and of ``xavier`` and ``he`` (0.0992 to 10.1),
        each moved to the nearest of the slider's positions (:data:`STD_POSITIONS`,
        :data:`GAIN_POSITIONS`).

    Introduced in: book/01-initialize
    """
    rng = check_rng(rng, "init_explorer")
    settings = _check_settings(
        {
            "scheme": scheme,
            "activation": activation,
            "depth": depth,
            "width": width,
            "std": std,
            "gain": gain,
        }
    )
    settings["std"] = _nearest(settings["std"], STD_POSITIONS)
    settings["gain"] = _nearest(settings["gain"], GAIN_POSITIONS)

    def draw(*shape: int) -> list:
        return np.round(rng.standard_normal(shape), DECIMALS).ravel().tolist()

    draws = {
        "n": N_INPUTS,
        "max_width": MAX_WIDTH,
        "max_depth": MAX_DEPTH,
        "X": draw(N_INPUTS, MAX_WIDTH),
        "y": draw(N_INPUTS),
        "W": [draw(MAX_WIDTH, MAX_WIDTH) for _ in range(MAX_DEPTH)],
        "w_out": draw(MAX_WIDTH),
    }
    return InitExplorer(draws=draws, settings=settings)
