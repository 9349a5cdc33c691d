"""Tests for descend.surfaces.directional_derivative (book/04-gradient)."""

from __future__ import annotations

import numpy as np
import pytest

import descend as ds


@pytest.mark.parametrize("name", ["himmelblau", "rosenbrock", "beale", "multi_well"])
def test_matches_the_slope_of_f_along_the_direction(name):
    s = ds.surfaces.get(name)
    p = np.array([0.7, -0.4])
    angles = np.linspace(0, 2 * np.pi, 13)
    h = 1e-6
    u = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    by_differences = [(s.value(p + h * d) - s.value(p - h * d)) / (2 * h) for d in u]
    slopes = ds.surfaces.directional_derivative(s, p, angles)
    assert slopes.shape == angles.shape
    np.testing.assert_allclose(slopes, by_differences, rtol=1e-6, atol=1e-6)


def test_steepest_along_the_gradient_and_flat_across_it():
    s = ds.surfaces.get("himmelblau")
    p = (1.0, 1.0)
    g = s.gradient(p)
    phi = np.arctan2(g[1], g[0])
    norm = np.hypot(*g)
    assert ds.surfaces.directional_derivative(s, p, phi) == pytest.approx(norm)
    assert ds.surfaces.directional_derivative(s, p, phi + np.pi) == pytest.approx(-norm)
    assert ds.surfaces.directional_derivative(s, p, phi + np.pi / 2) == pytest.approx(
        0.0, abs=1e-9 * norm
    )
    many = ds.surfaces.directional_derivative(s, p, np.linspace(0, 2 * np.pi, 721))
    assert many.max() <= norm * (1 + 1e-12)


def test_scalar_angle_gives_a_zero_dimensional_array():
    s = ds.surfaces.quadratic(condition=4.0)
    out = ds.surfaces.directional_derivative(s, (1.0, 1.0), 0.0)
    assert np.ndim(out) == 0
    assert float(out) == pytest.approx(1.0)  # H = diag(1, 4): gradient (1, 4), u = (1, 0)


def test_errors():
    s = ds.surfaces.get("saddle")
    with pytest.raises(TypeError, match="gradient"):
        ds.surfaces.directional_derivative(object(), (0, 0), 0.0)
    with pytest.raises(ValueError, match="shape \\(2,\\)"):
        ds.surfaces.directional_derivative(s, (0, 0, 0), 0.0)
    with pytest.raises(ValueError, match="angle holds"):
        ds.surfaces.directional_derivative(s, (0, 0), np.nan)
