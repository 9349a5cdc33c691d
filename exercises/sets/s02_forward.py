"""Exercise set 2: forward propagation and the loss (instructor's source).

Generated from this file: exercises/student/02-forward.ipynb,
exercises/solutions/02-forward.ipynb and book/exercises/02-forward.md.
Run ``python -m exercises build`` after editing it.
"""

from __future__ import annotations

import numpy as np

from exercises.feedback import verify_close
from exercises.model import Check, ExerciseSet, Question
from exercises.sets._common import choice_checks, close, drive_labels

# ---------------------------------------------------------------- solutions


def dense_forward(X, W, b):
    """Forward pass of a dense layer.

    Parameters
    ----------
    X : ndarray, shape ``(n, n_in)``
    W : ndarray, shape ``(n_in, n_out)``
    b : ndarray, shape ``(n_out,)``

    Returns
    -------
    Z : ndarray, shape ``(n, n_out)``
        ``Z = X W + b``.
    """
    return X @ W + b


def network_forward(X, W1, b1, W2, b2):
    """Logits of a network with one tanh hidden layer and a linear output layer.

    Parameters
    ----------
    X : ndarray, shape ``(n, d)``
    W1 : ndarray, shape ``(d, h)``
    b1 : ndarray, shape ``(h,)``
    W2 : ndarray, shape ``(h, k)``
    b2 : ndarray, shape ``(k,)``

    Returns
    -------
    ndarray, shape ``(n, k)``
        ``tanh(X W1 + b1) W2 + b2``.
    """
    A1 = np.tanh(X @ W1 + b1)
    return A1 @ W2 + b2


def softmax(Z):
    """Row-wise softmax, stable for any finite input.

    Parameters
    ----------
    Z : ndarray, shape ``(n, k)``

    Returns
    -------
    ndarray, shape ``(n, k)``
        Each row positive and summing to 1.
    """
    shifted = Z - Z.max(axis=1, keepdims=True)
    E = np.exp(shifted)
    return E / E.sum(axis=1, keepdims=True)


def binary_cross_entropy(logits, y):
    """Mean binary cross-entropy computed from logits, stable for any finite logit.

    Parameters
    ----------
    logits : ndarray, shape ``(n,)``
        ``z``, the pre-sigmoid outputs.
    y : ndarray, shape ``(n,)``
        Labels, 0 or 1.

    Returns
    -------
    float
        ``mean(-y log sigmoid(z) - (1 - y) log(1 - sigmoid(z)))``.
    """
    return float(np.mean(np.maximum(logits, 0) - logits * y + np.log1p(np.exp(-np.abs(logits)))))


def softmax_cross_entropy(logits, y):
    """Mean softmax cross-entropy with integer labels, stable for any finite logit.

    Parameters
    ----------
    logits : ndarray, shape ``(n, k)``
    y : ndarray of int, shape ``(n,)``
        The class of each example, ``0 <= y_i < k``.

    Returns
    -------
    float
        ``mean(-log softmax(logits)[i, y_i])``.
    """
    m = logits.max(axis=1, keepdims=True)
    log_probs = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    return float(-np.mean(log_probs[np.arange(len(y)), y]))


def naive_loss_answer():
    """Return the letter of your answer, as a string such as "A"."""
    return "B"


# ------------------------------------------------------ hidden checks (private)


def _dense_inputs(rng, n=None):
    n = int(rng.integers(1, 50)) if n is None else n
    d, k = int(rng.integers(1, 20)), int(rng.integers(1, 20))
    return {"X": rng.normal(size=(n, d)), "W": rng.normal(size=(d, k)), "b": rng.normal(size=k)}


def _network_inputs(rng):
    n, d, h, k = (int(rng.integers(1, 30)) for _ in range(4))
    return {
        "X": rng.normal(size=(n, d)),
        "W1": rng.normal(size=(d, h)),
        "b1": rng.normal(size=h),
        "W2": rng.normal(size=(h, k)),
        "b2": rng.normal(size=k),
    }


def _softmax_inputs(rng, scale):
    return {"Z": rng.normal(0.0, scale, size=(int(rng.integers(1, 40)), int(rng.integers(2, 10))))}


def _bce_inputs(rng, scale):
    n = int(rng.integers(5, 60))
    return {"logits": rng.normal(0.0, scale, size=n), "y": rng.integers(0, 2, size=n)}


def _bce_extreme(rng):
    n = int(rng.integers(6, 40))
    logits = rng.choice([-1.0, 1.0], size=n) * rng.uniform(50, 1e4, size=n)
    return {"logits": logits, "y": rng.integers(0, 2, size=n)}


def _sce_inputs(rng, scale):
    n, k = int(rng.integers(2, 50)), int(rng.integers(2, 8))
    return {"logits": rng.normal(0.0, scale, size=(n, k)), "y": rng.integers(0, k, size=n)}


