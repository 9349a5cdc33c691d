"""Exercise set 1: initialize (instructor's source: solutions and hidden checks).

Generated from this file: exercises/student/01-initialize.ipynb (the learner's
notebook), exercises/solutions/01-initialize.ipynb and book/exercises/01-initialize.md.
Run ``python -m exercises build`` after editing it.
"""

from __future__ import annotations

import numpy as np

from exercises.feedback import (
    CheckFailure,
    expect_close,
    expect_numbers,
    result,
    verify_close,
    verify_equal,
)
from exercises.model import Check, ExerciseSet, Question
from exercises.sets._common import choice_checks

# ---------------------------------------------------------------- solutions


def count_params(sizes):
    """Number of parameters of a dense network with layer sizes ``sizes``.

    Parameters
    ----------
    sizes : list of int
        ``[n_0, n_1, ..., n_L]``: inputs, hidden widths, outputs.

    Returns
    -------
    int
    """
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=False))


def he_normal(shape, rng):
    """He (Kaiming) normal initialization of a weight matrix.

    Parameters
    ----------
    shape : tuple of int
        ``(n_in, n_out)``.
    rng : np.random.Generator

    Returns
    -------
    ndarray, shape ``(n_in, n_out)``
        Normal values with mean 0 and standard deviation ``sqrt(2 / n_in)``.
    """
    fan_in = shape[0]
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)


def xavier_uniform(shape, rng, gain=1.0):
    """Xavier (Glorot) uniform initialization of a weight matrix.

    Parameters
    ----------
    shape : tuple of int
        ``(n_in, n_out)``.
    rng : np.random.Generator
    gain : float

    Returns
    -------
    ndarray, shape ``(n_in, n_out)``
        Uniform on ``[-a, a]`` with ``a = gain * sqrt(6 / (n_in + n_out))``.
    """
    fan_in, fan_out = shape
    bound = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=shape)


def activation_stds(X, weights):
    """Standard deviation of the activations of a deep tanh stack, layer by layer.

    Parameters
    ----------
    X : ndarray, shape ``(n, d)``
        The inputs, ``A_0``.
    weights : list of ndarray
        ``[W_1, ..., W_L]``, ``W_l`` of shape ``(n_{l-1}, n_l)``; no biases.

    Returns
    -------
    ndarray, shape ``(L,)``
        ``std(A_l)`` over all entries, for ``A_l = tanh(A_{l-1} @ W_l)``.
    """
    A = X
    stds = []
    for W in weights:
        A = np.tanh(A @ W)
        stds.append(A.std())
    return np.array(stds)


def zero_init_answer():
    """Return the letter of your answer, as a string such as "A"."""
    return "C"


def init_network(sizes, seed):
    """Initial parameters of a dense tanh network, reproducibly.

    Parameters
    ----------
    sizes : list of int
        ``[n_0, ..., n_L]``.
    seed : int

    Returns
    -------
    dict
        ``{"W1": ..., "b1": ..., "W2": ..., ...}``: ``W_l`` drawn (in the order
        W1, W2, ...) from ``rng.normal(0.0, std, size=(n_{l-1}, n_l))`` with Xavier's
        ``std = sqrt(2 / (n_{l-1} + n_l))`` and ``rng = np.random.default_rng(seed)``;
        ``b_l`` zeros of shape ``(n_l,)``.
    """
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        n_in, n_out = sizes[l - 1], sizes[l]
        params[f"W{l}"] = rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_in, n_out))
        params[f"b{l}"] = np.zeros(n_out)
    return params


# ------------------------------------------------- drivers and public verifiers


def drive_sizes(fn, inp):
    return fn([int(s) for s in inp["sizes"]])


def drive_init(fn, inp):
    """Draw twice with the same seed and once with another: same seed, same matrix."""
    shape = tuple(int(s) for s in inp["shape"])
    seed = int(inp["seed"])
    extra = [float(inp["gain"])] if "gain" in inp else []
    return {
        "W": fn(shape, np.random.default_rng(seed), *extra),
        "again": fn(shape, np.random.default_rng(seed), *extra),
        "other": fn(shape, np.random.default_rng(seed + 1), *extra),
    }


def drive_layers(fn, inp):
    weights = [inp[key] for key in inp if key.startswith("W")]
    return fn(inp["X"], weights)


def drive_network(fn, inp):
    return fn([int(s) for s in inp["sizes"]], int(inp["seed"]))


