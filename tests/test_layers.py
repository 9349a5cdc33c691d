"""Step 2/3: the dense layer Z = X @ W + b, forward and backward."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descend.gradcheck import numerical_gradient, relative_error
from descend.layers import dense_backward, dense_forward

X1 = np.array([[1.0, 2.0], [0.0, -1.0]])
W1 = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
B1 = np.array([0.5, 0.0, -1.0])


def test_forward_hand_computed():
    Z, cache = dense_forward(X1, W1, B1)
    # row 1: [1 + 4, 0 + 2, -1 + 0] + b;  row 2: [0 - 2, 0 - 1, 0 + 0] + b
    np.testing.assert_array_equal(Z, [[5.5, 2.0, -2.0], [-1.5, -1.0, -1.0]])
    assert cache[0] is not None and cache[1].shape == (2, 3)


def test_backward_hand_computed():
    _, cache = dense_forward(X1, W1, B1)
    dZ = np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]])
    dX, dW, db = dense_backward(dZ, cache)
    # dX = dZ @ W.T: row 1 = 1*[1, 2] + 2*[-1, 0] = [-1, 2]; row 2 = 3*[0, 1] = [0, 3]
    np.testing.assert_array_equal(dX, [[-1.0, 2.0], [0.0, 3.0]])
    # dW = X.T @ dZ = x1^T dz1 + x2^T dz2
    np.testing.assert_array_equal(dW, [[1.0, 0.0, 2.0], [2.0, -3.0, 4.0]])
    np.testing.assert_array_equal(db, [1.0, 3.0, 2.0])


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 4),
    n_in=st.integers(1, 4),
    n_out=st.integers(1, 4),
)
def test_backward_matches_finite_differences(seed, n, n_in, n_out):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_in))
    W = rng.normal(size=(n_in, n_out))
    b = rng.normal(size=n_out)
    G = rng.normal(size=(n, n_out))  # upstream gradient dL/dZ, with L = sum(G * Z)

    def L(_):
        return np.sum(G * dense_forward(X, W, b)[0])

    dX, dW, db = dense_backward(G, dense_forward(X, W, b)[1])
    assert relative_error(dX, numerical_gradient(L, X)) <= 1e-7
    assert relative_error(dW, numerical_gradient(L, W)) <= 1e-7
    assert relative_error(db, numerical_gradient(L, b)) <= 1e-7


def test_float32_stays_float32():
    f = np.float32
    Z, cache = dense_forward(X1.astype(f), W1.astype(f), B1.astype(f))
    assert Z.dtype == np.float32
    assert all(g.dtype == np.float32 for g in dense_backward(np.ones_like(Z), cache))


def test_overflowed_input_passes_through():
    # inside a diverging network the input may already be inf; the loss reports it
    with np.errstate(invalid="ignore"):  # inf * 0 in the second column
        Z, _ = dense_forward(np.array([[np.inf, 1.0]]), W1, B1)
    assert Z[0, 0] == np.inf and np.isnan(Z[0, 1]) and Z[0, 2] == -np.inf


# ------------------------------------------------------------------ errors


def test_columns_of_X_must_match_rows_of_W():
    with pytest.raises(ValueError, match=r"X has 3 columns but W has 2 rows; .*shape \(n, 2\)"):
        dense_forward(np.ones((4, 3)), W1, B1)


def test_bias_must_have_one_entry_per_unit():
    with pytest.raises(ValueError, match=r"b has shape \(2,\) but W has shape \(2, 3\).*\(3,\)"):
        dense_forward(X1, W1, np.zeros(2))


def test_single_example_must_be_a_row():
    with pytest.raises(ValueError, match=r"X must have 2 dimension.*x\.reshape\(1, -1\)"):
        dense_forward(np.array([1.0, 2.0]), W1, B1)


def test_non_finite_parameters():
    with pytest.raises(ValueError, match="W holds 1 non-finite value"):
        dense_forward(X1, np.array([[1.0, np.nan, 0.0], [0.0, 0.0, 0.0]]), B1)


def test_upstream_gradient_of_wrong_shape():
    _, cache = dense_forward(X1, W1, B1)
    with pytest.raises(ValueError, match=r"dZ has shape \(2, 2\) but the layer's output Z has"):
        dense_backward(np.ones((2, 2)), cache)
