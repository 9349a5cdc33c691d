"""Chapter 3's live explorers, Python side: the tiny network's scalar form, the builders'
checks of their arguments, and the state they hand to the browser."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import descend as ds
import descend.live
from descend.live import explorers_backprop as xb


def descend_network(s):
    net = ds.Network([1, 1, 1], activation="tanh", initializer="zeros")
    net.params.update(
        W1=np.array([[s["w1"]]]),
        b1=np.array([s["b1"]]),
        W2=np.array([[s["w2"]]]),
        b2=np.array([s["b2"]]),
    )
    return net.loss_and_grads(np.array([[s["x"]]]), np.array([s["y"]]))


def test_tiny_network_agrees_with_descend_network_to_rounding():
    # NumPy's vectorised tanh and log1p may round the last bit differently from the C
    # library's, so the two agree to a few units in the last place, not exactly
    rng = np.random.default_rng(6)
    for _ in range(30):
        s = {k: float(rng.uniform(-3, 3)) for k in ("x", "w1", "b1", "w2", "b2")}
        s["y"] = float(rng.integers(0, 2))
        loss, grads = descend_network(s)
        mine = xb.tiny_network(**s)
        assert math.isclose(mine["values"]["L"], loss, rel_tol=1e-14)
        # norm-wise, as tests/website/test_engine_golden.py: 1 - a1**2 and sigma(z2) - y
        # may cancel, so a single small gradient differs more relative to itself
        mine_g = [mine["grads"][p] for p in xb.PARAMS]
        want_g = [grads[k].item() for k in ("W1", "b1", "W2", "b2")]
        assert max(abs(a - b) for a, b in zip(mine_g, want_g, strict=True)) <= 1e-12 * max(
            abs(b) for b in want_g
        )


def test_tiny_network_gradients_pass_a_gradient_check():
    s = dict(xb.TINY_DEFAULTS)
    theta = np.array([s[p] for p in xb.PARAMS])
    numeric = ds.numerical_gradient(lambda t: xb.tiny_loss(t, s["x"], s["y"]), theta)
    exact = [xb.tiny_network(**s)["grads"][p] for p in xb.PARAMS]
    assert ds.relative_error(exact, numeric) < 1e-9
    # dL/dx: the input's gradient, by nudging x
    f = lambda x: xb.tiny_network(**{**s, "x": x})["values"]["L"]  # noqa: E731
    assert math.isclose(
        (f(s["x"] + 1e-6) - f(s["x"] - 1e-6)) / 2e-6,
        xb.tiny_network(**s)["grads"]["x"],
        rel_tol=1e-8,
    )


def test_builders_hand_small_state_to_the_page():
    bp = descend.live.backprop_explorer(step=4, w1=-0.5)
    assert bp.kind == "backprop" and bp.settings["step"] == 4 and bp.settings["w1"] == -0.5
    fd = descend.live.finite_difference_explorer(h_exponent=-8)
    assert fd.kind == "fdstep" and fd.settings["pos"] == 160  # (−8 + 16) * 320 / 16
    for widget in (bp, fd):
        html = widget.placeholder_html()
        assert f'data-kind="{widget.kind}"' in html and len(html) < 600
        assert json.loads(json.dumps(widget.state())) == widget.state()


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: descend.live.backprop_explorer(w1=5.0), "w1 must be a number from -3 to 3"),
        (lambda: descend.live.backprop_explorer(x=float("nan")), "x must be a number from -3"),
        (lambda: descend.live.backprop_explorer(y=0.5), "the label y must be 0 or 1"),
        (lambda: descend.live.backprop_explorer(step=14), "step"),
        (lambda: descend.live.backprop_explorer(W1=1.0), "unknown setting(s) ['W1']"),
        (lambda: descend.live.finite_difference_explorer(h_exponent=-17), "h_exponent must lie"),
        (lambda: descend.live.finite_difference_explorer(h_exponent=-5.01), "steps of 0.05"),
        (lambda: descend.live.finite_difference_explorer(b2="1"), "b2 must be a number"),
    ],
)
def test_bad_settings_say_what_is_wrong(call, message):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert message in str(info.value)
