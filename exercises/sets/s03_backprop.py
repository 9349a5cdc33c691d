"""Exercise set 3: backpropagation (instructor's source).

Generated from this file: exercises/student/03-backprop.ipynb,
exercises/solutions/03-backprop.ipynb and book/exercises/03-backprop.md.
Run ``python -m exercises build`` after editing it.
"""

from __future__ import annotations

import numpy as np

from exercises.feedback import CheckFailure, expect_close, result, verify_close
from exercises.model import Check, ExerciseSet, Question
from exercises.sets._common import choice_checks, close, drive_labels

# ---------------------------------------------------------------- solutions


def scalar_backprop(x, y, w1, b1, w2, b2):
    """Gradients of a one-neuron-per-layer network by the chain rule.

    The network is ``h = tanh(w1 x + b1)``, ``y_hat = w2 h + b2`` and the loss is
    ``L = (y_hat - y)**2``. All arguments are floats.

    Returns
    -------
    tuple of float
        ``(dL/dw1, dL/db1, dL/dw2, dL/db2)``.
    """
    h = np.tanh(w1 * x + b1)
    y_hat = w2 * h + b2
    d_yhat = 2.0 * (y_hat - y)
    dw2 = d_yhat * h
    db2 = d_yhat
    dz = d_yhat * w2 * (1.0 - h**2)
    return dz * x, dz, dw2, db2


def dense_backward(dZ, X, W):
    """Backward pass of a dense layer ``Z = X W + b``.

    Parameters
    ----------
    dZ : ndarray, shape ``(n, n_out)``
        ``dL/dZ``.
    X : ndarray, shape ``(n, n_in)``
        The layer's input (cached by the forward pass).
    W : ndarray, shape ``(n_in, n_out)``

    Returns
    -------
    tuple of ndarray
        ``(dX, dW, db)`` of shapes ``(n, n_in)``, ``(n_in, n_out)``, ``(n_out,)``.
    """
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def relu_backward(dA, Z):
    """Backward pass of ReLU, ``A = max(Z, 0)``.

    Parameters
    ----------
    dA : ndarray, any shape
        ``dL/dA``.
    Z : ndarray, the same shape
        The pre-activation (cached by the forward pass).

    Returns
    -------
    ndarray, the same shape
        ``dL/dZ``.
    """
    return dA * (Z > 0)


def softmax_cross_entropy_grad(logits, y):
    """Gradient of the mean softmax cross-entropy with respect to the logits.

    Parameters
    ----------
    logits : ndarray, shape ``(n, k)``
    y : ndarray of int, shape ``(n,)``

    Returns
    -------
    ndarray, shape ``(n, k)``
        ``(softmax(logits) - one_hot(y)) / n``.
    """
    shifted = logits - logits.max(axis=1, keepdims=True)
    P = np.exp(shifted)
    P /= P.sum(axis=1, keepdims=True)
    P[np.arange(len(y)), y] -= 1.0
    return P / len(y)


def two_layer_backward(X, Y, W1, b1, W2, b2):
    """Gradients of a one-hidden-layer tanh network with a mean-squared-error loss.

    Forward: ``A1 = tanh(X W1 + b1)``, ``Y_hat = A1 W2 + b2`` and
    ``L = mean((Y_hat - Y)**2)`` over all ``n * k`` entries.

    Parameters
    ----------
    X : ndarray, shape ``(n, d)``
    Y : ndarray, shape ``(n, k)``
    W1, b1, W2, b2 : ndarray, shapes ``(d, h)``, ``(h,)``, ``(h, k)``, ``(k,)``

    Returns
    -------
    dict
        ``{"W1": dL/dW1, "b1": dL/db1, "W2": dL/dW2, "b2": dL/db2}``, each the shape of
        its parameter.
    """
    A1 = np.tanh(X @ W1 + b1)
    Y_hat = A1 @ W2 + b2
    dY = 2.0 * (Y_hat - Y) / Y.size
    dW2 = A1.T @ dY
    db2 = dY.sum(axis=0)
    dZ1 = (dY @ W2.T) * (1.0 - A1**2)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": dW2, "b2": db2}


def backprop_answer():
    """Return the letter of your answer, as a string such as "A"."""
    return "C"


# ------------------------------------------------- drivers and public verifiers


