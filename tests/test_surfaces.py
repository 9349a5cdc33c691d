"""descend.surfaces: exact gradients, minima and their values, the quadratic's Hessian, errors."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descend import surfaces

ALL = sorted(surfaces.SURFACES)
VARIANTS = [
    *[(name, {}) for name in ALL],
    ("quadratic", {"condition": 100.0, "angle": 0.7}),
    ("quadratic", {"condition": 1.0, "angle": -2.0}),
    ("rosenbrock", {"a": -1.5, "b": 10.0}),
]
VARIANT_IDS = [n + "".join(f"-{k}={v}" for k, v in kw.items()) for n, kw in VARIANTS]


def centred_gradient(s, x, y):
    """Centred differences with a step scaled to the point, one coordinate at a time."""
    hx, hy = 1e-5 * max(1.0, abs(x)), 1e-5 * max(1.0, abs(y))
    gx = (s.f(x + hx, y) - s.f(x - hx, y)) / (2 * hx)
    gy = (s.f(x, y + hy) - s.f(x, y - hy)) / (2 * hy)
    return np.array([gx, gy])


def rel_error(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(a) + np.abs(b)), 1e-300)


def hessian_fd(s, p, h=1e-4):
    """Hessian by centred differences of the exact gradient."""
    H = np.zeros((2, 2))
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        H[:, j] = (s.gradient(p + e) - s.gradient(p - e)) / (2 * h)
    return (H + H.T) / 2


# --- gradients ------------------------------------------------------------------------------


@pytest.mark.parametrize("name, kwargs", VARIANTS, ids=VARIANT_IDS)
def test_gradient_matches_centred_differences_across_the_window(name, kwargs):
    s = surfaces.get(name, **kwargs)
    rng = np.random.default_rng(1)
    xs = rng.uniform(*s.xlim, size=200)
    ys = rng.uniform(*s.ylim, size=200)
    worst = 0.0
    checked = 0
    for x, y in zip(xs, ys, strict=True):
        exact = s.gradient((x, y))
        if np.max(np.abs(exact)) < 1e-3:  # too close to a stationary point to compare
            continue
        worst = max(worst, rel_error(exact, centred_gradient(s, x, y)))
        checked += 1
    assert checked > 150
    assert worst <= 1e-7, f"{name}: worst relative error {worst:.2e}"


@pytest.mark.parametrize("name", ALL)
def test_f_and_grad_are_vectorised(name):
    s = surfaces.get(name)
    rng = np.random.default_rng(2)
    X = rng.uniform(*s.xlim, size=(4, 5))
    Y = rng.uniform(*s.ylim, size=(4, 5))
    Z = s.f(X, Y)
    GX, GY = s.grad(X, Y)
    assert Z.shape == GX.shape == GY.shape == (4, 5)
    for i in range(4):
        for j in range(5):
            p = (X[i, j], Y[i, j])
            assert Z[i, j] == s.value(p)
            np.testing.assert_array_equal([GX[i, j], GY[i, j]], s.gradient(p))
    Xg, Yg, Zg = s.grid(11)
    assert Xg.shape == Zg.shape == (11, 11)
    assert (Xg[0, 0], Xg[-1, -1]) == s.xlim and (Yg[0, 0], Yg[-1, -1]) == s.ylim
    assert np.all(np.isfinite(Zg))


def test_rosenbrock_by_hand():
    s = surfaces.rosenbrock()
    # (1 + 1.2)^2 + 100 (1 - 1.44)^2 = 4.84 + 19.36
    assert s.value((-1.2, 1.0)) == pytest.approx(24.2, rel=1e-14)
    # df/dx = -2(1 - x) - 400 x (y - x^2) = -4.4 - 211.2;  df/dy = 200 (y - x^2) = -88
    np.testing.assert_allclose(s.gradient((-1.2, 1.0)), [-215.6, -88.0], rtol=1e-14)


# --- minima ---------------------------------------------------------------------------------

# (surface, kwargs) -> minima and their values from the literature or derived by hand
KNOWN_MINIMA = {
    "quadratic": ([(0.0, 0.0)], [0.0]),
    "rosenbrock": ([(1.0, 1.0)], [0.0]),
    # Himmelblau (1972): f = 0 at (3, 2) and three points known to six decimals
    "himmelblau": (
        [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)],
        [0.0] * 4,
    ),
    "beale": ([(3.0, 0.5)], [0.0]),
    # x^2 + y^4/4 - y^2/2: 2x = 0 and y^3 - y = 0 -> y = +-1, f = 1/4 - 1/2
    "saddle": ([(0.0, 1.0), (0.0, -1.0)], [-0.25, -0.25]),
}


@pytest.mark.parametrize("name", sorted(KNOWN_MINIMA))
def test_minima_are_where_the_literature_puts_them(name):
    s = surfaces.get(name)
    points, values = KNOWN_MINIMA[name]
    assert len(s.minima) == len(points)
    for got, want in zip(s.minima, points, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-6)
    np.testing.assert_allclose(s.min_values, values, atol=1e-15)


@pytest.mark.parametrize("name, kwargs", VARIANTS, ids=VARIANT_IDS)
def test_every_listed_minimum_is_a_minimum(name, kwargs):
    s = surfaces.get(name, **kwargs)
    assert len(s.minima) == len(s.min_values) >= 1
    scale = max(1.0, max(abs(v) for v in s.min_values))
    for p, value in zip(s.minima, s.min_values, strict=True):
        p = np.array(p)
        assert s.xlim[0] < p[0] < s.xlim[1] and s.ylim[0] < p[1] < s.ylim[1]
        assert np.max(np.abs(s.gradient(p))) <= 1e-12 * scale, s.gradient(p)
        assert s.value(p) == pytest.approx(value, abs=1e-14 * scale)
        # a minimum: higher all around (on a small ring), positive-definite Hessian
        ring = [p + 1e-3 * np.array([math.cos(a), math.sin(a)]) for a in np.linspace(0, 6, 12)]
        assert all(s.value(q) > s.value(p) for q in ring)
        assert np.all(np.linalg.eigvalsh(hessian_fd(s, p)) > 0)


def test_rosenbrock_minimum_moves_with_a():
    s = surfaces.rosenbrock(a=-1.5, b=10.0)
    assert s.minima == ((-1.5, 2.25),)


def test_saddle_has_zero_gradient_but_is_no_minimum():
    s = surfaces.saddle()
    assert s.saddles == ((0.0, 0.0),)
    np.testing.assert_array_equal(s.gradient((0.0, 0.0)), [0.0, 0.0])
    assert s.value((0.0, 0.0)) == 0.0
    eig = np.linalg.eigvalsh(hessian_fd(s, np.zeros(2)))
    np.testing.assert_allclose(eig, [-1.0, 2.0], rtol=1e-6)


def _descend(s, p, lr=0.05, steps=2000):
    p = np.array(p, dtype=float)
    for _ in range(steps):
        p = p - lr * s.gradient(p)
    return p


def test_saddle_traps_a_start_on_its_axis_and_releases_any_other():
    s = surfaces.saddle()
    np.testing.assert_allclose(_descend(s, (1.8, 0.0)), [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(_descend(s, s.start), [0.0, 1.0], atol=1e-9)
    np.testing.assert_allclose(_descend(s, (1.8, -1e-6)), [0.0, -1.0], atol=1e-9)


def _well_by_hand(roots):
    """The double well with derivative prod(u - r), zero at 0, via numpy's polynomials."""
    antiderivative = np.polyint(np.poly(roots))
    return lambda u: np.polyval(antiderivative, u)


