"""Exercise set 5: the parameter update (instructor's source).

Generated from this file: exercises/student/05-update.ipynb,
exercises/solutions/05-update.ipynb and book/exercises/05-update.md.
Run ``python -m exercises build`` after editing it.
"""

from __future__ import annotations

import numpy as np

from exercises.feedback import verify_close
from exercises.model import Check, ExerciseSet, Question
from exercises.sets._common import choice_checks, close, spd_matrix, value_checks

# ---------------------------------------------------------------- solutions


def sgd_step(params, grads, lr):
    """One step of gradient descent on a dict of parameters.

    Parameters
    ----------
    params, grads : dict of ndarray
        The same names and shapes (``{"W1": ..., "b1": ...}``).
    lr : float
        The learning rate.

    Returns
    -------
    dict of ndarray
        ``params[name] - lr * grads[name]`` for every name (new arrays; the inputs
        are left unchanged).
    """
    return {name: params[name] - lr * grads[name] for name in params}


def momentum_step(theta, grad, velocity, lr, momentum):
    """One step of SGD with (heavy-ball) momentum, in PyTorch's form.

    Parameters
    ----------
    theta, grad, velocity : ndarray, the same shape
    lr, momentum : float

    Returns
    -------
    tuple of ndarray
        ``(theta_new, velocity_new)`` with ``velocity_new = momentum * velocity + grad``
        and ``theta_new = theta - lr * velocity_new``.
    """
    velocity = momentum * velocity + grad
    return theta - lr * velocity, velocity


