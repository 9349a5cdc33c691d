"""Step 5, the update: learning-rate schedules.

A schedule is a callable ``schedule(t) -> lr`` for the step (or epoch) count
t = 0, 1, 2, ... It works with every optimizer, because all of them read ``opt.lr``
afresh at each step::

    sched = ds.schedules.warmup(ds.schedules.cosine(0.1, total_steps=90), warmup_steps=10)
    for t in range(100):
        opt.lr = sched(t)
        opt.step(params, grads)

The formulas are the closed forms of ``torch.optim.lr_scheduler`` where it has the
same schedule (``StepLR``, ``ExponentialLR``, ``CosineAnnealingLR``, ``LinearLR``
followed by another through ``SequentialLR``), with t in the role of torch's
``last_epoch``.

Introduced in: book/05-update
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from descend.errors import check_in_range, check_int, check_positive

__all__ = [
    "Schedule",
    "constant",
    "step_decay",
    "exponential",
    "inverse_time",
    "cosine",
    "warmup",
]


def _check_steps(value: Any, name: str) -> int:
    return check_int(value, name, 1, hint=" (a whole number of steps)")


class Schedule:
    """A learning-rate schedule: call it with the step count t to get the learning rate.

    Built by the functions of this module; ``repr`` shows how it was made, and
    :meth:`values` gives the first ``n`` learning rates at once (for plots).

    Introduced in: book/05-update
    """

    def __init__(self, fn: Callable[[int], float], description: str) -> None:
        self._fn = fn
        self.description = description

    def __call__(self, t: int) -> float:
        """The learning rate at step ``t`` (an integer >= 0).

        Introduced in: book/05-update
        """
        return float(self._fn(check_int(t, "t", 0, hint=" (steps count from 0)")))

    def values(self, n: int) -> np.ndarray:
        """The learning rates at t = 0, 1, ..., n − 1, an array of shape (n,).

        Introduced in: book/05-update
        """
        n = _check_steps(n, "n")
        return np.array([self(t) for t in range(n)])

    def __repr__(self) -> str:
        return self.description


def constant(lr: float) -> Schedule:
    """The same learning rate at every step: ``lr(t) = lr``.

    Introduced in: book/05-update
    """
    lr = check_positive(lr, "lr")
    return Schedule(lambda t: lr, f"constant(lr={lr!r})")


def step_decay(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    """Multiply the learning rate by ``gamma`` every ``step_size`` steps.

    ``lr(t) = lr · gamma^⌊t / step_size⌋`` (as ``torch.optim.lr_scheduler.StepLR``).

    Parameters
    ----------
    lr : float
        The starting learning rate, > 0.
    step_size : int
        Steps between two drops, >= 1.
    gamma : float, default 0.1
        The factor of each drop, in (0, 1].

    Introduced in: book/05-update
    """
    lr = check_positive(lr, "lr")
    step_size = _check_steps(step_size, "step_size")
    gamma = check_in_range(
        gamma, "gamma", 0.0, 1.0, low_inclusive=False, why="a decay shrinks the rate"
    )
    return Schedule(
        lambda t: lr * gamma ** (t // step_size),
        f"step_decay(lr={lr!r}, step_size={step_size}, gamma={gamma!r})",
    )


def exponential(lr: float, gamma: float) -> Schedule:
    """Multiply the learning rate by ``gamma`` at every step: ``lr(t) = lr · gammaᵗ``.

    As ``torch.optim.lr_scheduler.ExponentialLR``.

    Parameters
    ----------
    lr : float
        The starting learning rate, > 0.
    gamma : float
        The factor per step, in (0, 1] (e.g. 0.95).

    Introduced in: book/05-update
    """
    lr = check_positive(lr, "lr")
    gamma = check_in_range(
        gamma, "gamma", 0.0, 1.0, low_inclusive=False, why="a decay shrinks the rate"
    )
    return Schedule(lambda t: lr * gamma**t, f"exponential(lr={lr!r}, gamma={gamma!r})")


def inverse_time(lr: float, decay_rate: float, decay_steps: float = 1) -> Schedule:
    """Decay as one over time: ``lr(t) = lr / (1 + decay_rate · t / decay_steps)``.

    The classic Robbins–Monro-style decay (its sum diverges, its sum of squares
    converges when decay_rate > 0); Keras calls it ``InverseTimeDecay``.

    Parameters
    ----------
    lr : float
        The starting learning rate, > 0.
    decay_rate : float
        How fast it decays, >= 0 (0 keeps it constant).
    decay_steps : float, default 1
        The time scale, > 0: after ``decay_steps`` steps the rate is ``lr / (1 + decay_rate)``.

    Introduced in: book/05-update
    """
    lr = check_positive(lr, "lr")
    decay_rate = check_positive(decay_rate, "decay_rate", allow_zero=True)
    decay_steps = check_positive(decay_steps, "decay_steps")
    return Schedule(
        lambda t: lr / (1 + decay_rate * t / decay_steps),
        f"inverse_time(lr={lr!r}, decay_rate={decay_rate!r}, decay_steps={decay_steps!r})",
    )


def cosine(lr: float, total_steps: int, min_lr: float = 0.0) -> Schedule:
    """Half a cosine from ``lr`` down to ``min_lr`` over ``total_steps`` steps, then flat.

    ``lr(t) = min_lr + (lr − min_lr) · (1 + cos(π t / total_steps)) / 2`` for
    ``t <= total_steps`` (as ``torch.optim.lr_scheduler.CosineAnnealingLR`` with
    ``T_max = total_steps`` and ``eta_min = min_lr``), and ``min_lr`` after that
    (torch's formula would climb back up).

    Parameters
    ----------
    lr : float
        The starting learning rate, > 0.
    total_steps : int
        Steps to reach ``min_lr``, >= 1.
    min_lr : float, default 0.0
        The final learning rate, in [0, lr].

    Introduced in: book/05-update
    """
    lr = check_positive(lr, "lr")
    total_steps = _check_steps(total_steps, "total_steps")
    min_lr = check_positive(min_lr, "min_lr", allow_zero=True)
    if min_lr > lr:
        raise ValueError(f"min_lr must be <= lr, got min_lr={min_lr!r} > lr={lr!r}")

    def fn(t: int) -> float:
        if t >= total_steps:
            return min_lr
        return min_lr + (lr - min_lr) * (1 + math.cos(math.pi * t / total_steps)) / 2

    return Schedule(fn, f"cosine(lr={lr!r}, total_steps={total_steps}, min_lr={min_lr!r})")


def warmup(
    schedule: Callable[[int], float], warmup_steps: int, start_factor: float = 0.0
) -> Schedule:
    """Ramp the learning rate up linearly for ``warmup_steps`` steps, then follow ``schedule``.

    For ``t < warmup_steps``:
    ``lr(t) = schedule(0) · (start_factor + (1 − start_factor) · t / warmup_steps)``;
    afterwards ``lr(t) = schedule(t − warmup_steps)``, so the wrapped schedule starts
    from its own beginning when the warm-up ends. This is torch's ``LinearLR`` followed
    by the other scheduler through ``SequentialLR``. The default ``start_factor=0``
    starts at lr 0 (a first step that changes nothing), which torch's ``LinearLR`` does
    not allow.

    Parameters
    ----------
    schedule : callable
        Any schedule ``t -> lr`` (e.g. from :func:`cosine`).
    warmup_steps : int
        Length of the ramp, >= 1.
    start_factor : float, default 0.0
        The fraction of ``schedule(0)`` used at t = 0, in [0, 1].

    Introduced in: book/05-update
    """
    if not callable(schedule):
        raise TypeError(
            f"schedule must be a callable t -> lr (e.g. ds.schedules.cosine(0.1, 100)), "
            f"got {type(schedule).__name__} {schedule!r}"
        )
    warmup_steps = _check_steps(warmup_steps, "warmup_steps")
    start_factor = check_in_range(
        start_factor, "start_factor", 0.0, 1.0, why="it is a fraction of the first lr"
    )

    def fn(t: int) -> float:
        if t < warmup_steps:
            factor = start_factor + (1.0 - start_factor) * t / warmup_steps
            return schedule(0) * factor
        return schedule(t - warmup_steps)

    return Schedule(
        fn,
        f"warmup({schedule!r}, warmup_steps={warmup_steps}, start_factor={start_factor!r})",
    )
