"""Chapter 2's live explorers on the notebook side: their state, their maths and their errors."""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pytest

import descend as ds
import descend.live as live
from descend.live import explorers_forward as xf


@pytest.fixture(scope="module")
def tiny():
    rng = np.random.default_rng(3)
    X, y = ds.data.two_moons(40, 0.1, rng=rng)
    net = ds.Network([2, 3, 1], activation="tanh", rng=rng)
    return net, X, y


def test_with_weights_sets_two_entries_and_leaves_the_network_alone(tiny):
    net, _, _ = tiny
    before = {k: v.copy() for k, v in net.params.items()}
    out = xf.with_weights(net, [("W2", 0, 0), ("W1", 1, 2)], [2.5, -1.0])
    assert out.params["W2"][0, 0] == 2.5 and out.params["W1"][1, 2] == -1.0
    for k, v in before.items():
        assert np.array_equal(net.params[k], v), k  # the original is unchanged
        changed = out.params[k] != v
        assert changed.sum() == {"W1": 1, "W2": 1}.get(k, 0), k


def test_loss_slice_is_the_loss_at_every_pair_rows_following_wb(tiny):
    net, X, y = tiny
    weights = [("W2", 0, 0), ("W2", 1, 0)]
    wa, wb = np.array([-1.0, 0.5, 2.0]), np.array([3.0, -2.0])
    grid = xf.loss_slice(net, X, y, weights, wa, wb)
    assert grid.shape == (2, 3)
    m = net.copy()
    m.params["W2"][0, 0], m.params["W2"][1, 0] = 2.0, -2.0
    assert grid[1, 2] == m.loss(X, y)
    # the slice through the network's own weights holds its own loss
    own = [net.params["W2"][0, 0], net.params["W2"][1, 0]]
    assert xf.loss_slice(net, X, y, weights, [own[0]], [own[1]])[0, 0] == net.loss(X, y)
    with pytest.raises(ValueError, match="exactly two weights"):
        xf.loss_slice(net, X, y, weights[:1], wa, wb)


def test_neuron_curve_is_the_activation_of_w_x_plus_b():
    x = np.linspace(-3, 3, 13)
    assert np.allclose(xf.neuron_curve(x, 2.0, -1.0), ds.activations.sigmoid(2 * x - 1))
    assert np.allclose(xf.neuron_curve(x, -0.5, 0.3, "tanh"), np.tanh(-0.5 * x + 0.3))
    assert np.array_equal(xf.neuron_curve(x, 1.0, 0.0, "relu"), np.maximum(x, 0))
    assert np.allclose(
        xf.neuron_curve(x, 1.0, 0.0, "leaky_relu"), np.where(x > 0, x, 0.01 * x), rtol=0
    )
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        xf.neuron_curve(x, 1.0, 0.0, "swish")
    with pytest.raises(TypeError, match="w must be a number"):
        xf.neuron_curve(x, "1", 0.0)


def test_two_weights_state_is_rounded_and_rebuilds_the_same_network(tiny):
    net, X, y = tiny
    w = live.two_weights(net, X, y, start=(1.0, -2.0), res=21, marker="trained")
    assert w.kind == "twoweights" and w.settings == {"wa": 1.0, "wb": -2.0}
    assert w.window == {"wa": [-6.0, 14.0], "wb": [-5.0, 11.0], "res": 21}
    assert w.weights == [["W2", 0, 0], ["W2", 1, 0]] and w.marker == "trained"
    Xr, yr = w.arrays()
    assert np.array_equal(Xr, np.round(X, 3)) and np.array_equal(yr, y)
    rebuilt = w.network_at()
    for k, v in net.params.items():
        assert np.array_equal(rebuilt.params[k], np.round(v, 4)), k
    at = w.network_at(1.0, -2.0)
    assert at.params["W2"][0, 0] == 1.0 and at.params["W2"][1, 0] == -2.0
    assert at.params["W2"][2, 0] == rebuilt.params["W2"][2, 0]
    wa, wb = w.grid()
    assert len(wa) == 21 and wa[0] == -6 and wb[-1] == 11
    # the website's placeholder carries the same state, and no sources
    m = re.search(r'data-kind="twoweights" data-state="([^"]*)"', w.placeholder_html())
    state = json.loads(html.unescape(m[1]))
    assert set(state) == {"data", "network", "weights", "window", "marker", "settings"}
    assert state["network"]["params"]["W1"] == np.round(net.params["W1"], 4).tolist()
    assert "lossSlice" not in w.placeholder_html() and "render" in w._lib["explorer"]


def test_two_weights_refuses_what_it_cannot_show(tiny):
    net, X, y = tiny
    with pytest.raises(TypeError, match="needs a descend.Network"):
        live.two_weights("net", X, y)
    with pytest.raises(ValueError, match="2 inputs, 1 output"):
        live.two_weights(
            ds.Network([2, 3, 2], loss="softmax_cross_entropy", rng=np.random.default_rng(0)), X, y
        )
    with pytest.raises(ValueError, match="shape \\(n, 2\\)"):
        live.two_weights(net, np.zeros((5, 3)), np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match="labels y of 0 and 1"):
        live.two_weights(net, X, np.full(len(X), 2))
    with pytest.raises(ValueError, match="unknown weight matrix 'b2'"):
        live.two_weights(net, X, y, weights=[("b2", 0, 0), ("W2", 1, 0)])
    why = r"the row of W2 must be an integer between 0 and 2 \(W2 has shape \(3, 1\)\), got 3"
    with pytest.raises(ValueError, match=why):
        live.two_weights(net, X, y, weights=[("W2", 3, 0), ("W2", 1, 0)])
    with pytest.raises(ValueError, match="each weight is \\(name, row, column\\)"):
        live.two_weights(net, X, y, weights=[("W2", 0), ("W2", 1, 0)])
    with pytest.raises(ValueError, match="two different weights"):
        live.two_weights(net, X, y, weights=[("W2", 0, 0), ("W2", 0, 0)])
    with pytest.raises(ValueError, match="wa_range must be \\(low, high\\) with low < high"):
        live.two_weights(net, X, y, wa_range=(3, 3))
    with pytest.raises(ValueError, match="start \\(20, 0\\) lies outside the map"):
        live.two_weights(net, X, y, start=(20, 0))
    with pytest.raises(ValueError, match="res must be an integer between 11 and 201"):
        live.two_weights(net, X, y, res=500)


def test_one_neuron_state_and_errors():
    n = live.one_neuron(w=-1.5, b=2.0, activation="tanh")
    assert n.kind == "neuron"
    assert n.settings == {"w": -1.5, "b": 2.0, "activation": "tanh"}
    assert n.ranges == {"w": [-5.0, 5.0], "b": [-6.0, 6.0], "x": [-6.0, 6.0], "step": 0.01}
    m = re.search(r'data-kind="neuron" data-state="([^"]*)"', n.placeholder_html())
    assert json.loads(html.unescape(m[1]))["settings"]["activation"] == "tanh"
    with pytest.raises(ValueError, match="unknown activation 'softmax' for one_neuron"):
        live.one_neuron(activation="softmax")
    with pytest.raises(ValueError, match="fewer than 200 positions; use a smaller step"):
        live.one_neuron(step=0.1)
    with pytest.raises(ValueError, match=r"w = 7 lies outside its slider \[-5, 5\]"):
        live.one_neuron(w=7)
