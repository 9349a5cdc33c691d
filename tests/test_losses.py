"""Step 2: losses from logits (values, gradients, stability at extreme logits, errors)."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descend import losses
from descend.gradcheck import numerical_gradient, relative_error

LN2, LN3 = math.log(2), math.log(3)


# ------------------------------------------------------------------ values worked out by hand


def test_mse_values():
    # errors [0, 2, 3]: (0 + 4 + 9) / 3; gradient 2 * error / 3
    loss, grad = losses.mse(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.0]))
    assert loss == pytest.approx(13 / 3, rel=1e-15)
    np.testing.assert_allclose(grad, [0.0, 4 / 3, 2.0], rtol=1e-15)


def test_mse_is_a_mean_over_all_elements_and_accepts_label_vectors():
    loss, grad = losses.mse(np.array([[1.0, 0.0], [0.0, 0.0]]), np.zeros((2, 2)))
    assert loss == 0.25  # one squared error of 1 over 4 elements
    np.testing.assert_array_equal(grad, [[0.5, 0.0], [0.0, 0.0]])
    loss, grad = losses.mse(np.array([[2.0], [4.0]]), np.array([1.0, 1.0]))  # y (n,), y_hat (n, 1)
    assert loss == 5.0 and grad.shape == (2, 1)  # (1 + 9) / 2
    np.testing.assert_array_equal(grad, [[1.0], [3.0]])


def test_binary_cross_entropy_values():
    # z = 0, y = 1: -log(1/2) = ln 2
    loss, grad = losses.binary_cross_entropy(np.array([[0.0]]), np.array([1]))
    assert loss == pytest.approx(LN2, rel=1e-15)
    np.testing.assert_allclose(grad, [[-0.5]])
    # z = [0, ln 3], y = [1, 0]: p = [1/2, 3/4]; (ln 2 + -log(1/4)) / 2 = 3/2 ln 2
    loss, grad = losses.binary_cross_entropy(np.array([0.0, LN3]), np.array([1.0, 0.0]))
    assert loss == pytest.approx(1.5 * LN2, rel=1e-14)
    np.testing.assert_allclose(grad, [-0.25, 0.375], rtol=1e-14)  # (p - y) / 2


def test_softmax_cross_entropy_values():
    # logits [0, ln 3]: probabilities [1/4, 3/4]
    loss, grad = losses.softmax_cross_entropy(np.array([[0.0, LN3]]), np.array([1]))
    assert loss == pytest.approx(-math.log(0.75), rel=1e-14)
    np.testing.assert_allclose(grad, [[0.25, -0.25]], rtol=1e-14)
    loss, _ = losses.softmax_cross_entropy(np.array([[0.0, LN3]]), np.array([0]))
    assert loss == pytest.approx(2 * LN2, rel=1e-14)  # -log(1/4)
    # mean over two examples, each given probability 1/2 to the right class
    loss, grad = losses.softmax_cross_entropy(np.zeros((2, 2)), np.array([0, 1]))
    assert loss == pytest.approx(LN2, rel=1e-15)
    np.testing.assert_allclose(grad, [[-0.25, 0.25], [0.25, -0.25]])


def test_softmax_cross_entropy_one_hot_equals_labels():
    z = np.random.default_rng(0).normal(size=(4, 3))
    labels = np.array([2, 0, 1, 2])
    a = losses.softmax_cross_entropy(z, labels)
    b = losses.softmax_cross_entropy(z, np.eye(3)[labels])
    assert a[0] == b[0]
    np.testing.assert_array_equal(a[1], b[1])


def test_log_softmax_values():
    np.testing.assert_allclose(losses.log_softmax([0.0, LN3]), [math.log(0.25), math.log(0.75)])
    np.testing.assert_array_equal(losses.log_softmax([1000.0, 1.0]), [0.0, -999.0])


def test_naive_agrees_with_stable_at_moderate_logits():
    z, y = np.array([-2.0, 0.5, 3.0, 0.0]), np.array([0.0, 1.0, 1.0, 0.0])
    assert losses.naive_binary_cross_entropy(z, y) == pytest.approx(
        losses.binary_cross_entropy(z, y)[0], rel=1e-12
    )


# ------------------------------------------------------------------ extreme logits


def test_stable_losses_at_extreme_logits_without_warnings():
    z = np.array([1e4, -1e4])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        right = losses.binary_cross_entropy(z, np.array([1.0, 0.0]))
        wrong = losses.binary_cross_entropy(z, np.array([0.0, 1.0]))
        ce = losses.softmax_cross_entropy(np.array([[1000.0, 1.0]]), np.array([1]))
    assert right[0] == 0.0  # confident and right: no loss
    np.testing.assert_array_equal(right[1], [0.0, 0.0])
    assert wrong[0] == 1e4  # confident and wrong: -log sigma(-1e4) = 1e4 (+ e^-1e4)
    np.testing.assert_array_equal(wrong[1], [0.5, -0.5])  # (p - y) / 2
    assert ce[0] == 999.0  # -log_softmax([1000, 1])[1]
    np.testing.assert_array_equal(ce[1], [[1.0, -1.0]])


def test_naive_fails_where_the_stable_one_does_not():
    z = np.array([1e4, -1e4])
    for y in (np.array([1.0, 0.0]), np.array([0.0, 1.0])):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the naive version keeps the page clean too
            naive = losses.naive_binary_cross_entropy(z, y)
        stable, _ = losses.binary_cross_entropy(z, y)
        assert not math.isfinite(naive)
        assert math.isfinite(stable)
    # already at |z| = 40, sigma(z) rounds to 1 and log(1 - p) = log 0
    assert losses.naive_binary_cross_entropy(np.array([40.0]), np.array([0.0])) == math.inf
    assert losses.binary_cross_entropy(np.array([40.0]), np.array([0.0]))[0] == pytest.approx(40)


# ------------------------------------------------------------------ gradients


def _check(loss_fn, z, y, tol=1e-7):
    _, analytic = loss_fn(z, y)
    numeric = numerical_gradient(lambda zz: loss_fn(zz, y)[0], z.copy())
    assert relative_error(analytic, numeric) <= tol


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 5), k=st.integers(1, 4))
def test_gradients_match_finite_differences(seed, n, k):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=2.0, size=(n, k))
    _check(losses.mse, z, rng.normal(size=(n, k)))
    _check(losses.binary_cross_entropy, z, rng.integers(0, 2, size=(n, k)))
    _check(losses.binary_cross_entropy, z, rng.uniform(size=(n, k)))  # soft labels
    if k >= 2:
        _check(losses.softmax_cross_entropy, z, rng.integers(0, k, size=n))
        _check(losses.softmax_cross_entropy, z, rng.dirichlet(np.ones(k), size=n))


def test_softmax_cross_entropy_gradient_rows_sum_to_zero():
    z = np.random.default_rng(3).normal(size=(5, 4))
    _, grad = losses.softmax_cross_entropy(z, np.array([0, 1, 2, 3, 0]))
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-16)


def test_float32_logits_give_float32_gradients():
    z = np.array([[0.5], [-1.0]], dtype=np.float32)
    assert losses.binary_cross_entropy(z, np.array([1, 0]))[1].dtype == np.float32
    assert losses.mse(z, np.array([1, 0]))[1].dtype == np.float32
    z2 = np.zeros((2, 3), dtype=np.float32)
    assert losses.softmax_cross_entropy(z2, np.array([1, 2]))[1].dtype == np.float32


def test_registry():
    assert losses.LOSSES == {
        "mse": losses.mse,
        "binary_cross_entropy": losses.binary_cross_entropy,
        "softmax_cross_entropy": losses.softmax_cross_entropy,
    }
    assert losses.get("mse") is losses.mse


# ------------------------------------------------------------------ errors


def test_unknown_loss_lists_the_valid_ones():
    with pytest.raises(
        ValueError, match="unknown loss 'hinge'.*mse, binary_cross_entropy, softmax_cross_entropy"
    ):
        losses.get("hinge")


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"y has shape \(3,\) but y_hat has shape \(3, 2\)"):
        losses.mse(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"y has shape \(4,\) but logits has shape \(3, 1\)"):
        losses.binary_cross_entropy(np.zeros((3, 1)), np.zeros(4))


def test_binary_labels_must_be_probabilities():
    with pytest.raises(ValueError, match="y must hold labels 0 or 1.*from -1 to 1"):
        losses.binary_cross_entropy(np.zeros(2), np.array([-1, 1]))
    with pytest.raises(ValueError, match="y must hold labels 0 or 1.*from 0 to 2"):
        losses.naive_binary_cross_entropy(np.zeros(2), np.array([0, 2]))


def test_class_labels_must_be_integers_in_range():
    z = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"labels 0 to 2 .*k=3.*got 3 at index 1, outside"):
        losses.softmax_cross_entropy(z, np.array([0, 3]))
    with pytest.raises(ValueError, match="labels 0 to 2 .*got 0.5 at index 0, not a whole number"):
        losses.softmax_cross_entropy(z, np.array([0.5, 1]))
    # a label of 1.5 with 3 classes lies between 0 and 2: it is named for what it is
    z3 = np.zeros((3, 3))
    with pytest.raises(ValueError) as err:
        losses.softmax_cross_entropy(z3, np.array([1, 1.5, 2]))
    assert str(err.value) == (
        "y must hold integer class labels 0 to 2 (logits has k=3 columns), "
        "got 1.5 at index 1, not a whole number"
    )
    with pytest.raises(ValueError, match="y has 3 labels but logits has 2 rows"):
        losses.softmax_cross_entropy(z, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="each row of y must be one-hot"):
        losses.softmax_cross_entropy(z, np.array([[1, 1, 0], [0, 0, 1]]))
    with pytest.raises(ValueError, match=r"y has shape \(2, 2\) but logits has shape \(2, 3\)"):
        losses.softmax_cross_entropy(z, np.eye(2))
    with pytest.raises(ValueError, match=r"logits must have 2 dimension\(s\), got shape \(3,\)"):
        losses.softmax_cross_entropy(np.zeros(3), np.array([0, 1, 2]))


def test_non_finite_inputs_are_refused():
    with pytest.raises(ValueError, match="logits holds 1 non-finite value"):
        losses.binary_cross_entropy(np.array([np.nan, 0.0]), np.array([0, 1]))
    with pytest.raises(ValueError, match="y holds 1 non-finite value"):
        losses.mse(np.zeros(2), np.array([np.inf, 0.0]))
    with pytest.raises(ValueError, match="Z holds 1 non-finite value"):
        losses.log_softmax([np.inf, 0.0])


def test_empty_batch():
    with pytest.raises(ValueError, match=r"y_hat is empty \(shape \(0,\)\)"):
        losses.mse(np.zeros(0), np.zeros(0))
