"""The Python side of chapter 1's live explorer (descend.live.explorers_init)."""

from __future__ import annotations

import gzip
import html
import json
import re

import numpy as np
import pytest

import descend as ds
import descend.live as L
from descend.live.explorers_init import (
    GAIN_POSITIONS,
    MAX_DEPTH,
    MAX_WIDTH,
    STD_POSITIONS,
    init_std,
)


@pytest.fixture(scope="module")
def explorer():
    return L.init_explorer(np.random.default_rng(3))


@pytest.mark.parametrize(
    "fn,scheme,kwargs",
    [
        (ds.init.normal, "normal", {"std": 0.37}),
        (ds.init.xavier_normal, "xavier", {"gain": 1.0}),
        (ds.init.xavier_normal, "xavier", {"gain": 2.7}),
        (ds.init.he_normal, "he", {}),
    ],
)
@pytest.mark.parametrize("shape", [(32, 32), (7, 3), (32, 1)])
def test_init_std_times_standard_normal_draws_is_descends_initializer(fn, scheme, kwargs, shape):
    """descend.init draws std * standard normal: the explorer's weights are its weights."""
    want = fn(shape, np.random.default_rng(11), **kwargs)
    z = np.random.default_rng(11).standard_normal(shape)
    assert np.array_equal(init_std(scheme, *shape, **kwargs) * z, want)


def test_he_gain_and_xavier_on_square_layers():
    assert init_std("he", 32, 32, gain=1.41) == 1.41 * np.sqrt(2 / 32)
    # on a square layer Xavier's std is g / sqrt(n): the chapter's "gain"
    assert init_std("xavier", 32, 32, gain=1.3) == pytest.approx(1.3 / np.sqrt(32), rel=1e-15)
    assert init_std("normal", 5, 9, std=0.02) == 0.02
    with pytest.raises(ValueError, match="unknown scheme 'lecun'"):
        init_std("lecun", 4, 4)


def test_draws_are_rounded_standard_normals_from_the_rng(explorer):
    d = explorer.draws
    assert (d["n"], d["max_width"], d["max_depth"]) == (64, MAX_WIDTH, MAX_DEPTH)
    assert len(d["X"]) == d["n"] * MAX_WIDTH and len(d["y"]) == d["n"]
    assert len(d["W"]) == MAX_DEPTH and all(len(b) == MAX_WIDTH**2 for b in d["W"])
    assert len(d["w_out"]) == MAX_WIDTH
    every = np.concatenate([d["X"], d["y"], *d["W"], d["w_out"]])
    assert np.array_equal(every, np.round(every, 2))  # 2 decimals: the draws are these
    assert abs(every.mean()) < 0.02 and abs(every.std() - 1) < 0.02
    again = L.init_explorer(np.random.default_rng(3))
    assert again.draws == d  # the same seed, the same draws
    assert L.init_explorer(np.random.default_rng(4)).draws["W"][0] != d["W"][0]


def test_network_is_built_from_the_draws_by_descends_formulas(explorer):
    s = {"scheme": "xavier", "gain": 1.41, "activation": "relu", "depth": 3, "width": 8}
    net = explorer.network(s)
    assert list(net.sizes) == [8, 8, 8, 8, 1] and net.loss_name == "mse"
    assert net.activation_names == ("relu",) * 3
    for l in (1, 2, 3):
        block = np.reshape(explorer.draws["W"][l - 1], (MAX_WIDTH, MAX_WIDTH))[:8, :8]
        assert np.array_equal(net.params[f"W{l}"], 1.41 * np.sqrt(2 / 16) * block)
        assert np.array_equal(net.params[f"b{l}"], np.zeros(8))
    w_out = np.reshape(explorer.draws["w_out"][:8], (8, 1))
    assert np.array_equal(net.params["W4"], 1.41 * np.sqrt(2 / 9) * w_out)
    X, y = explorer.data(s)
    assert X.shape == (64, 8) and y.shape == (64,)
    assert np.array_equal(X, np.reshape(explorer.draws["X"], (64, MAX_WIDTH))[:, :8])


