"""The engine's functions for chapter 3's explorers compute descend's numbers.

Golden cases made with ``descend``, run by ``engine.js`` in headless Chromium:

* the tiny network's node values and gradients (``tinyNetwork``) for the chapter's example
  and random inputs, labels and weights, against descend's own pieces
  (``dense_forward``, ``tanh_forward``, ``binary_cross_entropy`` and their backward
  functions): relative error <= 1e-12 for every node's value, and for the gradients
  norm-wise (as in ``test_engine_golden.py``: ``1 - a1**2`` and ``sigma(z2) - y`` may cancel);
* the same, bit for bit, against :func:`descend.live.explorers_backprop.tiny_network` (the
  scalar form, with Python's ``math``), which is what makes the next check exact;
* the gradient check's relative errors at steps h from 1 to 1e-16: the engine's centred
  differences against ``descend.numerical_gradient`` and ``descend.relative_error`` of
  ``tiny_loss``, and its forward differences against ``(f(x + h) - f(x)) / h`` in Python:
  equal, to the last bit, in the truncation and in the round-off region alike.
"""

from __future__ import annotations

import numpy as np
import pytest

import descend as ds
from descend.live import explorers_backprop as xb

from .test_engine_golden import FORWARD_TOL, engine_page, rel_err  # noqa: F401

pytestmark = pytest.mark.browser

NODES = ["z1", "a1", "z2", "p", "L"]
GRADS = ["z2", "w2", "b2", "a1", "z1", "w1", "b1", "x"]


def cases(n: int, seed: int) -> list[dict]:
    """The chapter's example, then n random settings over the sliders' range."""
    rng = np.random.default_rng(seed)
    out = [dict(xb.TINY_DEFAULTS)]
    for _ in range(n):
        s = {k: float(rng.uniform(-3, 3)) for k in ("x", "w1", "b1", "w2", "b2")}
        s["y"] = float(rng.integers(0, 2))
        out.append(s)
    return out


def descend_tiny(s: dict) -> tuple[dict, dict]:
    """Every node of the tiny network through descend's layers, as chapter 3 computes it."""
    X, y = np.array([[s["x"]]]), np.array([s["y"]])
    W1, b1 = np.array([[s["w1"]]]), np.array([s["b1"]])
    W2, b2 = np.array([[s["w2"]]]), np.array([s["b2"]])
    Z1, dense1 = ds.layers.dense_forward(X, W1, b1)
    A1, tanh_cache = ds.activations.tanh_forward(Z1)
    Z2, dense2 = ds.layers.dense_forward(A1, W2, b2)
    loss, dZ2 = ds.losses.binary_cross_entropy(Z2, y)
    dA1, dW2, db2 = ds.layers.dense_backward(dZ2, dense2)
    dZ1 = ds.activations.tanh_backward(dA1, tanh_cache)
    dX, dW1, db1 = ds.layers.dense_backward(dZ1, dense1)
    values = {"z1": Z1, "a1": A1, "z2": Z2, "p": ds.activations.sigmoid(Z2), "L": loss}
    grads = {"z2": dZ2, "w2": dW2, "b2": db2, "a1": dA1, "z1": dZ1, "w1": dW1, "b1": db1}
    grads["x"] = dX
    as_float = lambda d: {k: float(np.asarray(v).item()) for k, v in d.items()}  # noqa: E731
    return as_float(values), as_float(grads)


def test_tiny_network_matches_descend(engine_page):  # noqa: F811
    settings = cases(12, seed=3)
    got = engine_page.evaluate("(cases) => cases.map((s) => E.tinyNetwork(s))", settings)
    assert len(got) == 13
    for s, g in zip(settings, got, strict=True):
        values, grads = descend_tiny(s)
        assert g["grads"]["L"] == 1
        for name in NODES:
            assert rel_err([g["values"][name]], [values[name]]) <= FORWARD_TOL, (s, name)
        got_grads = [g["grads"][name] for name in GRADS]
        assert rel_err(got_grads, [grads[name] for name in GRADS]) <= FORWARD_TOL, s
    # the chapter's example: the numbers its text quotes
    assert got[0]["values"]["L"] == pytest.approx(0.9490959477509183, rel=1e-12)
    assert got[0]["grads"]["w1"] == pytest.approx(0.5371850208, rel=1e-9)


def test_tiny_network_equals_its_scalar_form_bit_for_bit(engine_page):  # noqa: F811
    settings = cases(300, seed=4)
    got = engine_page.evaluate("(cases) => cases.map((s) => E.tinyNetwork(s))", settings)
    for s, g in zip(settings, got, strict=True):
        want = xb.tiny_network(**s)
        assert g["values"] == want["values"], s
        assert g["grads"] == want["grads"], s


STEPS_H = [1.0, 0.3, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 3e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11]
STEPS_H += [1e-12, 1e-13, 1e-14, 1e-15, 1e-16, xb.fd_step(217), xb.fd_step(61)]


def python_check(s: dict, h: float) -> tuple[float, float]:
    """Relative errors of the centred (descend.numerical_gradient) and forward differences."""
    exact = np.array([xb.tiny_network(**s)["grads"][p] for p in xb.PARAMS])

    def f(theta):
        return xb.tiny_loss(theta, s["x"], s["y"])

    theta = np.array([s[p] for p in xb.PARAMS])
    centred = ds.numerical_gradient(f, theta.copy(), h)
    f0 = f(theta)
    forward = []
    for i in range(4):
        nudged = theta.copy()
        nudged[i] = theta[i] + h
        forward.append((f(nudged) - f0) / h)
    return ds.relative_error(exact, centred), ds.relative_error(exact, np.array(forward))


def test_finite_difference_errors_equal_descend_gradcheck(engine_page):  # noqa: F811
    settings = cases(3, seed=5)
    got = engine_page.evaluate(
        """([cases, hs]) => cases.map((s) => {
          const theta = [s.w1, s.b1, s.w2, s.b2];
          const exact = ["w1", "b1", "w2", "b2"].map((p) => E.tinyNetwork(s).grads[p]);
          const f = (t) => E.tinyLoss(t, s.x, s.y);
          return hs.map((h) => [
            E.relativeError(exact, E.numericalGradient(f, theta, h)),
            E.relativeError(exact, E.forwardGradient(f, theta, h)),
          ]);
        })""",
        [settings, STEPS_H],
    )
    tiny_errors = []
    for s, rows in zip(settings, got, strict=True):
        for h, (centred, forward) in zip(STEPS_H, rows, strict=True):
            want = python_check(s, h)
            assert (centred, forward) == want, (s, h)  # to the last bit
            tiny_errors.append(centred)
    # the cases reach both regions: errors near 1e-11 and errors above 1e-2
    assert min(tiny_errors) < 1e-9 and max(tiny_errors) > 1e-2


def test_slider_steps_equal_descend_fd_step(engine_page):  # noqa: F811
    got = engine_page.evaluate(
        "(n) => Array.from({length: n + 1}, (_, pos) => E.fdStep(pos, n))", xb.FD_POSITIONS
    )
    want = [xb.fd_step(pos) for pos in range(xb.FD_POSITIONS + 1)]
    assert got == want
    assert want[0] == 1e-16 and want[-1] == 1.0 and want[220] == 1e-5
    assert len(set(want)) == xb.FD_POSITIONS + 1  # every position its own h
