"""Step 2: activations (values, derivatives, backward passes, extreme inputs, errors)."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from descend import activations as act
from descend.gradcheck import numerical_gradient, relative_error

NAMES = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"]
KINKED = {"relu", "leaky_relu"}
LN2, LN3 = math.log(2), math.log(3)


# ------------------------------------------------------------------ values worked out by hand


def test_identity_values():
    np.testing.assert_array_equal(act.identity([[-2.0, 3.0]]), [[-2.0, 3.0]])
    np.testing.assert_array_equal(act.identity_derivative([[-2.0, 3.0]]), [[1.0, 1.0]])


def test_sigmoid_values():
    # sigma(0) = 1/2, sigma(ln 3) = 1 / (1 + 1/3) = 3/4, sigma(-ln 3) = 1/4
    np.testing.assert_allclose(act.sigmoid([0.0, LN3, -LN3]), [0.5, 0.75, 0.25], rtol=1e-15)
    # sigma' = sigma (1 - sigma): 1/4 at 0, 3/16 at ln 3
    np.testing.assert_allclose(act.sigmoid_derivative([0.0, LN3]), [0.25, 0.1875], rtol=1e-15)


def test_tanh_values():
    # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 3/5; tanh' = 1 - 9/25 = 16/25
    np.testing.assert_allclose(act.tanh([0.0, LN2, -LN2]), [0.0, 0.6, -0.6], atol=1e-15)
    np.testing.assert_allclose(act.tanh_derivative([0.0, LN2]), [1.0, 0.64], rtol=1e-15)


def test_relu_and_leaky_relu_values():
    Z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(act.relu(Z), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(act.relu_derivative(Z), [0.0, 0.0, 1.0])
    np.testing.assert_allclose(act.leaky_relu(Z, alpha=0.1), [-0.2, 0.0, 3.0])
    np.testing.assert_allclose(act.leaky_relu_derivative(Z, alpha=0.1), [0.1, 0.1, 1.0])
    np.testing.assert_allclose(act.leaky_relu([-100.0]), [-1.0])  # default alpha = 0.01


def test_softmax_values():
    # e^0 : e^ln3 = 1 : 3, so probabilities 1/4 and 3/4
    np.testing.assert_allclose(act.softmax([[0.0, LN3]]), [[0.25, 0.75]], rtol=1e-15)
    np.testing.assert_allclose(act.softmax([1.0, 1.0, 1.0, 1.0]), [0.25] * 4, rtol=1e-15)
    # along the last axis: each row is its own distribution
    np.testing.assert_allclose(act.softmax([[0.0, 0.0], [0.0, LN3]]), [[0.5, 0.5], [0.25, 0.75]])


def test_softmax_backward_hand_computed():
    # A = [1/4, 3/4], dA = [1, 0]: dZ = A * (dA - A . dA) = [1/4 * 3/4, 3/4 * -1/4]
    A, cache = act.softmax_forward([[0.0, LN3]])
    np.testing.assert_allclose(act.softmax_backward([[1.0, 0.0]], cache), [[3 / 16, -3 / 16]])


# ------------------------------------------------------------------ forward/backward pairs


@pytest.mark.parametrize("name", NAMES)
def test_forward_returns_the_function_value(name):
    Z = np.random.default_rng(0).normal(size=(4, 3))
    a = act.get(name)
    A, _ = a.forward(Z)
    np.testing.assert_array_equal(A, a.fn(Z))


@pytest.mark.parametrize("name", [n for n in NAMES if n != "softmax"])
def test_backward_is_upstream_times_derivative(name):
    rng = np.random.default_rng(1)
    Z, dA = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    a = act.get(name)
    _, cache = a.forward(Z)
    np.testing.assert_allclose(a.backward(dA, cache), dA * a.derivative(Z), rtol=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_backward_matches_finite_differences(name):
    rng = np.random.default_rng(2)
    Z = rng.normal(size=(4, 3))
    if name in KINKED:
        Z = np.sign(Z) * (0.1 + np.abs(Z))  # keep away from the kink at 0
    G = rng.normal(size=Z.shape)  # an upstream gradient dL/dA, with L = sum(G * g(Z))
    a = act.get(name)
    _, cache = a.forward(Z.copy())
    numeric = numerical_gradient(lambda z: np.sum(G * a.fn(z)), Z)
    tol = 1e-5 if name in KINKED else 1e-7
    assert relative_error(a.backward(G, cache), numeric) <= tol


@settings(max_examples=25, deadline=None)
@given(
    name=st.sampled_from(["identity", "sigmoid", "tanh", "softmax"]),
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 4),
    k=st.integers(1, 5),
    scale=st.sampled_from([0.1, 1.0, 5.0]),
)
def test_smooth_backward_matches_finite_differences_on_random_shapes(name, seed, n, k, scale):
    rng = np.random.default_rng(seed)
    Z = scale * rng.normal(size=(n, k))
    G = rng.normal(size=(n, k))
    a = act.get(name)
    _, cache = a.forward(Z.copy())
    dZ = a.backward(G, cache)
    # finite differences resolve dZ only above their rounding noise, ~ eps * sum|G g(Z)| / h:
    # skip the rare draw (a saturated tanh, say) whose whole gradient is below that
    assume(np.max(np.abs(dZ)) >= 1e-3 * np.sum(np.abs(G * a.fn(Z))))
    numeric = numerical_gradient(lambda z: np.sum(G * a.fn(z)), Z)
    assert relative_error(dZ, numeric) <= 1e-7


@settings(max_examples=30, deadline=None)
@given(z=st.floats(-1e6, 1e6), shift=st.floats(-50, 50))
def test_identities_between_activations(z, shift):
    s = act.sigmoid(np.array([z, -z]))
    assert s[0] + s[1] == pytest.approx(1.0, abs=1e-15)  # sigma(-z) = 1 - sigma(z)
    assert 0.0 <= s[0] <= 1.0
    if abs(z) < 300:  # tanh(z) = 2 sigma(2z) - 1
        assert act.tanh(z) == pytest.approx(2 * act.sigmoid(2 * z) - 1, abs=1e-12)
    row = np.array([z / 1e4, 0.0, 1.0])
    np.testing.assert_allclose(act.softmax(row + shift), act.softmax(row), rtol=1e-9, atol=1e-15)


# ------------------------------------------------------------------ extreme inputs and dtypes


def test_extreme_inputs_stay_finite_without_warnings():
    Z = np.array([-1e4, -800.0, 0.0, 800.0, 1e4])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        s = act.sigmoid(Z)
        ds_ = act.sigmoid_derivative(Z)
        t = act.tanh(Z)
        p = act.softmax(np.array([[1000.0, 1.0], [-1e4, 1e4]]))
    np.testing.assert_array_equal(s, [0.0, 0.0, 0.5, 1.0, 1.0])
    np.testing.assert_array_equal(ds_, [0.0, 0.0, 0.25, 0.0, 0.0])
    np.testing.assert_array_equal(t, [-1.0, -1.0, 0.0, 1.0, 1.0])
    np.testing.assert_allclose(p, [[1.0, 0.0], [0.0, 1.0]], atol=1e-300)
    # far in the left tail sigma(z) = e^z / (1 + e^z) keeps its relative accuracy
    assert act.sigmoid(np.array([-700.0]))[0] == pytest.approx(math.exp(-700), rel=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32(name):
    Z = np.array([[-100.0, 0.5, 100.0]], dtype=np.float32)
    a = act.get(name)
    A, cache = a.forward(Z)
    assert A.dtype == np.float32
    assert a.backward(np.ones_like(Z), cache).dtype == np.float32
    assert np.all(np.isfinite(A))
    if a.derivative is not None:
        assert a.derivative(Z).dtype == np.float32


def test_registry():
    assert list(act.ACTIVATIONS) == NAMES
    a = act.get("tanh")
    assert (a.name, a.fn, a.derivative) == ("tanh", act.tanh, act.tanh_derivative)
    assert act.get("softmax").derivative is None


# ------------------------------------------------------------------ errors


def test_unknown_activation_lists_the_valid_ones():
    with pytest.raises(
        ValueError,
        match="unknown activation 'gelu'.*choose one of: identity, sigmoid, tanh, relu, "
        "leaky_relu, softmax",
    ):
        act.get("gelu")


@pytest.mark.parametrize("name", NAMES)
def test_backward_with_wrong_shape(name):
    a = act.get(name)
    _, cache = a.forward(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"dA has shape \(2, 3\) but the forward pass produced"):
        a.backward(np.zeros((2, 3)), cache)


def test_non_numeric_input():
    with pytest.raises(TypeError, match="Z must be an array of numbers"):
        act.sigmoid(["a", "b"])


def test_negative_alpha():
    with pytest.raises(ValueError, match="alpha must be a finite number >= 0, got -0.1"):
        act.leaky_relu([1.0], alpha=-0.1)


def test_softmax_of_a_single_number():
    with pytest.raises(ValueError, match="softmax needs at least one axis"):
        act.softmax(3.0)
