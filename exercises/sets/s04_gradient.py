"""Exercise set 4: the gradient (instructor's source).

Generated from this file: exercises/student/04-gradient.ipynb,
exercises/solutions/04-gradient.ipynb and book/exercises/04-gradient.md.
Run ``python -m exercises build`` after editing it.
"""

from __future__ import annotations

import numpy as np

from exercises.feedback import CheckFailure, expect_close, expect_shape, result, verify_close
from exercises.model import Check, ExerciseSet, Question
from exercises.sets._common import choice_checks, close

# ---------------------------------------------------------------- solutions


def numerical_gradient(f, x, h=1e-5):
    """Centred finite-difference gradient of a scalar function.

    Parameters
    ----------
    f : callable
        ``f(x) -> float`` for an array ``x``.
    x : ndarray of float, any shape
        The point. Leave it as you found it (restore every entry you change).
    h : float
        The step.

    Returns
    -------
    ndarray, the shape of ``x``
        ``(f(x + h e_i) - f(x - h e_i)) / (2h)`` for every entry ``i``.
    """
    grad = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a, b):
    """Relative error between two arrays of the same shape.

    Returns
    -------
    float
        ``max |a - b| / max(|a| + |b|)`` over the entries, where the denominator is
        at least 1e-300 (so two zero arrays have error 0).
    """
    scale = max(float(np.max(np.abs(a) + np.abs(b))), 1e-300)
    return float(np.max(np.abs(a - b))) / scale


def steepest_descent_direction(g):
    """The unit vector of steepest descent for the gradient ``g``.

    Parameters
    ----------
    g : ndarray, shape ``(d,)``

    Returns
    -------
    ndarray, shape ``(d,)``
        ``-g / ||g||``; zeros when ``g`` is zero (there is no descent direction).
    """
    norm = np.linalg.norm(g)
    if norm == 0:
        return np.zeros_like(g, dtype=float)
    return -g / norm


def directional_derivative(g, u):
    """The slope of ``f`` in the direction ``u``, given the gradient ``g``.

    Parameters
    ----------
    g : ndarray, shape ``(d,)``
        The gradient at the point.
    u : ndarray, shape ``(d,)``
        A direction, not necessarily of length 1 (but not zero).

    Returns
    -------
    float
        ``g . u / ||u||``.
    """
    return float(g @ u / np.linalg.norm(u))


def level_set_tangent(g):
    """A unit vector along the level set through a point of a 2-D function.

    Parameters
    ----------
    g : ndarray, shape ``(2,)``
        The (nonzero) gradient at the point.

    Returns
    -------
    ndarray, shape ``(2,)``
        A vector of length 1 orthogonal to ``g`` (either of the two).
    """
    t = np.array([-g[1], g[0]], dtype=float)
    return t / np.linalg.norm(t)


def steepest_answer():
    """Return the letter of your answer, as a string such as "A"."""
    return "B"


# ------------------------------------------------- drivers and public verifiers


def drive_numerical_gradient(fn, inp):
    """f(x) = sum(sin(A v)) + v.B.v / 2 with v = x flattened; x of any shape."""
    A, B = inp["A"], inp["B"]

    def f(x):
        v = np.asarray(x, dtype=float).ravel()
        return float(np.sum(np.sin(A @ v)) + 0.5 * v @ B @ v)

    x = np.array(inp["x"], dtype=float)
    grad = fn(f, x, float(inp["h"]))
    return {"grad": grad, "x_after": x}


def verify_numerical_gradient(got, want, inp, rtol=1e-6, atol=1e-8):
    """Close to the centred differences; the point left unchanged."""
    x_after = result(got, "out.x_after")
    if not np.allclose(x_after, inp["x"], rtol=1e-12, atol=1e-15):
        raise CheckFailure("x was changed by the function: restore every entry after perturbing it")
    expect_close(result(got, "out.grad"), want["out.grad"], "the gradient", rtol, atol)


