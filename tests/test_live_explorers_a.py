"""The live explorers of chapters 0 and 4 on the notebook side: their state and their errors."""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pytest

import descend as ds
import descend.live as live
from descend.live import explorers_a as xa


def test_one_d_functions_have_the_stated_minimum_and_curvature():
    for fn in xa.FUNCTIONS_1D.values():
        assert abs(fn.df(fn.x_min)) < 1e-12, fn.name
        assert fn.curvature == pytest.approx(float(fn.d2f(fn.x_min))) and fn.curvature > 0
        # the slope is the derivative of f, the curvature that of the slope
        h = 1e-5
        for x in (-1.3, 0.4, 2.1):
            assert (fn.f(x + h) - fn.f(x - h)) / (2 * h) == pytest.approx(fn.df(x), rel=1e-6)
            assert (fn.df(x + h) - fn.df(x - h)) / (2 * h) == pytest.approx(fn.d2f(x), rel=1e-6)
    assert xa.FUNCTIONS_1D["quadratic"].curvature == 2.0  # chapter 0's (x - 2)^2 + 1


def test_descent_1d_converges_below_the_bound_and_diverges_above_it():
    for name, fn in xa.FUNCTIONS_1D.items():
        bound = 2.0 / fn.curvature
        slow = xa.descent_1d(name, fn.x0, bound / 4, 200)
        assert len(slow) == 201 and abs(slow[-1] - fn.x_min) < 1e-6, name
    fn = xa.FUNCTIONS_1D["quadratic"]
    fast = xa.descent_1d("quadratic", fn.x0, 1.05, 500)
    assert len(fast) < 501 and abs(fast[-1]) > 1e6  # stopped early: diverged
    # the quadratic's error is multiplied by 1 - 2 lr at every step
    path = xa.descent_1d("quadratic", -1.0, 0.3, 5)
    assert np.allclose(path - 2.0, -3.0 * 0.4 ** np.arange(6))


def test_learning_rate_1d_state_and_placeholder():
    w = live.learning_rate_1d("quartic", lr=0.05, steps=40)
    assert isinstance(w, live.LiveWidget) and w.kind == "lr1d"
    assert w.settings == {"function": "quartic", "lr": 0.05, "steps": 40}
    entries = {e["name"]: e for e in w.functions}
    assert set(entries) == set(xa.FUNCTIONS_1D)
    q = entries["quadratic"]
    assert q["bound"] == 1.0 and q["lr_range"] == [0.001, 2.0]
    m = re.search(r'data-kind="lr1d" data-state="([^"]*)"', w.placeholder_html())
    assert m and json.loads(html.unescape(m[1]))["settings"]["function"] == "quartic"
    assert "lr1d" in w._lib["explorer"] and "render" in w._lib["explorer"]


def test_gradient_explorer_state():
    w = live.gradient_explorer("rosenbrock", (0.5, 1.5))
    assert w.kind == "gradient" and w.settings == {"surface": "rosenbrock", "x": 0.5, "y": 1.5}
    entries = {e["name"]: e for e in w.surfaces}
    assert set(entries) == set(xa.GRADIENT_SURFACES)
    quad = ds.surfaces.get("quadratic", condition=10.0, angle=30.0)
    assert entries["quadratic"]["params"]["h12"] == pytest.approx(quad.hessian[0, 1])
    for e in entries.values():
        assert len(e["levels"]) == 9 and np.all(np.diff(e["levels"]) > 0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: live.learning_rate_1d("cubic"), "function"),
        (lambda: live.learning_rate_1d(lr=-0.1), "lr"),
        (lambda: live.learning_rate_1d(steps=0), "steps"),
        (lambda: live.gradient_explorer("himmelblau", (9.0, 0.0)), "outside the himmelblau"),
        (lambda: live.gradient_explorer("sphere"), "surface"),
        (lambda: xa.descent_1d("quadratic", 0.0, 0.0, 5), "lr"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
