"""Step 4 (checked in chapter 3): centred differences, relative error, whole-network check."""

import math

import numpy as np
import pytest

from descend.gradcheck import check_network_gradients, numerical_gradient, relative_error
from descend.network import Network


def test_numerical_gradient_of_known_functions():
    x = np.array([1.0, 2.0, -1.0])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**3), x), [3, 12, 3], rtol=1e-9)
    M = np.array([[1.0, 2.0], [3.0, 4.0]])  # f = M00 * M11 - M01 * M10 (the determinant)
    g = numerical_gradient(lambda m: m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0], M)
    np.testing.assert_allclose(g, [[4.0, -3.0], [-2.0, 1.0]], rtol=1e-9)


def test_centred_not_one_sided():
    # d/dx e^x at 0 is 1; the centred error is h^2 / 6 ~ 2e-11, a one-sided one h / 2 = 5e-6
    g = numerical_gradient(lambda v: math.exp(v[0]), np.array([0.0]))
    assert abs(g[0] - 1.0) < 1e-9
    g = numerical_gradient(lambda v: math.exp(v[0]), np.array([0.0]), h=1e-3)
    assert g[0] - 1.0 == pytest.approx(1e-6 / 6, rel=1e-3)


def test_x_is_restored_and_may_be_read_through_a_closure():
    x = np.array([[0.3, -1.7], [2.5, 1e-3]])
    before = x.copy()
    g = numerical_gradient(lambda _: float(np.sum(x**2)), x)  # f ignores its argument
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(g, 2 * before, rtol=1e-8)


def test_list_input_is_accepted():
    np.testing.assert_allclose(numerical_gradient(lambda v: v[0] * v[1], [2.0, 5.0]), [5.0, 2.0])


def test_relative_error_values():
    # max |a - b| = 0.5, max(|a| + |b|) = 4.5
    assert relative_error([1.0, 2.0], [1.0, 2.5]) == pytest.approx(0.5 / 4.5, rel=1e-15)
    assert relative_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert relative_error([1.0], [-1.0]) == 1.0  # opposite signs: the largest possible
    assert relative_error([1e-3], [1.001e-3]) == pytest.approx(1e-6 / 2.001e-3, rel=1e-9)


def test_check_network_gradients_passes_a_correct_network():
    rng = np.random.default_rng(0)
    net = Network([3, 4, 2], "tanh", loss="softmax_cross_entropy", rng=rng)
    X, y = rng.normal(size=(5, 3)), np.array([0, 1, 1, 0, 1])
    before = net.get_params()
    errors = check_network_gradients(net, X, y)
    assert list(errors) == ["W1", "b1", "W2", "b2"]
    assert max(errors.values()) < 1e-7
    np.testing.assert_array_equal(net.get_params(), before)  # parameters restored


class _BuggyNetwork(Network):
    """A backward pass with a bug: dL/dW1 is 10% too large."""

    def backward(self, dlogits, cache):
        grads = super().backward(dlogits, cache)
        grads["W1"] = 1.1 * grads["W1"]
        return grads


def test_check_network_gradients_catches_a_bug():
    rng = np.random.default_rng(1)
    net = _BuggyNetwork([2, 3, 1], "sigmoid", rng=rng)
    X, y = rng.normal(size=(4, 2)), np.array([0, 1, 1, 0])
    errors = check_network_gradients(net, X, y)
    assert errors["W1"] == pytest.approx(0.1 / 2.1, rel=1e-4)  # |1.1g - g| / (1.1|g| + |g|)
    assert max(errors["b1"], errors["W2"], errors["b2"]) < 1e-7


# ------------------------------------------------------------------ errors


def test_bad_step():
    with pytest.raises(ValueError, match="h must be a finite number > 0, got 0"):
        numerical_gradient(lambda v: 0.0, np.zeros(2), h=0)


def test_f_must_return_one_number():
    with pytest.raises(TypeError, match=r"f must return a single number, got an array of shape"):
        numerical_gradient(lambda v: v, np.zeros(2))


def test_relative_error_shapes_must_match():
    with pytest.raises(ValueError, match=r"a has shape \(2,\) but b has shape \(3,\)"):
        relative_error(np.zeros(2), np.zeros(3))


def test_float32_network_is_refused():
    net = Network([2, 1], initializer="zeros", dtype=np.float32)
    with pytest.raises(ValueError, match=r"gradient checking needs float64 .*\['float32'\]"):
        check_network_gradients(net, np.ones((2, 2)), [0, 1])
