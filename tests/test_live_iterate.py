"""The Python side of chapter 6's live explorers: their state, and bad input refused."""

from __future__ import annotations

import html
import json

import numpy as np
import pytest

import descend as ds
import descend.live
from descend.live import explorers_iterate as xi


def _moons():
    return ds.data.running_example(seed=0)


def _net(seed=1):
    return ds.Network([2, 8, 8, 1], activation="tanh", rng=np.random.default_rng(seed))


def test_basin_state_comes_from_the_surface():
    w = descend.live.basin_explorer(start=(1.0, -0.5), lr=0.05, steps=150)
    wells = ds.surfaces.multi_well()
    assert w.kind == "basins"
    assert w.surface["minima"] == [list(m) for m in wells.minima]  # deepest first
    assert w.surface["min_values"] == list(wells.min_values)
    assert w.surface["fmin"] == min(wells.min_values)
    assert w.settings == {"x": 1.0, "y": -0.5, "lr": 0.05, "steps": 150, "basins": True}
    state = json.loads(html.unescape(w.placeholder_html().split('data-state="')[1].split('"')[0]))
    assert state == w.state()


def test_slider_lr_spans_its_range_on_a_log_scale():
    lo, hi = xi.BASIN_SURFACES["multi_well"]
    assert xi.slider_lr(0, (lo, hi)) == lo and xi.slider_lr(xi.LR_POSITIONS, (lo, hi)) == hi
    mid = xi.slider_lr(xi.LR_POSITIONS // 2, (lo, hi))
    assert mid == pytest.approx(np.sqrt(lo * hi), rel=2e-3)


def test_training_state_is_the_network_data_and_orders_of_the_run():
    X, y, X_val, y_val = _moons()
    net = _net()
    w = descend.live.training_explorer(net, X, y, X_val, y_val, rng=np.random.default_rng(0))
    assert w.kind == "training"
    assert w.settings == {
        "optimizer": "adam",
        "lr": 0.02,
        "batch_size": 32,
        "epoch": 0,
        "epochs": 270,
    }
    assert np.array_equal(np.array(w.data["X"]), X) and w.data["y"] == y.tolist()
    assert w.orders["n"] == len(X) and w.orders["epochs"] == 270 and w.orders["bytes"] == 1
    # the same rng gives descend's run: the first epoch's order is train's first shuffle
    first = np.random.default_rng(0).permutation(len(X))
    assert np.array_equal(xi.decode_orders(w.orders)[0], first)
    start = w.start_network()
    assert start is not net and start.loss(X, y) == net.loss(X, y)


BAD = [
    (lambda: xi.basin_explorer("rosenbrock"), ValueError, "surface"),
    (lambda: xi.basin_explorer(lr=2.0), ValueError, r"lr must be in \[0.001, 0.5\]"),
    (lambda: xi.basin_explorer(steps=0), ValueError, "steps"),
    (lambda: xi.basin_explorer(start=(3.0, 0.0)), ValueError, "outside the multi_well window"),
    (lambda: xi.basin_explorer(start=(1.0,)), ValueError, "start must be a point"),
    (
        lambda: xi.training_explorer(_net(), *_moons(), rng=None),
        TypeError,
        "default_rng",
    ),
    (
        lambda: xi.training_explorer("net", *_moons(), rng=np.random.default_rng(0)),
        TypeError,
        "descend.Network",
    ),
    (
        lambda: xi.training_explorer(
            ds.Network([2, 3, 2], rng=np.random.default_rng(0), loss="softmax_cross_entropy"),
            *_moons(),
            rng=np.random.default_rng(0),
        ),
        ValueError,
        "1 output logit",
    ),
    (
        lambda: xi.training_explorer(
            _net(), *_moons(), rng=np.random.default_rng(0), batch_size=10
        ),
        ValueError,
        "batch_size must be one of",
    ),
    (
        lambda: xi.training_explorer(_net(), *_moons(), rng=np.random.default_rng(0), lr=5.0),
        ValueError,
        r"lr must be in \[0.0001, 1\]",
    ),
    (
        lambda: xi.training_explorer(
            _net(), *_moons(), rng=np.random.default_rng(0), optimizer="rmsprop"
        ),
        ValueError,
        "optimizer",
    ),
]


@pytest.mark.parametrize("call,err,match", BAD)
def test_bad_input_is_refused_with_a_clear_message(call, err, match):
    with pytest.raises(err, match=match):
        call()


def test_labels_other_than_0_and_1_are_refused():
    X, y, X_val, y_val = _moons()
    with pytest.raises(ValueError, match="y must hold labels 0 and 1 only"):
        xi.training_explorer(_net(), X, y + 1, X_val, y_val, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        xi.training_explorer(_net(), X[:, :1], y, X_val, y_val, rng=np.random.default_rng(0))
