"""Tests of descend.data: synthetic sets, splitting, scaling and mini-batches."""

from __future__ import annotations

import numpy as np
import pytest

from descend import data

CLASSIFIERS = [data.blobs, data.two_moons, data.circles, data.spirals, data.xor]


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# --------------------------------------------------------------------------------------
# shapes, balance, determinism
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", CLASSIFIERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("n", [1, 7, 200])
def test_classification_shapes_and_balance(make, n):
    X, y = make(n, 0.1, rng())
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and np.issubdtype(y.dtype, np.integer)
    counts = np.bincount(y, minlength=2)
    assert counts.sum() == n
    assert counts.max() - counts.min() <= 1  # as balanced as n allows
    assert counts[0] == (n + 1) // 2  # class 0 gets the odd one out


@pytest.mark.parametrize("make", CLASSIFIERS, ids=lambda f: f.__name__)
def test_classification_deterministic_given_seed(make):
    X1, y1 = make(50, 0.2, rng(3))
    X2, y2 = make(50, 0.2, rng(3))
    X3, _ = make(50, 0.2, rng(4))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("make", CLASSIFIERS, ids=lambda f: f.__name__)
def test_rows_are_shuffled_so_batches_mix_classes(make):
    _, y = make(200, 0.1, rng(1))
    # if classes were stored in blocks, the first 40 rows would all be class 0
    assert set(np.unique(y[:40])) == {0, 1}


def test_spirals_with_three_classes_balanced():
    _, y = data.spirals(100, 0.0, rng(), n_classes=3)
    assert np.bincount(y).tolist() == [34, 33, 33]


# --------------------------------------------------------------------------------------
# geometry without noise
# --------------------------------------------------------------------------------------


def test_two_moons_lie_on_their_half_circles_without_noise():
    X, y = data.two_moons(300, 0.0, rng(2))
    up, low = X[y == 0], X[y == 1]
    # class 0: upper half of the unit circle
    np.testing.assert_allclose(np.hypot(up[:, 0], up[:, 1]), 1.0, atol=1e-12)
    assert np.all(up[:, 1] >= -1e-12)
    # class 1: lower half of the unit circle centred at (1, 0.5)
    np.testing.assert_allclose(np.hypot(low[:, 0] - 1.0, low[:, 1] - 0.5), 1.0, atol=1e-12)
    assert np.all(low[:, 1] <= 0.5 + 1e-12)
    # the moons span their full half-circles: x from about -1 to 1 and 0 to 2
    assert up[:, 0].min() < -0.95 and up[:, 0].max() > 0.95
    assert low[:, 0].min() < 0.05 and low[:, 0].max() > 1.95


def test_two_moons_noise_is_the_standard_deviation():
    X0, y0 = data.two_moons(4000, 0.0, rng(5))
    X1, y1 = data.two_moons(4000, 0.3, rng(5))
    # same generator state for the angles, so the difference is the added noise
    np.testing.assert_array_equal(np.sort(y0), np.sort(y1))
    up = X1[y1 == 0]
    dist = np.hypot(up[:, 0], up[:, 1]) - 1.0
    assert 0.2 < dist.std() < 0.4


def test_circles_radii_without_noise():
    X, y = data.circles(100, 0.0, rng(), factor=0.3)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0, atol=1e-12)
    np.testing.assert_allclose(r[y == 1], 0.3, atol=1e-12)


def test_spirals_follow_their_arms_without_noise():
    turns, k = 1.5, 3
    X, y = data.spirals(90, 0.0, rng(), n_classes=k, turns=turns)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.all(r <= 1.0 + 1e-12)
    angle = np.arctan2(X[:, 1], X[:, 0])
    expected = 2 * np.pi * turns * r + 2 * np.pi * y / k
    wrapped = np.angle(np.exp(1j * (angle - expected)))  # difference modulo 2 pi
    keep = r > 1e-9  # the angle of the origin is undefined
    np.testing.assert_allclose(wrapped[keep], 0.0, atol=1e-9)


