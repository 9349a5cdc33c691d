"""Exercise set 7: linear regression by gradient descent (instructor's source).

Generated from this file: exercises/student/07-linear-regression.ipynb,
exercises/solutions/07-linear-regression.ipynb and book/exercises/07-linear-regression.md.
Run ``python -m exercises build`` after editing it.
"""

from __future__ import annotations

import numpy as np

from exercises.feedback import verify_close
from exercises.model import Check, ExerciseSet, Question
from exercises.sets._common import choice_checks, close

# ---------------------------------------------------------------- solutions


def mse_and_grad(w, b, x, y):
    """The mean squared error of the line ``y_hat = w x + b`` and its gradient.

    Parameters
    ----------
    w, b : float
        Slope and intercept.
    x, y : ndarray, shape ``(n,)``

    Returns
    -------
    tuple of float
        ``(loss, dloss/dw, dloss/db)`` with ``loss = mean((w x + b - y)**2)``.
    """
    err = w * x + b - y
    return float(np.mean(err**2)), float(2 * np.mean(err * x)), float(2 * np.mean(err))


def fit_line_gd(x, y, lr, steps):
    """Fit a line by full-batch gradient descent from ``w = b = 0``.

    Parameters
    ----------
    x, y : ndarray, shape ``(n,)``
    lr : float
    steps : int
        The number of updates.

    Returns
    -------
    tuple of float
        ``(w, b)`` after ``steps`` updates ``w -= lr * dloss/dw``, ``b -= lr * dloss/db``.
    """
    w, b = 0.0, 0.0
    for _ in range(steps):
        _, dw, db = mse_and_grad(w, b, x, y)
        w, b = w - lr * dw, b - lr * db
    return w, b


def least_squares(x, y):
    """The least-squares line in closed form.

    Parameters
    ----------
    x, y : ndarray, shape ``(n,)``
        ``x`` not constant.

    Returns
    -------
    tuple of float
        ``(w, b)`` minimising ``mean((w x + b - y)**2)``:
        ``w = cov(x, y) / var(x)``, ``b = mean(y) - w mean(x)``.
    """
    xc, yc = x - x.mean(), y - y.mean()
    w = float(np.sum(xc * yc) / np.sum(xc**2))
    return w, float(y.mean() - w * x.mean())


def standardize(x):
    """Standardize a feature to mean 0 and standard deviation 1.

    Parameters
    ----------
    x : ndarray, shape ``(n,)``, not constant

    Returns
    -------
    tuple
        ``(z, mean, std)`` with ``z = (x - mean) / std`` and the population standard
        deviation (``x.std()``, ``ddof = 0``).
    """
    mean, std = float(x.mean()), float(x.std())
    return (x - mean) / std, mean, std


def condition_number(x):
    """The condition number of the MSE's Hessian over ``(w, b)`` for the feature ``x``.

    Parameters
    ----------
    x : ndarray, shape ``(n,)``

    Returns
    -------
    float
        ``lambda_max / lambda_min`` of ``H = (2/n) [[sum x^2, sum x], [sum x, n]]``.
    """
    n = len(x)
    H = 2.0 / n * np.array([[np.sum(x**2), np.sum(x)], [np.sum(x), n]])
    eig = np.linalg.eigvalsh(H)
    return float(eig.max() / eig.min())


def scaling_answer():
    """Return the letter of your answer, as a string such as "A"."""
    return "B"


# ------------------------------------------------------ hidden checks (private)


def _line(rng, n=None, offset=None):
    n = int(rng.integers(10, 200)) if n is None else n
    offset = float(rng.uniform(-5, 5)) if offset is None else offset
    x = rng.normal(offset, float(rng.uniform(0.5, 3)), size=n)
    y = float(rng.normal(0, 2)) * x + float(rng.normal(0, 3)) + rng.normal(0, 0.5, size=n)
    return x, y


def _mse_inputs(rng):
    x, y = _line(rng)
    return {"w": float(rng.normal()), "b": float(rng.normal()), "x": x, "y": y}


def _fit_inputs(rng):
    x, y = _line(rng, offset=float(rng.uniform(-1, 1)))
    lam = 2 * max(np.mean(x**2), 1.0) + 2
    return {
        "x": x,
        "y": y,
        "lr": float(rng.uniform(0.2, 0.9) / lam),
        "steps": int(rng.integers(20, 300)),
    }


