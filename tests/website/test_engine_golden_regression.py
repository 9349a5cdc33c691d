"""The engine's maths for the explorers of chapters 7 and 8 computes descend's numbers.

Golden cases made with ``descend`` and NumPy in the test, run by ``engine.js`` in headless
Chromium:

* ``leastSquaresLine`` (the normal equations) against ``numpy.linalg.lstsq``, and
  ``lineFit``'s value and gradient against ``descend.surfaces.line_fit``;
* ``fullBatchRun`` of a line fit (``[1, 1]``, mean squared error) and of logistic
  regression (``[2, 1]``, cross-entropy) against ``descend.train.train`` with SGD, one
  full batch per epoch: every loss and every snapshot of the parameters over the run
  (relative error <= 1e-9), on the chapters' data, with a point moved or a class flipped,
  and at learning rates from crawling to diverging (then: the same step).
"""

from __future__ import annotations

import numpy as np
import pytest

import descend as ds
import descend.live as L

from .test_engine_golden import RUN_TOL, engine_page, rel_err  # noqa: F401

pytestmark = pytest.mark.browser


def chapter7():
    X, y = ds.data.line(40, slope=2.0, intercept=1.0, noise=1.0, rng=np.random.default_rng(7))
    return L.line_fit_explorer(X, y)


def chapter8():
    X, y = ds.data.blobs(
        120, noise=0.9, rng=np.random.default_rng(4), centers=[[-1.0, -0.6], [1.2, 1.0]]
    )
    return L.logistic_fit_explorer(X, y)


def test_least_squares_line_matches_lstsq_and_line_fit(engine_page):  # noqa: F811
    rng = np.random.default_rng(15)
    cases = [(chapter7().data["x"], chapter7().data["y"])]
    for n in (2, 3, 40, 200):
        x = rng.uniform(-3, 3, n)
        cases.append((x.tolist(), (rng.normal(size=n) * 3 + 1.5 * x).tolist()))
    cases.append(([5.0, 5.0, 5.01], [1.0, 2.0, 3.0]))  # almost vertical: a steep line
    for x, y in cases:
        A = np.column_stack([x, np.ones(len(x))])
        want = np.linalg.lstsq(A, np.array(y), rcond=None)[0]
        got = engine_page.evaluate("([x, y]) => E.leastSquaresLine(x, y)", [x, y])
        assert rel_err(got, want) <= RUN_TOL, (len(x), got, want)
        surface = ds.surfaces.line_fit(np.array(x), np.array(y))
        pts = rng.uniform(-5, 5, (20, 2))
        got = engine_page.evaluate(
            "([x, y, pts]) => { const s = E.lineFit(x, y);"
            " return [pts.map(([w, b]) => s.f(w, b)), pts.map(([w, b]) => s.grad(w, b)),"
            " s.fmin, [s.hessian.h11, s.hessian.h12, s.hessian.h22]]; }",
            [x, y, pts.tolist()],
        )
        assert rel_err(got[0], [surface.value(p) for p in pts]) <= RUN_TOL
        assert rel_err(got[1], [surface.gradient(p) for p in pts]) <= RUN_TOL
        # the lowest loss, relative to the flat line's (it is 0 up to rounding for 2 points)
        assert abs(got[2] - surface.min_values[0]) <= RUN_TOL * np.mean(np.square(y))
        H = surface.hessian
        assert rel_err(got[3], [H[0, 0], H[0, 1], H[1, 1]]) <= 1e-12


def test_every_x_equal_is_refused_with_a_clear_message(engine_page):  # noqa: F811
    msg = engine_page.evaluate(
        "() => { try { E.leastSquaresLine([2, 2, 2], [1, 2, 3]); return null; }"
        " catch (e) { return e.message; } }"
    )
    assert msg == "every x equals 2, so there is no single best line; move a point sideways"


RUN_JS = """([sizes, loss, params, X, y, lr, epochs]) => {
  const run = E.fullBatchRun({sizes, loss, params, X, y, lr}).extend(epochs);
  return {losses: run.losses, params: run.params,
          diverged: run.diverged === null ? null : run.diverged.step};
}"""