def test_xor_labels_are_exclusive_or_of_signs_without_noise():
    X, y = data.xor(101, 0.0, rng())
    assert np.all(np.abs(X) <= 1.0)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))
    quadrant_sizes = [
        np.sum((X[:, 0] > 0) & (X[:, 1] > 0)),
        np.sum((X[:, 0] < 0) & (X[:, 1] > 0)),
        np.sum((X[:, 0] < 0) & (X[:, 1] < 0)),
        np.sum((X[:, 0] > 0) & (X[:, 1] < 0)),
    ]
    assert quadrant_sizes == [26, 25, 25, 25]


def test_blobs_default_centres_and_explicit_centres():
    X, y = data.blobs(10, 0.0, rng())
    np.testing.assert_allclose(X[y == 0], np.tile([2.0, 0.0], (5, 1)), atol=1e-12)
    np.testing.assert_allclose(X[y == 1], np.tile([-2.0, 0.0], (5, 1)), atol=1e-12)
    centres = [[0.0, 0.0], [5.0, 5.0], [-5.0, 5.0]]
    X, y = data.blobs(3000, 0.5, rng(), centers=centres)
    for j, c in enumerate(centres):
        np.testing.assert_allclose(X[y == j].mean(axis=0), c, atol=0.06)
        np.testing.assert_allclose(X[y == j].std(axis=0), 0.5, atol=0.04)


def test_line_without_noise_is_exact_and_inside_the_range():
    X, y = data.line(50, -1.5, 2.0, 0.0, rng(), x_range=(0.0, 4.0))
    assert X.shape == (50, 1) and y.shape == (50,)
    assert X.min() >= 0.0 and X.max() <= 4.0
    np.testing.assert_allclose(y, -1.5 * X[:, 0] + 2.0, atol=1e-12)


def test_line_noise_scatters_the_residuals():
    X, y = data.line(5000, 3.0, -1.0, 0.25, rng(8))
    resid = y - (3.0 * X[:, 0] - 1.0)
    assert abs(resid.mean()) < 0.02
    assert abs(resid.std() - 0.25) < 0.01
    np.testing.assert_allclose(np.polyfit(X[:, 0], y, 1), [3.0, -1.0], atol=0.02)


# --------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", CLASSIFIERS, ids=lambda f: f.__name__)
def test_generators_reject_bad_n_noise_rng(make):
    with pytest.raises(ValueError, match=r"n \(the number of examples\) must be an integer >= 1"):
        make(0, 0.1, rng())
    with pytest.raises(TypeError, match="n .* must be an integer, got float 2.5"):
        make(2.5, 0.1, rng())
    with pytest.raises(ValueError, match=r"noise .* must be a finite number >= 0, got -0.1"):
        make(10, -0.1, rng())
    with pytest.raises(
        TypeError,
        match=rf"{make.__name__} draws random numbers .* got no rng; .*default_rng\(seed\)",
    ):
        make(10, 0.1)
    with pytest.raises(TypeError, match="needs a np.random.Generator, got rng of type int"):
        make(10, 0.1, 0)


def test_line_rejects_bad_arguments():
    with pytest.raises(ValueError, match="slope must be a finite number, got nan"):
        data.line(5, float("nan"), 0.0, 0.1, rng())
    with pytest.raises(TypeError, match="intercept must be a number, got str"):
        data.line(5, 1.0, "0", 0.1, rng())
    with pytest.raises(ValueError, match=r"x_range must be a pair .* low < high, got \(3, 1\)"):
        data.line(5, 1.0, 0.0, 0.1, rng(), x_range=(3, 1))
    with pytest.raises(TypeError, match="x_range must be a pair"):
        data.line(5, 1.0, 0.0, 0.1, rng(), x_range=3)


def test_other_generator_options_are_checked():
    with pytest.raises(ValueError, match="factor .* between 0 and 1, got 1.5"):
        data.circles(10, 0.1, rng(), factor=1.5)
    with pytest.raises(ValueError, match=r"centers must have shape \(k, 2\).*got shape \(2, 3\)"):
        data.blobs(10, 0.1, rng(), centers=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="centers .* must be an integer >= 2, got 1"):
        data.blobs(10, 0.1, rng(), centers=1)
    with pytest.raises(ValueError, match="n_classes must be an integer >= 2, got 1"):
        data.spirals(10, 0.1, rng(), n_classes=1)
    with pytest.raises(ValueError, match="turns must be a finite number > 0"):
        data.spirals(10, 0.1, rng(), turns=0)


# --------------------------------------------------------------------------------------
# train_val_split
# --------------------------------------------------------------------------------------


