"""Training speed: descend against a hand-fused NumPy loop (the floor) and PyTorch on the CPU.

The workload is the course's running example: a network 2 -> 64 -> 64 -> 1 (tanh hidden
layers, binary cross-entropy on the logits) trained with Adam (lr 0.01) on 1,000
two-moons points, in mini-batches of 32 and in full batch, in float64 and float32.

All three implementations do the same work, step for step:

* the same initial weights (drawn once by ``ds.Network`` and copied to the others);
* the same batches in the same order (one ``rng.permutation(n)`` per epoch from the
  same seed, exactly as ``ds.train`` draws them);
* per step: forward, loss, backward, the gradient's norm (``ds.train`` records it),
  an Adam step with torch.optim's formulas; per epoch: the loss on all the data.

The final training losses of the three are compared, so a mismatch in the work shows
up as a mismatch in the numbers (float64: descend and the floor agree to the last
digits; PyTorch to about 1e-9).

PyTorch is optional (it is not a course dependency): without it the comparison says so.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
from timing import HERE, blas_threads, log, set_blas_threads

import descend as ds

SIZES = [2, 64, 64, 1]
LR = 0.01
BETAS = (0.9, 0.999)
EPS = 1e-8
N = 1000
NOISE = 0.2
DATA_SEED, INIT_SEED, ORDER_SEED = 0, 1, 2
# epochs per timed run: about the same number of updates for both batch sizes
EPOCHS = {32: 10, None: 100}
QUICK_EPOCHS = {32: 3, None: 30}


def _batch_name(batch: int | None) -> str:
    return "full batch" if batch is None else f"mini-batch {batch}"


# ------------------------------------------------------------------ the three implementations


def make_problem(n: int, width: int, dtype: Any) -> tuple[np.ndarray, np.ndarray, dict]:
    """Two-moons data and a network's initial parameters (drawn by ``ds.Network``)."""
    X, y = ds.data.two_moons(n, NOISE, rng=np.random.default_rng(DATA_SEED))
    net = ds.Network(
        [2, width, width, 1],
        activation="tanh",
        loss="binary_cross_entropy",
        rng=np.random.default_rng(INIT_SEED),
        dtype=dtype,
    )
    return X.astype(dtype), y, {k: v.copy() for k, v in net.params.items()}


def run_descend(X, y, params0, dtype, batch, epochs) -> float:
    """The course's way: ``ds.Network`` + ``ds.optim.Adam`` + ``ds.train.train``."""
    width = params0["W1"].shape[1]
    net = ds.Network(
        [2, width, width, 1], activation="tanh", loss="binary_cross_entropy", dtype=dtype,
        initializer="zeros",
    )  # fmt: skip
    for k, v in params0.items():
        net.params[k][...] = v
    opt = ds.optim.Adam(lr=LR, betas=BETAS, eps=EPS)
    hist = ds.train.train(
        net, X, y, opt, epochs=epochs, batch_size=batch, rng=np.random.default_rng(ORDER_SEED)
    )
    return hist.epoch_losses[-1]


