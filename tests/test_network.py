"""Step 3: the Network (hand-computed passes, backprop against finite differences and
against autograd, parameters, determinism, dtypes, every error message)."""

import math
import textwrap

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import descend as ds
from descend import init
from descend.gradcheck import check_network_gradients
from descend.network import Network

ACTS = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"]
KINKED = {"relu", "leaky_relu"}
LOSSES = ["mse", "binary_cross_entropy", "softmax_cross_entropy"]


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def hand_net():
    """2 -> 2 relu -> 1 with weights chosen so every number below can be worked by hand."""
    net = Network([2, 2, 1], activation="relu", initializer="zeros")
    # order: W1 (row by row), b1, W2, b2
    net.set_params([1.0, -1.0, 2.0, 0.0, 0.0, 2.0, 1.0, 3.0, -1.0])
    return net


# ------------------------------------------------------------------ structure


def test_params_names_order_and_shapes():
    net = Network([2, 3, 4, 1], rng=np.random.default_rng(0))
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    shapes = [p.shape for p in net.params.values()]
    assert shapes == [(2, 3), (3,), (3, 4), (4,), (4, 1), (1,)]
    assert net.n_params == 6 + 3 + 12 + 4 + 4 + 1
    assert Network(np.array([2, 3, 4, 1]), initializer="zeros").sizes == (2, 3, 4, 1)
    assert all(np.all(net.params[b] == 0) for b in ("b1", "b2", "b3"))


def test_repr_shows_architecture_and_parameter_count():
    net = Network([2, 3, 1], rng=np.random.default_rng(0))
    assert repr(net) == (
        "Network(2 -> 3 tanh -> 1, loss='binary_cross_entropy', "
        "initializer='xavier_normal'; 13 parameters)"
    )
    net = Network([4, 5, 2, 3], ["relu", "sigmoid"], loss="softmax_cross_entropy",
                  rng=np.random.default_rng(0), dtype=np.float32)  # fmt: skip
    assert repr(net) == (
        "Network(4 -> 5 relu -> 2 sigmoid -> 3, loss='softmax_cross_entropy', "
        "initializer='xavier_normal', dtype=float32; 46 parameters)"  # 25 + 12 + 9
    )


