"""The engine's functions for chapter 2's explorers compute descend's numbers.

Golden cases made with ``descend`` (``descend.live.explorers_forward``), run by
``engine.js`` in headless Chromium:

* ``lossSlice``: the loss of small networks of every hidden activation over a grid of two
  of their weights (in any layer), relative error <= 1e-12;
* ``withWeights``: the network with two weights set gives descend's probabilities;
* ``neuronCurve``: ``g(w x + b)`` for every activation the explorer offers, <= 1e-12.
"""

from __future__ import annotations

import numpy as np
import pytest

import descend as ds
from descend.live import explorers_forward as xf

from .test_engine_golden import FORWARD_TOL, engine_page, params_json, rel_err  # noqa: F401

pytestmark = pytest.mark.browser

CASES = [  # sizes, activation, the two weights
    ([2, 3, 1], "tanh", [["W2", 0, 0], ["W2", 1, 0]]),
    ([2, 4, 1], "relu", [["W1", 0, 1], ["W2", 3, 0]]),
    ([2, 5, 3, 1], "sigmoid", [["W1", 1, 4], ["W3", 2, 0]]),
    ([2, 2, 1], "leaky_relu", [["W2", 1, 0], ["W1", 0, 0]]),
]


def test_loss_slice_and_with_weights_match_descend(engine_page):  # noqa: F811
    rng = np.random.default_rng(2)
    for sizes, act, weights in CASES:
        X, y = ds.data.two_moons(30, 0.2, rng=rng)
        net = ds.Network(sizes, activation=act, initializer="xavier_normal", rng=rng)
        wa, wb = rng.uniform(-8, 8, 7), rng.uniform(-8, 8, 5)
        want = xf.loss_slice(net, X, y, [tuple(e) for e in weights], wa, wb)
        proba = xf.with_weights(net, [tuple(e) for e in weights], (wa[2], wb[3])).predict_proba(X)
        got, got_p = engine_page.evaluate(
            """([spec, X, y, weights, wa, wb]) => {
                 const net = E.network(spec), Xm = E.fromRows(X);
                 return [E.lossSlice(net, Xm, y, weights, wa, wb),
                         E.predictProba(E.withWeights(net, weights, [wa[2], wb[3]]), Xm)];
               }""",
            [
                {"sizes": sizes, "activation": act, "params": params_json(net.params)},
                X.tolist(),
                y.tolist(),
                weights,
                wa.tolist(),
                wb.tolist(),
            ],
        )
        assert np.asarray(got).shape == (5, 7)
        assert rel_err(got, want) <= FORWARD_TOL, (sizes, act)
        assert rel_err(got_p, proba) <= FORWARD_TOL, (sizes, act)
        assert np.ptp(want) > 0.1  # the grid's losses differ: the weights were set


def test_neuron_curve_matches_descend(engine_page):  # noqa: F811
    xs = np.linspace(-6, 6, 49).tolist()
    for act in xf.NEURON_ACTIVATIONS:
        for w, b in [(1.0, 0.0), (-2.37, 1.5), (4.99, -5.81), (0.0, 0.7), (0.01, -6.0)]:
            got = engine_page.evaluate(
                "([xs, w, b, act]) => E.neuronCurve(xs, w, b, act)", [xs, w, b, act]
            )
            assert rel_err(got, xf.neuron_curve(xs, w, b, act)) <= FORWARD_TOL, (act, w, b)