def test_multi_well_has_four_minima_of_different_depths():
    s = surfaces.multi_well()
    assert len(s.minima) == 4
    values = np.array(s.min_values)
    assert np.all(np.diff(values) > 0.3)  # deepest first, clearly different depths
    # the values again, independently: g(u) + 1.6 h(v) at the rotated-back minima
    g = _well_by_hand([-1.5, 0.3, 1.4])
    h = _well_by_hand([-1.2, -0.2, 1.3])
    c, sn = math.cos(math.radians(25)), math.sin(math.radians(25))
    expected = sorted(g(u) + 1.6 * h(v) for u in (-1.5, 1.4) for v in (-1.2, 1.3))
    np.testing.assert_allclose(values, expected, rtol=1e-13)
    for (x, y), value in zip(s.minima, values, strict=True):
        u, v = c * x + sn * y, -sn * x + c * y
        assert g(u) + 1.6 * h(v) == pytest.approx(value, rel=1e-13)
    # four saddles with zero gradient and an indefinite Hessian
    assert len(s.saddles) == 4
    for p in s.saddles:
        assert np.max(np.abs(s.gradient(p))) < 1e-13
        lo, hi = np.linalg.eigvalsh(hessian_fd(s, np.array(p)))
        assert lo < 0 < hi


def test_multi_well_the_start_decides_the_minimum_reached():
    s = surfaces.multi_well()
    # from a point near each minimum (a quarter of the way in from the central peak)
    centre = np.array(s.start)
    reached = [
        _descend(s, centre + 0.75 * (np.array(m) - centre), lr=0.02, steps=3000) for m in s.minima
    ]
    for m, r in zip(s.minima, reached, strict=True):
        np.testing.assert_allclose(r, m, atol=1e-8)


