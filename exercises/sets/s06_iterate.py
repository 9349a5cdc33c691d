"""Exercise set 6: iterate (instructor's source).

Generated from this file: exercises/student/06-iterate.ipynb,
exercises/solutions/06-iterate.ipynb and book/exercises/06-iterate.md.
Run ``python -m exercises build`` after editing it.
"""

from __future__ import annotations

import numpy as np

from exercises.feedback import (
    CheckFailure,
    expect_numbers,
    expect_shape,
    result,
    verify_close,
    verify_equal,
)
from exercises.model import Check, ExerciseSet, Question, nothing
from exercises.sets._common import choice_checks, close, spd_matrix

# ---------------------------------------------------------------- solutions


def n_steps(n, batch_size, epochs):
    """The number of parameter updates of a mini-batch run.

    Parameters
    ----------
    n : int
        Training examples.
    batch_size : int
        Examples per batch; the last batch of an epoch may be smaller.
    epochs : int

    Returns
    -------
    int
    """
    return epochs * -(-n // batch_size)


def minibatch_indices(n, batch_size, rng):
    """Shuffle ``0, ..., n-1`` and cut the result into batches.

    Parameters
    ----------
    n, batch_size : int
    rng : np.random.Generator

    Returns
    -------
    list of ndarray of int
        Consecutive slices of ``rng.permutation(n)`` of length ``batch_size`` (the
        last one may be shorter).
    """
    order = rng.permutation(n)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def should_stop(val_losses, patience, min_delta=0.0):
    """Early stopping: has the validation loss stopped improving?

    Parameters
    ----------
    val_losses : list of float
        One validation loss per epoch so far.
    patience : int
    min_delta : float

    Returns
    -------
    bool
        True when there are more than ``patience`` losses and none of the last
        ``patience`` is below ``(best loss before them) - min_delta``.
    """
    if len(val_losses) <= patience:
        return False
    best_before = min(val_losses[:-patience])
    return min(val_losses[-patience:]) >= best_before - min_delta


def gradient_descent(grad, x0, lr, tol, max_steps):
    """Gradient descent with a gradient-norm stopping rule.

    Parameters
    ----------
    grad : callable
        ``grad(x) -> ndarray``, the gradient at ``x``.
    x0 : ndarray
        The starting point (leave it unchanged).
    lr, tol : float
    max_steps : int

    Returns
    -------
    tuple
        ``(x, steps)``: at every step ``k = 0, 1, ...`` compute ``g = grad(x)``;
        if ``||g|| < tol`` return ``(x, k)``; otherwise ``x = x - lr * g``. After
        ``max_steps`` updates return ``(x, max_steps)``.
    """
    x = np.array(x0, dtype=float)
    for k in range(max_steps):
        g = grad(x)
        if np.linalg.norm(g) < tol:
            return x, k
        x = x - lr * g
    return x, max_steps


def train_linear(X, y, X_val, y_val, lr, batch_size, max_epochs, patience, seed):
    """Mini-batch gradient descent for linear regression, with early stopping.

    Parameters
    ----------
    X : ndarray, shape ``(n, d)``; y : ndarray, shape ``(n,)``
        Training data.
    X_val, y_val : ndarray, shapes ``(m, d)`` and ``(m,)``
        Validation data.
    lr : float
    batch_size, max_epochs, patience, seed : int

    Returns
    -------
    tuple
        ``(w, b, val_losses)``: the parameters of the epoch with the lowest
        validation loss (``w`` shape ``(d,)``, ``b`` a float) and the validation
        loss after every epoch run (an array).
    """
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    rng = np.random.default_rng(seed)
    val_losses, best = [], None
    for _epoch in range(max_epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            err = X[idx] @ w + b - y[idx]  # forward
            dw = 2 * X[idx].T @ err / len(idx)  # backward
            db = 2 * err.mean()
            w, b = w - lr * dw, b - lr * db  # update
        val_losses.append(float(np.mean((X_val @ w + b - y_val) ** 2)))
        if best is None or val_losses[-1] < best[0]:
            best = (val_losses[-1], w.copy(), b)
        if should_stop(val_losses, patience):
            break
    return best[1], best[2], np.array(val_losses)


def saddle_answer():
    """Return the letter of your answer, as a string such as "A"."""
    return "C"


# ------------------------------------------------- drivers and public verifiers


def drive_batches(fn, inp):
    """Twice with one seed and once with another; the batches joined end to end."""
    n, size, seed = int(inp["n"]), int(inp["batch_size"]), int(inp["seed"])
    runs = [fn(n, size, np.random.default_rng(s)) for s in (seed, seed, seed + 1)]
    joined = [np.concatenate([np.asarray(batch).ravel() for batch in run]) for run in runs]
    return {
        "order": joined[0],
        "sizes": np.array([len(batch) for batch in runs[0]]),
        "again": joined[1],
        "other": joined[2],
    }


def verify_batches(got, want, inp):
    """A shuffled partition of range(n) into batches of the right sizes, reproducibly."""
    n, size = int(inp["n"]), int(inp["batch_size"])
    order = expect_numbers(result(got, "out.order"), "the joined batches")
    if order.shape != (n,) or not np.array_equal(np.sort(order), np.arange(n)):
        raise CheckFailure(f"together the batches should hold each of 0, ..., {n - 1} exactly once")
    sizes = result(got, "out.sizes").tolist()
    expected = [size] * (n // size) + ([n % size] if n % size else [])
    if sizes != expected:
        raise CheckFailure(f"the batch sizes are {sizes}, expected {expected}")
    if not np.array_equal(result(got, "out.again"), order):
        raise CheckFailure("the same seed gave different batches: shuffle with rng")
    if n >= 10 and np.array_equal(order, np.arange(n)):
        raise CheckFailure("the indices are in order: shuffle them with rng.permutation(n)")
    if n >= 10 and np.array_equal(result(got, "out.other"), order):
        raise CheckFailure("different seeds gave the same batches")


def drive_should_stop(fn, inp):
    """Ask about every prefix given (one row of seqs, cut at its length)."""
    patience, min_delta = int(inp["patience"]), float(inp["min_delta"])
    answers = []
    for seq, length in zip(inp["seqs"], inp["lengths"], strict=True):
        losses = [float(v) for v in seq[: int(length)]]
        answers.append(bool(fn(losses, patience, min_delta)))
    return np.array(answers)


def drive_descent(fn, inp):
    """Minimise x.A.x / 2 - b.x; the gradient is A x - b."""
    A, b = inp["A"], inp["b"]
    x0 = np.array(inp["x0"], dtype=float)
    x, steps = fn(lambda x: A @ x - b, x0, float(inp["lr"]), float(inp["tol"]), int(inp["max"]))
    return {"x": x, "steps": steps}


def drive_training(fn, inp):
    names = ("lr", "batch_size", "max_epochs", "patience", "seed")
    lr, size, epochs, patience, seed = (inp[k].item() for k in names)
    w, b, val_losses = fn(
        inp["X"], inp["y"], inp["X_val"], inp["y_val"], lr, size, epochs, patience, seed
    )
    return {"w": w, "b": b, "val_losses": val_losses}


def _val_loss(inp, w, b):
    return float(np.mean((inp["X_val"] @ w + b - inp["y_val"]) ** 2))


def verify_training(got, want, inp):
    """The run's shape, the best parameters kept, and a loss as low as the reference's."""
    d = inp["X"].shape[1]
    w = expect_shape(result(got, "out.w"), (d,), "w")
    b = float(expect_shape(result(got, "out.b"), (), "b"))
    losses = expect_numbers(result(got, "out.val_losses"), "val_losses")
    epochs = int(inp["max_epochs"])
    if losses.ndim != 1 or not 1 <= len(losses) <= epochs:
        raise CheckFailure(
            f"val_losses should hold one loss per epoch run (1 to {epochs}), "
            f"got shape {losses.shape}"
        )
    at_returned = _val_loss(inp, w, b)
    if abs(at_returned - losses.min()) > 1e-6 * max(1.0, losses.min()):
        raise CheckFailure(
            f"the returned (w, b) have validation loss {at_returned:.6g}, but the lowest in "
            f"val_losses is {losses.min():.6g}: return the best epoch's parameters"
        )
    start = _val_loss(inp, np.zeros(d), 0.0)
    if losses[0] >= start:
        raise CheckFailure(
            f"after the first epoch the validation loss is {losses[0]:.4g}, no lower than "
            f"at w = 0, b = 0 ({start:.4g}): is the update going downhill?"
        )
    target = float(want["best"])
    if losses.min() > 1.1 * target + 1e-3:
        raise CheckFailure(
            f"the best validation loss is {losses.min():.4g}; a correct run reaches about "
            f"{target:.4g}"
        )


# ------------------------------------------------------ hidden checks (private)


def _steps_inputs(rng):
    return {
        "n": int(rng.integers(1, 5000)),
        "batch_size": int(rng.integers(1, 300)),
        "epochs": int(rng.integers(1, 50)),
    }


def _batch_inputs(rng):
    return {
        "n": int(rng.integers(10, 200)),
        "batch_size": int(rng.integers(1, 40)),
        "seed": int(rng.integers(0, 2**31)),
    }


def _stop_inputs(rng, m=60):
    length = 25
    seqs = np.empty((m, length))
    for i in range(m):
        walk = np.cumsum(rng.normal(-0.05, 0.1, size=length)) + 3.0
        seqs[i] = np.round(walk, 1) if rng.random() < 0.5 else walk  # ties sometimes
    return {
        "seqs": seqs,
        "lengths": rng.integers(1, length + 1, size=m),
        "patience": int(rng.integers(1, 6)),
        "min_delta": float(rng.choice([0.0, 0.0, 0.05])),
    }


def _descent_inputs(rng):
    d = int(rng.integers(2, 6))
    A = spd_matrix(rng, d, float(rng.uniform(2, 30)))
    lam = np.linalg.eigvalsh(A).max()
    return {
        "A": A,
        "b": rng.normal(size=d),
        "x0": rng.normal(size=d),
        "lr": float(rng.uniform(0.2, 1.8) / lam),
        "tol": float(10.0 ** rng.uniform(-8, -3)),
        "max": int(rng.integers(50, 2000)),
    }


def _regression(rng, n=None, d=None):
    n = int(rng.integers(60, 200)) if n is None else n
    d = int(rng.integers(1, 5)) if d is None else d
    w_true, b_true = rng.normal(size=d), float(rng.normal())
    noise = float(rng.uniform(0.1, 1.0))
    X, X_val = rng.normal(size=(n, d)), rng.normal(size=(n // 2, d))
    return {
        "X": X,
        "y": X @ w_true + b_true + rng.normal(0.0, noise, size=n),
        "X_val": X_val,
        "y_val": X_val @ w_true + b_true + rng.normal(0.0, noise, size=n // 2),
        "lr": float(rng.uniform(0.005, 0.05)),
        "batch_size": int(rng.integers(4, 33)),
        "max_epochs": int(rng.integers(15, 50)),
        "patience": int(rng.integers(2, 6)),
        "seed": int(rng.integers(0, 2**31)),
    }


def _best(outputs, inp):
    return {"best": float(np.min(outputs["out.val_losses"]))}


# --------------------------------------------------------------------- the set

SET = ExerciseSet(
    number=6,
    slug="iterate",
    title="Iterate",
    chapter="book/06-iterate.ipynb",
    summary=(
        "Step 6 of the loop: epochs, iterations and mini-batches, shuffling with a "
        "generator, stopping rules (a gradient-norm threshold and early stopping on a "
        "validation set), a complete mini-batch training loop, and what a point of zero "
        "gradient can be."
    ),
    forbidden={
        "descend.train.train": "q5",
        "descend.train.minimize": "q4",
        "descend.data.minibatches": "q2",
    },
    questions=(
        Question(
            title="Epochs and iterations",
            solution=n_steps,
            points=1,
            prompt=(
                "An *epoch* is one pass over the $n$ training examples; with batches of "
                "$B$ examples (the last one smaller if $B$ does not divide $n$) it takes "
                "$\\lceil n / B \\rceil$ *iterations*, one update each. Write "
                "`n_steps(n, batch_size, epochs)`, the number of updates of a whole run."
            ),
            public=(
                Check(
                    "n = 1000, batches of 32, 5 epochs",
                    lambda rng: {"n": 1000, "batch_size": 32, "epochs": 5},
                    verify_equal,
                ),
                Check(
                    "full batch: n = 50, batch of 50, 3 epochs",
                    lambda rng: {"n": 50, "batch_size": 50, "epochs": 3},
                    verify_equal,
                ),
            ),
            hidden=(
                Check("random sizes", _steps_inputs, verify_equal),
                Check("more random sizes", _steps_inputs, verify_equal),
            ),
        ),
        Question(
            title="Shuffled mini-batches",
            solution=minibatch_indices,
            points=2,
            prompt=(
                "Each epoch visits the examples in a new random order, so that "
                "consecutive batches are not correlated. Write "
                "`minibatch_indices(n, batch_size, rng)`: shuffle the indices "
                "$0, \\dots, n-1$ with `rng.permutation(n)` and return the list of "
                "consecutive slices of length `batch_size` (the last one may be shorter). "
                "Use only the generator you are given, so a seed fixes the batches."
            ),
            public=(
                Check(
                    "n = 23, batches of 5",
                    lambda rng: {"n": 23, "batch_size": 5, "seed": 0},
                    verify_batches,
                    drive_batches,
                    summary=nothing,
                ),
            ),
            hidden=(
                Check(
                    "random sizes and seeds",
                    _batch_inputs,
                    verify_batches,
                    drive_batches,
                    summary=nothing,
                    weight=2,
                ),
            ),
        ),
        Question(
            title="Early stopping",
            solution=should_stop,
            points=2,
            prompt=(
                "Early stopping watches the validation loss and stops when it has not "
                "improved for `patience` epochs. Precisely: return True when there are "
                "more than `patience` losses and *none* of the last `patience` is below "
                "(the best loss before them) minus `min_delta`; otherwise False. Write "
                "`should_stop(val_losses, patience, min_delta=0.0)`."
            ),
            public=(
                Check(
                    "[3, 2, 1, 1.5, 1.2] with patience 2 (stop), 3 (go on)",
                    lambda rng: {
                        "seqs": np.array([[3.0, 2.0, 1.0, 1.5, 1.2], [3.0, 2.0, 1.0, 1.5, 1.2]]),
                        "lengths": np.array([5, 3]),
                        "patience": 2,
                        "min_delta": 0.0,
                    },
                    verify_equal,
                    drive_should_stop,
                ),
                Check(
                    "a steady improvement smaller than min_delta",
                    lambda rng: {
                        "seqs": np.array([[1.0, 0.99, 0.98, 0.97]]),
                        "lengths": np.array([4]),
                        "patience": 2,
                        "min_delta": 0.05,
                    },
                    verify_equal,
                    drive_should_stop,
                ),
            ),
            hidden=(
                Check("60 random loss curves", _stop_inputs, verify_equal, drive_should_stop),
                Check(
                    "60 more",
                    _stop_inputs,
                    verify_equal,
                    drive_should_stop,
                    weight=2,
                ),
            ),
        ),
        Question(
            title="A stopping rule on the gradient",
            solution=gradient_descent,
            points=2,
            prompt=(
                "Write the loop with a gradient-norm stopping rule, "
                "`gradient_descent(grad, x0, lr, tol, max_steps)`: for "
                "$k = 0, 1, \\dots$ compute $g = \\nabla f(x)$; if $\\lVert g \\rVert$ < "
                "`tol`, return `(x, k)`; otherwise step $x \\leftarrow x - \\eta g$. "
                "After `max_steps` updates return `(x, max_steps)`. Do not change `x0`."
            ),
            public=(
                Check(
                    "a 2-D quadratic, lr = 0.1, tol = 1e-6",
                    lambda rng: {
                        "A": np.array([[2.0, 0.0], [0.0, 4.0]]),
                        "b": np.array([1.0, 1.0]),
                        "x0": np.array([3.0, -2.0]),
                        "lr": 0.1,
                        "tol": 1e-6,
                        "max": 1000,
                    },
                    verify_close,
                    drive_descent,
                    options=close(),
                ),
                Check(
                    "the same with too few steps (max_steps = 5)",
                    lambda rng: {
                        "A": np.array([[2.0, 0.0], [0.0, 4.0]]),
                        "b": np.array([1.0, 1.0]),
                        "x0": np.array([3.0, -2.0]),
                        "lr": 0.1,
                        "tol": 1e-6,
                        "max": 5,
                    },
                    verify_close,
                    drive_descent,
                    options=close(),
                ),
            ),
            hidden=(
                Check(
                    "a random quadratic",
                    _descent_inputs,
                    verify_close,
                    drive_descent,
                    options=close(1e-7, 1e-10),
                ),
                Check(
                    "another random quadratic",
                    _descent_inputs,
                    verify_close,
                    drive_descent,
                    options=close(1e-7, 1e-10),
                ),
            ),
        ),
        Question(
            title="A mini-batch training loop with early stopping",
            solution=train_linear,
            points=4,
            time_limit=20.0,
            prompt=(
                "Now the whole loop, on linear regression $\\hat y = Xw + b$ with the mean "
                "squared error. Write "
                "`train_linear(X, y, X_val, y_val, lr, batch_size, max_epochs, patience, seed)`:"
                "\n\n"
                "1. start from $w = 0$, $b = 0$ and `rng = np.random.default_rng(seed)`;\n"
                "2. every epoch, shuffle with `order = rng.permutation(n)` and, for every "
                "batch of `batch_size` consecutive indices of `order`: forward "
                "($\\text{err} = X_B w + b - y_B$), backward (the gradient of the batch's "
                "mean squared error: $\\frac{2}{|B|} X_B^\\top \\text{err}$ and "
                "$2\\,\\overline{\\text{err}}$), update;\n"
                "3. after every epoch compute the validation loss and remember the "
                "parameters of the best epoch so far;\n"
                "4. stop after `max_epochs`, or earlier when `should_stop(val_losses, "
                "patience)` (your function from exercise 6.3) says so.\n\n"
                "Return `(w, b, val_losses)`: the best epoch's parameters and the array of "
                "validation losses."
            ),
            public=(
                Check(
                    "a noisy line in 2 dimensions",
                    lambda rng: {
                        **_regression(rng, n=80, d=2),
                        "lr": 0.02,
                        "batch_size": 10,
                        "max_epochs": 30,
                        "patience": 3,
                    },
                    verify_training,
                    drive_training,
                    summary=_best,
                ),
            ),
            hidden=(
                Check(
                    "random regression data",
                    _regression,
                    verify_training,
                    drive_training,
                    summary=_best,
                    weight=2,
                ),
                Check(
                    "more random regression data",
                    _regression,
                    verify_training,
                    drive_training,
                    summary=_best,
                    weight=2,
                ),
            ),
        ),
        Question(
            title="A point of zero gradient",
            solution=saddle_answer,
            points=1,
            prompt=(
                "Gradient descent stopped because $\\lVert \\nabla f \\rVert$ fell below "
                "the tolerance. At that point the Hessian has eigenvalues $2$ and $-3$. "
                "What has the run found?\n\n"
                "* **A** The global minimum: the gradient is zero there, so descent has "
                "converged.\n"
                "* **B** A local minimum, maybe not the global one: the gradient is zero "
                "and no nearby point is lower.\n"
                "* **C** A saddle point: $f$ still decreases along the eigenvector of $-3$, "
                "so a small push would let descent go on.\n"
                "* **D** A local maximum: with a negative eigenvalue the function curves "
                "downwards there.\n\n"
                'Write `saddle_answer()` so that it returns your letter, e.g. `"A"`.'
            ),
            public=choice_checks()[0],
            hidden=choice_checks()[1],
        ),
    ),
)
