"""The in-browser engine (src/descend/live/engine.js) computes descend's numbers.

Golden cases are generated here with ``descend`` itself, then the engine runs them in
headless Chromium (the ES module served from 127.0.0.1, no Node) and the two are compared:

* forward pass, loss and every gradient, on random architectures of every activation
  and every loss: relative error <= 1e-12;
* 50-step trajectories of every optimizer, with non-default hyperparameters, on every
  surface: relative error <= 1e-9;
* epochs of mini-batch training with a given batch order: <= 1e-9;
* a diverging run: the same DivergenceError message, at the same step.

Relative error of an array: max |engine - descend| / max |descend| (a norm-wise error:
descend sums with BLAS, the engine in plain loops, so single entries that nearly cancel
may differ in their last digits relative to themselves, never relative to the array).
"""

from __future__ import annotations

import functools
import http.server
import math
import socketserver
import threading
from pathlib import Path

import numpy as np
import pytest

import descend as ds

pytestmark = pytest.mark.browser

LIVE = Path(ds.__file__).parent / "live"
FORWARD_TOL, RUN_TOL = 1e-12, 1e-9
ACTIVATIONS = ["identity", "sigmoid", "tanh", "relu", "leaky_relu"]
LOSSES = ["mse", "binary_cross_entropy", "softmax_cross_entropy"]

# every optimizer, with hyperparameters away from the defaults (name, engine name, kwargs)
OPTIMIZERS = [
    ("sgd", "sgd", {"lr": 2e-3}),
    ("sgd-momentum", "sgd", {"lr": 1e-3, "momentum": 0.8, "dampening": 0.1, "weight_decay": 0.01}),
    ("sgd-nesterov", "sgd", {"lr": 1e-3, "momentum": 0.9, "nesterov": True}),
    (
        "adagrad",
        "adagrad",
        {
            "lr": 0.3,
            "lr_decay": 0.01,
            "weight_decay": 0.02,
            "initial_accumulator_value": 0.1,
            "eps": 1e-8,
        },
    ),
    ("rmsprop", "rmsprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6, "weight_decay": 0.01}),
    (
        "rmsprop-centered",
        "rmsprop",
        {"lr": 0.005, "alpha": 0.95, "momentum": 0.5, "centered": True},
    ),
    ("adam", "adam", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-7, "weight_decay": 0.01}),
    ("adam-amsgrad", "adam", {"lr": 0.05, "betas": (0.9, 0.95), "amsgrad": True}),
]
SURFACE_LR_SCALE = {"rosenbrock": 0.1, "beale": 0.1}  # steep walls: shorter steps


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def engine_page(browser):
    """A page on 127.0.0.1 that has imported engine.js (one browser for every case)."""
    handler = functools.partial(_Quiet, directory=str(LIVE))
    httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base)
    page.evaluate("async () => { window.E = await import('./engine.js'); }")
    yield page
    assert errors == [], errors
    context.close()
    httpd.shutdown()
    httpd.server_close()


def rel_err(got, want) -> float:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape, (got.shape, want.shape)
    scale = max(float(np.max(np.abs(want))), 1e-300)
    return float(np.max(np.abs(got - want))) / scale


def params_json(params):
    return {k: v.tolist() for k, v in params.items()}


# ------------------------------------------------------------------ forward and gradients


def forward_cases():
    rng = np.random.default_rng(14)
    cases = []
    for activation in ACTIVATIONS:
        for loss in LOSSES:
            for _ in range(2):
                depth = int(rng.integers(1, 4))
                n_out = int(rng.integers(2, 4)) if loss != "binary_cross_entropy" else 1
                if loss == "mse" and rng.random() < 0.5:
                    n_out = 1
                sizes = [int(rng.integers(1, 5))] + [int(rng.integers(1, 7)) for _ in range(depth)]
                sizes.append(n_out)
                n = int(rng.integers(1, 12))
                net = ds.Network(sizes, activation=activation, loss=loss, rng=rng)
                for p in net.params.values():  # biases away from 0, weights of either scale
                    p += rng.normal(0, 0.5, p.shape)
                X = rng.normal(0, 2, (n, sizes[0]))
                if loss == "softmax_cross_entropy":
                    y = rng.integers(0, n_out, n)
                elif loss == "binary_cross_entropy":
                    y = rng.integers(0, 2, n).astype(float)
                else:
                    y = rng.normal(0, 1, (n, n_out)) if n_out > 1 else rng.normal(0, 1, n)
                logits, _ = net.forward(X)
                value, grads = net.loss_and_grads(X, y)
                cases.append(
                    {
                        "sizes": sizes,
                        "activation": activation,
                        "loss": loss,
                        "params": params_json(net.params),
                        "X": X.tolist(),
                        "y": y.tolist(),
                        "want": {"logits": logits, "loss": value, "grads": grads},
                    }
                )
    return cases


