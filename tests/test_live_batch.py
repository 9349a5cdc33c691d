"""The Python side of chapter 5's batch-size explorer and chapter 0's learning-rate slider."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

import descend as ds
import descend.live as L
from descend.live.explorers_batch import gradient_spread


@pytest.fixture(scope="module")
def line_data():
    return ds.data.line(40, slope=2.0, intercept=-1.0, noise=1.0, rng=np.random.default_rng(0))


def test_gradient_spread_is_the_exact_covariance_of_batches_without_replacement():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(7, 1)), rng.normal(size=7)
    theta = (0.4, -0.3)
    for B in range(1, 8):
        # every batch of B distinct examples, equally likely: the exact distribution
        grads = []
        for idx in itertools.combinations(range(7), B):
            r = 2.0 * (theta[0] * X[list(idx), 0] + theta[1] - y[list(idx)])
            grads.append([np.mean(r * X[list(idx), 0]), np.mean(r)])
        grads = np.array(grads)
        mean, cov, spread = gradient_spread(X, y, theta, B)
        assert np.allclose(grads.mean(axis=0), mean, rtol=1e-12, atol=1e-12)
        assert np.allclose(np.cov(grads.T, bias=True), cov, rtol=1e-10, atol=1e-12)
        assert spread == pytest.approx(np.sqrt(np.trace(cov)), rel=1e-12)
    assert gradient_spread(X, y, theta, 7)[2] == 0.0


def test_the_full_gradient_is_descends(line_data):
    X, y = line_data
    model = ds.Network([1, 1], initializer="zeros", loss="mse")
    model.params["W1"][...] = 0.7
    model.params["b1"][...] = -0.2
    _, g = model.loss_and_grads(X, y)
    mean, _, _ = gradient_spread(X, y, (0.7, -0.2), 5)
    assert np.allclose(mean, [g["W1"][0, 0], g["b1"][0]], rtol=1e-12)


def test_explorer_state_is_small_and_rounded(line_data):
    X, y = line_data
    w = L.batch_size_explorer(X, y, rng=np.random.default_rng(2), epochs=3)
    assert w.kind == "batch" and set(w.state()) == {"data", "orders", "line", "settings"}
    assert len(w.orders) == 3 and all(sorted(o) == list(range(40)) for o in w.orders)
    assert w.data["x"] == np.round(X[:, 0], 3).tolist()
    assert w.settings == {"batch_size": 10, "lr": 0.05, "epochs": 3}
    assert w.line["minimum"] == pytest.approx(list(w.surface().minima[0]), rel=1e-12)
    state = json.dumps(w.state())
    assert len(state) < 3000, len(state)
    rates = w.slider_lrs()
    assert len(rates) == len(set(rates)) == 301 and rates[0] == 5e-4 and rates[-1] == 0.5


def test_run_replays_the_explorers_batch_orders_in_descend_train(line_data):
    X, y = line_data
    w = L.batch_size_explorer(X, y, rng=np.random.default_rng(2), epochs=2)
    points, history = w.run(7, 0.03)
    assert points.shape == (2 * 6 + 1, 2) and history.steps_run == 12  # ceil(40 / 7) per epoch
    # by hand: the same orders through descend's own pieces
    Xr, yr = w.arrays()
    model = ds.Network([1, 1], initializer="zeros", loss="mse")
    opt = ds.optim.SGD(lr=0.03)
    for order in w.orders:
        for start in range(0, 40, 7):
            idx = order[start : start + 7]
            _, grads = model.loss_and_grads(Xr[idx], yr[idx])
            opt.step(model.params, grads)
    assert np.allclose(points[-1], [model.params["W1"][0, 0], model.params["b1"][0]], rtol=1e-12)
    # the same call twice: the same path (the orders are replayed, not drawn again)
    assert np.array_equal(w.run(7, 0.03)[0], points)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"rng": None}, TypeError, "np.random.default_rng"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"batch_size": 41}, ValueError, "n=40 examples"),
        ({"lr": 0.6}, ValueError, "the slider's range"),
        ({"epochs": 11}, ValueError, "passes over the data"),
    ],
)
def test_bad_arguments_say_what_to_do(line_data, kwargs, error, message):
    X, y = line_data
    args = {"rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(error, match=message):
        L.batch_size_explorer(X, y, **args)


def test_bad_data_is_refused(line_data):
    X, y = line_data
    with pytest.raises(ValueError, match="one feature"):
        L.batch_size_explorer(np.ones((5, 2)), np.ones(5), rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="one target each"):
        L.batch_size_explorer(X, y[:-1], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="at least two different values"):
        L.batch_size_explorer(
            np.ones(5), np.arange(5.0), rng=np.random.default_rng(0), batch_size=2
        )
    with pytest.raises(ValueError, match="epochs must be"):
        L.batch_size_explorer(X, y, rng=np.random.default_rng(0), epochs=2).run(epochs=3)


def test_learning_rate_1d_slider_offers_the_marks_exactly():
    w = L.learning_rate_1d("quadratic", lr=0.1, steps=50)
    for name in ("quadratic", "quartic", "double_well"):
        rates = w.slider_lrs(name)
        entry = next(e for e in w.functions if e["name"] == name)
        assert len(set(rates)) == len(rates) == 401
        assert entry["bound"] in rates and entry["bound"] / 2 in rates
        assert rates == sorted(rates)
    assert w.slider_lrs()[0] == 0.001 and w.slider_lrs()[-1] == 2.0
    with pytest.raises(ValueError, match="choose one of"):
        w.slider_lrs("cubic")