def run_floor(X, y, params0, dtype, batch, epochs) -> float:
    """The same arithmetic written as one fused NumPy loop: no checks, no calls, no copies.

    The floor on this machine: what NumPy itself costs for this work.
    """
    W1, b1, W2, b2, W3, b3 = (params0[k].copy() for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    params = [W1, b1, W2, b2, W3, b3]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    yc = y.astype(dtype).reshape(-1, 1)
    n = len(X)
    bs = n if batch is None else batch
    shuffling = bs < n
    rng = np.random.default_rng(ORDER_SEED)
    b1c, b2c = BETAS
    t = 0
    for _epoch in range(epochs):
        order = rng.permutation(n) if shuffling else None
        for start in range(0, n, bs):
            if order is None:
                xb, yb = X[start : start + bs], yc[start : start + bs]
            else:
                idx = order[start : start + bs]
                xb, yb = X[idx], yc[idx]
            # forward
            A1 = xb @ W1
            A1 += b1
            np.tanh(A1, out=A1)
            A2 = A1 @ W2
            A2 += b2
            np.tanh(A2, out=A2)
            z = A2 @ W3
            z += b3
            # loss and dL/dz, sharing exp(-|z|)
            e = np.exp(-np.abs(z))
            loss = float(np.mean(np.maximum(z, 0) - z * yb + np.log1p(e)))
            if not math.isfinite(loss):
                raise FloatingPointError("the floor diverged")
            dz = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
            dz -= yb
            dz /= z.size
            # backward (no dX for the first layer: nothing below it)
            gW3 = A2.T @ dz
            gb3 = dz.sum(axis=0)
            dA = dz @ W3.T
            A2 *= A2
            np.subtract(1, A2, out=A2)
            dA *= A2
            gW2 = A1.T @ dA
            gb2 = dA.sum(axis=0)
            dA = dA @ W2.T
            A1 *= A1
            np.subtract(1, A1, out=A1)
            dA *= A1
            gW1 = xb.T @ dA
            gb1 = dA.sum(axis=0)
            grads = (gW1, gb1, gW2, gb2, gW3, gb3)
            # the gradient's norm, as ds.train records it
            math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
            # Adam, torch.optim's formulas
            t += 1
            step_size = LR / (1 - b1c**t)
            sqrt_bc2 = (1 - b2c**t) ** 0.5
            for p, g, mi, vi in zip(params, grads, m, v, strict=True):
                mi += (1 - b1c) * (g - mi)
                vi *= b2c
                vi += (1 - b2c) * g * g
                denom = np.sqrt(vi)
                denom /= sqrt_bc2
                denom += EPS
                p -= step_size * mi / denom
        # the epoch's loss on all the data
        A = np.tanh(X @ W1 + b1)
        A = np.tanh(A @ W2 + b2)
        z = A @ W3 + b3
        epoch_loss = float(np.mean(np.maximum(z, 0) - z * yc + np.log1p(np.exp(-np.abs(z)))))
    return epoch_loss


def torch_runner(threads: int | None = None):
    """A function like :func:`run_floor` that trains with PyTorch, or None without torch."""
    try:
        import torch
    except ImportError:
        return None

    def run_torch(X, y, params0, dtype, batch, epochs) -> float:
        if threads is not None:
            torch.set_num_threads(threads)
        tdtype = torch.float64 if dtype == np.float64 else torch.float32
        width = params0["W1"].shape[1]
        model = torch.nn.Sequential(
            torch.nn.Linear(2, width),
            torch.nn.Tanh(),
            torch.nn.Linear(width, width),
            torch.nn.Tanh(),
            torch.nn.Linear(width, 1),
        ).to(tdtype)
        with torch.no_grad():
            for i, layer in enumerate((model[0], model[2], model[4]), start=1):
                layer.weight.copy_(torch.from_numpy(params0[f"W{i}"].T.copy()))
                layer.bias.copy_(torch.from_numpy(params0[f"b{i}"].copy()))
        opt = torch.optim.Adam(model.parameters(), lr=LR, betas=BETAS, eps=EPS)
        lossf = torch.nn.BCEWithLogitsLoss()
        Xt = torch.from_numpy(X)
        yt = torch.from_numpy(y.astype(dtype).reshape(-1, 1))
        n = len(X)
        bs = n if batch is None else batch
        shuffling = bs < n
        rng = np.random.default_rng(ORDER_SEED)
        params = list(model.parameters())
        for _epoch in range(epochs):
            order = torch.from_numpy(rng.permutation(n)) if shuffling else None
            for start in range(0, n, bs):
                if order is None:
                    xb, yb = Xt[start : start + bs], yt[start : start + bs]
                else:
                    idx = order[start : start + bs]
                    xb, yb = Xt[idx], yt[idx]
                opt.zero_grad(set_to_none=True)
                loss = lossf(model(xb), yb)
                loss.backward()
                loss_value = loss.item()
                if not math.isfinite(loss_value):
                    raise FloatingPointError("torch diverged")
                torch.sqrt(sum((p.grad * p.grad).sum() for p in params)).item()
                opt.step()
            with torch.no_grad():
                epoch_loss = lossf(model(Xt), yt).item()
        return epoch_loss

    return run_torch


def torch_info() -> dict[str, Any] | None:
    try:
        import torch
    except ImportError:
        return None
    return {
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
    }


# ------------------------------------------------------------------ measuring


def _interleaved(impls: dict, args: tuple, repeats: int) -> dict[str, dict]:
    """Time every implementation ``repeats`` times, taking turns, after one warm-up each.

    Taking turns spreads any slow spell of the shared machine over all of them. Both the
    wall time and the process's CPU time are kept: with one thread on each side the CPU
    time leaves out the waits for a core that an oversubscribed machine adds to the wall
    time, so it is the steadier measure of the work done.
    """
    import gc
    import statistics
    import time

    results = {name: {"times": [], "cpu": [], "final_loss": None} for name in impls}
    for name, fn in impls.items():
        results[name]["final_loss"] = fn(*args)  # warm-up (and the loss it ends at)
    for _ in range(repeats):
        for name, fn in impls.items():
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            fn(*args)
            results[name]["times"].append(time.perf_counter() - t0)
            results[name]["cpu"].append(time.process_time() - c0)
    for r in results.values():
        r["median"] = statistics.median(r["times"])
        r["cpu_median"] = statistics.median(r["cpu"])
    return results


THREAD_MODES = {"1 thread each": 1, "default threads": None}


def _set_threads(n: int | None) -> dict[str, Any]:
    """Set NumPy's BLAS and PyTorch to ``n`` threads (None: the machine's cores)."""
    n = n or os.cpu_count() or 1
    set_blas_threads(n)
    info: dict[str, Any] = {"numpy_blas": blas_threads()}
    try:
        import torch

        torch.set_num_threads(n)
        info["torch"] = torch.get_num_threads()
    except ImportError:
        info["torch"] = None
    return info


def measure_configs(repeats: int, quick: bool) -> list[dict[str, Any]]:
    """The four configurations, in each thread mode: medians of ``repeats`` runs."""
    epochs_for = QUICK_EPOCHS if quick else EPOCHS
    impls: dict[str, Any] = {"descend": run_descend, "numpy floor": run_floor}
    run_torch = torch_runner()
    if run_torch is not None:
        impls["torch"] = run_torch
    rows = []
    for mode, n_threads in THREAD_MODES.items():
        threads = _set_threads(n_threads)
        # with several threads on a shared machine a run can take many times longer
        reps = repeats if n_threads == 1 else max(3, repeats // 2)
        for dtype in (np.float64, np.float32):
            for batch in (32, None):
                X, y, p0 = make_problem(N, 64, dtype)
                epochs = epochs_for[batch]
                if n_threads is None and batch is None:
                    epochs = QUICK_EPOCHS[None]  # contended BLAS threads can be very slow here
                name = f"{np.dtype(dtype).name}, {_batch_name(batch)}"
                log(f"training ({mode}): {name}, {epochs} epochs")
                res = _interleaved(impls, (X, y, p0, dtype, batch, epochs), reps)
                steps = epochs * math.ceil(N / (batch or N))
                row = {
                    "threads_mode": mode,
                    "threads": threads,
                    "dtype": np.dtype(dtype).name,
                    "batch": _batch_name(batch),
                    "epochs": epochs,
                    "steps": steps,
                    "repeats": reps,
                }
                for name, r in res.items():
                    row[name] = {
                        "median_s": r["median"],
                        "cpu_median_s": r["cpu_median"],
                        "min_s": min(r["times"]),
                        "max_s": max(r["times"]),
                        "per_step_us": r["cpu_median"] / steps * 1e6,
                        "final_loss": r["final_loss"],
                    }
                rows.append(row)
    _set_threads(1)
    return rows


def run_descend_unchecked(X, y, params0, dtype, batch, epochs) -> float:
    """``run_descend`` with its input checks switched off (a diagnostic only).

    The checks of every public function and method (``as_float_array`` in each module
    that calls it, ``check_finite`` of the parameters, the optimizer's ``_check`` and
    ``check_same_keys_and_shapes``) are replaced by functions that let their input
    through. What is left is the arithmetic and the structure of the code: one call per
    layer and activation, the losses and the optimizer's per-parameter loop, the records.
    The divergence tests of the loop (loss, logits, parameters) stay.
    """
    import descend.activations as activations
    import descend.errors as errors
    import descend.layers as layers
    import descend.losses as losses
    import descend.network as network
    import descend.optim as optim

    def through(x, name, ndim=None, finite=True):
        return x

    switched = [(m, "as_float_array", through) for m in (activations, layers, losses, network)]
    switched += [(m, "check_finite", lambda arr, name, fix="": None) for m in (errors, network)]
    switched += [(optim, "check_same_keys_and_shapes", lambda params, grads: None)]
    switched += [(optim.Optimizer, "_check", lambda self, name, theta, g: None)]
    originals = [(m, name, getattr(m, name)) for m, name, _ in switched]
    for m, name, stand_in in switched:
        setattr(m, name, stand_in)
    try:
        return run_descend(X, y, params0, dtype, batch, epochs)
    finally:
        for m, name, original in originals:
            setattr(m, name, original)


def measure_checks(repeats: int, quick: bool) -> list[dict[str, Any]]:
    """How much of descend's gap to the floor at mini-batch 32 is its input checks."""
    _set_threads(1)
    epochs = (QUICK_EPOCHS if quick else EPOCHS)[32]
    rows = []
    for dtype in (np.float64, np.float32):
        X, y, p0 = make_problem(N, 64, dtype)
        log(f"checks: {np.dtype(dtype).name}, mini-batch 32")
        impls = {
            "descend": run_descend,
            "descend without input checks": run_descend_unchecked,
            "numpy floor": run_floor,
        }
        res = _interleaved(impls, (X, y, p0, dtype, 32, epochs), repeats)
        floor = res["numpy floor"]["cpu_median"]
        rows.append(
            {
                "dtype": np.dtype(dtype).name,
                "batch": _batch_name(32),
                **{k: r["cpu_median"] / floor for k, r in res.items() if k != "numpy floor"},
            }
        )
    return rows


def measure_scaling(repeats: int, quick: bool) -> dict[str, Any]:
    """Time per epoch (mini-batch 32, float64) as the data and the width grow."""
    impls: dict[str, Any] = {"descend": run_descend, "numpy floor": run_floor}
    run_torch = torch_runner()
    if run_torch is not None:
        impls["torch"] = run_torch
    ns = [250, 1000, 4000] if quick else [250, 1000, 4000, 16000]
    widths = [16, 64, 256] if quick else [16, 64, 256, 1024]
    out: dict[str, Any] = {"data": [], "width": [], "batch": 32, "dtype": "float64"}
    for n in ns:
        X, y, p0 = make_problem(n, 64, np.float64)
        epochs = max(1, 4000 // n) if not quick else 1
        log(f"scaling: n={n}, width 64, {epochs} epoch(s)")
        res = _interleaved(impls, (X, y, p0, np.float64, 32, epochs), repeats)
        out["data"].append(
            {"n": n, "width": 64, **{k: r["cpu_median"] / epochs for k, r in res.items()}}
        )
    for width in widths:
        X, y, p0 = make_problem(N, width, np.float64)
        epochs = 4 if width <= 256 else 1
        if quick:
            epochs = 1
        log(f"scaling: n={N}, width {width}, {epochs} epoch(s)")
        res = _interleaved(impls, (X, y, p0, np.float64, 32, epochs), repeats)
        out["width"].append(
            {"n": N, "width": width, **{k: r["cpu_median"] / epochs for k, r in res.items()}}
        )
    return out


def plot_scaling(scaling: dict[str, Any], path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), dpi=100)
    styles = {"descend": "o-", "numpy floor": "s--", "torch": "^:"}
    for ax, key, xlabel in (
        (axes[0], "data", "training points n (width 64)"),
        (axes[1], "width", "hidden width (n = 1,000)"),
    ):
        rows = scaling[key]
        xs = [r["n" if key == "data" else "width"] for r in rows]
        for name, style in styles.items():
            if name in rows[0]:
                ax.plot(xs, [r[name] * 1e3 for r in rows], style, label=name)
        ax.set_xscale("log", base=2 if key == "width" else 10)
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("CPU ms per epoch")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend()
    fig.suptitle(
        "Time per epoch as the data and the network grow\n"
        "(mini-batch 32, float64, one thread each; median CPU time)",
        fontsize=11,
    )
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def run(repeats: int = 7, quick: bool = False) -> dict[str, Any]:
    """Measure everything of this part and return it (stored by ``run.py``)."""
    threads_before = blas_threads()
    rows = measure_configs(repeats, quick)
    _set_threads(1)  # the scaling is measured with one thread on each side
    checks = measure_checks(repeats, quick)
    scaling = measure_scaling(max(3, repeats // 2), quick)
    png = HERE / "training_scaling.png"
    plot_scaling(scaling, png)
    _set_threads(threads_before)
    return {
        "workload": {
            "sizes": SIZES,
            "activation": "tanh",
            "loss": "binary_cross_entropy",
            "optimizer": f"Adam(lr={LR}, betas={BETAS}, eps={EPS})",
            "n": N,
            "data": f"two_moons(n={N}, noise={NOISE})",
        },
        "threads": {"numpy_blas": threads_before, "torch": torch_info()},
        "configs": rows,
        "checks": checks,
        "scaling": scaling,
        "figure": png.name,
    }


# ------------------------------------------------------------------ before/after (speedup.py)


def descend_only(repeats: int, quick: bool) -> dict[str, dict[str, list[float]]]:
    """Time ``descend`` and the floor, taking turns, on the four configurations, one thread.

    Run as a worker by ``speedup.py`` with an older ``descend`` first on the path.
    """
    _set_threads(1)
    epochs_for = QUICK_EPOCHS if quick else EPOCHS
    out = {}
    for dtype in (np.float64, np.float32):
        for batch in (32, None):
            X, y, p0 = make_problem(N, 64, dtype)
            res = _interleaved(
                {"descend": run_descend, "numpy floor": run_floor},
                (X, y, p0, dtype, batch, epochs_for[batch]),
                repeats,
            )
            out[f"{np.dtype(dtype).name}, {_batch_name(batch)}"] = {
                k: r["cpu"] for k, r in res.items()
            }
    return out


if __name__ == "__main__":
    import json
    import sys

    reps, quick = int(sys.argv[1]), sys.argv[2:] == ["quick"]
    print(json.dumps({"descend": ds.__file__, "times": descend_only(reps, quick)}))