def verify_grads(got, want, inp, rtol=1e-7, atol=1e-10):
    """A dict of gradients with the reference's names, shapes and values."""
    names = sorted(k[4:] for k in want)
    have = sorted(k[4:] for k in got if k.startswith("out."))
    if have != names:
        raise CheckFailure(
            "the dict should have keys "
            + ", ".join(names)
            + "; it has "
            + (", ".join(have) or "nothing")
        )
    for key in want:
        expect_close(result(got, key), want[key], "d" + key[4:], rtol=rtol, atol=atol)


# ------------------------------------------------------ hidden checks (private)


def _scalar_inputs(rng):
    x, y, w1, b1, w2, b2 = rng.normal(size=6)
    return {"x": x, "y": y, "w1": w1, "b1": b1, "w2": w2, "b2": b2}


def _dense_inputs(rng):
    n, d, k = (int(rng.integers(1, 25)) for _ in range(3))
    return {
        "dZ": rng.normal(size=(n, k)),
        "X": rng.normal(size=(n, d)),
        "W": rng.normal(size=(d, k)),
    }


def _relu_inputs(rng):
    shape = tuple(int(s) for s in rng.integers(1, 20, size=int(rng.integers(1, 4))))
    return {"dA": rng.normal(size=shape), "Z": rng.normal(size=shape)}


def _sce_inputs(rng, scale=2.0):
    n, k = int(rng.integers(1, 40)), int(rng.integers(2, 8))
    return {"logits": rng.normal(0.0, scale, size=(n, k)), "y": rng.integers(0, k, size=n)}


def _two_layer_inputs(rng):
    n, d, h, k = (int(rng.integers(1, 20)) for _ in range(4))
    return {
        "X": rng.normal(size=(n, d)),
        "Y": rng.normal(size=(n, k)),
        "W1": rng.normal(size=(d, h)),
        "b1": rng.normal(size=h),
        "W2": rng.normal(size=(h, k)),
        "b2": rng.normal(size=k),
    }


# --------------------------------------------------------------------- the set

