"""The engine's functions for the explorers of chapters 0 and 4 compute descend's numbers.

Golden cases made with ``descend`` (``descend.live.explorers_a`` and
``descend.surfaces.directional_derivative``), run by ``engine.js`` in headless Chromium:

* the 1-D functions' value, slope and curvature at many points: relative error <= 1e-12;
* gradient-descent paths ``x_0 .. x_t`` on each 1-D function, at learning rates from
  crawling to diverging: the same length (the same stopping step) and relative error
  <= 1e-9;
* the directional derivative of every surface at random points and angles: <= 1e-12.
"""

from __future__ import annotations

import numpy as np
import pytest

import descend as ds
from descend.live import explorers_a as xa

from .test_engine_golden import FORWARD_TOL, RUN_TOL, engine_page, rel_err  # noqa: F401

pytestmark = pytest.mark.browser


def test_one_d_functions_match_descend(engine_page):  # noqa: F811
    xs = np.linspace(-3.0, 3.0, 41).tolist()
    for name, fn in xa.FUNCTIONS_1D.items():
        got = engine_page.evaluate(
            "([name, xs]) => { const F = E.FUNCTIONS_1D[name];"
            " return [xs.map(F.f), xs.map(F.df), xs.map(F.d2f)]; }",
            [name, xs],
        )
        want = [fn.f(np.array(xs)), fn.df(np.array(xs)), fn.d2f(np.array(xs))]
        for g, w, what in zip(got, want, ("f", "df", "d2f"), strict=True):
            assert rel_err(g, w) <= FORWARD_TOL, (name, what)


def test_one_d_descent_paths_match_descend(engine_page):  # noqa: F811
    n_diverged = 0
    for name, fn in xa.FUNCTIONS_1D.items():
        bound = 2.0 / fn.curvature
        for lr in (bound / 1000, bound / 3, bound * 0.6, bound * 0.99, bound * 1.2, bound * 2):
            want = xa.descent_1d(name, fn.x0, lr, 60)
            got = engine_page.evaluate(
                "([name, x0, lr]) => E.descent1d(E.FUNCTIONS_1D[name], x0, lr, 60)",
                [name, fn.x0, lr],
            )
            assert len(got) == len(want), (name, lr)
            assert rel_err(got, want) <= RUN_TOL, (name, lr)
            n_diverged += len(want) < 61
    assert n_diverged >= 3  # the cases include runs that stop early, diverged


def test_directional_derivative_matches_descend(engine_page):  # noqa: F811
    rng = np.random.default_rng(15)
    for name in xa.GRADIENT_SURFACES:
        surface = xa._surface(name)
        params = next(
            e["params"]
            for e in xa.gradient_explorer(name, surface.start).surfaces
            if e["name"] == name
        )
        points = np.column_stack(
            [rng.uniform(*surface.xlim, 5), rng.uniform(*surface.ylim, 5)]
        ).tolist()
        angles = rng.uniform(0, 2 * np.pi, 7).tolist()
        got = engine_page.evaluate(
            "([name, params, points, angles]) => { const s = E.SURFACES[name](params);"
            " return points.map(([x, y]) =>"
            " angles.map((a) => E.directionalDerivative(s, x, y, a))); }",
            [name, params, points, angles],
        )
        want = [ds.surfaces.directional_derivative(surface, p, angles) for p in points]
        assert rel_err(got, want) <= FORWARD_TOL, name