def test_every_start_lies_in_its_window():
    for name in ALL:
        s = surfaces.get(name)
        assert s.xlim[0] < s.start[0] < s.xlim[1] and s.ylim[0] < s.start[1] < s.ylim[1], name
        assert np.max(np.abs(s.gradient(s.start))) > 1e-3, name  # not already stationary


# --- the quadratic's Hessian -----------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(condition=st.floats(1.0, 1e4), angle=st.floats(-math.pi, math.pi))
def test_quadratic_condition_and_rotation_from_the_hessian(condition, angle):
    s = surfaces.quadratic(condition=condition, angle=angle)
    H = s.hessian
    assert H.shape == (2, 2)
    np.testing.assert_allclose(H, H.T, rtol=0, atol=1e-12 * condition)
    lam, vecs = np.linalg.eigh(H)
    np.testing.assert_allclose(lam, [1.0, condition], rtol=1e-10)
    assert lam[1] / lam[0] == pytest.approx(condition, rel=1e-10)
    if condition > 1 + 1e-6:
        # the shallow direction (eigenvalue 1) points at `angle`, up to sign
        shallow = vecs[:, 0]
        assert abs(shallow @ [math.cos(angle), math.sin(angle)]) == pytest.approx(1.0, abs=1e-8)
    # f is the quadratic form of H and grad is H p, at a random point
    p = np.array([0.3, -1.1])
    assert s.value(p) == pytest.approx(0.5 * p @ H @ p, rel=1e-12)
    np.testing.assert_allclose(s.gradient(p), H @ p, rtol=1e-12, atol=1e-12)


def test_quadratic_stability_bound_is_two_over_lambda_max():
    s = surfaces.quadratic(condition=20.0, angle=0.4)
    lam_max = np.linalg.eigvalsh(s.hessian)[-1]
    bound = 2.0 / lam_max
    below = _descend(s, s.start, lr=0.95 * bound, steps=400)
    above = _descend(s, s.start, lr=1.05 * bound, steps=400)
    assert np.linalg.norm(below) < 1e-6
    assert np.linalg.norm(above) > 1e3


def test_quadratic_hessian_is_read_only():
    H = surfaces.quadratic().hessian
    with pytest.raises(ValueError):
        H[0, 0] = 5.0


def test_surfaces_are_frozen_and_only_the_quadratic_has_a_hessian():
    s = surfaces.get("beale")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.start = (0.0, 0.0)
    assert all(surfaces.get(n).hessian is None for n in ALL if n != "quadratic")
    assert all(surfaces.get(n).name == n for n in ALL)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (lambda: surfaces.quadratic(condition=0.5), ValueError, "condition must be >= 1"),
        (lambda: surfaces.quadratic(condition=-3), ValueError, "condition must be a finite"),
        (lambda: surfaces.quadratic(angle=float("nan")), ValueError, "angle must be a finite"),
        (lambda: surfaces.quadratic(angle="30deg"), TypeError, "angle must be a number"),
        (lambda: surfaces.rosenbrock(b=0), ValueError, "b must be a finite number > 0"),
        (lambda: surfaces.rosenbrock(a=float("inf")), ValueError, "a must be a finite"),
        (
            lambda: surfaces.get("booth"),
            ValueError,
            "choose one of: quadratic, rosenbrock, himmelblau, beale, saddle, multi_well",
        ),
        (lambda: surfaces.get("beale", a=1), TypeError, "unexpected keyword"),
    ],
)
def test_bad_arguments_are_rejected(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


@pytest.mark.parametrize(
    "p, exc, match",
    [
        (
            (1.0, 2.0, 3.0),
            ValueError,
            r"p must be a point \(x, y\) of shape \(2,\), got shape \(3,\)",
        ),
        ([[1.0, 2.0]], ValueError, "p must have 1 dimension"),
        ((1.0, float("nan")), ValueError, "p holds 1 non-finite value"),
        (("a", "b"), TypeError, "p must be an array of numbers"),
    ],
)
def test_bad_points_are_rejected(p, exc, match):
    s = surfaces.himmelblau()
    with pytest.raises(exc, match=match):
        s.value(p)
    with pytest.raises(exc, match=match):
        s.gradient(p)
    with pytest.raises(ValueError, match="n must be an integer >= 2"):
        s.grid(1)
