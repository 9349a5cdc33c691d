"""The Python side of the live explorers of chapters 7 and 8: their state and their errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

import descend as ds
import descend.live as L
from descend.live.explorers_regression import LR_POSITIONS, slider_lr


@pytest.fixture(scope="module")
def line_data():
    return ds.data.line(40, slope=2.0, intercept=1.0, noise=1.0, rng=np.random.default_rng(7))


@pytest.fixture(scope="module")
def blob_data():
    rng = np.random.default_rng(4)
    return ds.data.blobs(120, noise=0.9, rng=rng, centers=[[-1.0, -0.6], [1.2, 1.0]])


def test_line_fit_state_is_the_rounded_data_and_the_slider_holds_the_rate(line_data):
    X, y = line_data
    w = L.line_fit_explorer(X, y, lr=0.1, steps=5)
    assert w.data["x"] == np.round(X[:, 0], 3).tolist() and w.data["y"] == np.round(y, 3).tolist()
    s = w.settings
    assert (s["lr"], s["steps"], s["start"], s["max_steps"]) == (0.1, 5, [-1.0, 4.0], 1000)
    lrs = w.slider_lrs()
    assert len(lrs) == LR_POSITIONS + 1 >= 200 and lrs[0] == 0.001 and lrs[-1] == 1.0
    assert lrs[160] == 0.1 and all(a < b for a, b in zip(lrs, lrs[1:], strict=False))
    # the placeholder carries the state, small
    html = w.placeholder_html()
    assert 'data-kind="linefit"' in html and len(html) < 4000
    # a rate between positions goes to the nearest one
    assert L.line_fit_explorer(X, y, lr=0.0995).settings["lr"] == 0.1


def test_line_fit_run_is_descends_training(line_data):
    X, y = line_data
    w = L.line_fit_explorer(X, y, steps=100)
    net, history = w.run()
    # the chapter's run on the rounded data: same start, same steps
    ref = ds.Network([1, 1], loss="mse", initializer="zeros")
    ref.params["W1"][:], ref.params["b1"][:] = -1.0, 4.0
    Xr, yr = np.round(X, 3), np.round(y, 3)
    h = ds.train.train(ref, Xr, yr, ds.optim.SGD(lr=0.1), epochs=100, shuffle=False)
    assert history.epoch_losses == h.epoch_losses
    assert np.array_equal(net.params["W1"], ref.params["W1"])
    with pytest.raises(ds.DivergenceError):
        w.run(steps=300, lr=1.0)


def test_logistic_state_and_run(blob_data):
    X, y = blob_data
    w = L.logistic_fit_explorer(X, y)
    assert w.settings["lr"] == 0.5 and w.settings["start"] == {"w": [-1.0, 0.5], "b": 0.5}
    assert w.slider_lrs()[120] == 0.5 and w.slider_lrs()[-1] == 50.0
    assert json.loads(json.dumps(w.data))["y"] == y.tolist()
    net, h = w.run(steps=60)
    assert len(h.snapshots) == 61 and h.epoch_losses[-1] < 0.3 * h.initial_loss
    assert np.array_equal(net.params["b1"], h.snapshots[-1][1]["b1"])


def test_bad_input_says_what_is_wrong(line_data, blob_data):
    X, y = line_data
    with pytest.raises(ValueError, match="lr must be"):
        L.line_fit_explorer(X, y, lr=5.0)
    with pytest.raises(ValueError, match="steps must be"):
        L.line_fit_explorer(X, y, steps=2000)
    with pytest.raises(ValueError, match="one feature"):
        L.line_fit_explorer(np.ones((4, 2)), y[:4])
    with pytest.raises(ValueError, match="every x is equal"):
        L.line_fit_explorer(np.ones(4), y[:4])
    with pytest.raises(ValueError, match=r"point 0 \(0, 20\) lies outside the window"):
        L.line_fit_explorer([0.0, 1.0], [20.0, 1.0])
    with pytest.raises(ValueError, match="2 to 200 points"):
        L.line_fit_explorer([0.5], [1.0])
    with pytest.raises(ValueError, match="4 examples but y has 3"):
        L.line_fit_explorer(X[:4], y[:3])
    Xb, yb = blob_data
    with pytest.raises(ValueError, match="shape \\(n, 2\\)"):
        L.logistic_fit_explorer(Xb[:, :1], yb)
    with pytest.raises(ValueError, match="each 0 or 1"):
        L.logistic_fit_explorer(Xb, yb + 1)
    with pytest.raises(ValueError, match="outside the window"):
        L.logistic_fit_explorer(Xb * 10, yb)
    with pytest.raises(ValueError, match="steps must be"):
        L.logistic_fit_explorer(Xb, yb).run(steps=0)
    with pytest.raises(ValueError, match="a slider position"):
        slider_lr(241, 0.001, 1.0)


def test_feature_scaling_corners_are_raw_centred_scaled_standardised():
    rng = np.random.default_rng(3)
    X = rng.uniform(0, 10, (30, 1))
    y = 0.5 * X[:, 0] + 3 + rng.normal(size=30) * 0.5
    w = L.feature_scaling(X, y, centre=0.3)
    x = np.array(w.data["x"])
    assert w.settings["centre"] == 72 / 240 and w.settings["scale"] == 0.0
    assert np.allclose(w.transform(0, 0), x)
    assert np.allclose(w.transform(1, 0), x - x.mean())
    assert np.allclose(w.transform(0, 1), x / x.std())
    assert np.allclose(w.transform(1, 1), (x - x.mean()) / x.std())
    H = w.surface(1, 1).hessian
    assert np.allclose(H, 2 * np.eye(2))  # standardised: a round bowl
    assert w.steps_to_tolerance(1, 1) <= 2 < 100 < w.steps_to_tolerance(0, 0)
    assert w.learning_rate(1, 1) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="centre must be"):
        w.transform(1.5, 0)
    with pytest.raises(ValueError, match="one feature"):
        L.feature_scaling(np.ones((4, 2)), y[:4])