def test_docstring_example_runs_and_lowers_the_loss():
    block = Network.__doc__.split("Example::")[1].split("Parameters")[0]
    code = textwrap.dedent(block).strip()
    assert len(code.splitlines()) == 4
    rng = np.random.default_rng(5)
    X = rng.normal(size=(20, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    ns = {"ds": ds, "np": np, "X": X, "y": y}
    exec(code, ns)
    assert ns["net"].loss(X, y) < ns["loss"]


# ------------------------------------------------------------------ hand-computed passes


def test_forward_hand_computed():
    net = hand_net()
    X = np.array([[1.0, 1.0]])
    # Z1 = [1 + 2, -1 + 0] + [0, 2] = [3, 1];  A1 = relu(Z1) = [3, 1];  Z2 = 3 + 3 - 1 = 5
    logits, _ = net.forward(X)
    np.testing.assert_array_equal(logits, [[5.0]])
    A = net.activations(X)
    assert len(A) == 3
    np.testing.assert_array_equal(A[0], X)
    np.testing.assert_array_equal(A[1], [[3.0, 1.0]])
    np.testing.assert_array_equal(A[2], [[5.0]])
    assert net.loss(X, [1]) == pytest.approx(math.log1p(math.exp(-5)), rel=1e-14)
    assert net.loss(X, [0]) == pytest.approx(5 + math.log1p(math.exp(-5)), rel=1e-14)
    np.testing.assert_allclose(net.predict_proba(X), [sigmoid(5)])
    np.testing.assert_array_equal(net.predict(X), [1])


def test_backward_hand_computed():
    net = hand_net()
    loss, grads = net.loss_and_grads(np.array([[1.0, 1.0]]), np.array([1]))
    d = sigmoid(5) - 1  # dL/dlogit for y = 1
    assert loss == pytest.approx(math.log1p(math.exp(-5)))
    assert list(grads) == list(net.params)
    np.testing.assert_allclose(grads["W2"], [[3 * d], [d]])  # A1^T d
    np.testing.assert_allclose(grads["b2"], [d])
    # dA1 = d W2^T = [d, 3d]; both units on, so dZ1 = dA1; dW1 = X^T dZ1
    np.testing.assert_allclose(grads["W1"], [[d, 3 * d], [d, 3 * d]])
    np.testing.assert_allclose(grads["b1"], [d, 3 * d])


def test_predictions_for_each_loss():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    soft = Network([2, 3], loss="softmax_cross_entropy", initializer="zeros")
    soft.params["W1"][:] = [[0.0, 2.0, 0.0], [0.0, 0.0, 3.0]]  # logits [0,2,0], [0,0,3], [0,2,3]
    np.testing.assert_array_equal(soft.predict(X), [1, 2, 2])
    np.testing.assert_allclose(soft.predict_proba(X).sum(axis=1), 1.0)
    reg = Network([2, 1], loss="mse", initializer="zeros")
    reg.params["W1"][:] = [[2.0], [-1.0]]
    reg.params["b1"][:] = 0.5
    np.testing.assert_array_equal(reg.predict(X), [2.5, -0.5, 1.5])  # shape (n,), like y
    multi = Network([2, 2], loss="binary_cross_entropy", initializer="zeros")
    multi.params["W1"][:] = [[1.0, -1.0], [-1.0, 1.0]]
    np.testing.assert_array_equal(multi.predict(X), [[1, 0], [0, 1], [1, 1]])  # p(0) = 1/2 -> 1
    assert multi.predict_proba(X).shape == (3, 2)


def test_label_vector_and_column_give_the_same_loss():
    net = Network([2, 3, 1], rng=np.random.default_rng(0))
    X = np.random.default_rng(1).normal(size=(4, 2))
    y = np.array([0, 1, 1, 0])
    assert net.loss(X, y) == net.loss(X, y.reshape(-1, 1))


# ------------------------------------------------------------------ gradient checks


@st.composite
def random_networks(draw):
    depth = draw(st.integers(1, 3))
    widths = draw(st.lists(st.integers(1, 6), min_size=depth, max_size=depth))
    acts = draw(st.lists(st.sampled_from(ACTS), min_size=depth, max_size=depth))
    loss = draw(st.sampled_from(LOSSES))
    n_out = draw(st.integers(2, 4) if loss == "softmax_cross_entropy" else st.integers(1, 3))
    n_in = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    return [n_in, *widths, n_out], acts, loss, seed


def _targets(loss, n, n_out, rng):
    if loss == "mse":
        return rng.normal(size=(n, n_out))
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, size=(n, n_out))
    return rng.integers(0, n_out, size=n)


def _min_abs_preactivation(net, X):
    """Smallest |Z[l]| over the ReLU-family hidden layers (how close to a kink we are)."""
    A = net.activations(X)
    closest = math.inf
    for l, name in enumerate(net.activation_names, start=1):
        if name in KINKED:
            Z = A[l - 1] @ net.params[f"W{l}"] + net.params[f"b{l}"]
            closest = min(closest, float(np.min(np.abs(Z))))
    return closest


@settings(max_examples=40, deadline=None)
@given(random_networks())
def test_backprop_matches_finite_differences_on_random_networks(arch):
    sizes, acts, loss, seed = arch
    rng = np.random.default_rng(seed)
    net = Network(sizes, acts, loss=loss, rng=rng)
    X = rng.normal(size=(4, sizes[0]))
    y = _targets(loss, 4, sizes[-1], rng)
    assume(_min_abs_preactivation(net, X) > 1e-3)  # h = 1e-5 cannot cross a kink
    # Centred differences resolve a gradient only above their rounding noise, about
    # eps * |loss| / h ~ 2e-11 |loss|: keep draws where every parameter's gradient is
    # exactly zero (a dead unit) or at least 1e-3 |loss| (about 1% of random draws are not).
    loss_value, grads = net.loss_and_grads(X, y)
    for g in grads.values():
        assume(np.max(np.abs(g)) == 0 or np.max(np.abs(g)) >= 1e-3 * loss_value)
    errors = check_network_gradients(net, X, y)
    assert list(errors) == list(net.params)
    tol = 1e-5 if KINKED & set(acts) else 1e-7
    assert max(errors.values()) <= tol, errors


# ---- an independent check: the same loss written with autograd.numpy, differentiated by autograd

AG_ACTS = {
    "identity": lambda z: z,
    "sigmoid": lambda z: 1 / (1 + anp.exp(-z)),
    "tanh": anp.tanh,
    "relu": lambda z: anp.maximum(z, 0.0),
    "leaky_relu": lambda z: anp.where(z > 0, z, 0.01 * z),
    "softmax": lambda z: anp.exp(z) / anp.sum(anp.exp(z), axis=1, keepdims=True),
}


def autograd_loss(weights, X, y, acts, loss):
    """The textbook formulas, written independently of descend (moderate logits only)."""
    A = X
    n_layers = len(weights) // 2
    for l in range(n_layers):
        Z = anp.dot(A, weights[2 * l]) + weights[2 * l + 1]
        A = AG_ACTS[acts[l]](Z) if l < n_layers - 1 else Z
    if loss == "mse":
        return anp.mean((A - y) ** 2)
    if loss == "binary_cross_entropy":
        p = 1 / (1 + anp.exp(-A))
        return -anp.mean(y * anp.log(p) + (1 - y) * anp.log(1 - p))
    P = anp.exp(A) / anp.sum(anp.exp(A), axis=1, keepdims=True)
    return -anp.mean(anp.log(anp.sum(P * y, axis=1)))  # y one-hot


ARCHITECTURES = [
    (2, [4], ["tanh"]),
    (3, [5, 4], ["relu", "sigmoid"]),
    (2, [3, 3], ["leaky_relu", "identity"]),
    (4, [6], ["softmax"]),
    (2, [], []),  # no hidden layer: linear / logistic / softmax regression
]
OUTPUTS = {"mse": 2, "binary_cross_entropy": 1, "softmax_cross_entropy": 3}


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("n_in, hidden, acts", ARCHITECTURES)
def test_backprop_agrees_with_autograd(n_in, hidden, acts, loss):
    rng = np.random.default_rng(len(hidden) * 10 + LOSSES.index(loss))
    n_out = OUTPUTS[loss]
    net = Network([n_in, *hidden, n_out], acts, loss=loss, rng=rng)
    for b in (k for k in net.params if k.startswith("b")):  # non-zero biases too
        net.params[b][:] = rng.normal(scale=0.5, size=net.params[b].shape)
    X = rng.normal(size=(6, n_in))
    y = _targets(loss, 6, n_out, rng)
    _, grads = net.loss_and_grads(X, y)

    y_ag = np.eye(n_out)[y] if loss == "softmax_cross_entropy" else y.astype(float)
    weights = [p.copy() for p in net.params.values()]
    ag_grads = autograd.grad(autograd_loss)(weights, X, y_ag, acts, loss)
    assert autograd_loss(weights, X, y_ag, acts, loss) == pytest.approx(net.loss(X, y), rel=1e-12)
    for name, g in zip(net.params, ag_grads, strict=True):
        rel = np.max(np.abs(grads[name] - g)) / max(np.max(np.abs(grads[name]) + np.abs(g)), 1e-300)
        assert rel <= 1e-7, name


# ------------------------------------------------------------------ initialization and determinism


def test_default_initializer_depends_on_activation():
    relu = Network([4, 5, 3], "relu", loss="mse", rng=np.random.default_rng(1))
    rng = np.random.default_rng(1)
    np.testing.assert_array_equal(relu.params["W1"], init.he_normal((4, 5), rng))
    np.testing.assert_array_equal(relu.params["W2"], init.he_normal((5, 3), rng))
    assert relu.initializer == "he_normal"
    tanh = Network([4, 5, 3], "tanh", loss="mse", rng=np.random.default_rng(1))
    np.testing.assert_array_equal(
        tanh.params["W1"], init.xavier_normal((4, 5), np.random.default_rng(1))
    )
    mixed = Network([4, 5, 5, 3], ["relu", "tanh"], rng=np.random.default_rng(1))
    assert mixed.initializer == "xavier_normal"


def test_named_and_callable_initializers():
    net = Network([3, 2, 1], initializer="he_uniform", rng=np.random.default_rng(2))
    np.testing.assert_array_equal(
        net.params["W1"], init.he_uniform((3, 2), np.random.default_rng(2))
    )
    const = Network([3, 2, 1], initializer=lambda shape, rng: init.constant(shape, 0.5))
    assert np.all(const.params["W1"] == 0.5) and np.all(const.params["W2"] == 0.5)
    zeros = Network([3, 2, 1], initializer="zeros")  # no rng needed
    assert zeros.get_params().sum() == 0.0


def test_same_seed_same_network_different_seed_different():
    a = Network([2, 8, 8, 1], "relu", rng=np.random.default_rng(42))
    b = Network([2, 8, 8, 1], "relu", rng=np.random.default_rng(42))
    c = Network([2, 8, 8, 1], "relu", rng=np.random.default_rng(43))
    np.testing.assert_array_equal(a.get_params(), b.get_params())
    assert not np.array_equal(a.get_params(), c.get_params())
    X = np.random.default_rng(0).normal(size=(5, 2))
    y = np.array([0, 1, 0, 1, 1])
    la, ga = a.loss_and_grads(X, y)
    lb, gb = b.loss_and_grads(X, y)
    assert la == lb and all(np.array_equal(ga[k], gb[k]) for k in ga)


# ------------------------------------------------------------------ parameters as a vector, copy


def test_get_and_set_params_round_trip_in_place():
    net = Network([2, 3, 2], rng=np.random.default_rng(0))
    W1 = net.params["W1"]
    v = np.arange(net.n_params, dtype=float)
    net.set_params(v)
    assert net.params["W1"] is W1  # the same arrays, so an optimizer's references stay valid
    np.testing.assert_array_equal(net.params["W1"], [[0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(net.params["b2"], [15, 16])
    np.testing.assert_array_equal(net.get_params(), v)
    out = net.get_params()
    out[0] = 99.0  # a copy: changing it leaves the network alone
    assert net.params["W1"][0, 0] == 0.0


def test_copy_is_independent():
    net = Network([2, 3, 1], rng=np.random.default_rng(0))
    twin = net.copy()
    np.testing.assert_array_equal(twin.get_params(), net.get_params())
    twin.params["W1"] += 1.0
    assert not np.array_equal(twin.params["W1"], net.params["W1"])
    assert repr(twin) == repr(net)


# ------------------------------------------------------------------ dtype and divergence


def test_float32_network():
    net64 = Network([3, 4, 2], "tanh", loss="softmax_cross_entropy", rng=np.random.default_rng(0))
    net32 = Network([3, 4, 2], "tanh", loss="softmax_cross_entropy", initializer="zeros",
                    dtype=np.float32)  # fmt: skip
    net32.set_params(net64.get_params())
    X = np.random.default_rng(1).normal(size=(5, 3))
    y = np.array([0, 1, 1, 0, 1])
    loss32, grads32 = net32.loss_and_grads(X, y)
    loss64, grads64 = net64.loss_and_grads(X, y)
    assert all(p.dtype == np.float32 for p in net32.params.values())
    assert all(g.dtype == np.float32 for g in grads32.values())
    assert net32.forward(X)[0].dtype == np.float32
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    for k in grads64:
        np.testing.assert_allclose(grads32[k], grads64[k], rtol=1e-4, atol=1e-6)


def test_overflowing_logits_give_an_infinite_loss_not_an_error():
    # what a diverging run looks like: the training loop turns inf into DivergenceError
    net = Network([2, 3, 1], "relu", rng=np.random.default_rng(0))
    net.set_params(np.full(net.n_params, 1e200))
    X, y = np.ones((2, 2)), np.array([0, 1])
    with np.errstate(over="ignore", invalid="ignore"):
        loss, grads = net.loss_and_grads(X, y)
        assert net.loss(X, y) == math.inf
    assert loss == math.inf
    assert all(np.all(np.isnan(g)) for g in grads.values())


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ([3], r"sizes must list the layer sizes \[n_in, h1, ..., n_out\].*got \[3\]"),
        ("23", "sizes must list the layer sizes"),
        ([2, 0, 1], r"sizes must be positive integers, got 0 at position 1 of \[2, 0, 1\]"),
        ([2, 2.5, 1], "sizes must be positive integers, got 2.5 at position 1"),
        ([2, -3], "sizes must be positive integers, got -3 at position 1"),
    ],
)
def test_bad_sizes(sizes, message):
    with pytest.raises(ValueError, match=message):
        Network(sizes, initializer="zeros")


def test_bad_activation_names_and_counts():
    with pytest.raises(ValueError, match="unknown activation 'gelu'.*choose one of: identity, "):
        Network([2, 3, 1], "gelu", initializer="zeros")
    with pytest.raises(ValueError, match=r"activation lists 1 names but the network has 2 hidden"):
        Network([2, 3, 3, 1], ["relu"], initializer="zeros")
    with pytest.raises(
        TypeError, match="activation must be a name or a list of names, got NoneType"
    ):
        Network([2, 3, 1], None, initializer="zeros")


def test_bad_loss_initializer_dtype_rng():
    with pytest.raises(ValueError, match="unknown loss 'hinge'.*mse, binary_cross_entropy"):
        Network([2, 1], loss="hinge", initializer="zeros")
    with pytest.raises(ValueError, match="unknown initializer 'glorot'.*zeros, constant, normal"):
        Network([2, 1], initializer="glorot", rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match='initializer "constant" needs a value'):
        Network([2, 1], initializer="constant")
    with pytest.raises(ValueError, match="dtype must be np.float64 or np.float32, got int32"):
        Network([2, 1], initializer="zeros", dtype=np.int32)
    with pytest.raises(
        TypeError,
        match=r"Network\(initializer='xavier_normal'\) .* got no rng; .*default_rng\(seed\)",
    ):
        Network([2, 1])
    with pytest.raises(
        TypeError, match="Network .* needs a np.random.Generator, got rng of type int"
    ):
        Network([2, 1], rng=0)
    with pytest.raises(ValueError, match="softmax_cross_entropy needs at least 2 outputs"):
        Network([2, 1], loss="softmax_cross_entropy", initializer="zeros")


def test_bad_data():
    net = Network([2, 3, 1], initializer="zeros")
    with pytest.raises(ValueError, match="X has 3 columns but the first layer expects 2 inputs"):
        net.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"X must have 2 dimension.*x\.reshape\(1, -1\)"):
        net.predict(np.ones(2))
    with pytest.raises(ValueError, match="X holds 1 non-finite value"):
        net.loss(np.array([[np.nan, 0.0]]), [1])
    with pytest.raises(ValueError, match="y holds 1 non-finite value"):
        net.loss(np.ones((2, 2)), [np.inf, 1])
    with pytest.raises(ValueError, match="X has 4 rows but y has 3"):
        net.loss_and_grads(np.ones((4, 2)), [0, 1, 1])
    with pytest.raises(ValueError, match="y must hold labels 0 or 1"):
        net.loss(np.ones((2, 2)), [0, 2])
    with pytest.raises(ValueError, match=r"y has shape \(2, 2\) but logits has shape \(2, 1\)"):
        net.loss(np.ones((2, 2)), np.ones((2, 2)))


def test_bad_set_params_and_backward():
    net = Network([2, 3, 1], initializer="zeros")
    with pytest.raises(
        ValueError, match="set_params got a vector of 12 numbers but the network has 13"
    ):
        net.set_params(np.zeros(12))
    with pytest.raises(ValueError, match="vector holds 1 non-finite value"):
        net.set_params(np.r_[np.zeros(12), np.nan])
    with pytest.raises(ValueError, match=r"vector must have 1 dimension"):
        net.set_params(np.zeros((13, 1)))
    _, cache = net.forward(np.ones((4, 2)))
    # the gradient is named as the caller knows it: dlogits, not a layer's dZ
    with pytest.raises(ValueError) as err:
        net.backward(np.ones((4, 2)), cache)
    assert str(err.value) == (
        "dlogits has shape (4, 2) but the logits of the forward pass have shape (4, 1); "
        "pass the loss's gradient for the same batch"
    )


def test_predict_proba_needs_a_classification_loss():
    net = Network([2, 1], loss="mse", initializer="zeros")
    with pytest.raises(ValueError, match='predict_proba needs a classification loss.*"mse"'):
        net.predict_proba(np.ones((1, 2)))


# ------------------------------------------------------------------ parameters a learner changed
# forward, loss and loss_and_grads check the parameters once per call (the layers inside
# do not check them again): every mistake must still be named, and anything the layers
# accept must still work.


@pytest.mark.parametrize("method", ["forward", "loss", "loss_and_grads"])
def test_a_parameter_set_to_nan_or_a_wrong_shape_is_named(method):
    X, y = np.ones((4, 2)), np.array([0, 1, 1, 0])

    def call(net):
        return net.forward(X) if method == "forward" else getattr(net, method)(X, y)

    net = Network([2, 3, 1], rng=np.random.default_rng(0))
    net.params["W2"][1, 0] = np.nan  # in place, as gradient descent would leave it
    with pytest.raises(ValueError, match=r"params\['W2'\] holds 1 non-finite .* index \(1, 0\)"):
        call(net)
    net = Network([2, 3, 1], rng=np.random.default_rng(0))
    net.params["b1"] = np.array([0.0, np.inf, 0.0])  # replaced
    with pytest.raises(ValueError, match=r"params\['b1'\] holds 1 non-finite"):
        call(net)
    net = Network([2, 3, 1], rng=np.random.default_rng(0))
    net.params["W1"] = np.zeros((3, 3))
    with pytest.raises(ValueError, match=r"params\['W1'\] has shape \(3, 3\) but layer 1 takes 2"):
        call(net)
    net.params["W1"] = np.zeros(6)
    with pytest.raises(ValueError, match=r"params\['W1'\] has shape \(6,\) but layer 1 takes 2"):
        call(net)
    net = Network([2, 3, 1], rng=np.random.default_rng(0))
    net.params["b1"] = np.zeros(4)
    with pytest.raises(ValueError, match=r"params\['b1'\] has shape \(4,\) but params\['W1'\]"):
        call(net)
    net = Network([2, 3, 1], rng=np.random.default_rng(0))
    net.params["W2"] = [["a"], ["b"], ["c"]]
    with pytest.raises(TypeError, match=r"params\['W2'\] must be an array of numbers"):
        call(net)
    del net.params["W2"]
    with pytest.raises(KeyError, match=r"params has no 'W2'; .* has W1, b1, W2, b2"):
        call(net)


def test_parameters_the_layers_accept_still_work():
    X, y = np.random.default_rng(1).normal(size=(5, 2)), np.array([0, 1, 1, 0, 1])
    net = Network([2, 3, 1], rng=np.random.default_rng(0))
    reference = net.loss_and_grads(X, y)
    # integer weights are converted, as dense_forward converts them
    net.params["W1"] = np.array([[1, 0, -1], [0, 2, 1]])
    loss, grads = net.loss_and_grads(X, y)
    W1 = net.params["W1"].astype(float)
    Z1, _ = ds.layers.dense_forward(X, W1, net.params["b1"])
    A1 = np.tanh(Z1)
    Z2, _ = ds.layers.dense_forward(A1, net.params["W2"], net.params["b2"])
    assert loss == ds.losses.binary_cross_entropy(Z2, y)[0]
    assert grads["W1"].dtype == np.float64
    # a consistent change of width (W1, b1 and W2 together) works as the layers allow
    net = Network([2, 3, 1], rng=np.random.default_rng(0))
    net.params.update(W1=np.ones((2, 5)), b1=np.zeros(5), W2=np.ones((5, 1)) / 5)
    loss, grads = net.loss_and_grads(X, y)
    assert math.isfinite(loss) and grads["W1"].shape == (2, 5) and grads["W2"].shape == (5, 1)
    # putting the network's own values back gives the very same numbers as before
    net = Network([2, 3, 1], rng=np.random.default_rng(0))
    net.params = {k: v.copy() for k, v in net.params.items()}
    loss, grads = net.loss_and_grads(X, y)
    assert loss == reference[0]
    for k in grads:
        np.testing.assert_array_equal(grads[k], reference[1][k])


def test_loss_and_grads_equals_the_checked_public_functions_bit_for_bit():
    # loss_and_grads runs the unchecked kernels (and reuses its own buffers); forward,
    # the loss and backward, called one by one, run the checked functions
    for dtype in (np.float64, np.float32):
        for act, loss in (("tanh", "binary_cross_entropy"), ("relu", "mse")):
            net = Network([3, 5, 4, 2], act, loss=loss, rng=np.random.default_rng(3), dtype=dtype)
            rng = np.random.default_rng(4)
            X, y = rng.normal(size=(7, 3)), (rng.random((7, 2)) > 0.5).astype(float)
            value, grads = net.loss_and_grads(X, y)
            logits, cache = net.forward(X)
            expected, dlogits = ds.losses.get(loss)(logits, y)
            expected_grads = net.backward(dlogits, cache)
            assert value == expected
            for k in net.params:
                np.testing.assert_array_equal(grads[k], expected_grads[k])
            # the public backward leaves the cache as it was: a second call agrees
            again = net.backward(dlogits, cache)
            for k in net.params:
                np.testing.assert_array_equal(again[k], expected_grads[k])


def test_a_subclass_forward_or_backward_is_used_by_loss_and_grads_and_loss():
    class Doubled(Network):
        def forward(self, X):
            logits, cache = super().forward(X)
            return 2 * logits, cache

    X, y = np.ones((3, 2)), np.array([0, 1, 1])
    net = Doubled([2, 3, 1], rng=np.random.default_rng(0))
    logits, _ = net.forward(X)
    assert net.loss(X, y) == ds.losses.binary_cross_entropy(logits, y)[0]
    assert net.loss_and_grads(X, y)[0] == net.loss(X, y)
    # so is an instance's own replacement (the exercises' grader switches methods off)
    plain = Network([2, 3, 1], rng=np.random.default_rng(0))
    plain.backward = lambda dlogits, cache: "switched off"
    assert plain.loss_and_grads(X, y)[1] == "switched off"


def test_copies_are_independent():
    net = Network([2, 3, 1], rng=np.random.default_rng(0))
    other = net.copy()
    assert not any(
        np.shares_memory(p, q) for p in net.params.values() for q in other.params.values()
    )
    other.params["b2"][0] = np.nan
    assert np.isfinite(net.params["b2"]).all()
    with pytest.raises(ValueError, match=r"params\['b2'\] holds 1 non-finite"):
        other.loss(np.ones((2, 2)), [0, 1])


@pytest.mark.parametrize("loss, k", [("binary_cross_entropy", 1), ("softmax_cross_entropy", 3)])
def test_predictions_on_inputs_that_overflow_are_an_error_not_nan(loss, k):
    # X is finite, but X @ W overflows: inf - inf in the next layer makes NaN logits
    net = Network([2, 3, k], activation="relu", loss=loss, rng=np.random.default_rng(0))
    net.params["W1"] = np.ones((2, 3))  # 1e308 + 1e308 = inf in the hidden layer
    net.params["W2"] = np.linspace(-1, 1, 3 * k).reshape(3, k)  # inf - inf = NaN
    X = np.array([[0.5, -0.5], [1e308, 1e308], [1.5e308, 1e308]])
    message = (
        "the network's outputs overflowed to inf or NaN for 2 example(s) of X, the first at "
        "row 1, so no prediction can be made; standardise the inputs (ds.data.Standardizer) "
        "or check the parameters for huge values"
    )
    with np.errstate(over="ignore", invalid="ignore"):
        for predict in (net.predict_proba, net.predict):
            with pytest.raises(ValueError) as err:
                predict(X)
            assert str(err.value) == message
        assert np.all(np.isfinite(net.predict_proba(X[:1])))