def compare_run(engine_page, explorer, data, lr, epochs):  # noqa: F811
    """The engine's run against explorer.run (descend.train.train); True if it diverged."""
    start = {k: v.tolist() for k, v in explorer.network().params.items()}
    if explorer.kind == "linefit":
        X, y = [[v] for v in data["x"]], data["y"]
    else:
        X, y = data["X"], data["y"]
    got = engine_page.evaluate(
        RUN_JS, [list(explorer.sizes), explorer.loss, start, X, y, lr, epochs]
    )
    try:
        _, history = explorer.run(steps=epochs, lr=lr, data=data)
    except ds.DivergenceError as err:
        # descend counts the failing update; the engine keeps the snapshots before it
        assert got["diverged"] is not None, (lr, err)
        assert got["diverged"] == err.step, (lr, got["diverged"], err.step)
        return True
    assert got["diverged"] is None, lr
    want_losses = [history.initial_loss, *history.epoch_losses]
    assert len(got["losses"]) == len(want_losses) == epochs + 1
    assert rel_err(got["losses"], want_losses) <= RUN_TOL, lr
    # every snapshot's parameters, the run as one array (relative to its largest entry)
    flat = [np.concatenate([np.ravel(p["W1"]), np.ravel(p["b1"])]) for p in got["params"]]
    want = [np.concatenate([p["W1"].ravel(), p["b1"].ravel()]) for _, p in history.snapshots]
    assert rel_err(flat, want) <= RUN_TOL, lr
    return False


def test_line_fit_runs_match_descend_train(engine_page):  # noqa: F811
    w = chapter7()
    moved = {"x": list(w.data["x"]), "y": list(w.data["y"])}
    moved["x"][3], moved["y"][3] = 3.4, -7.5  # a point dragged far off the line
    diverged = 0
    for data in (w.data, moved):
        for lr in (0.001, 0.01, 0.1, 0.25, 0.3162, 0.5, 1.0):
            diverged += compare_run(engine_page, w, data, lr, 300)
    assert diverged >= 2  # past 2/lambda_max the run overflows, at descend's step


def test_logistic_runs_match_descend_train(engine_page):  # noqa: F811
    w = chapter8()
    flipped = {"X": [list(p) for p in w.data["X"]], "y": list(w.data["y"])}
    flipped["y"][0] = 1 - flipped["y"][0]
    flipped["X"][5] = [4.5, -4.0]  # a point dragged into a corner
    for data in (w.data, flipped):
        for lr in (0.005, 0.5, 5.0, 20.0):
            assert not compare_run(engine_page, w, data, lr, 200)
    # the slider's top, 50: on the chapter's data the run settles into a 2-cycle, the same
    # in both; with the flipped point it turns chaotic after about 80 epochs, where any
    # difference in rounding grows (descend and the engine then part after ~100 epochs),
    # so that run is compared over its first 60
    assert not compare_run(engine_page, w, w.data, 50.0, 200)
    assert not compare_run(engine_page, w, flipped, 50.0, 60)


def test_feature_scaling_matches_descend(engine_page):  # noqa: F811
    rng = np.random.default_rng(7)
    ds.data.line(40, slope=2.0, intercept=1.0, noise=1.0, rng=rng)  # chapter 7's first draw
    X_raw, y2 = ds.data.line(40, slope=0.5, intercept=3.0, noise=0.5, rng=rng, x_range=(0.0, 10.0))
    w = L.feature_scaling(X_raw, y2)
    s = w.settings
    cases = [(0, 0), (1, 0), (0, 1), (1, 1), (0.5, 0.25), (0.125, 0.9583333333333334)]
    for centre, scale in cases:
        got = engine_page.evaluate(
            "([x, y, c, s, shown, tol, max]) => { const xs = E.scaledInput(x, c, s);"
            " const f = E.lineFit(xs, y); const h = f.hessian;"
            " const lam = (h.h11 + h.h22) / 2 + Math.hypot((h.h11 - h.h22) / 2, h.h12);"
            " const walk = E.minimize(f, E.optimizer('sgd', {lr: 1 / lam}), [0, 0], shown);"
            " const t = E.stepsToTolerance(f, 1 / lam, [0, 0], tol, max);"
            " return [xs, 1 / lam, walk.points, t.steps, t.gaps.slice(0, 50)]; }",
            [w.data["x"], w.data["y"], centre, scale, s["shown"], s["tol"], s["max_steps"]],
        )
        assert rel_err(got[0], w.transform(centre, scale)) <= 1e-12
        assert rel_err(got[1], w.learning_rate(centre, scale)) <= RUN_TOL
        walk = w.walk(centre, scale, s["shown"])
        assert rel_err(got[2], walk.points) <= RUN_TOL, (centre, scale)
        assert got[3] == w.steps_to_tolerance(centre, scale), (centre, scale)
        gaps = w.walk(centre, scale, 49).values - w.surface(centre, scale).min_values[0]
        m = len(got[4])
        assert np.allclose(got[4], gaps[:m], rtol=1e-9, atol=1e-12), (centre, scale)