def test_layer_stats_are_the_spreads_of_a_plain_numpy_pass(explorer):
    s = {"scheme": "normal", "std": 0.3, "activation": "tanh", "depth": 4, "width": 16}
    stats = explorer.layer_stats(s)
    net = explorer.network(s)
    X, y = explorer.data(s)
    A, acts = X, []
    for l in range(1, 5):  # forward by hand: A = tanh(A W), biases 0
        A = np.tanh(A @ net.params[f"W{l}"])
        acts.append(A)
    y_hat = (A @ net.params["W5"])[:, 0]
    dZ = (2 * (y_hat - y) / 64)[:, None]  # mean squared error's gradient
    grads = []
    for l in range(5, 0, -1):  # backward by hand
        A_prev = acts[l - 2] if l > 1 else X
        grads.append(A_prev.T @ dZ)
        if l > 1:
            dZ = (dZ @ net.params[f"W{l}"].T) * (1 - acts[l - 2] ** 2)
    grads = grads[::-1][:4]
    np.testing.assert_allclose(stats["std"], [a.std() for a in acts], rtol=1e-12)
    np.testing.assert_allclose(stats["grad_std"], [g.std() for g in grads], rtol=1e-12)
    np.testing.assert_allclose(stats["saturated"], [np.mean(np.abs(a) > 0.99) for a in acts])


def test_slider_positions_are_log_spaced_and_hold_the_chapters_values():
    for positions, n, lo, hi in (
        (STD_POSITIONS, 241, 0.001, 10.0),
        (GAIN_POSITIONS, 201, 0.0992, 10.1),
    ):
        assert len(positions) == n and positions[0] == lo and positions[-1] == hi
        assert all(a < b for a, b in zip(positions, positions[1:], strict=False))
    assert {0.01, 0.1, 1.0} <= set(STD_POSITIONS)
    assert {0.5, 1.0, 1.41, 2.0} <= set(GAIN_POSITIONS)
    w = L.init_explorer(np.random.default_rng(0), std=0.0122, gain=1.4142)
    assert w.settings["std"] == 0.0121 and w.settings["gain"] == 1.41  # nearest positions


def test_bad_settings_are_refused_with_what_to_do():
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="needs a np.random.Generator"):
        L.init_explorer(None)
    with pytest.raises(ValueError, match="unknown scheme 'uniform'.*normal, xavier, he"):
        L.init_explorer(rng, scheme="uniform")
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        L.init_explorer(rng, activation="softmax")
    with pytest.raises(
        ValueError, match=r"depth must be an integer between 1 and 30 \(hidden layers\), got 31"
    ):
        L.init_explorer(rng, depth=31)
    with pytest.raises(ValueError, match=r"width must be one of \(4, 8, 16, 32\) units, got 12"):
        L.init_explorer(rng, width=12)
    with pytest.raises(ValueError, match=r"std must be in \[0.001, 10\], got 20"):
        L.init_explorer(rng, std=20)
    with pytest.raises(ValueError, match=r"gain must be in \[0.0992, 10.1\], got 0"):
        L.init_explorer(rng, gain=0)
    with pytest.raises(TypeError, match=r"unknown setting\(s\) \['lr'\]"):
        L.init_explorer(rng).network({"lr": 0.1})


def test_placeholder_carries_small_state_as_json(explorer):
    assert explorer.kind == "init" and explorer.page_state == ("draws", "settings")
    m = re.fullmatch(
        r'<div class="descend-live" data-kind="init" data-state="([^"]*)">.*',
        explorer.placeholder_html(),
    )
    state = json.loads(html.unescape(m[1]))
    assert state["settings"] == {
        "scheme": "normal",
        "activation": "tanh",
        "depth": 10,
        "width": 32,
        "std": 0.01,
        "gain": 1.0,
    }
    assert state["draws"] == explorer.draws
    packed = gzip.compress(m[1].encode(), 6, mtime=0)
    assert len(packed) < 70_000, len(packed)  # the page's later visit stays light
    assert explorer._lib["explorer"] == L.source("init.js")
