"""The engine runs chapter 6's live explorers with descend's numbers.

Golden cases made with ``descend``, run by ``engine.js`` (and the explorers' own small
helpers) in headless Chromium:

* the running example trained as the chapter trains it (Adam, lr 0.02, batches of 32,
  ``rng=np.random.default_rng(0)``), with the batch orders the explorer's placeholder
  carries: every epoch's training and validation loss equal to ``ds.train.train``'s
  (relative error <= 1e-9), and so for other settings the reader can choose (SGD, other
  batch sizes, full batch);
* the batch orders decoded in the browser are the ones ``ds.train.train`` draws;
* gradient-descent paths on the four-well surface from many starts, at learning rates of
  the slider: the same points as ``ds.minimize`` (<= 1e-9), the same divergence step;
* the learning-rate sliders' values: Python's ``slider_lr`` at every position.
"""

from __future__ import annotations

import numpy as np
import pytest

import descend as ds
from descend.live import explorers_iterate as xi

from .test_engine_golden import RUN_TOL, engine_page, rel_err  # noqa: F401

pytestmark = pytest.mark.browser

IMPORT = """async () => {
  window.T = await import('./training.js');
  window.B = await import('./basins.js');
}"""


def chapter_explorer():
    X, y, X_val, y_val = ds.data.running_example(seed=0)
    net = ds.Network([2, 8, 8, 1], activation="tanh", rng=np.random.default_rng(1))
    return xi.training_explorer(net, X, y, X_val, y_val, rng=np.random.default_rng(0))


RUN = """([state, settings]) => {
  const d = {X: E.fromRows(state.data.X), y: state.data.y,
             X_val: E.fromRows(state.data.X_val), y_val: state.data.y_val};
  const orders = T.decodeOrders(state.orders);
  const net = E.network(state.network);
  const opt = E.optimizer(settings.optimizer, {lr: settings.lr});
  const h = E.history(net, d);
  const batch = settings.batch_size || d.X.rows;
  for (let e = 0; e < settings.epochs; e++) {
    E.trainEpoch(net, opt, d, batch, batch < d.X.rows ? orders[e] : null, h);
  }
  return {train: [h.initial_loss, ...h.epoch_losses], val: [h.initial_val_loss, ...h.val_losses],
          accuracy: E.accuracy(net, d.X_val, d.y_val)};
}"""


@pytest.mark.parametrize(
    "optimizer,lr,batch_size,epochs",
    [("adam", 0.02, 32, 270), ("sgd", 0.5, 16, 20), ("adam", 0.005, 1, 3), ("sgd", 1.0, 0, 40)],
)
def test_live_training_matches_descend_epoch_by_epoch(
    engine_page,  # noqa: F811
    optimizer,
    lr,
    batch_size,
    epochs,
):
    engine_page.evaluate(IMPORT)
    w = chapter_explorer()
    state = {k: getattr(w, k) for k in ("data", "network", "orders")}
    settings = {"optimizer": optimizer, "lr": lr, "batch_size": batch_size, "epochs": epochs}
    got = engine_page.evaluate(RUN, [state, settings])
    X, y, X_val, y_val = ds.data.running_example(seed=0)
    net = w.start_network()
    opt = ds.optim.Adam(lr=lr) if optimizer == "adam" else ds.optim.SGD(lr=lr)
    h = ds.train.train(
        net,
        X,
        y,
        opt,
        epochs=epochs,
        batch_size=batch_size or None,
        rng=np.random.default_rng(0),
        X_val=X_val,
        y_val=y_val,
    )
    assert len(got["train"]) == epochs + 1
    assert rel_err(got["train"], [h.initial_loss, *h.epoch_losses]) <= RUN_TOL
    assert rel_err(got["val"], [h.initial_val_loss, *h.val_losses]) <= RUN_TOL
    assert got["accuracy"] == np.mean((net.predict_proba(X_val).ravel() >= 0.5) == y_val)


def test_the_placeholder_carries_the_chapters_network_and_orders():
    w = chapter_explorer()
    X, _, _, _ = ds.data.running_example(seed=0)
    chapter_net = ds.Network([2, 8, 8, 1], activation="tanh", rng=np.random.default_rng(1))
    for name, value in w.start_network().params.items():
        assert np.array_equal(value, chapter_net.params[name]), name  # exact, not rounded
    orders = xi.decode_orders(w.orders)
    rng = np.random.default_rng(0)
    assert orders.shape == (270, len(X))
    assert all(np.array_equal(o, rng.permutation(len(X))) for o in orders)


def test_orders_decode_the_same_in_the_browser(engine_page):  # noqa: F811
    engine_page.evaluate(IMPORT)
    for n in (5, 300):  # one byte per index, then two
        orders = xi.batch_orders(n, 4, np.random.default_rng(n))
        encoded = xi._encode_orders(orders, n)
        assert encoded["bytes"] == (1 if n <= 256 else 2)
        got = engine_page.evaluate("(o) => T.decodeOrders(o)", encoded)
        assert np.array_equal(np.array(got), np.array(orders))


BASIN_PATHS = """([starts, lr, steps]) => {
  const s = E.SURFACES.multi_well({});
  return starts.map((p) => {
    try {
      return {points: E.minimize(s, E.optimizer("sgd", {lr}), p, steps).points};
    } catch (err) {
      if (!(err instanceof E.DivergenceError)) throw err;
      return {diverged: err.step};
    }
  });
}"""


def test_basin_paths_match_descend(engine_page):  # noqa: F811
    wells = ds.surfaces.multi_well()
    rng = np.random.default_rng(6)
    starts = rng.uniform(-2.5, 2.5, (12, 2)).tolist()
    n_diverged = 0
    for position in (0, 150, 245, 300):  # slider positions: 0.001, about 0.022, 0.16, 0.5
        lr = xi.slider_lr(position, xi.BASIN_SURFACES["multi_well"])
        got = engine_page.evaluate(BASIN_PATHS, [starts, lr, 150])
        for start, out in zip(starts, got, strict=True):
            try:
                path = ds.minimize(wells, start, ds.optim.SGD(lr=lr), steps=150)
            except ds.DivergenceError as err:
                assert out.get("diverged") == err.step, (start, lr)
                n_diverged += 1
                continue
            assert "points" in out, (start, lr, out)
            assert rel_err(out["points"], path.points) <= RUN_TOL, (start, lr)
    assert n_diverged >= 1  # the slider's top runs past the curvature's bound somewhere


def test_learning_rate_sliders_match_python(engine_page):  # noqa: F811
    engine_page.evaluate(IMPORT)
    for module, lr_range in (("B", xi.BASIN_SURFACES["multi_well"]), ("T", xi.TRAIN_LR_RANGE)):
        got = engine_page.evaluate(
            f"(r) => Array.from({{length: 301}}, (_, k) => {module}.sliderLr(k, r))", list(lr_range)
        )
        assert got == [xi.slider_lr(k, lr_range) for k in range(301)], module
        assert len(set(got)) >= 250  # a continuous control: hundreds of distinct rates
