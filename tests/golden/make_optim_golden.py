"""Write ``optim_trajectories.json``: PyTorch's optimizers on small fixed problems.

Run by a maintainer who has torch (it is not a course dependency)::

    python tests/golden/make_optim_golden.py

For every optimizer and every option (momentum, dampening, nesterov, weight_decay,
lr_decay, initial_accumulator_value, alpha, centered, betas, eps, amsgrad) it runs
``torch.optim`` in float64 on two small problems and records the parameters after
every step. ``tests/test_optim.py`` replays the same problems with
``descend.optim`` and compares the trajectories.

Each problem is a loss of the concatenated, flattened parameters θ (in the order
listed in ``shapes``), a quadratic plus a quartic::

    L(θ) = ½ θᵀAθ − bᵀθ + (c/4) Σ θᵢ⁴,       ∇L(θ) = Aθ − b + c θ³

The gradient is computed with NumPy from torch's current parameters and handed to
torch as ``.grad``, so the only arithmetic that differs between the two runs is the
optimizers' own. The JSON holds A, b, c, the starting point and the trajectories,
so the test needs nothing from this script.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("optim_trajectories.json")
STEPS = 40

# (optimizer, kwargs); torch's names and keywords, which descend.optim shares
CONFIGS: list[tuple[str, dict]] = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.03, "momentum": 0.5, "dampening": 0.2, "weight_decay": 0.05}),
    ("SGD", {"lr": 0.03, "momentum": 0.7, "nesterov": True, "weight_decay": 0.2}),
    ("Adagrad", {"lr": 0.5}),
    ("Adagrad", {"lr": 0.5, "lr_decay": 0.05}),
    ("Adagrad", {"lr": 0.5, "initial_accumulator_value": 0.3}),
    ("Adagrad", {"lr": 0.5, "weight_decay": 0.1, "eps": 1e-3}),
    (
        "Adagrad",
        {"lr": 0.4, "lr_decay": 0.02, "weight_decay": 0.05, "initial_accumulator_value": 0.1},
    ),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.3, "eps": 1e-3}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.3, "centered": True}),
    ("RMSprop", {"lr": 0.005, "momentum": 0.8}),
    ("RMSprop", {"lr": 0.005, "weight_decay": 0.1}),
    (
        "RMSprop",
        {"lr": 0.005, "alpha": 0.95, "momentum": 0.8, "centered": True, "weight_decay": 0.1},
    ),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "betas": [0.5, 0.9]}),
    ("Adam", {"lr": 0.05, "betas": [0.3, 0.8], "amsgrad": True}),
    ("Adam", {"lr": 0.05, "eps": 1e-3}),
    ("Adam", {"lr": 0.03, "betas": [0.8, 0.99], "weight_decay": 0.2, "amsgrad": True}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.5}),
    ("AdamW", {"lr": 0.05, "amsgrad": True}),
    ("AdamW", {"lr": 0.05, "eps": 1e-3, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.05, "betas": [0.3, 0.8], "weight_decay": 0.2, "amsgrad": True}),
]


def make_problems() -> list[dict]:
    """Two problems: a weight matrix and a bias; a vector and a 0-d scalar, badly scaled."""
    rng = np.random.default_rng(20240501)
    # 1: W (2, 3) and b (3,), a dense well-conditioned A
    M = rng.normal(size=(9, 9))
    A1 = M @ M.T / 9 + 0.5 * np.eye(9)
    p1 = {
        "name": "dense_W_b",
        "shapes": {"W": [2, 3], "b": [3]},
        "A": A1,
        "b_vec": rng.normal(size=9),
        "c": 0.1,
        "theta0": rng.normal(size=9),
    }
    # 2: w (4,) and s (): curvatures from 0.01 to 10, so the adaptive methods differ from SGD
    scales = np.array([10.0, 1.0, 0.1, 0.01, 3.0])
    C = 0.05 * rng.normal(size=(5, 5))
    A2 = np.diag(scales) + (C + C.T) / 2 * np.sqrt(np.outer(scales, scales))
    p2 = {
        "name": "scaled_w_s",
        "shapes": {"w": [4], "s": []},
        "A": A2,
        "b_vec": rng.normal(size=5),
        "c": 0.05,
        "theta0": 2.0 * rng.normal(size=5),
    }
    for p in (p1, p2):
        assert np.all(np.linalg.eigvalsh(p["A"]) > 0), "A must be positive definite"
    return [p1, p2]


def gradient(problem: dict, theta: np.ndarray) -> np.ndarray:
    return problem["A"] @ theta - problem["b_vec"] + problem["c"] * theta**3


def split(problem: dict, theta: np.ndarray) -> dict[str, np.ndarray]:
    out, i = {}, 0
    for name, shape in problem["shapes"].items():
        n = int(np.prod(shape))
        out[name] = theta[i : i + n].reshape(shape)
        i += n
    return out


def run_torch(problem: dict, optimizer: str, kwargs: dict, steps: int) -> np.ndarray:
    import torch

    parts = split(problem, problem["theta0"].copy())
    tensors = {
        k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in parts.items()
    }
    kw = {k: (tuple(v) if k == "betas" else v) for k, v in kwargs.items()}
    # foreach=False: the plain per-tensor code path, the one descend.optim follows
    opt = getattr(torch.optim, optimizer)(list(tensors.values()), foreach=False, **kw)

    def flat() -> np.ndarray:
        return np.concatenate([t.detach().numpy().ravel() for t in tensors.values()])

    traj = [flat()]
    for _ in range(steps):
        g = split(problem, gradient(problem, flat()))
        for k, t in tensors.items():
            t.grad = torch.tensor(g[k], dtype=torch.float64)
        opt.step()
        traj.append(flat())
    return np.array(traj)


def main() -> None:
    import torch

    problems = make_problems()
    cases = []
    for optimizer, kwargs in CONFIGS:
        for p in problems:
            traj = run_torch(p, optimizer, kwargs, STEPS)
            assert np.all(np.isfinite(traj)), (optimizer, kwargs, p["name"])
            cases.append(
                {
                    "optimizer": optimizer,
                    "kwargs": kwargs,
                    "problem": p["name"],
                    "trajectory": traj.tolist(),
                }
            )
    data = {
        "about": (
            "torch.optim trajectories (float64, foreach=False) on L(theta) = 0.5 theta'A theta "
            "- b'theta + c/4 sum theta^4, theta = the flattened parameters in the order of "
            "shapes; trajectory[k] = theta after k steps. Written by "
            "tests/golden/make_optim_golden.py."
        ),
        "torch_version": torch.__version__,
        "steps": STEPS,
        "problems": [
            {
                "name": p["name"],
                "shapes": p["shapes"],
                "A": p["A"].tolist(),
                "b_vec": p["b_vec"].tolist(),
                "c": p["c"],
                "theta0": p["theta0"].tolist(),
            }
            for p in problems
        ],
        "cases": cases,
    }
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {len(cases)} trajectories to {OUT} ({OUT.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
