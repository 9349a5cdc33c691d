"""Errors a learner can act on, and the checks that raise them.

Every public function of :mod:`descend` validates its input with the helpers
below, so a mistake is reported where it is made, in words that say what is
wrong and what to do ("X has 3 columns but the first layer expects 2 inputs"),
never as a NumPy broadcasting error three calls deeper or as a silent NaN.

Introduced in: book/06-iterate (DivergenceError); used everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

__all__ = [
    "DivergenceError",
    "as_float_array",
    "all_finite",
    "check_finite",
    "check_positive",
    "check_number",
    "check_in_range",
    "check_choice",
    "check_int",
    "check_bool",
    "check_rng",
    "check_labels",
    "check_same_length",
    "check_same_keys_and_shapes",
]


class DivergenceError(ArithmeticError):
    """A run whose loss or parameters stopped being finite numbers.

    Parameters
    ----------
    step : int
        The step (0-based update count) at which the non-finite value appeared.
    lr : float
        The learning rate in force at that step.
    last_finite_loss : float or None
        The last loss that was still a finite number (None if there was none).
    what : str
        What became non-finite, e.g. ``"loss"`` or ``"parameter W2"``.
    value : float
        The offending value (``inf`` or ``nan``).
    """

    def __init__(
        self,
        step: int,
        lr: float,
        last_finite_loss: float | None,
        what: str = "loss",
        value: float = math.inf,
    ) -> None:
        self.step = int(step)
        self.lr = float(lr)
        self.last_finite_loss = None if last_finite_loss is None else float(last_finite_loss)
        self.what = what
        self.value = value
        last = "none" if self.last_finite_loss is None else f"{self.last_finite_loss:.3g}"
        super().__init__(
            f"{what} became {value} at step {self.step} (lr={self.lr:g}, last finite loss "
            f"{last}); the run diverged: try a smaller learning rate (for example "
            f"lr={self.lr / 10:g}), standardise the inputs, or check the data for huge values"
        )

    def _render_traceback_(self) -> list[str]:
        """How IPython and Jupyter show the error: its message, without the library's frames.

        The message already says where the run diverged and what to try; the frames
        inside ``descend`` would only bury it (and print the machine's paths on the
        website). ``import traceback; traceback.print_exception(err)`` shows them all.
        """
        return [f"DivergenceError: {self}"]


def as_float_array(
    x: Any, name: str, ndim: int | Iterable[int] | None = None, finite: bool = True
) -> np.ndarray:
    """Return ``x`` as a float ndarray, checking its number of dimensions and finiteness.

    Integer and boolean input is converted to float64; float32 is kept as float32.
    ``finite=False`` skips the finiteness check (for intermediate values inside a
    network, where an overflow is the training loop's to report as divergence).

    Raises
    ------
    TypeError
        If ``x`` cannot be read as numbers.
    ValueError
        If ``x`` has the wrong number of dimensions or holds NaN or infinity.
    """
    try:
        arr = np.asarray(x)
    except Exception as exc:  # pragma: no cover - numpy raises many kinds
        raise TypeError(f"{name} must be an array of numbers, got {type(x).__name__}") from exc
    kind = arr.dtype.kind  # "b" boolean, "i"/"u" integer, "f" float, "c" complex
    if kind == "c":
        raise TypeError(f"{name} must hold real numbers, got complex dtype {arr.dtype}")
    if kind not in "biuf":
        raise TypeError(
            f"{name} must be an array of numbers, got dtype {arr.dtype}; "
            "convert it with np.asarray(..., dtype=float)"
        )
    if kind != "f":
        arr = arr.astype(np.float64)  # integers and booleans (class labels) become float64
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(d) for d in allowed)
            raise ValueError(
                f"{name} must have {want} dimension(s), got shape {arr.shape}; "
                + (
                    "reshape a single example with x.reshape(1, -1)"
                    if 2 in allowed and arr.ndim == 1
                    else "check how it was built"
                )
            )
    if finite:
        check_finite(arr, name)
    return arr


def check_finite(
    arr: np.ndarray, name: str, fix: str = "remove or impute them before training"
) -> None:
    """Raise ``ValueError`` if ``arr`` holds NaN or infinity, saying where and what to do.

    ``fix`` ends the message: what to do about it (the default speaks of data).
    """
    arr = np.asarray(arr)
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))
        first = tuple(int(i) for i in bad[0]) if bad.size else ()
        raise ValueError(
            f"{name} holds {len(bad)} non-finite value(s) (NaN or infinity), the first at "
            f"index {first}; {fix}"
        )


def all_finite(arrays: Iterable[Any]) -> bool:
    """Whether every array holds only finite numbers (no NaN, no infinity)."""
    return all(np.isfinite(a).all() for a in arrays)


def check_positive(value: Any, name: str, allow_zero: bool = False, why: str = "") -> float:
    """Return ``value`` as a float, raising if it is not a finite number > 0 (or >= 0).

    ``why``, if given, ends the message: why the bound matters, or what to use instead.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    v = float(value)
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(
            f"{name} must be a finite number {bound}, got {value!r}" + (f"; {why}" if why else "")
        )
    return v


def check_number(value: Any, name: str) -> float:
    """Return ``value`` as a float, raising if it is not a finite real number (any sign)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return v


def check_in_range(
    value: Any,
    name: str,
    low: float,
    high: float,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    why: str = "",
) -> float:
    """Return ``value`` as a float if it lies in the interval from ``low`` to ``high``.

    The interval is closed unless ``low_inclusive`` or ``high_inclusive`` is False, and
    is written that way in the message: ``"momentum must be in [0, 1), got 1.5; ..."``,
    followed by ``why`` when given.
    """
    v = check_number(value, name)
    above = v >= low if low_inclusive else v > low
    below = v <= high if high_inclusive else v < high
    if not (above and below):
        interval = (
            f"{'[' if low_inclusive else '('}{low:g}, {high:g}{']' if high_inclusive else ')'}"
        )
        raise ValueError(
            f"{name} must be in {interval}, got {value!r}" + (f"; {why}" if why else "")
        )
    return v


def check_choice(name: str, value: str, choices: Iterable[str], what: str) -> str:
    """Return ``value`` if it is one of ``choices``; otherwise list the valid ones."""
    choices = list(choices)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(
            f"unknown {what} {value!r} for {name}; choose one of: " + ", ".join(choices)
        )
    return value


def check_int(value: Any, name: str, low: int, high: int | None = None, hint: str = "") -> int:
    """Return ``value`` as an int, raising if it is not an integer in ``[low, high]``.

    ``hint`` is added after the allowed range, e.g. ``" (epochs)"``. Booleans are
    refused: ``True`` is an integer to Python but never a count.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    v = int(value)
    if v < low or (high is not None and v > high):
        allowed = f">= {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{name} must be an integer {allowed}{hint}, got {v}")
    return v


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` as a bool, raising if it is not ``True`` or ``False``.

    Truthy stand-ins (``1``, ``"yes"``) are refused: a typo should not switch a rule on.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_rng(rng: Any, who: str) -> np.random.Generator:
    """Return ``rng`` if it is a ``np.random.Generator``; otherwise say how to make one.

    ``who`` names what draws the random numbers (``"two_moons"``, ``"he_normal"``).
    ``None`` is refused too: randomness in :mod:`descend` is always explicit, so a
    caller for whom ``rng`` is optional checks it only when one is given.
    """
    if not isinstance(rng, np.random.Generator):
        got = "no rng" if rng is None else f"rng of type {type(rng).__name__}"
        raise TypeError(
            f"{who} draws random numbers and needs a np.random.Generator, got {got}; "
            "pass rng=np.random.default_rng(seed) (for example seed=0; the same seed "
            "gives the same numbers)"
        )
    return rng


def check_labels(y: Any, name: str = "y") -> np.ndarray:
    """Return labels or targets as an array, raising if they are not finite numbers.

    The dtype is kept (integer class labels stay integers); float targets are checked
    for NaN and infinity.
    """
    arr = np.asarray(y)
    if not (np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)):
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.inexact):
        as_float_array(arr, name)  # raises on NaN or infinity, saying where
    return arr


def check_same_length(X: np.ndarray, y: np.ndarray, xname: str = "X", yname: str = "y") -> None:
    """Raise if ``X`` and ``y`` do not have one label per example (one row each)."""
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(
            f"{xname} and {yname} must be arrays with one row per example, got shapes "
            f"{X.shape} and {y.shape}"
        )
    if len(X) != len(y):
        raise ValueError(
            f"{xname} has {len(X)} examples (shape {X.shape}) but {yname} has {len(y)} "
            f"(shape {y.shape}); they need one label per example"
        )


def check_same_keys_and_shapes(
    params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]
) -> None:
    """Raise if ``params`` and ``grads`` do not have the same names and shapes."""
    if not isinstance(params, Mapping) or not isinstance(grads, Mapping):
        raise TypeError(
            "params and grads must be dicts name -> ndarray, got "
            f"{type(params).__name__} and {type(grads).__name__}"
        )
    if params.keys() != grads.keys():  # compared as sets
        pk, gk = set(params), set(grads)
        missing = sorted(pk - gk)
        extra = sorted(gk - pk)
        raise ValueError(
            "params and grads must have the same keys; "
            + (f"grads lacks {missing}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"grads has extra {extra}" if extra else "")
        )
    for k, p in params.items():
        ps, gs = np.shape(p), np.shape(grads[k])
        if ps != gs:
            raise ValueError(f"grads[{k!r}] has shape {gs} but params[{k!r}] has shape {ps}")
