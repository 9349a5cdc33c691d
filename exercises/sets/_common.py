"""Helpers shared by several exercise sets (drivers and verifiers must be top-level)."""

from __future__ import annotations

import numpy as np

from exercises.feedback import (
    CheckFailure,
    expect_equal,
    expect_letter,
    expect_shape,
    result,
    verify_letter_format,
    verify_number_format,
)
from exercises.model import Check, nothing


def verify_letter_right(got, want, inp):
    """The multiple-choice answer is the reference's letter."""
    expect_equal(expect_letter(result(got)), want["out"])


def verify_number_right(got, want, inp, rtol=1e-3, atol=1e-9):
    """The predicted value is the reference's, within a relative tolerance."""
    value = float(expect_shape(result(got), ()))
    target = float(want["out"])
    if abs(value - target) > atol + rtol * abs(target):
        raise CheckFailure(f"{value:.6g} is not the right value")


def choice_checks(choices: str = "ABCD") -> tuple[tuple[Check, ...], tuple[Check, ...]]:
    """Public (format only, no points) and hidden (the right letter) checks of a choice."""
    public = (
        Check(
            f"the answer is one of {', '.join(choices)}",
            lambda rng: {},
            verify_letter_format,
            summary=nothing,
            options={"choices": choices},
            weight=0,
        ),
    )
    hidden = (Check("the answer is right", lambda rng: {}, verify_letter_right),)
    return public, hidden


def value_checks(rtol: float = 1e-3) -> tuple[tuple[Check, ...], tuple[Check, ...]]:
    """Public (a finite number, no points) and hidden (the right value) checks of a prediction."""
    public = (
        Check(
            "the answer is one finite number",
            lambda rng: {},
            verify_number_format,
            summary=nothing,
            weight=0,
        ),
    )
    hidden = (
        Check("the value is right", lambda rng: {}, verify_number_right, options={"rtol": rtol}),
    )
    return public, hidden


def drive_labels(fn, inp):
    """Call with the logits and the labels as an integer array."""
    return fn(inp["logits"], inp["y"].astype(int))


def spd_matrix(rng, d, condition):
    """A random symmetric positive definite d x d matrix with the given condition number."""
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    eig = np.geomspace(1.0, condition, d) * rng.uniform(0.5, 2.0)
    return (Q * eig) @ Q.T


def close(rtol=1e-9, atol=1e-12):
    """Options of verify_close."""
    return {"rtol": rtol, "atol": atol}