RUN_FORWARD = """(cases) => cases.map((c) => {
  const net = E.network({sizes: c.sizes, activation: c.activation, loss: c.loss, params: c.params});
  const X = E.fromRows(c.X);
  const y = Array.isArray(c.y[0]) ? E.fromRows(c.y) : c.y;
  const {logits} = E.forward(net, X);
  const {loss, grads} = E.lossAndGrads(net, X, y);
  const g = {};
  for (const [k, v] of Object.entries(grads)) g[k] = v.data ? E.toRows(v) : Array.from(v);
  return {logits: E.toRows(logits), loss, grads: g, alone: E.loss(net, X, y)};
})"""


def test_forward_loss_and_gradients_match_descend(engine_page):
    cases = forward_cases()
    got = engine_page.evaluate(
        RUN_FORWARD, [{k: v for k, v in c.items() if k != "want"} for c in cases]
    )
    assert len(got) == len(ACTIVATIONS) * len(LOSSES) * 2
    for case, out in zip(cases, got, strict=True):
        want = case["want"]
        label = f"{case['sizes']} {case['activation']} {case['loss']}"
        errs = [rel_err(out["logits"], want["logits"]), rel_err(out["loss"], want["loss"])]
        errs.append(rel_err(out["alone"], want["loss"]))
        assert list(out["grads"]) == list(want["grads"]), label  # W1, b1, W2, ... in order
        errs += [rel_err(out["grads"][k], g) for k, g in want["grads"].items()]
        assert max(errs) <= FORWARD_TOL, (label, errs)


# ------------------------------------------------------------------ optimizer trajectories


def surface_cases():
    cases = []
    for name in ds.surfaces.SURFACES:
        if name == "line_fit":
            continue
        kwargs = {"condition": 8.0, "angle": 0.4} if name == "quadratic" else {}
        if name == "rosenbrock":
            kwargs = {"a": 1.5, "b": 50.0}
        surface = ds.surfaces.get(name, **kwargs)
        spec = dict(kwargs)
        if name == "quadratic":
            H = surface.hessian
            spec = {"h11": float(H[0, 0]), "h12": float(H[0, 1]), "h22": float(H[1, 1])}
        for label, engine_name, hyper in OPTIMIZERS:
            hyper = dict(hyper)
            hyper["lr"] *= SURFACE_LR_SCALE.get(name, 1.0)
            opt = ds.optim.get(engine_name if label != "sgd-momentum" else "sgd", **hyper)
            case = {
                "surface": name,
                "spec": spec,
                "optimizer": engine_name,
                "label": label,
                "hyper": {**hyper, "betas": list(hyper["betas"])} if "betas" in hyper else hyper,
                "start": list(surface.start),
            }
            path = ds.train.minimize(surface, surface.start, opt, steps=50)
            case["want"] = {"points": path.points, "values": path.values, "norms": path.grad_norms}
            cases.append(case)
    return cases


RUN_SURFACE = """(cases) => cases.map((c) => {
  const surface = E.SURFACES[c.surface](c.spec);
  const path = E.minimize(surface, E.optimizer(c.optimizer, c.hyper), c.start, 50);
  return path;
})"""


def test_optimizer_trajectories_on_every_surface_match_descend(engine_page):
    cases = surface_cases()
    assert {c["surface"] for c in cases} == set(ds.surfaces.SURFACES) - {"line_fit"}
    got = engine_page.evaluate(
        RUN_SURFACE, [{k: v for k, v in c.items() if k != "want"} for c in cases]
    )
    for case, out in zip(cases, got, strict=True):
        label = f"{case['label']} on {case['surface']}"
        want = case["want"]
        assert len(out["points"]) == 51, label
        errs = [
            rel_err(out["points"], want["points"]),
            rel_err(out["values"], want["values"]),
            rel_err(out["norms"], want["norms"]),
        ]
        assert max(errs) <= RUN_TOL, (label, errs)


# ------------------------------------------------------------------ training and divergence


