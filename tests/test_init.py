"""Step 1: initializers (values, statistics against their formulas, determinism, errors)."""

import math

import numpy as np
import pytest

from descend import init

RANDOM = ["normal", "uniform", "xavier_normal", "xavier_uniform", "he_normal", "he_uniform"]
BIG = (400, 600)  # 240,000 draws: the sample std is within ~0.3% of the true one


def test_fans_of_weight_matrix_and_vector():
    assert init.fans((3, 5)) == (3, 5)
    assert init.fans((4,)) == (4, 4)
    assert init.fans(7) == (7, 7)


def test_zeros_and_constant_values():
    np.testing.assert_array_equal(init.zeros((2, 3)), [[0, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(init.constant((2, 2), 0.5), [[0.5, 0.5], [0.5, 0.5]])
    assert init.zeros(4).shape == (4,)
    assert init.constant((1, 3), 2).dtype == np.float64


@pytest.mark.parametrize("name", RANDOM)
def test_random_initializers_shape_and_determinism(name):
    fn = init.get(name)
    a = fn((3, 4), np.random.default_rng(7))
    b = fn((3, 4), rng=np.random.default_rng(7))
    c = fn((3, 4), np.random.default_rng(8))
    assert a.shape == (3, 4) and a.dtype == np.float64
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


# expected standard deviations written out by hand for fan_in = 400, fan_out = 600
@pytest.mark.parametrize(
    ("name", "kwargs", "std", "bound"),
    [
        ("normal", {"std": 0.2}, 0.2, None),
        ("uniform", {"low": -0.3, "high": 0.3}, 0.3 / math.sqrt(3), 0.3),
        ("xavier_normal", {}, math.sqrt(2 / 1000), None),  # 0.04472
        ("xavier_normal", {"gain": 2.0}, 2 * math.sqrt(2 / 1000), None),
        ("xavier_uniform", {}, math.sqrt(6 / 1000) / math.sqrt(3), math.sqrt(6 / 1000)),
        ("he_normal", {}, math.sqrt(2 / 400), None),  # 0.07071
        ("he_uniform", {}, math.sqrt(6 / 400) / math.sqrt(3), math.sqrt(6 / 400)),
    ],
)
def test_sample_statistics_match_the_formula(name, kwargs, std, bound):
    W = init.get(name)(BIG, np.random.default_rng(0), **kwargs)
    assert abs(W.std() / std - 1) < 0.01
    assert abs(W.mean()) < 0.01 * std
    if bound is not None:  # uniform: inside [-a, a] and reaching close to both ends
        assert W.min() >= -bound and W.max() <= bound
        assert W.min() < -0.99 * bound and W.max() > 0.99 * bound


def test_hand_computed_stds():
    # literals worked out by hand, so a wrong formula cannot hide in both code and test
    W = init.he_normal((50, 4000), np.random.default_rng(1))  # sqrt(2 / 50) = 0.2
    assert W.std() == pytest.approx(0.2, rel=0.01)
    W = init.xavier_uniform((100, 200), np.random.default_rng(1))  # sqrt(6 / 300) = 0.1414
    assert W.max() == pytest.approx(0.1414, abs=0.001)


def test_normal_mean_and_uniform_range():
    W = init.normal((200, 200), np.random.default_rng(2), mean=3.0, std=0.5)
    assert W.mean() == pytest.approx(3.0, abs=0.01)
    U = init.uniform((200, 200), np.random.default_rng(2), low=1.0, high=2.0)
    assert 1.0 <= U.min() and U.max() <= 2.0 and U.mean() == pytest.approx(1.5, abs=0.01)


def test_registry_and_get():
    assert set(init.INITIALIZERS) == {
        "zeros",
        "constant",
        "normal",
        "uniform",
        "xavier_normal",
        "xavier_uniform",
        "he_normal",
        "he_uniform",
    }
    assert init.get("he_uniform") is init.he_uniform


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize("name", RANDOM)
def test_missing_rng_names_the_fix(name):
    with pytest.raises(TypeError, match=rf"{name} .*got no rng.*np\.random\.default_rng\(seed\)"):
        init.get(name)((2, 2))


@pytest.mark.parametrize("bad", [0, np.random.RandomState(0), "seed"])
def test_rng_of_wrong_type(bad):
    with pytest.raises(TypeError, match=r"needs a np\.random\.Generator, got rng of type"):
        init.he_normal((2, 2), bad)


@pytest.mark.parametrize("shape", [(0, 3), (2, -1), (2.5,), "ab", (), (True, 2), None])
def test_bad_shapes(shape):
    with pytest.raises(ValueError, match="shape must be a tuple of positive integers"):
        init.zeros(shape)


def test_fans_of_three_dimensional_shape():
    with pytest.raises(ValueError, match=r"fans needs a weight shape .* got \(2, 3, 4\)"):
        init.fans((2, 3, 4))


def test_bad_distribution_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="std must be a finite number >= 0, got -1"):
        init.normal((2, 2), rng, std=-1)
    with pytest.raises(ValueError, match="uniform needs finite low < high, got low=1, high=0"):
        init.uniform((2, 2), rng, low=1, high=0)
    with pytest.raises(ValueError, match="gain must be a finite number > 0, got 0"):
        init.xavier_normal((2, 2), rng, gain=0)
    with pytest.raises(ValueError, match="value must be a finite number, got nan"):
        init.constant((2, 2), float("nan"))
    with pytest.raises(TypeError, match="value must be a number, got str"):
        init.constant((2, 2), "1")


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown initializer 'glorot'.*choose one of: zeros, "):
        init.get("glorot")