def verify_unit_orthogonal(got, want, inp):
    """A vector of length 1 orthogonal to the gradient (either sign)."""
    g = np.asarray(inp["g"], dtype=float)
    t = expect_shape(result(got), (2,))
    length = float(np.linalg.norm(t))
    if abs(length - 1) > 1e-9:
        raise CheckFailure(f"the vector has length {length:.6g}; it should have length 1")
    dot = float(t @ g)
    if abs(dot) > 1e-9 * np.linalg.norm(g):
        raise CheckFailure(
            f"the vector is not orthogonal to the gradient: their dot product is {dot:.3g}"
        )


# ------------------------------------------------------ hidden checks (private)


def _numgrad_inputs(rng, shape):
    d = int(np.prod(shape))
    M = rng.normal(size=(d, d))
    return {
        "A": rng.normal(size=(int(rng.integers(1, 6)), d)),
        "B": (M + M.T) / 2,
        "x": rng.normal(size=shape),
        "h": 1e-5,
    }


def _pair(rng):
    shape = tuple(int(s) for s in rng.integers(1, 8, size=int(rng.integers(1, 3))))
    a = rng.normal(0.0, 10.0 ** rng.uniform(-3, 3), size=shape)
    return {"a": a, "b": a + rng.normal(0.0, 1e-4, size=shape) * np.abs(a)}


def _vector(rng, name="g", d=None):
    d = int(rng.integers(2, 10)) if d is None else d
    return {name: rng.normal(0.0, 10.0 ** rng.uniform(-2, 2), size=d)}


def _two_vectors(rng):
    d = int(rng.integers(2, 10))
    return {"g": rng.normal(size=d), "u": rng.normal(0.0, 5.0, size=d)}


# --------------------------------------------------------------------- the set

