"""Tests for descend.train.time_to_target (the measurement behind book/05-update)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import descend as ds


def _line_problem(n=40, seed=0):
    X, y = ds.data.line(n, 2.0, -1.0, 0.5, np.random.default_rng(seed))
    return X, y


def _linear_model():
    # a line y_hat = w x + b with (w, b) = (0, 0): a Network with no hidden layer and MSE
    return ds.Network([1, 1], initializer="zeros", loss="mse")


def _full_batch_steps_by_hand(X, y, lr, target, max_steps=10_000):
    """Plain gradient descent on the MSE of a line, counting steps until loss <= target."""
    x = X[:, 0]
    w = b = 0.0
    for k in range(1, max_steps + 1):
        r = w * x + b - y
        gw, gb = 2 * np.mean(r * x), 2 * np.mean(r)
        w, b = w - lr * gw, b - lr * gb
        if np.mean((w * x + b - y) ** 2) <= target:
            return k, (w, b)
    raise AssertionError("did not reach the target")


def test_full_batch_counts_match_plain_gradient_descent():
    X, y = _line_problem()
    lr = 0.05
    surface = ds.surfaces.line_fit(X, y)
    target = 1.2 * surface.min_values[0]
    k, (w, b) = _full_batch_steps_by_hand(X, y, lr, target)
    model = _linear_model()
    run = ds.train.time_to_target(model, X, y, ds.optim.SGD(lr=lr), target, max_epochs=10_000)
    assert run.reached
    assert run.steps == k
    assert run.grad_evals == k * len(X)
    assert run.epochs == pytest.approx(k)
    assert run.final_loss <= target
    np.testing.assert_allclose(
        [model.params["W1"][0, 0], model.params["b1"][0]], [w, b], rtol=1e-12
    )
    assert math.isfinite(run.seconds) and run.seconds >= 0


def test_stochastic_checks_every_so_many_examples():
    X, y = _line_problem(n=50)
    target = 1.5 * ds.surfaces.line_fit(X, y).min_values[0]
    run = ds.train.time_to_target(
        _linear_model(),
        X,
        y,
        ds.optim.SGD(lr=0.02),
        target,
        batch_size=1,
        check_every=5,
        rng=np.random.default_rng(3),
    )
    assert run.reached
    assert run.final_loss <= target
    # batch size 1: one example per step, and the run stops right after a check
    assert run.grad_evals == run.steps
    assert run.steps % 5 == 0
    assert run.epochs == pytest.approx(run.grad_evals / 50)
    # the check before the last one had not reached the target: replay the same run
    # (same seed) for five steps fewer and measure
    model = _linear_model()
    ds.train.train(
        model,
        X,
        y,
        ds.optim.SGD(lr=0.02),
        epochs=math.ceil((run.steps - 5) / 50),
        batch_size=1,
        rng=np.random.default_rng(3),
        on_step=lambda info: info.step + 1 >= run.steps - 5,
    )
    assert model.loss(X, y) > target


def test_mini_batch_needs_fewer_gradient_evaluations_than_full_batch():
    X, y = _line_problem(n=400, seed=1)
    target = 1.05 * ds.surfaces.line_fit(X, y).min_values[0]
    full = ds.train.time_to_target(
        _linear_model(), X, y, ds.optim.SGD(lr=0.05), target, max_epochs=1000
    )
    mini = ds.train.time_to_target(
        _linear_model(),
        X,
        y,
        ds.optim.SGD(lr=0.05),
        target,
        batch_size=20,
        max_epochs=1000,
        rng=np.random.default_rng(0),
    )
    assert full.reached and mini.reached
    assert mini.grad_evals * 5 < full.grad_evals


def test_unreachable_target_reports_not_reached():
    X, y = _line_problem()
    best = ds.surfaces.line_fit(X, y).min_values[0]
    run = ds.train.time_to_target(
        _linear_model(), X, y, ds.optim.SGD(lr=0.05), 0.5 * best, max_epochs=7
    )
    assert not run.reached
    assert run.steps == 7 and run.epochs == pytest.approx(7)
    assert run.final_loss > 0.5 * best
    assert run.history.stopped_reason == "max_epochs"


def test_target_already_met_takes_no_work():
    X, y = _line_problem()
    model = _linear_model()
    start = model.loss(X, y)
    run = ds.train.time_to_target(model, X, y, ds.optim.SGD(lr=0.05), 2 * start)
    assert run.reached and run.steps == 0 and run.grad_evals == 0 and run.seconds == 0.0
    assert run.final_loss == pytest.approx(start)
    assert model.params["W1"][0, 0] == 0.0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"target": 0.0}, ValueError, "target must be a finite number > 0"),
        ({"target": -1.0}, ValueError, "target must be a finite number > 0"),
        ({"target": 1.0, "check_every": 0}, ValueError, "check_every must be an integer >= 1"),
        ({"target": 1.0, "check_every": 2.5}, TypeError, "check_every must be an integer"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    X, y = _line_problem()
    with pytest.raises(error, match=match):
        ds.train.time_to_target(_linear_model(), X, y, ds.optim.SGD(lr=0.05), **kwargs)


def test_model_without_params_is_refused():
    X, y = _line_problem()
    with pytest.raises(TypeError, match="model must have params"):
        ds.train.time_to_target(object(), X, y, ds.optim.SGD(lr=0.05), 1.0)
