"""The engine's functions for chapter 5's batch-size explorer compute descend's numbers.

Golden cases made in this test with ``descend`` and run by ``engine.js`` in headless
Chromium:

* mini-batch SGD on a line fit (``engine.minibatchPath``), every point of the path and the
  training loss at each, against :func:`descend.train.train` with an ``on_step`` callback
  drawing its batch orders from ``np.random.default_rng(seed)``, at batch sizes from 1 to
  ``n`` (including sizes that do not divide ``n``) and learning rates from small to
  diverging: relative error <= 1e-9, and a divergence at the step descend raises it;
* the explorer's own run (``BatchSizeExplorer.run``, with the orders in its state);
* the spread of a batch gradient (``engine.gradientSpread``) against
  :func:`descend.live.explorers_batch.gradient_spread`: <= 1e-12.
"""

from __future__ import annotations

import numpy as np
import pytest

import descend as ds
import descend.live as L
from descend.live.explorers_batch import gradient_spread

from .test_engine_golden import FORWARD_TOL, RUN_TOL, engine_page, rel_err  # noqa: F401

pytestmark = pytest.mark.browser

RUN_PATH = """([x, y, cases]) => {
  const X = E.matrix(x.length, 1, x.slice());
  return cases.map((c) => {
    const params = {W1: [[0]], b1: [0]};
    const net = E.network({sizes: [1, 1], activation: [], loss: "mse", params});
    const opt = E.optimizer("sgd", {lr: c.lr});
    return E.minibatchPath(net, opt, {X, y}, c.batch_size, c.orders, c.epochs);
  });
}"""


def descend_path(X, y, lr, batch_size, epochs, seed):
    """descend's run: every (w, b) and the training loss there, or the divergence step."""
    model = ds.Network([1, 1], initializer="zeros", loss="mse")
    points, losses = [(0.0, 0.0)], [model.loss(X, y)]

    def record(info):
        points.append((float(info.params["W1"][0, 0]), float(info.params["b1"][0])))
        losses.append(model.loss(X, y))

    try:
        ds.train.train(
            model,
            X,
            y,
            ds.optim.SGD(lr=lr),
            epochs=epochs,
            batch_size=batch_size,
            rng=np.random.default_rng(seed),
            on_step=record,
        )
    except ds.DivergenceError as exc:
        return {"points": points, "losses": losses, "diverged": exc.step}
    return {"points": points, "losses": losses, "diverged": None}


def test_minibatch_paths_match_descend_train(engine_page):  # noqa: F811
    X, y = ds.data.line(60, slope=-1.5, intercept=0.5, noise=0.8, rng=np.random.default_rng(4))
    n = len(X)
    cases, wants = [], []
    for seed, (batch_size, lr, epochs) in enumerate(
        [(1, 0.02, 2), (7, 0.1, 3), (10, 0.05, 2), (59, 0.2, 2), (60, 0.1, 4), (1, 3.0, 3)]
    ):
        rng = np.random.default_rng(seed)
        orders = [rng.permutation(n).tolist() for _ in range(epochs)]
        cases.append({"batch_size": batch_size, "lr": lr, "epochs": epochs, "orders": orders})
        wants.append(descend_path(X, y, lr, batch_size, epochs, seed))
    got = engine_page.evaluate(RUN_PATH, [X[:, 0].tolist(), y.tolist(), cases])
    assert sum(w["diverged"] is not None for w in wants) == 1  # the last case diverges
    for case, out, want in zip(cases, got, wants, strict=True):
        label = (case["batch_size"], case["lr"])
        assert out["diverged"] == want["diverged"], label
        assert len(out["points"]) == len(want["points"]), label
        if want["diverged"] is None:
            assert rel_err(out["points"], want["points"]) <= RUN_TOL, label
            assert rel_err(out["losses"], want["losses"]) <= RUN_TOL, label
        else:  # the finite part of a diverging run: the same steps, growing fast
            k = min(len(want["points"]), 40)
            assert rel_err(out["points"][:k], want["points"][:k]) <= RUN_TOL, label


def test_the_explorers_run_is_descends(engine_page):  # noqa: F811
    X, y = ds.data.line(200, slope=2.0, intercept=-1.0, noise=1.0, rng=np.random.default_rng(0))
    w = L.batch_size_explorer(X, y, rng=np.random.default_rng(2), epochs=3)
    x_r, y_r = w.data["x"], w.data["y"]
    cases = [
        {"batch_size": B, "lr": lr, "epochs": 3, "orders": w.orders}
        for B, lr in [(1, 0.01), (13, 0.05), (200, 0.2), (64, 0.3)]
    ]
    got = engine_page.evaluate(RUN_PATH, [x_r, y_r, cases])
    for case, out in zip(cases, got, strict=True):
        points, history = w.run(case["batch_size"], case["lr"])
        assert out["diverged"] is None
        assert rel_err(out["points"], points) <= RUN_TOL, case["batch_size"]
        assert out["losses"][-1] == pytest.approx(history.epoch_losses[-1], rel=RUN_TOL)


def test_gradient_spread_matches_descend(engine_page):  # noqa: F811
    X, y = ds.data.line(50, slope=2.0, intercept=-1.0, noise=1.0, rng=np.random.default_rng(5))
    thetas = [(0.0, 0.0), (2.0, -1.0), (-1.3, 0.7)]
    sizes = [1, 2, 7, 25, 49, 50]
    got = engine_page.evaluate(
        "([x, y, thetas, sizes]) => thetas.map((t) => sizes.map((B) => {"
        " const s = E.gradientSpread(x, y, t, B); return [s.mean, s.cov, s.spread]; }))",
        [X[:, 0].tolist(), y.tolist(), thetas, sizes],
    )
    for theta, row in zip(thetas, got, strict=True):
        for B, (mean, cov, spread) in zip(sizes, row, strict=True):
            want_mean, want_cov, want_spread = gradient_spread(X, y, theta, B)
            assert rel_err(mean, want_mean) <= FORWARD_TOL, (theta, B)
            if B < len(X):
                assert rel_err(cov, want_cov) <= FORWARD_TOL, (theta, B)
                assert spread == pytest.approx(want_spread, rel=FORWARD_TOL)
            else:  # the full batch: exactly the gradient, no spread
                assert spread == 0.0 == want_spread