def test_train_val_split_partitions_the_examples():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    X_tr, y_tr, X_val, y_val = data.train_val_split(X, y, 0.3, rng(0))
    assert X_tr.shape == (7, 2) and X_val.shape == (3, 2)
    assert y_tr.shape == (7,) and y_val.shape == (3,)
    assert y_tr.dtype == y.dtype  # integer labels stay integers
    # every example lands in exactly one part, with its own label
    np.testing.assert_array_equal(np.sort(np.concatenate([y_tr, y_val])), y)
    np.testing.assert_array_equal(X_tr[:, 0], 2 * y_tr)
    np.testing.assert_array_equal(X_val[:, 0], 2 * y_val)
    # shuffled (not simply the last three) and deterministic
    again = data.train_val_split(X, y, 0.3, rng(0))
    np.testing.assert_array_equal(again[3], y_val)
    other = [tuple(data.train_val_split(X, y, 0.3, rng(s))[3]) for s in range(5)]
    assert len(set(other)) > 1


def test_train_val_split_errors():
    X, y = np.zeros((10, 2)), np.zeros(10)
    for bad in (0, 1, 1.5, -0.2):
        with pytest.raises(ValueError, match="val_fraction must be"):
            data.train_val_split(X, y, bad, rng())
    with pytest.raises(
        ValueError,
        match=r"val_fraction=0.01 of n=10 examples gives 0 validation and 10 training "
        r"examples; both parts need at least one, so choose a fraction from 0.1 to 0.9",
    ):
        data.train_val_split(X, y, 0.01, rng())
    with pytest.raises(
        ValueError, match=r"X has 10 examples \(shape \(10, 2\)\) but y has 9 \(shape \(9,\)\)"
    ):
        data.train_val_split(X, np.zeros(9), 0.2, rng())
    with pytest.raises(TypeError, match="train_val_split draws random numbers .* got no rng"):
        data.train_val_split(X, y, 0.2)
    with pytest.raises(ValueError, match="y holds 1 non-finite value"):
        data.train_val_split(X, np.r_[np.zeros(9), np.nan], 0.2, rng())


# --------------------------------------------------------------------------------------
# Standardizer
# --------------------------------------------------------------------------------------


def test_standardizer_by_hand():
    s = data.Standardizer().fit([[1.0, 10.0], [3.0, 30.0]])
    np.testing.assert_array_equal(s.mean_, [2.0, 20.0])
    np.testing.assert_array_equal(s.scale_, [1.0, 10.0])
    # new data uses the training statistics
    np.testing.assert_array_equal(s.transform([[5.0, 0.0]]), [[3.0, -2.0]])
    np.testing.assert_array_equal(s.inverse_transform([[3.0, -2.0]]), [[5.0, 0.0]])


def test_standardizer_fit_transform_gives_mean_zero_std_one_and_round_trips():
    X = rng(4).normal([5.0, -3.0, 100.0], [2.0, 0.01, 30.0], size=(200, 3))
    s = data.Standardizer()
    Z = s.fit_transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, atol=1e-12)
    np.testing.assert_allclose(s.inverse_transform(Z), X, rtol=1e-12)


def test_standardizer_one_dimensional():
    s = data.Standardizer().fit(np.array([0.0, 2.0, 4.0]))
    assert s.mean_.shape == () and float(s.mean_) == 2.0
    np.testing.assert_allclose(s.transform([2.0, 2.0 + s.scale_]), [0.0, 1.0])