# --------------------------------------------------------------------- the set

SET = ExerciseSet(
    number=2,
    slug="forward",
    title="Forward propagation and the loss",
    chapter="book/02-forward.ipynb",
    summary=(
        "Step 2 of the loop: a dense layer in matrix form, a small network as a "
        "composition of layers, a softmax that never overflows, binary and softmax "
        "cross-entropy computed stably from logits, and what goes wrong with the naive "
        "formula."
    ),
    forbidden={
        "descend.layers.dense_forward": "q1",
        "descend.activations.softmax": "q3",
        "descend.activations.softmax_forward": "q3",
        "descend.losses.binary_cross_entropy": "q4",
        "descend.losses.log_softmax": "q5",
        "descend.losses.softmax_cross_entropy": "q5",
    },
    questions=(
        Question(
            title="A dense layer",
            solution=dense_forward,
            points=1,
            prompt=(
                "A dense layer maps a batch $X$ of shape $(n, n_\\text{in})$ (one example "
                "per row) to $Z = XW + b$ of shape $(n, n_\\text{out})$; the bias $b$ of "
                "shape $(n_\\text{out},)$ is added to every row. Write "
                "`dense_forward(X, W, b)` returning $Z$."
            ),
            public=(
                Check(
                    "a batch of 3 examples with 4 features, 2 outputs",
                    lambda rng: {
                        "X": rng.normal(size=(3, 4)),
                        "W": rng.normal(size=(4, 2)),
                        "b": rng.normal(size=2),
                    },
                    verify_close,
                    options=close(),
                ),
            ),
            hidden=(
                Check("random shapes", _dense_inputs, verify_close, options=close()),
                Check(
                    "a single example (n = 1)",
                    lambda rng: _dense_inputs(rng, n=1),
                    verify_close,
                    options=close(),
                ),
            ),
        ),
        Question(
            title="A network as a composition",
            solution=network_forward,
            points=2,
            prompt=(
                "A network is layers composed: with one tanh hidden layer, "
                "$A_1 = \\tanh(X W_1 + b_1)$ and the logits are $A_1 W_2 + b_2$ (the "
                "output layer is linear; the loss turns logits into probabilities). Write "
                "`network_forward(X, W1, b1, W2, b2)` returning the logits, shape $(n, k)$."
            ),
            public=(
                Check(
                    "a 2-3-1 network on 4 examples",
                    lambda rng: {
                        "X": rng.normal(size=(4, 2)),
                        "W1": rng.normal(size=(2, 3)),
                        "b1": rng.normal(size=3),
                        "W2": rng.normal(size=(3, 1)),
                        "b2": rng.normal(size=1),
                    },
                    verify_close,
                    options=close(),
                ),
            ),
            hidden=(
                Check("a random network", _network_inputs, verify_close, options=close(), weight=2),
                Check(
                    "another random network",
                    _network_inputs,
                    verify_close,
                    options=close(),
                    weight=2,
                ),
            ),
        ),
        Question(
            title="A softmax that never overflows",
            solution=softmax,
            points=2,
            prompt=(
                "The softmax of a row $z$ is $e^{z_j} / \\sum_i e^{z_i}$. Computed as "
                "written, $e^{1000}$ overflows to infinity and the result is NaN. "
                "Subtracting the row's maximum first changes nothing mathematically "
                "(the factor $e^{-\\max z}$ cancels) and keeps every exponent $\\le 0$. "
                "Write `softmax(Z)` for a batch $Z$ of shape $(n, k)$, row by row, finite "
                "for any finite input."
            ),
            public=(
                Check(
                    "small logits",
                    lambda rng: {"Z": rng.normal(size=(3, 4))},
                    verify_close,
                    options=close(),
                ),
                Check(
                    "logits near 1000",
                    lambda rng: {"Z": np.array([[1000.0, 999.0, 990.0], [-5.0, 0.0, 5.0]])},
                    verify_close,
                    options=close(),
                ),
            ),
            hidden=(
                Check(
                    "random logits",
                    lambda rng: _softmax_inputs(rng, 3.0),
                    verify_close,
                    options=close(),
                ),
                Check(
                    "huge positive and negative logits",
                    lambda rng: _softmax_inputs(rng, 800.0),
                    verify_close,
                    options=close(1e-9, 1e-300),
                    weight=2,
                ),
            ),
        ),
        Question(
            title="Binary cross-entropy, stably",
            solution=binary_cross_entropy,
            points=2,
            prompt=(
                "With $p = \\sigma(z)$ the loss of one example is "
                "$-y \\log p - (1 - y) \\log(1 - p)$. Written in terms of the logit $z$ it "
                "simplifies to $\\max(z, 0) - z y + \\log(1 + e^{-|z|})$, which is exact "
                "and finite for every $z$ (NumPy's `np.log1p(u)` computes $\\log(1+u)$ "
                "accurately for small $u$). Write `binary_cross_entropy(logits, y)` "
                "returning the mean over the batch, as a float."
            ),
            public=(
                Check(
                    "moderate logits",
                    lambda rng: {
                        "logits": np.array([-2.0, -0.5, 0.0, 1.5, 3.0]),
                        "y": np.array([0, 1, 1, 0, 1]),
                    },
                    verify_close,
                    options=close(),
                ),
                Check(
                    "logits of +-100 (the naive formula gives inf here)",
                    lambda rng: {
                        "logits": np.array([100.0, -100.0, 100.0, -100.0]),
                        "y": np.array([1, 0, 0, 1]),
                    },
                    verify_close,
                    options=close(),
                ),
            ),
            hidden=(
                Check(
                    "random logits and labels",
                    lambda rng: _bce_inputs(rng, 3.0),
                    verify_close,
                    options=close(),
                ),
                Check(
                    "extreme logits up to +-10000",
                    _bce_extreme,
                    verify_close,
                    options=close(),
                    weight=2,
                ),
            ),
        ),
        Question(
            title="Softmax cross-entropy, stably",
            solution=softmax_cross_entropy,
            points=2,
            prompt=(
                "For $k$ classes and integer labels $y_i$, the loss is the mean of "
                "$-\\log \\operatorname{softmax}(z_i)_{y_i}$. Compute the log-softmax "
                "directly, $\\log \\operatorname{softmax}(z)_j = z_j - m - "
                "\\log \\sum_i e^{z_i - m}$ with $m = \\max_i z_i$ (the *log-sum-exp* "
                "trick), instead of taking the log of a softmax that may have rounded to "
                "0. Write `softmax_cross_entropy(logits, y)` for logits of shape "
                "$(n, k)$ and labels of shape $(n,)$; return the mean as a float."
            ),
            public=(
                Check(
                    "3 examples, 4 classes",
                    lambda rng: {"logits": rng.normal(size=(3, 4)), "y": np.array([0, 3, 1])},
                    verify_close,
                    drive_labels,
                    options=close(),
                ),
                Check(
                    "a confident wrong answer (logits of 1000)",
                    lambda rng: {
                        "logits": np.array([[1000.0, 0.0], [0.0, 1000.0]]),
                        "y": np.array([1, 1]),
                    },
                    verify_close,
                    drive_labels,
                    options=close(),
                ),
            ),
            hidden=(
                Check(
                    "random logits and labels",
                    lambda rng: _sce_inputs(rng, 2.0),
                    verify_close,
                    drive_labels,
                    options=close(),
                ),
                Check(
                    "huge logits",
                    lambda rng: _sce_inputs(rng, 500.0),
                    verify_close,
                    drive_labels,
                    options=close(),
                    weight=2,
                ),
            ),
        ),
        Question(
            title="Explain what you see: the naive loss",
            solution=naive_loss_answer,
            points=1,
            context=(
                "# The naive formula (sigmoid, then log) against a stable one, for an\n"
                "# example whose label is 0, at larger and larger logits.\n"
                "y = np.array([0.0])\n"
                "for z in [10.0, 30.0, 36.0, 37.0, 40.0]:\n"
                "    logits = np.array([z])\n"
                "    naive = ds.losses.naive_binary_cross_entropy(logits, y)\n"
                "    stable = np.logaddexp(0.0, z)  # log(1 + e^z), the loss for y = 0, stably\n"
                "    p = float(1 / (1 + np.exp(-z)))\n"
                '    print(f"z = {z:4.0f}: sigmoid(z) = {p!r:<20} naive {naive:<8.4g} "\n'
                '          f"stable {stable:.4g}")\n'
            ),
            prompt=(
                "Run the cell below. From $z = 37$ on, the naive loss is infinite while "
                "the stable one is about $z$. What happened?\n\n"
                "* **A** `np.exp(-z)` overflows to infinity for large $z$, and "
                "$1/(1 + \\infty) = 0$, so the log is taken of 0.\n"
                "* **B** In float64, $\\sigma(z) = 1/(1 + e^{-z})$ rounds to exactly 1.0 "
                "once $e^{-z}$ is below about $10^{-16}$, and $\\log(1 - 1.0) = -\\infty$.\n"
                "* **C** The true loss is infinite for such a confident wrong prediction; "
                "the stable formula hides that by clipping.\n"
                "* **D** A label of 0 with a large positive logit is an invalid input, so "
                "any formula may return anything.\n\n"
                'Write `naive_loss_answer()` so that it returns your letter, e.g. `"A"`.'
            ),
            public=choice_checks()[0],
            hidden=choice_checks()[1],
        ),
    ),
)