def training_cases():
    rng = np.random.default_rng(15)
    X, y = ds.data.two_moons(60, 0.2, rng=rng)
    X_train, y_train, X_val, y_val = ds.data.train_val_split(X, y, 0.25, rng=rng)
    data = {
        "X": X_train.tolist(),
        "y": y_train.tolist(),
        "X_val": X_val.tolist(),
        "y_val": y_val.tolist(),
    }
    n = len(X_train)
    cases = []
    runs = [  # (sizes, activation, optimizer, hyper, batch size, epochs)
        ([2, 8, 8, 1], "tanh", "sgd", {"lr": 0.1, "momentum": 0.9}, 1, 3),
        ([2, 6, 1], "relu", "adam", {"lr": 0.01}, 10, 4),
        ([2, 5, 4, 1], "sigmoid", "rmsprop", {"lr": 0.01, "centered": True}, 7, 3),
        ([2, 4, 1], "leaky_relu", "adagrad", {"lr": 0.1}, n, 5),
        ([2, 8, 1], "relu", "sgd", {"lr": 50.0}, 5, 3),  # diverges (with loss="mse")
    ]
    for seed, (sizes, activation, opt_name, hyper, batch_size, epochs) in enumerate(runs):
        loss = "mse" if hyper["lr"] > 1 else "binary_cross_entropy"
        net = ds.Network(sizes, activation=activation, loss=loss, rng=np.random.default_rng(seed))
        start = params_json(net.params)
        orders = [o.tolist() for o in _orders(seed, n, epochs)] if batch_size < n else None
        case = {
            "sizes": sizes,
            "activation": activation,
            "loss": loss,
            "params": start,
            "optimizer": opt_name,
            "hyper": hyper,
            "batch_size": batch_size,
            "epochs": epochs,
            "orders": orders,
        }
        try:
            h = ds.train.train(
                net,
                X_train,
                y_train,
                ds.optim.get(opt_name, **hyper),
                epochs=epochs,
                batch_size=batch_size,
                rng=np.random.default_rng(seed),
                X_val=X_val,
                y_val=y_val,
            )
            case["want"] = {
                "epoch_losses": h.epoch_losses,
                "val_losses": h.val_losses,
                "step_losses": h.step_losses,
                "params": net.params,
            }
        except ds.DivergenceError as exc:
            case["want"] = {"error": str(exc), "step": exc.step}
        cases.append(case)
    return data, cases


def _orders(seed, n, epochs):
    """The batch orders descend.train.train draws: one rng.permutation(n) per epoch."""
    rng = np.random.default_rng(seed)
    return [rng.permutation(n) for _ in range(epochs)]


RUN_TRAINING = """([data, cases]) => {
  const d = {X: E.fromRows(data.X), y: data.y, X_val: E.fromRows(data.X_val), y_val: data.y_val};
  return cases.map((c) => {
    const {sizes, activation, loss, params: start} = c;
    const net = E.network({sizes, activation, loss, params: start});
    const opt = E.optimizer(c.optimizer, c.hyper);
    try {
      const h = E.train(net, opt, d, {epochs: c.epochs, batchSize: c.batch_size, orders: c.orders});
      const params = {};
      for (const [k, v] of Object.entries(net.params)) {
        params[k] = v.data ? E.toRows(v) : Array.from(v);
      }
      const {epoch_losses, val_losses, step_losses} = h;
      return {epoch_losses, val_losses, step_losses, params};
    } catch (err) {
      if (!(err instanceof E.DivergenceError)) throw err;
      return {error: err.message, step: err.step, name: err.name};
    }
  });
}"""


def test_mini_batch_training_and_divergence_match_descend(engine_page):
    data, cases = training_cases()
    assert sum("error" in c["want"] for c in cases) == 1  # one run diverges in descend
    got = engine_page.evaluate(
        RUN_TRAINING, [data, [{k: v for k, v in c.items() if k != "want"} for c in cases]]
    )
    for case, out in zip(cases, got, strict=True):
        want, label = case["want"], f"{case['optimizer']} batch {case['batch_size']}"
        if "error" in want:
            assert out.get("name") == "DivergenceError", (label, out)
            assert (out["error"], out["step"]) == (want["error"], want["step"])
            continue
        errs = [rel_err(out[k], want[k]) for k in ("epoch_losses", "val_losses", "step_losses")]
        errs += [rel_err(out["params"][k], p) for k, p in want["params"].items()]
        assert max(errs) <= RUN_TOL, (label, errs)


def test_divergence_message_formats_numbers_as_python_does(engine_page):
    cases = [
        (3, 0.5, 0.123456, "loss", math.inf),
        (0, 1e-5, None, "parameter W2", math.nan),
        (12, 2e6, 1234567.0, "gradient b1", -math.inf),
        (7, 0.05, 2.5e-7, "value", math.inf),
    ]
    got = engine_page.evaluate(
        "(cases) => cases.map(([s, lr, last, what, v]) => new E.DivergenceError(s, lr, last, what,"
        " v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v).message)",
        [[s, lr, last, what, str(v)] for s, lr, last, what, v in cases],
    )
    assert got == [str(ds.DivergenceError(*c)) for c in cases]