def _expect_reproducible(got, shape):
    W = expect_numbers(result(got, "out.W"), "W")
    if W.shape != shape:
        raise CheckFailure(f"W has shape {W.shape}, expected {shape}")
    again = expect_numbers(result(got, "out.again"), "the second draw")
    other = expect_numbers(result(got, "out.other"), "the draw with another seed")
    if again.shape != shape or not np.array_equal(W, again):
        raise CheckFailure(
            "two calls with generators made from the same seed gave different matrices: "
            "draw from rng (rng.normal, rng.uniform), not from np.random"
        )
    if other.shape == shape and np.array_equal(W, other):
        raise CheckFailure("generators with different seeds gave the same matrix")
    return W


def verify_normal_init(got, want, inp, tol=0.05):
    """Shape, reproducibility, mean 0, the target standard deviation, a normal shape."""
    shape = tuple(int(s) for s in inp["shape"])
    W = _expect_reproducible(got, shape)
    std = float(want["std"])
    n = W.size
    if abs(W.mean()) > 6 * std / np.sqrt(n):
        raise CheckFailure(f"the mean is {W.mean():.4g}; it should be close to 0")
    if abs(W.std() / std - 1) > tol:
        raise CheckFailure(
            f"the standard deviation is {W.std():.4g}, expected {std:.4g} "
            f"(within {tol:.0%}) for shape {shape}"
        )
    inside = np.mean(np.abs(W) < std)
    if abs(inside - 0.6827) > 0.02 + 6 * np.sqrt(0.6827 * 0.3173 / n):
        raise CheckFailure(
            f"{inside:.1%} of the values lie within one standard deviation of 0; a normal "
            "distribution puts 68.3% there: draw from a normal distribution"
        )


def verify_uniform_init(got, want, inp, tol=0.05):
    """Shape, reproducibility, values inside [-a, a] that fill it evenly."""
    shape = tuple(int(s) for s in inp["shape"])
    W = _expect_reproducible(got, shape)
    bound = float(want["bound"])
    if np.abs(W).max() > bound * (1 + 1e-12):
        raise CheckFailure(
            f"a value reaches {np.abs(W).max():.4g}, outside [-a, a] with a = {bound:.4g}"
        )
    if np.abs(W).max() < bound * 0.98:
        raise CheckFailure(
            f"the largest |value| is {np.abs(W).max():.4g}, but values should fill "
            f"[-a, a] with a = {bound:.4g}"
        )
    if abs(W.std() / (bound / np.sqrt(3)) - 1) > tol:
        raise CheckFailure(
            f"the standard deviation is {W.std():.4g}, but a uniform distribution on "
            f"[-a, a] has a / sqrt(3) = {bound / np.sqrt(3):.4g}"
        )
    inside = np.mean(np.abs(W) < bound / 2)
    if abs(inside - 0.5) > 0.03:
        raise CheckFailure(
            f"{inside:.1%} of the values lie in [-a/2, a/2]; a uniform distribution puts 50% there"
        )


def verify_params(got, want, inp, rtol=1e-10):
    """The same names, shapes and values as the reference parameters."""
    expected = sorted(want)
    names = sorted(k for k in got if k.startswith("out."))
    if names != expected:
        pretty = [k[4:] for k in names] or ["nothing"]
        raise CheckFailure(
            "the dict should have keys "
            + ", ".join(k[4:] for k in expected)
            + "; it has "
            + ", ".join(pretty)
        )
    for key in expected:
        expect_close(got[key], want[key], key[4:], rtol=rtol, atol=1e-14)


# ------------------------------------------------------ hidden checks (private)


def _hidden_sizes(rng):
    depth = int(rng.integers(2, 7))
    return {"sizes": rng.integers(1, 300, size=depth)}


def _hidden_shape(rng, gain=False):
    inp = {
        "shape": (int(rng.integers(60, 700)), int(rng.integers(60, 400))),
        "seed": int(rng.integers(0, 2**31)),
    }
    if gain:
        inp["gain"] = float(rng.uniform(0.5, 2.0))
    return inp


def _hidden_layers(rng):
    width = int(rng.integers(20, 80))
    depth = int(rng.integers(3, 9))
    scale = float(rng.uniform(0.3, 2.5))
    inp = {"X": rng.normal(size=(int(rng.integers(30, 120)), width))}
    for l in range(1, depth + 1):
        inp[f"W{l}"] = rng.normal(0.0, scale / np.sqrt(width), size=(width, width))
    return inp


def _hidden_network(rng):
    return {
        "sizes": rng.integers(1, 40, size=int(rng.integers(2, 6))),
        "seed": int(rng.integers(0, 2**31)),
    }


def _he_target(outputs, inp):
    return {"std": np.sqrt(2.0 / int(inp["shape"][0]))}


def _xavier_bound(outputs, inp):
    n_in, n_out = (int(s) for s in inp["shape"])
    gain = float(inp["gain"]) if "gain" in inp else 1.0
    return {"bound": gain * np.sqrt(6.0 / (n_in + n_out))}


