"""The shared argument checks of descend.errors: values returned, and every message."""

from __future__ import annotations

import numpy as np
import pytest

from descend import errors


def test_check_int_returns_a_python_int_in_range():
    assert errors.check_int(np.int64(3), "epochs", 1) == 3
    assert type(errors.check_int(np.int64(3), "epochs", 1)) is int
    assert errors.check_int(5, "batch_size", 1, 5) == 5
    with pytest.raises(TypeError, match="epochs must be an integer, got float 2.0"):
        errors.check_int(2.0, "epochs", 1)
    with pytest.raises(TypeError, match="epochs must be an integer, got bool True"):
        errors.check_int(True, "epochs", 1)
    with pytest.raises(ValueError, match=r"epochs must be an integer >= 1 \(passes\), got 0"):
        errors.check_int(0, "epochs", 1, hint=" (passes)")
    with pytest.raises(ValueError, match="batch_size must be an integer between 1 and 5, got 6"):
        errors.check_int(6, "batch_size", 1, 5)


def test_check_bool_refuses_truthy_stand_ins():
    assert errors.check_bool(np.bool_(True), "shuffle") is True
    assert errors.check_bool(False, "shuffle") is False
    for bad in (1, "yes", None):
        with pytest.raises(
            TypeError, match=f"shuffle must be True or False, got {type(bad).__name__}"
        ):
            errors.check_bool(bad, "shuffle")


def test_check_rng_names_who_needs_it_and_how_to_make_one():
    rng = np.random.default_rng(0)
    assert errors.check_rng(rng, "two_moons") is rng
    with pytest.raises(
        TypeError,
        match=r"two_moons draws random numbers and needs a np\.random\.Generator, got no rng; "
        r"pass rng=np\.random\.default_rng\(seed\)",
    ):
        errors.check_rng(None, "two_moons")
    with pytest.raises(TypeError, match="got rng of type RandomState; pass rng=np.random"):
        errors.check_rng(np.random.RandomState(0), "he_normal")


def test_check_labels_keeps_the_dtype_and_refuses_non_finite_or_non_numbers():
    y = errors.check_labels([0, 1, 1])
    assert y.dtype.kind == "i"
    np.testing.assert_array_equal(errors.check_labels([0.5, 1.5]), [0.5, 1.5])
    with pytest.raises(ValueError, match=r"y_val holds 1 non-finite value\(s\).*index \(1,\)"):
        errors.check_labels([0.0, np.nan], "y_val")
    with pytest.raises(TypeError, match="y must be an array of numbers, got dtype <U1"):
        errors.check_labels(["a", "b"])


def test_check_same_length_wants_one_label_per_example():
    errors.check_same_length(np.ones((3, 2)), np.ones(3))
    with pytest.raises(ValueError, match=r"X has 3 examples \(shape \(3, 2\)\) but y has 2"):
        errors.check_same_length(np.ones((3, 2)), np.ones(2))
    with pytest.raises(ValueError, match=r"X_val and y_val must be arrays with one row"):
        errors.check_same_length(np.ones((3, 2)), np.float64(1.0), "X_val", "y_val")


def test_all_finite_finds_nan_and_infinity_wherever_they_are():
    a, b = np.ones((3, 2)), np.zeros(4)
    assert errors.all_finite([a, b]) and errors.all_finite([])
    for bad in (np.nan, np.inf, -np.inf):
        c = b.copy()
        c[2] = bad
        assert not errors.all_finite([a, c])
        assert not errors.all_finite([c.astype(np.float32)])
    # a sum of squares that overflows is settled by the element-wise test: all finite
    assert errors.all_finite([np.array([1e200, -1e200]), np.array([3e38], dtype=np.float32)])
    # not float arrays: tested element by element
    assert errors.all_finite([[1.0, 2.0], np.arange(3)])
    assert not errors.all_finite([[1.0, np.nan]])


def test_all_finite_looks_only_at_the_arrays_it_is_given():
    block = np.zeros(10)
    views = [block[:6].reshape(2, 3), block[6:]]
    assert errors.all_finite(views)
    block[7] = np.nan
    assert not errors.all_finite(views)
    assert errors.all_finite(views[:1])  # the NaN is not in this view
    big = np.zeros(1000)
    big[500] = np.inf
    assert errors.all_finite([big[:10]]) and not errors.all_finite([big[495:505]])


def test_check_finite_says_what_to_do():
    with pytest.raises(ValueError, match=r"X holds 1 non-finite .* remove or impute them"):
        errors.check_finite(np.array([0.0, np.nan]), "X")
    with pytest.raises(ValueError, match=r"W1 holds 2 non-finite .* index \(0,\); reset it"):
        errors.check_finite(np.array([np.inf, np.nan]), "W1", fix="reset it")
