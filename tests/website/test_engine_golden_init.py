"""The engine's functions for chapter 1's explorer compute descend's numbers.

Golden cases made with ``descend`` (``descend.live.explorers_init``: the draws, the
network :meth:`InitExplorer.network` builds from them with :mod:`descend.init`'s formulas,
and :meth:`InitExplorer.layer_stats`, measured by :class:`descend.Network`), run by
``engine.js`` in headless Chromium:

* every scheme's standard deviation, and the network's weights: exactly equal;
* each hidden layer's output spread, weight-gradient spread and saturated share, for
  settings across schemes, activations, depths and widths: relative error <= 1e-9.

The settings stay out of tanh's chaotic regime (a large gain with tanh): there two
networks that differ in the last bit of one weight end up with outputs that differ
visibly after 30 layers, so summing in another order (BLAS against the engine's loops)
may change the spreads' later digits.
"""

from __future__ import annotations

import numpy as np
import pytest

import descend.live as L
from descend.live.explorers_init import init_std

from .test_engine_golden import RUN_TOL, engine_page, rel_err  # noqa: F401

pytestmark = pytest.mark.browser

SETTINGS = [
    {"scheme": "normal", "std": 0.01, "activation": "tanh", "depth": 30, "width": 32},
    {"scheme": "normal", "std": 1.0, "activation": "relu", "depth": 30, "width": 32},
    {"scheme": "normal", "std": 0.5, "activation": "sigmoid", "depth": 12, "width": 16},
    {"scheme": "xavier", "gain": 1.0, "activation": "tanh", "depth": 30, "width": 32},
    {"scheme": "xavier", "gain": 1.41, "activation": "relu", "depth": 25, "width": 8},
    {"scheme": "xavier", "gain": 0.5, "activation": "identity", "depth": 7, "width": 4},
    {"scheme": "he", "gain": 1.0, "activation": "relu", "depth": 30, "width": 32},
    {"scheme": "he", "gain": 2.0, "activation": "leaky_relu", "depth": 18, "width": 16},
    {"scheme": "he", "gain": 1.0, "activation": "tanh", "depth": 1, "width": 8},
]


@pytest.fixture(scope="module")
def explorer():
    return L.init_explorer(np.random.default_rng(21))


def test_init_std_matches_descend(engine_page):  # noqa: F811
    cases = [
        (scheme, fan_in, fan_out, {"std": 0.0371, "gain": g})
        for scheme in ("normal", "xavier", "he")
        for fan_in, fan_out in ((32, 32), (7, 1), (4, 16))
        for g in (0.0992, 1.0, 1.41, 10.1)
    ]
    got = engine_page.evaluate(
        "(cases) => cases.map(([s, i, o, k]) => E.initStd(s, i, o, k))",
        [[s, i, o, k] for s, i, o, k in cases],
    )
    assert got == [init_std(s, i, o, **k) for s, i, o, k in cases]


def test_engine_network_has_descends_weights(engine_page, explorer):  # noqa: F811
    for s in SETTINGS[2:6]:
        full = {"std": 0.01, "gain": 1.0, **s}
        got = engine_page.evaluate(
            "([draws, s]) => { const { net, X, y } = E.initNetwork(draws, s);"
            " const W = {}; for (const [k, v] of Object.entries(net.params))"
            " W[k] = v.data ? E.toRows(v) : v; return { W, X: E.toRows(X), y }; }",
            [explorer.draws, full],
        )
        net = explorer.network(full)
        X, y = explorer.data(full)
        assert set(got["W"]) == set(net.params)
        for name, p in net.params.items():
            assert np.array_equal(np.array(got["W"][name]).reshape(p.shape), p), (s, name)
        assert np.array_equal(got["X"], X) and np.array_equal(got["y"], y)


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: "-".join(map(str, s.values())))
def test_layer_spreads_match_descend(engine_page, explorer, settings):  # noqa: F811
    full = {"std": 0.01, "gain": 1.0, **settings}
    got = engine_page.evaluate(
        "([draws, s]) => { const r = E.initStats(draws, s);"
        " return { std: r.std, grad: r.gradStd, sat: r.saturated }; }",
        [explorer.draws, full],
    )
    want = explorer.layer_stats(full)
    assert len(got["std"]) == settings["depth"]
    for key, name in (("std", "std"), ("grad", "grad_std")):
        g, w = np.array(got[key]), want[name]
        assert np.max(np.abs(g - w) / w) <= RUN_TOL, (key, g, w)  # per layer, relative
    assert got["sat"] == want["saturated"].tolist()