# --------------------------------------------------------------------- the set

SET = ExerciseSet(
    number=1,
    slug="initialize",
    title="Initialize",
    chapter="book/01-initialize.ipynb",
    summary=(
        "Step 1 of the loop: parameters as arrays and their count, He and Xavier "
        "initialization from a generator you pass in, how the scale of the weights "
        "shapes the activations of a deep stack, why all-zero weights cannot learn, "
        "and reproducible initialization from a seed."
    ),
    forbidden={
        "descend.init.he_normal": "q2",
        "descend.init.he_uniform": "q2",
        "descend.init.xavier_uniform": "q3",
        "descend.init.xavier_normal": "q6",
        "descend.network.Network.n_params": "q1",
    },
    questions=(
        Question(
            title="Counting parameters",
            solution=count_params,
            points=1,
            prompt=(
                "A dense network with layer sizes $[n_0, n_1, \\dots, n_L]$ has, for each "
                "layer $l$, a weight matrix $W_l$ of shape $(n_{l-1}, n_l)$ and a bias "
                "$b_l$ of shape $(n_l,)$. Write `count_params(sizes)`, the total number "
                "of parameters. For example, a network `[2, 3, 1]` has "
                "$2 \\cdot 3 + 3 + 3 \\cdot 1 + 1 = 13$."
            ),
            public=(
                Check(
                    "the 2-3-1 network of the example",
                    lambda rng: {"sizes": (2, 3, 1)},
                    verify_equal,
                    drive_sizes,
                ),
                Check(
                    "a deeper network [4, 8, 8, 3]",
                    lambda rng: {"sizes": (4, 8, 8, 3)},
                    verify_equal,
                    drive_sizes,
                ),
            ),
            hidden=(
                Check("a random network", _hidden_sizes, verify_equal, drive_sizes),
                Check("another random network", _hidden_sizes, verify_equal, drive_sizes),
                Check(
                    "a single layer",
                    lambda rng: {"sizes": rng.integers(1, 500, size=2)},
                    verify_equal,
                    drive_sizes,
                ),
            ),
        ),
        Question(
            title="He initialization",
            solution=he_normal,
            points=2,
            prompt=(
                "He initialization keeps the variance of ReLU activations constant from "
                "layer to layer by drawing $W \\sim \\mathcal{N}(0, \\sigma^2)$ with "
                "$\\sigma = \\sqrt{2 / n_\\text{in}}$, where $n_\\text{in}$ (the fan-in) is "
                "the number of rows of $W$. Write `he_normal(shape, rng)`: draw from the "
                "generator `rng` you are given (never from `np.random` directly), so that "
                "the same seed gives the same matrix."
            ),
            public=(
                Check(
                    "a 400 x 300 matrix: shape, mean, spread, reproducibility",
                    lambda rng: {"shape": (400, 300), "seed": 7},
                    verify_normal_init,
                    drive_init,
                    summary=_he_target,
                ),
            ),
            hidden=(
                Check(
                    "a random shape and seed",
                    _hidden_shape,
                    verify_normal_init,
                    drive_init,
                    summary=_he_target,
                    weight=2,
                ),
                Check(
                    "another random shape and seed",
                    _hidden_shape,
                    verify_normal_init,
                    drive_init,
                    summary=_he_target,
                    weight=2,
                ),
            ),
        ),
        Question(
            title="Xavier (Glorot) uniform initialization",
            solution=xavier_uniform,
            points=2,
            prompt=(
                "Xavier initialization balances the variance of the forward signal and "
                "of the backward gradient: for a uniform distribution on $[-a, a]$ it "
                "takes $a = \\text{gain} \\cdot \\sqrt{6 / (n_\\text{in} + n_\\text{out})}$. "
                "Write `xavier_uniform(shape, rng, gain=1.0)`, drawing from `rng`."
            ),
            public=(
                Check(
                    "a 300 x 200 matrix with gain 1",
                    lambda rng: {"shape": (300, 200), "seed": 3, "gain": 1.0},
                    verify_uniform_init,
                    drive_init,
                    summary=_xavier_bound,
                ),
            ),
            hidden=(
                Check(
                    "a random shape, seed and gain",
                    lambda rng: _hidden_shape(rng, gain=True),
                    verify_uniform_init,
                    drive_init,
                    summary=_xavier_bound,
                    weight=2,
                ),
                Check(
                    "another random shape, seed and gain",
                    lambda rng: _hidden_shape(rng, gain=True),
                    verify_uniform_init,
                    drive_init,
                    summary=_xavier_bound,
                    weight=2,
                ),
            ),
        ),
        Question(
            title="Activations through a deep stack",
            solution=activation_stds,
            points=2,
            prompt=(
                "To see why the scale of the weights matters, push a batch through a "
                "stack of tanh layers without biases, $A_l = \\tanh(A_{l-1} W_l)$ with "
                "$A_0 = X$, and record the standard deviation of every $A_l$ (over all "
                "its entries, `A.std()`). Write `activation_stds(X, weights)` returning "
                "them as an array of length $L$. Then try it yourself: with weights of "
                "standard deviation $0.5/\\sqrt{n}$ the values shrink layer after layer; "
                "with $1/\\sqrt{n}$ (Xavier for a square layer) they hold up far longer."
            ),
            public=(
                Check(
                    "three 4 x 4 layers on a batch of 5",
                    lambda rng: {
                        "X": rng.normal(size=(5, 4)),
                        **{f"W{l}": rng.normal(0, 0.5, size=(4, 4)) for l in (1, 2, 3)},
                    },
                    verify_close,
                    drive_layers,
                    options={"rtol": 1e-9, "atol": 1e-12},
                ),
            ),
            hidden=(
                Check(
                    "a random deep stack",
                    _hidden_layers,
                    verify_close,
                    drive_layers,
                    options={"rtol": 1e-9, "atol": 1e-12},
                    weight=2,
                ),
                Check(
                    "another random deep stack",
                    _hidden_layers,
                    verify_close,
                    drive_layers,
                    options={"rtol": 1e-9, "atol": 1e-12},
                    weight=2,
                ),
            ),
        ),
        Question(
            title="Explain what you see: all-zero weights",
            solution=zero_init_answer,
            points=1,
            context=(
                "# Train a 2-3-1 tanh network whose weights all start at zero on a small\n"
                "# regression problem, and print how far each parameter array moved.\n"
                "rng = np.random.default_rng(0)\n"
                "X = rng.normal(size=(200, 2))\n"
                "y = np.sin(X[:, 0]) + 0.5\n"
                'net = ds.Network([2, 3, 1], activation="tanh", initializer="zeros", loss="mse")\n'
                "start = {name: p.copy() for name, p in net.params.items()}\n"
                "opt = ds.optim.SGD(lr=0.1)\n"
                "for _ in range(100):\n"
                "    loss, grads = net.loss_and_grads(X, y)\n"
                "    opt.step(net.params, grads)\n"
                "for name, p in net.params.items():\n"
                '    print(f"{name}: moved by {np.abs(p - start[name]).max():.3g}")\n'
            ),
            prompt=(
                "Run the cell below: it trains a small network whose weights all start at "
                "zero. Only one parameter array moves. Why do the weights `W1` and `W2` "
                "never move?\n\n"
                "* **A** The learning rate 0.1 is too small to move them visibly in 100 "
                "steps; more steps would.\n"
                "* **B** tanh saturates at 0, so its derivative there is 0 and no gradient "
                "gets through the hidden layer.\n"
                "* **C** Their gradients are exactly 0: $\\partial L/\\partial W_2 = "
                "A_1^\\top \\delta$ with $A_1 = \\tanh(0) = 0$, and the error sent back "
                "is $\\delta W_2^\\top = 0$.\n"
                "* **D** The loss is already at its minimum with zero weights, so every "
                "gradient vanishes there.\n\n"
                'Write `zero_init_answer()` so that it returns your letter, e.g. `"A"`.'
            ),
            public=choice_checks()[0],
            hidden=choice_checks()[1],
        ),
        Question(
            title="Reproducible initialization",
            solution=init_network,
            points=2,
            prompt=(
                "A seed makes a run repeatable: the same seed, the same network. Write "
                "`init_network(sizes, seed)` returning the dict of parameters "
                '`{"W1": ..., "b1": ..., "W2": ..., ...}` of a network with layer sizes '
                "`sizes`: make one generator `rng = np.random.default_rng(seed)`, draw "
                "`W1`, then `W2`, and so on, each with "
                "`rng.normal(0.0, std, size=(n_in, n_out))` and Xavier's "
                "$\\text{std} = \\sqrt{2/(n_\\text{in} + n_\\text{out})}$; the biases are zeros."
            ),
            public=(
                Check(
                    "a 2-3-1 network with seed 0",
                    lambda rng: {"sizes": (2, 3, 1), "seed": 0},
                    verify_params,
                    drive_network,
                ),
            ),
            hidden=(
                Check(
                    "a random network and seed",
                    _hidden_network,
                    verify_params,
                    drive_network,
                    weight=2,
                ),
                Check(
                    "another random network and seed",
                    _hidden_network,
                    verify_params,
                    drive_network,
                    weight=2,
                ),
            ),
        ),
    ),
)