def test_standardizer_refuses_constant_columns_and_misuse():
    with pytest.raises(
        ValueError, match=r"column\(s\) \[1\] of X hold a single value \(7\) in all 3 rows"
    ):
        data.Standardizer().fit([[1.0, 7.0], [2.0, 7.0], [3.0, 7.0]])
    with pytest.raises(ValueError, match="X holds a single value"):
        data.Standardizer().fit([0.1, 0.1, 0.1])
    with pytest.raises(RuntimeError, match=r"not fitted yet: call fit\(X_train\) first"):
        data.Standardizer().transform([[1.0]])
    s = data.Standardizer().fit([[1.0, 2.0], [3.0, 5.0]])
    with pytest.raises(
        ValueError, match=r"X has shape \(1, 3\) but the Standardizer was fitted on 2 columns"
    ):
        s.transform([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="X holds 1 non-finite value"):
        s.transform([[1.0, np.inf]])


# --------------------------------------------------------------------------------------
# minibatches
# --------------------------------------------------------------------------------------


def test_minibatches_without_shuffle_keep_order_and_include_the_remainder():
    X = np.arange(10.0).reshape(10, 1)
    y = np.arange(10)
    batches = list(data.minibatches(X, y, 4, shuffle=False))
    assert [len(yb) for _, yb in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate([yb for _, yb in batches]), y)
    assert [len(yb) for _, yb in data.minibatches(X, y, None, shuffle=False)] == [10]


def test_minibatches_shuffled_use_every_example_once_and_rows_stay_paired():
    X = np.arange(10.0).reshape(10, 1)
    y = np.arange(10)
    batches = list(data.minibatches(X, y, 3, rng(1)))
    assert [len(yb) for _, yb in batches] == [3, 3, 3, 1]
    seen = np.concatenate([yb for _, yb in batches])
    np.testing.assert_array_equal(np.sort(seen), y)
    assert not np.array_equal(seen, y)
    for Xb, yb in batches:
        np.testing.assert_array_equal(Xb[:, 0], yb)
    again = np.concatenate([yb for _, yb in data.minibatches(X, y, 3, rng(1))])
    np.testing.assert_array_equal(again, seen)


def test_minibatches_check_arguments_when_called():
    X, y = np.zeros((10, 2)), np.zeros(10)
    with pytest.raises(
        ValueError, match=r"batch_size must be an integer between 1 and 10 \(n=10 examples"
    ):
        data.minibatches(X, y, 0, shuffle=False)  # raised before the first batch is drawn
    with pytest.raises(ValueError, match="batch_size must be an integer between 1 and 10"):
        data.minibatches(X, y, 11, shuffle=False)
    with pytest.raises(TypeError, match="batch_size must be an integer, got float 2.0"):
        data.minibatches(X, y, 2.0, shuffle=False)
    with pytest.raises(ValueError, match=r"shuffle=True needs .* rng=np.random.default_rng"):
        data.minibatches(X, y, 2)
    with pytest.raises(ValueError, match=r"X has 10 examples .* but y has 4"):
        data.minibatches(X, np.zeros(4), 2, shuffle=False)


def test_running_example_is_a_fixed_split_of_two_moons():
    X_tr, y_tr, X_val, y_val = data.running_example()
    assert X_tr.shape == (150, 2) and X_val.shape == (50, 2)
    assert y_tr.shape == (150,) and y_val.shape == (50,)
    # every example appears once: the split partitions the same 200 moons
    rng = np.random.default_rng(0)
    X_all, _ = data.two_moons(200, 0.2, rng=rng)
    both = np.concatenate([X_tr, X_val])
    assert np.allclose(np.sort(both, axis=0), np.sort(X_all, axis=0))
    again = data.running_example()
    assert all(np.array_equal(a, b) for a, b in zip(again, (X_tr, y_tr, X_val, y_val), strict=True))
    other = data.running_example(seed=1)
    assert not np.array_equal(other[0], X_tr)


def test_a_standard_deviation_that_rounds_to_zero_or_overflows_is_refused():
    # not constant (the values differ), yet the squares of the differences underflow:
    # dividing by the standard deviation would give inf
    tiny = np.array([[1e-320, 1.0], [2e-320, 2.0], [3e-320, 3.0]])
    with pytest.raises(ValueError) as err:
        data.Standardizer().fit(tiny)
    assert str(err.value) == (
        "the standard deviation of column(s) [0] of X rounds to 0 in float64 arithmetic, so "
        "standardising would give inf or NaN; rescale the data first (multiply it by a large "
        "power of 10)"
    )
    with pytest.raises(ValueError) as err:
        data.Standardizer().fit(np.array([1e200, -1e200, 3e200]))
    assert str(err.value) == (
        "the standard deviation of X overflows to inf in float64 arithmetic, so standardising "
        "would give inf or NaN; rescale the data first (divide it by a large power of 10)"
    )
    # rescaled as the message says, the same column is fine
    rescaled = tiny * [1e300, 1.0]
    assert np.all(np.isfinite(data.Standardizer().fit_transform(rescaled)))