def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One step of Adam with bias correction.

    Parameters
    ----------
    theta, grad, m, v : ndarray, the same shape
        Parameters, gradient, first and second moment estimates.
    t : int
        The number of this step, starting at 1.
    lr, beta1, beta2, eps : float

    Returns
    -------
    tuple of ndarray
        ``(theta_new, m_new, v_new)``.
    """
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def max_stable_lr(H):
    """The largest learning rate for which gradient descent converges on a quadratic.

    Parameters
    ----------
    H : ndarray, shape ``(d, d)``
        The Hessian of ``f(x) = x.H.x / 2``, symmetric positive definite.

    Returns
    -------
    float
        ``2 / lambda_max(H)``.
    """
    return float(2.0 / np.linalg.eigvalsh(H).max())


def contraction_factor():
    """Return your value (a number)."""
    return -0.2


def cosine_lr(t, lr0, total_steps, min_lr=0.0):
    """The cosine learning-rate schedule.

    Parameters
    ----------
    t : int
        The step, ``0 <= t <= total_steps``.
    lr0, min_lr : float
        The first and the last learning rate.
    total_steps : int

    Returns
    -------
    float
        ``min_lr + (lr0 - min_lr) * (1 + cos(pi * t / total_steps)) / 2``.
    """
    return min_lr + (lr0 - min_lr) * (1 + np.cos(np.pi * t / total_steps)) / 2


def divergence_answer():
    """Return the letter of your answer, as a string such as "A"."""
    return "D"


# ------------------------------------------------- drivers and public verifiers


def drive_dicts(fn, inp):
    """params and grads as dicts W1, b1, ... built from the p_* and g_* inputs."""
    params = {key[2:]: value for key, value in inp.items() if key.startswith("p_")}
    grads = {key[2:]: value for key, value in inp.items() if key.startswith("g_")}
    return fn(params, grads, float(inp["lr"]))


def drive_adam_run(fn, inp):
    """Five Adam steps from zero moments, on gradients given for each step."""
    theta, m, v = inp["theta"], np.zeros_like(inp["theta"]), np.zeros_like(inp["theta"])
    lr, beta1, beta2, eps = (float(inp[k]) for k in ("lr", "beta1", "beta2", "eps"))
    path = []
    for t, grad in enumerate(inp["grads"], start=1):
        theta, m, v = fn(theta, grad, m, v, t, lr, beta1, beta2, eps)
        path.append(theta)
    return {"path": np.array(path), "m": m, "v": v}


def drive_schedule(fn, inp):
    """The schedule at every step 0, 1, ..., total_steps."""
    lr0, total, min_lr = float(inp["lr0"]), int(inp["total_steps"]), float(inp["min_lr"])
    return np.array([fn(t, lr0, total, min_lr) for t in range(total + 1)], dtype=float)


# ------------------------------------------------------ hidden checks (private)


def _dict_inputs(rng):
    inp = {}
    for l in range(1, int(rng.integers(2, 4)) + 1):
        a, b = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        inp[f"p_W{l}"] = rng.normal(size=(a, b))
        inp[f"p_b{l}"] = rng.normal(size=b)
    for key in list(inp):
        inp["g_" + key[2:]] = rng.normal(size=inp[key].shape)
    inp["lr"] = float(rng.uniform(1e-3, 1.0))
    return inp


def _momentum_inputs(rng):
    d = int(rng.integers(1, 10))
    return {
        "theta": rng.normal(size=d),
        "grad": rng.normal(size=d),
        "velocity": rng.normal(size=d),
        "lr": float(rng.uniform(1e-3, 0.5)),
        "momentum": float(rng.uniform(0.5, 0.99)),
    }


def _adam_inputs(rng):
    d = int(rng.integers(1, 8))
    return {
        "theta": rng.normal(size=d),
        "grads": rng.normal(0.0, 10.0 ** rng.uniform(-3, 1), size=(5, d)),
        "lr": float(rng.uniform(1e-4, 0.1)),
        "beta1": float(rng.uniform(0.8, 0.95)),
        "beta2": float(rng.uniform(0.95, 0.9999)),
        "eps": 1e-8,
    }


def _hessian(rng):
    d = int(rng.integers(2, 7))
    return {"H": spd_matrix(rng, d, float(10.0 ** rng.uniform(0, 3)))}


def _schedule_inputs(rng):
    return {
        "lr0": float(rng.uniform(0.01, 1.0)),
        "total_steps": int(rng.integers(5, 60)),
        "min_lr": float(rng.uniform(0.0, 0.005)),
    }


# --------------------------------------------------------------------- the set

SET = ExerciseSet(
    number=5,
    slug="update",
    title="The parameter update",
    chapter="book/05-update.ipynb",
    summary=(
        "Step 5 of the loop: the plain gradient step on a network's parameters, momentum "
        "and Adam steps in PyTorch's form, the largest stable learning rate on a "
        "quadratic, what a too-large step does, and a cosine learning-rate schedule."
    ),
    forbidden={
        "descend.optim.SGD": "q1",
        "descend.optim.Adam": "q3",
        "descend.optim.AdamW": "q3",
        "descend.schedules.cosine": "q6",
    },
    questions=(
        Question(
            title="A gradient step on every parameter",
            solution=sgd_step,
            points=1,
            prompt=(
                "A network's parameters and their gradients are dicts with the same names "
                '(`"W1"`, `"b1"`, ...). Gradient descent moves every parameter against its '
                "gradient: $\\theta \\leftarrow \\theta - \\eta \\nabla_\\theta L$. Write "
                "`sgd_step(params, grads, lr)` returning a new dict (leave the inputs "
                "unchanged)."
            ),
            public=(
                Check(
                    "a 2-3-1 network's parameters, lr = 0.1",
                    lambda rng: {
                        "p_W1": rng.normal(size=(2, 3)),
                        "p_b1": rng.normal(size=3),
                        "p_W2": rng.normal(size=(3, 1)),
                        "p_b2": rng.normal(size=1),
                        "g_W1": rng.normal(size=(2, 3)),
                        "g_b1": rng.normal(size=3),
                        "g_W2": rng.normal(size=(3, 1)),
                        "g_b2": rng.normal(size=1),
                        "lr": 0.1,
                    },
                    verify_close,
                    drive_dicts,
                    options=close(),
                ),
            ),
            hidden=(
                Check(
                    "random parameters", _dict_inputs, verify_close, drive_dicts, options=close()
                ),
            ),
        ),
        Question(
            title="Momentum",
            solution=momentum_step,
            points=2,
            prompt=(
                "Momentum (Polyak's heavy ball) keeps a running *velocity*: in PyTorch's "
                "form $v \\leftarrow \\mu v + g$, then $\\theta \\leftarrow \\theta - \\eta v$. "
                "Steps along a consistent direction build up; steps that flip sign cancel. "
                "Write `momentum_step(theta, grad, velocity, lr, momentum)` returning "
                "`(theta_new, velocity_new)`."
            ),
            public=(
                Check(
                    "a vector of 3, lr = 0.1, momentum = 0.9",
                    lambda rng: {
                        "theta": np.array([1.0, -2.0, 0.5]),
                        "grad": np.array([0.2, 0.1, -0.3]),
                        "velocity": np.array([0.5, 0.0, 1.0]),
                        "lr": 0.1,
                        "momentum": 0.9,
                    },
                    verify_close,
                    options=close(),
                ),
            ),
            hidden=(
                Check("random values", _momentum_inputs, verify_close, options=close(), weight=2),
            ),
        ),
        Question(
            title="Adam",
            solution=adam_step,
            points=3,
            prompt=(
                "Adam combines momentum with a per-parameter scale from the squared "
                "gradients (as RMSProp): $m \\leftarrow \\beta_1 m + (1 - \\beta_1) g$, "
                "$v \\leftarrow \\beta_2 v + (1 - \\beta_2) g^2$; both start at 0, so they "
                "are biased towards 0 early on and Adam corrects them: "
                "$\\hat m = m / (1 - \\beta_1^t)$, $\\hat v = v / (1 - \\beta_2^t)$ at step "
                "$t = 1, 2, \\dots$; then $\\theta \\leftarrow \\theta - \\eta\\, \\hat m / "
                "(\\sqrt{\\hat v} + \\epsilon)$. Write "
                "`adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)` returning "
                "`(theta_new, m_new, v_new)`. The checks run five steps in a row."
            ),
            public=(
                Check(
                    "five steps on a vector of 2 with the default hyperparameters",
                    lambda rng: {
                        "theta": np.array([1.0, -1.0]),
                        "grads": rng.normal(size=(5, 2)),
                        "lr": 1e-3,
                        "beta1": 0.9,
                        "beta2": 0.999,
                        "eps": 1e-8,
                    },
                    verify_close,
                    drive_adam_run,
                    options=close(),
                ),
            ),
            hidden=(
                Check(
                    "five steps with random hyperparameters",
                    _adam_inputs,
                    verify_close,
                    drive_adam_run,
                    options=close(),
                    weight=2,
                ),
                Check(
                    "five more",
                    _adam_inputs,
                    verify_close,
                    drive_adam_run,
                    options=close(),
                    weight=2,
                ),
            ),
        ),
        Question(
            title="The largest stable learning rate",
            solution=max_stable_lr,
            points=2,
            prompt=(
                "On $f(x) = \\frac12 x^\\top H x$ a gradient step is "
                "$x \\leftarrow (I - \\eta H) x$. Along an eigenvector of $H$ with "
                "eigenvalue $\\lambda$ it multiplies the coordinate by $1 - \\eta\\lambda$, "
                "so the iteration converges exactly when $|1 - \\eta \\lambda| < 1$ for "
                "every eigenvalue: $\\eta < 2/\\lambda_\\max$. Write `max_stable_lr(H)` for "
                "a symmetric positive definite $H$ (`np.linalg.eigvalsh` gives the "
                "eigenvalues of a symmetric matrix)."
            ),
            public=(
                Check(
                    "H = diag(1, 10)",
                    lambda rng: {"H": np.diag([1.0, 10.0])},
                    verify_close,
                    options=close(),
                ),
                Check(
                    "a rotated 2 x 2 Hessian",
                    lambda rng: {"H": np.array([[5.0, 4.0], [4.0, 5.0]])},
                    verify_close,
                    options=close(),
                ),
            ),
            hidden=(
                Check("a random Hessian", _hessian, verify_close, options=close()),
                Check("another random Hessian", _hessian, verify_close, options=close()),
            ),
        ),
        Question(
            title="Predict: one step on a parabola",
            solution=contraction_factor,
            points=1,
            prompt=(
                "Gradient descent on $f(x) = 2x^2$ with learning rate $\\eta = 0.3$ "
                "multiplies $x$ by the same factor $r$ at every step: "
                "$x_{k+1} = r\\, x_k$. Work it out on paper (what is $f'(x)$?), then write "
                "`contraction_factor()` returning $r$. What does its sign tell you about "
                "the path?"
            ),
            public=value_checks()[0],
            hidden=value_checks()[1],
        ),
        Question(
            title="A cosine schedule",
            solution=cosine_lr,
            points=1,
            prompt=(
                "A schedule changes the learning rate as training goes on. The cosine "
                "schedule glides from $\\eta_0$ at step 0 to $\\eta_\\min$ at step $T$: "
                "$\\eta_t = \\eta_\\min + (\\eta_0 - \\eta_\\min)\\,"
                "\\frac{1 + \\cos(\\pi t / T)}{2}$. Write "
                "`cosine_lr(t, lr0, total_steps, min_lr=0.0)`."
            ),
            public=(
                Check(
                    "lr0 = 0.1 over 10 steps",
                    lambda rng: {"lr0": 0.1, "total_steps": 10, "min_lr": 0.0},
                    verify_close,
                    drive_schedule,
                    options=close(),
                ),
            ),
            hidden=(
                Check(
                    "random settings",
                    _schedule_inputs,
                    verify_close,
                    drive_schedule,
                    options=close(),
                ),
            ),
        ),
        Question(
            title="Explain what you see: a step too far",
            solution=divergence_answer,
            points=1,
            context=(
                "# Gradient descent on f(x) = 2 x^2 (so f'(x) = 4x) from x = 1 with lr = 0.6.\n"
                "x = 1.0\n"
                "for k in range(6):\n"
                '    print(f"step {k}: x = {x:+.4f}, f(x) = {2 * x**2:.4f}")\n'
                "    x = x - 0.6 * (4 * x)\n"
            ),
            prompt=(
                "Run the cell below. What do you see, and why?\n\n"
                "* **A** It converges slowly, because the learning rate is too small for "
                "this curvature.\n"
                "* **B** It converges while overshooting: each step jumps past the minimum, "
                "landing a little closer each time.\n"
                "* **C** It jumps between the same two values forever, neither converging "
                "nor diverging.\n"
                "* **D** It diverges, flipping sign: each step multiplies $x$ by the same "
                "factor, whose size is larger than 1.\n\n"
                'Write `divergence_answer()` so that it returns your letter, e.g. `"A"`.'
            ),
            public=choice_checks()[0],
            hidden=choice_checks()[1],
        ),
    ),
)