SET = ExerciseSet(
    number=3,
    slug="backprop",
    title="Backpropagation",
    chapter="book/03-backprop.ipynb",
    summary=(
        "Step 3 of the loop: the chain rule on a scalar network, the backward pass of a "
        "dense layer and of ReLU, the gradient of softmax cross-entropy, backpropagation "
        "through a whole network, and what backpropagation is (and is not)."
    ),
    forbidden={
        "descend.layers.dense_backward": "q2",
        "descend.activations.relu_backward": "q3",
        "descend.activations.relu_derivative": "q3",
        "descend.losses.softmax_cross_entropy": "q4",
        "descend.network.Network.backward": "q5",
        "descend.network.Network.loss_and_grads": "q5",
    },
    questions=(
        Question(
            title="The chain rule on a scalar network",
            solution=scalar_backprop,
            points=2,
            prompt=(
                "Take the smallest network there is: $h = \\tanh(w_1 x + b_1)$, "
                "$\\hat y = w_2 h + b_2$ and the loss $L = (\\hat y - y)^2$. Work "
                "backwards: $\\partial L/\\partial \\hat y = 2(\\hat y - y)$, then "
                "$\\partial L/\\partial w_2$ and $\\partial L/\\partial b_2$, then through "
                "$\\tanh' = 1 - \\tanh^2$ to $w_1$ and $b_1$. Write "
                "`scalar_backprop(x, y, w1, b1, w2, b2)` returning the tuple "
                "`(dw1, db1, dw2, db2)`."
            ),
            public=(
                Check(
                    "x = 1, y = 0.5, w1 = 0.3, b1 = -0.1, w2 = 2, b2 = 0.2",
                    lambda rng: {"x": 1.0, "y": 0.5, "w1": 0.3, "b1": -0.1, "w2": 2.0, "b2": 0.2},
                    verify_close,
                    options=close(),
                ),
            ),
            hidden=(
                Check("random values", _scalar_inputs, verify_close, options=close()),
                Check("other random values", _scalar_inputs, verify_close, options=close()),
            ),
        ),
        Question(
            title="The backward pass of a dense layer",
            solution=dense_backward,
            points=2,
            prompt=(
                "For $Z = XW + b$ and the upstream gradient $dZ = \\partial L/\\partial Z$ "
                "of shape $(n, n_\\text{out})$: $dX = dZ\\, W^\\top$, $dW = X^\\top dZ$ and "
                "$db = \\sum_i dZ_{i,:}$ (the bias was added to every row, so its gradient "
                "sums over the batch). Every gradient has the shape of what it is the "
                "gradient of. Write `dense_backward(dZ, X, W)` returning `(dX, dW, db)`."
            ),
            public=(
                Check(
                    "a batch of 3, 4 inputs, 2 outputs",
                    lambda rng: {
                        "dZ": rng.normal(size=(3, 2)),
                        "X": rng.normal(size=(3, 4)),
                        "W": rng.normal(size=(4, 2)),
                    },
                    verify_close,
                    options=close(),
                ),
            ),
            hidden=(
                Check("random shapes", _dense_inputs, verify_close, options=close(), weight=2),
                Check("other random shapes", _dense_inputs, verify_close, options=close()),
            ),
        ),
        Question(
            title="The backward pass of ReLU",
            solution=relu_backward,
            points=1,
            prompt=(
                "ReLU passes the gradient through where its input was positive and blocks "
                "it elsewhere: $dZ = dA \\odot [Z > 0]$. Write `relu_backward(dA, Z)` for "
                "arrays of any shape."
            ),
            public=(
                Check(
                    "a 2 x 3 batch",
                    lambda rng: {
                        "dA": np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
                        "Z": np.array([[-1.0, 0.5, 2.0], [3.0, -0.1, -4.0]]),
                    },
                    verify_close,
                    options=close(),
                ),
            ),
            hidden=(
                Check("random shapes and values", _relu_inputs, verify_close, options=close()),
            ),
        ),
        Question(
            title="The gradient of softmax cross-entropy",
            solution=softmax_cross_entropy_grad,
            points=2,
            prompt=(
                "The mean softmax cross-entropy has a famously simple gradient with "
                "respect to the logits: $\\partial L/\\partial z_{ij} = "
                "(\\operatorname{softmax}(z_i)_j - [j = y_i]) / n$. Write "
                "`softmax_cross_entropy_grad(logits, y)` (logits $(n, k)$, integer labels "
                "$(n,)$), stable for large logits (shift each row by its maximum)."
            ),
            public=(
                Check(
                    "3 examples, 4 classes",
                    lambda rng: {"logits": rng.normal(size=(3, 4)), "y": np.array([2, 0, 3])},
                    verify_close,
                    drive_labels,
                    options=close(),
                ),
            ),
            hidden=(
                Check(
                    "random logits and labels",
                    _sce_inputs,
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
                ),
            ),
        ),
        Question(
            title="Backpropagation through a network",
            solution=two_layer_backward,
            points=3,
            prompt=(
                "Put the pieces together for $A_1 = \\tanh(X W_1 + b_1)$, "
                "$\\hat Y = A_1 W_2 + b_2$ and $L = \\frac{1}{nk}\\sum (\\hat Y - Y)^2$: "
                "start from $d\\hat Y = 2(\\hat Y - Y)/(nk)$, go back through the output "
                "layer, through $\\tanh$, through the hidden layer. Write "
                "`two_layer_backward(X, Y, W1, b1, W2, b2)` returning the dict "
                '`{"W1": ..., "b1": ..., "W2": ..., "b2": ...}` of gradients. Check your '
                "answer against finite differences if you like (set 4 builds them)."
            ),
            public=(
                Check(
                    "a 2-3-1 network on 4 examples",
                    lambda rng: {
                        "X": rng.normal(size=(4, 2)),
                        "Y": rng.normal(size=(4, 1)),
                        "W1": rng.normal(size=(2, 3)),
                        "b1": rng.normal(size=3),
                        "W2": rng.normal(size=(3, 1)),
                        "b2": rng.normal(size=1),
                    },
                    verify_grads,
                ),
            ),
            hidden=(
                Check("a random network", _two_layer_inputs, verify_grads, weight=2),
                Check("another random network", _two_layer_inputs, verify_grads, weight=2),
            ),
        ),
        Question(
            title="Backpropagation or gradient descent?",
            solution=backprop_answer,
            points=1,
            prompt=(
                "Which statement is right?\n\n"
                "* **A** Backpropagation is an optimization algorithm: it moves every weight "
                "towards a minimum of the loss, layer by layer from the output back.\n"
                "* **B** Backpropagation and gradient descent are two names for one "
                "procedure: computing the gradient and stepping against it.\n"
                "* **C** Backpropagation computes the gradient of the loss with respect to "
                "every parameter by the chain rule; gradient descent uses it to update them.\n"
                "* **D** Backpropagation estimates the gradient by finite differences, "
                "nudging one parameter at a time and running a forward pass each time.\n\n"
                'Write `backprop_answer()` so that it returns your letter, e.g. `"A"`.'
            ),
            public=choice_checks()[0],
            hidden=choice_checks()[1],
        ),
    ),
)