SET = ExerciseSet(
    number=4,
    slug="gradient",
    title="The gradient",
    chapter="book/04-gradient.ipynb",
    summary=(
        "Step 4 of the loop: gradients by centred finite differences and the relative "
        "error that compares them with backpropagation's, the direction of steepest "
        "descent, slopes in any direction, and the level sets the gradient is orthogonal to."
    ),
    forbidden={
        "descend.gradcheck.numerical_gradient": "q1",
        "descend.gradcheck.relative_error": "q2",
        "descend.gradcheck.check_network_gradients": "q1",
        "descend.surfaces.directional_derivative": "q4",
    },
    questions=(
        Question(
            title="A finite-difference gradient",
            solution=numerical_gradient,
            points=3,
            prompt=(
                "Backpropagation is checked against finite differences. The centred "
                "difference $\\frac{\\partial f}{\\partial x_i} \\approx "
                "\\frac{f(x + h e_i) - f(x - h e_i)}{2h}$ has an error of order $h^2$ "
                "(the one-sided difference only $h$). Write "
                "`numerical_gradient(f, x, h=1e-5)` for an array `x` of any shape "
                "(`np.ndindex(x.shape)` walks over every index); change one entry at a "
                "time and restore it, so `x` is unchanged when you return."
            ),
            public=(
                Check(
                    "a smooth function of a vector of 3",
                    lambda rng: _numgrad_inputs(rng, (3,)),
                    verify_numerical_gradient,
                    drive_numerical_gradient,
                ),
            ),
            hidden=(
                Check(
                    "a random smooth function of a vector",
                    lambda rng: _numgrad_inputs(rng, (int(rng.integers(2, 8)),)),
                    verify_numerical_gradient,
                    drive_numerical_gradient,
                ),
                Check(
                    "a random smooth function of a matrix",
                    lambda rng: _numgrad_inputs(rng, (int(rng.integers(2, 4)), 3)),
                    verify_numerical_gradient,
                    drive_numerical_gradient,
                    weight=2,
                ),
            ),
        ),
        Question(
            title="The relative error",
            solution=relative_error,
            points=1,
            prompt=(
                "To compare an analytic gradient $a$ with a numerical one $b$, use the "
                "scale-free relative error $\\max_i |a_i - b_i| / \\max_i (|a_i| + |b_i|)$: "
                "around $10^{-7}$ or less means they agree; $10^{-2}$ means a bug. Write "
                "`relative_error(a, b)`; when both arrays are zero, return 0 (floor the "
                "denominator at `1e-300`)."
            ),
            public=(
                Check(
                    "[1, 2, 3] against [1, 2, 3.3]",
                    lambda rng: {"a": np.array([1.0, 2.0, 3.0]), "b": np.array([1.0, 2.0, 3.3])},
                    verify_close,
                    options=close(),
                ),
                Check(
                    "two zero arrays",
                    lambda rng: {"a": np.zeros(3), "b": np.zeros(3)},
                    verify_close,
                    options=close(),
                ),
            ),
            hidden=(
                Check("random arrays of any scale", _pair, verify_close, options=close()),
                Check("more random arrays", _pair, verify_close, options=close()),
            ),
        ),
        Question(
            title="The direction of steepest descent",
            solution=steepest_descent_direction,
            points=2,
            prompt=(
                "The gradient points where $f$ rises fastest, so the unit vector of "
                "steepest *descent* is $-\\nabla f / \\lVert \\nabla f \\rVert$. Write "
                "`steepest_descent_direction(g)`; at a point where the gradient is zero "
                "there is no such direction: return zeros (not NaN)."
            ),
            public=(
                Check(
                    "g = (3, 4)",
                    lambda rng: {"g": np.array([3.0, 4.0])},
                    verify_close,
                    options=close(),
                ),
            ),
            hidden=(
                Check("a random gradient", _vector, verify_close, options=close()),
                Check(
                    "a zero gradient",
                    lambda rng: {"g": np.zeros(int(rng.integers(2, 6)))},
                    verify_close,
                    options=close(),
                ),
            ),
        ),
        Question(
            title="The slope in any direction",
            solution=directional_derivative,
            points=1,
            prompt=(
                "The slope of $f$ at a point in the direction of a vector $u$ (the "
                "directional derivative) is $\\nabla f \\cdot u / \\lVert u \\rVert$. Write "
                "`directional_derivative(g, u)` for the gradient `g` and a direction `u` "
                "that need not have length 1."
            ),
            public=(
                Check(
                    "g = (2, -1), u = (3, 4)",
                    lambda rng: {"g": np.array([2.0, -1.0]), "u": np.array([3.0, 4.0])},
                    verify_close,
                    options=close(),
                ),
            ),
            hidden=(Check("random vectors", _two_vectors, verify_close, options=close()),),
        ),
        Question(
            title="Along the level set",
            solution=level_set_tangent,
            points=1,
            prompt=(
                "In two dimensions the gradient is orthogonal to the level set (the "
                "contour line) through the point: moving along the contour, $f$ does not "
                "change to first order. Write `level_set_tangent(g)` returning a vector "
                "of length 1 orthogonal to the nonzero gradient `g` (either of the two)."
            ),
            public=(
                Check(
                    "g = (1, 2)",
                    lambda rng: {"g": np.array([1.0, 2.0])},
                    verify_unit_orthogonal,
                ),
            ),
            hidden=(
                Check(
                    "a random gradient",
                    lambda rng: _vector(rng, d=2),
                    verify_unit_orthogonal,
                ),
            ),
        ),
        Question(
            title="Steepest descent on an elongated bowl",
            solution=steepest_answer,
            points=1,
            prompt=(
                "For $f(x, y) = x^2 + 10 y^2$ at the point $(1, 1)$, which unit vector "
                "points in the direction in which $f$ decreases fastest?\n\n"
                "* **A** $(-1, -1)/\\sqrt{2}$, straight towards the minimum at the origin\n"
                "* **B** $(-1, -10)/\\sqrt{101}$\n"
                "* **C** $(-10, -1)/\\sqrt{101}$\n"
                "* **D** $(1, 10)/\\sqrt{101}$\n\n"
                'Write `steepest_answer()` so that it returns your letter, e.g. `"A"`.'
            ),
            public=choice_checks()[0],
            hidden=choice_checks()[1],
        ),
    ),
)