def _xy(rng):
    x, y = _line(rng)
    return {"x": x, "y": y}


def _x(rng, offset=None):
    return {"x": _line(rng, offset=offset)[0]}


# --------------------------------------------------------------------- the set

SET = ExerciseSet(
    number=7,
    slug="linear-regression",
    title="Linear regression by gradient descent",
    chapter="book/07-linear-regression.ipynb",
    summary=(
        "The six steps on the simplest model: the mean squared error of a line and its "
        "gradient over (slope, intercept), fitting the line by gradient descent, the "
        "closed-form least-squares line to compare it with, standardizing the feature, "
        "and how the condition number explains why scaling speeds descent up."
    ),
    forbidden={
        "descend.losses.mse": "q1",
        "descend.train.train": "q2",
        "descend.data.Standardizer": "q4",
        "descend.surfaces.line_fit": "q5",
    },
    questions=(
        Question(
            title="The loss and its gradient",
            solution=mse_and_grad,
            points=2,
            prompt=(
                "For the line $\\hat y = w x + b$ the mean squared error is "
                "$L(w, b) = \\frac1n \\sum_i (w x_i + b - y_i)^2$, with partial derivatives "
                "$\\partial L/\\partial w = \\frac2n \\sum_i (w x_i + b - y_i) x_i$ and "
                "$\\partial L/\\partial b = \\frac2n \\sum_i (w x_i + b - y_i)$. Write "
                "`mse_and_grad(w, b, x, y)` returning `(loss, dw, db)`."
            ),
            public=(
                Check(
                    "w = 2, b = 1 on three points",
                    lambda rng: {
                        "w": 2.0,
                        "b": 1.0,
                        "x": np.array([0.0, 1.0, 2.0]),
                        "y": np.array([1.0, 2.0, 6.0]),
                    },
                    verify_close,
                    options=close(),
                ),
            ),
            hidden=(
                Check("random data and line", _mse_inputs, verify_close, options=close(), weight=2),
            ),
        ),
        Question(
            title="Fitting a line by gradient descent",
            solution=fit_line_gd,
            points=2,
            prompt=(
                "Starting from $w = b = 0$, take `steps` full-batch gradient steps "
                "$w \\leftarrow w - \\eta\\, \\partial L/\\partial w$, "
                "$b \\leftarrow b - \\eta\\, \\partial L/\\partial b$ (both computed at the "
                "same point, before either is updated). Write "
                "`fit_line_gd(x, y, lr, steps)` returning `(w, b)`; use your "
                "`mse_and_grad`."
            ),
            public=(
                Check(
                    "y = 3x - 1 exactly, 200 steps of lr = 0.1",
                    lambda rng: {
                        "x": np.linspace(-1, 1, 11),
                        "y": 3 * np.linspace(-1, 1, 11) - 1,
                        "lr": 0.1,
                        "steps": 200,
                    },
                    verify_close,
                    options=close(),
                ),
            ),
            hidden=(
                Check(
                    "random data", _fit_inputs, verify_close, options=close(1e-8, 1e-10), weight=2
                ),
            ),
        ),
        Question(
            title="The least-squares line",
            solution=least_squares,
            points=2,
            prompt=(
                "Setting both partial derivatives to zero gives the minimum in closed "
                "form: $w = \\sum_i (x_i - \\bar x)(y_i - \\bar y) / \\sum_i (x_i - \\bar x)^2$ "
                "and $b = \\bar y - w \\bar x$. Write `least_squares(x, y)` returning "
                "`(w, b)`. Then compare: with enough steps, `fit_line_gd` reaches the "
                "same line."
            ),
            public=(
                Check(
                    "five points",
                    lambda rng: {
                        "x": np.array([0.0, 1.0, 2.0, 3.0, 4.0]),
                        "y": np.array([1.1, 2.9, 5.2, 6.8, 9.1]),
                    },
                    verify_close,
                    options=close(),
                ),
            ),
            hidden=(
                Check("random data", _xy, verify_close, options=close(1e-8, 1e-10)),
                Check("more random data", _xy, verify_close, options=close(1e-8, 1e-10)),
            ),
        ),
        Question(
            title="Standardizing a feature",
            solution=standardize,
            points=1,
            prompt=(
                "Standardizing rescales a feature to mean 0 and standard deviation 1: "
                "$z = (x - \\mu)/\\sigma$. Write `standardize(x)` returning `(z, mean, std)`, "
                "with the population standard deviation (`x.std()`); keep `mean` and `std` "
                "to transform new data the same way."
            ),
            public=(
                Check(
                    "x = [2, 4, 6, 8]",
                    lambda rng: {"x": np.array([2.0, 4.0, 6.0, 8.0])},
                    verify_close,
                    options=close(),
                ),
            ),
            hidden=(Check("a random feature", _x, verify_close, options=close()),),
        ),
        Question(
            title="The condition number",
            solution=condition_number,
            points=2,
            prompt=(
                "The loss is a quadratic in $(w, b)$ with Hessian "
                "$H = \\frac2n \\begin{pmatrix} \\sum x_i^2 & \\sum x_i \\\\ \\sum x_i & n "
                "\\end{pmatrix}$. Its condition number "
                "$\\kappa = \\lambda_\\max / \\lambda_\\min$ says how elongated the loss's "
                "contours are: gradient descent needs a step below $2/\\lambda_\\max$ and "
                "then crawls along the direction of $\\lambda_\\min$, so the number of "
                "steps grows with $\\kappa$. Write `condition_number(x)`. Try a feature "
                "with mean 50, then the same feature standardized."
            ),
            public=(
                Check(
                    "x = [1, 2, 3, 4]",
                    lambda rng: {"x": np.array([1.0, 2.0, 3.0, 4.0])},
                    verify_close,
                    options=close(1e-8, 1e-10),
                ),
            ),
            hidden=(
                Check("a random feature", _x, verify_close, options=close(1e-7, 1e-10)),
                Check(
                    "a feature far from 0",
                    lambda rng: _x(rng, offset=float(rng.uniform(20, 100))),
                    verify_close,
                    options=close(1e-6, 1e-10),
                ),
            ),
        ),
        Question(
            title="Explain what you see: scaling",
            solution=scaling_answer,
            points=1,
            context=(
                "# Steps of gradient descent to fit a line to 100 points, with the raw\n"
                "# feature (mean about 3) and with it standardized, each at a safe\n"
                "# learning rate of 1 / lambda_max of its Hessian.\n"
                "rng = np.random.default_rng(0)\n"
                "x = rng.normal(3.0, 1.0, size=100)\n"
                "y = 2.0 * x + 1.0 + rng.normal(0.0, 0.3, size=100)\n"
                'for name, feature in [("raw", x), ("standardized", (x - x.mean()) / x.std())]:\n'
                "    H = 2 / len(feature) * np.array([[np.sum(feature**2), np.sum(feature)],\n"
                "                                     [np.sum(feature), len(feature)]])\n"
                "    lam = np.linalg.eigvalsh(H)\n"
                "    w, b = np.linalg.lstsq(np.c_[feature, np.ones(100)], y, rcond=None)[0]\n"
                "    theta, steps = np.zeros(2), 0\n"
                "    while np.abs(theta - [w, b]).max() > 1e-6 and steps < 100_000:\n"
                "        err = theta[0] * feature + theta[1] - y\n"
                "        theta -= (1 / lam.max()) * np.array([2 * np.mean(err * feature),\n"
                "                                             2 * np.mean(err)])\n"
                "        steps += 1\n"
                '    print(f"{name:>12}: condition number {lam.max() / lam.min():8.1f}, "\n'
                '          f"{steps} steps")\n'
            ),
            prompt=(
                "Run the cell below: the same data, fitted to the same precision, takes "
                "far fewer steps once the feature is standardized. Why?\n\n"
                "* **A** Standardizing makes the loss values smaller, so there is less to "
                "descend and fewer steps are needed.\n"
                "* **B** Standardizing makes the Hessian's condition number close to 1: "
                "round contours, so one learning rate suits both directions.\n"
                "* **C** Standardizing moves the best-fit line closer to the starting point "
                "$w = b = 0$.\n"
                "* **D** With the raw feature the gradient starts out at zero, so the first "
                "steps are wasted.\n\n"
                'Write `scaling_answer()` so that it returns your letter, e.g. `"A"`.'
            ),
            public=choice_checks()[0],
            hidden=choice_checks()[1],
        ),
    ),
)
