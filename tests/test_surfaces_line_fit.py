"""Tests for descend.surfaces.line_fit: the mean squared error of a line over (slope, intercept)."""

import numpy as np
import pytest

import descend as ds


@pytest.fixture
def data():
    rng = np.random.default_rng(3)
    x = rng.uniform(0.0, 10.0, size=30)
    y = 0.7 * x - 2.0 + 0.4 * rng.standard_normal(30)
    return x.reshape(-1, 1), y


def direct_mse(x, y, w, b):
    """The definition, one residual per example."""
    return float(np.mean((w * x.reshape(-1) + b - y) ** 2))


def test_value_matches_the_definition_everywhere(data):
    X, y = data
    s = ds.surfaces.line_fit(X, y)
    for w, b in [(0.0, 0.0), (0.7, -2.0), (-3.0, 5.0), (12.0, 40.0)]:
        assert s.value((w, b)) == pytest.approx(direct_mse(X, y, w, b), rel=1e-12)


def test_vectorised_over_grids(data):
    X, y = data
    s = ds.surfaces.line_fit(X, y)
    W, B = np.meshgrid(np.linspace(-1, 2, 4), np.linspace(-5, 1, 3))
    Z = s.f(W, B)
    assert Z.shape == (3, 4)
    assert Z[2, 1] == pytest.approx(direct_mse(X, y, W[2, 1], B[2, 1]), rel=1e-12)


def test_gradient_matches_finite_differences(data):
    X, y = data
    s = ds.surfaces.line_fit(X, y)
    p = np.array([1.3, -0.4])
    numeric = ds.numerical_gradient(lambda q: direct_mse(X, y, q[0], q[1]), p)
    assert ds.relative_error(s.gradient(p), numeric) < 1e-8


def test_minimum_is_the_normal_equations_solution(data):
    X, y = data
    s = ds.surfaces.line_fit(X, y)
    A = np.column_stack([X[:, 0], np.ones(len(X))])
    theta = np.linalg.solve(A.T @ A, A.T @ y)  # normal equations, not lstsq
    np.testing.assert_allclose(s.minima[0], theta, rtol=1e-10)
    np.testing.assert_allclose(s.gradient(s.minima[0]), 0.0, atol=1e-10)
    assert s.min_values[0] == pytest.approx(direct_mse(X, y, *theta), rel=1e-12)
    # the minimum is lower than its neighbours
    for d in [(1e-3, 0), (0, 1e-3), (-1e-3, 1e-3)]:
        assert s.value(np.add(s.minima[0], d)) > s.min_values[0]


def test_hessian_and_window(data):
    X, y = data
    s = ds.surfaces.line_fit(X, y)
    x = X[:, 0]
    n = len(x)
    expected = 2.0 / n * np.array([[x @ x, x.sum()], [x.sum(), n]])
    np.testing.assert_allclose(s.hessian, expected, rtol=1e-12)
    assert s.start == (0.0, 0.0)
    assert s.xlim[0] < 0.0 < s.xlim[1] and s.ylim[0] < 0.0 < s.ylim[1]
    assert s.xlim[0] < s.minima[0][0] < s.xlim[1]


def test_accepts_one_dimensional_inputs(data):
    X, y = data
    a = ds.surfaces.line_fit(X, y)
    b = ds.surfaces.line_fit(X[:, 0], y)
    assert a.minima == b.minima


def test_descent_reaches_the_least_squares_line(data):
    X, y = data
    s = ds.surfaces.line_fit(X, y)
    lam_max = np.linalg.eigvalsh(s.hessian)[-1]
    path = ds.minimize(s, None, ds.optim.SGD(lr=1.0 / lam_max), steps=20000, grad_tol=1e-9)
    assert path.stopped_reason == "grad_tol"
    np.testing.assert_allclose(path.points[-1], s.minima[0], atol=1e-7)


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (np.ones((5, 2)), np.ones(5), "one feature"),
        (np.arange(5.0), np.ones(4), "5 examples but y has 4"),
        (np.array([1.0]), np.array([2.0]), "at least two examples"),
        (np.full(4, 2.0), np.arange(4.0), "every x equals 2"),
        (np.array([1.0, np.nan]), np.ones(2), "NaN"),
    ],
)
def test_bad_input_is_explained(X, y, match):
    with pytest.raises(ValueError, match=match):
        ds.surfaces.line_fit(X, y)
