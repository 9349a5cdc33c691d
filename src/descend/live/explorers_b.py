"""Live explorers of chapter 5: the learning rate on a bowl, the optimizer race.

:class:`OptimizerRace` (``race.js``) runs SGD, momentum, Nesterov, AdaGrad, RMSProp and
Adam from a start point the reader picks anywhere on the contour plot, on any of the
surfaces of :mod:`descend.surfaces`, with each optimizer's hyperparameters on its own
controls. Everything the browser needs comes from here: the surfaces' parameters, plotting
windows, minima and suggested starts, and the optimizers' settings. The browser draws
no random numbers; its maths is ``engine.js``'s ``minimize``, golden-tested against
:func:`descend.minimize`.

Introduced in: book/05-update
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets as t

from descend import optim as _optim
from descend import surfaces as _surfaces
from descend.errors import check_choice, check_in_range, check_int, check_number
from descend.live import LiveWidget

__all__ = [
    "LearningRateBowl",
    "OptimizerRace",
    "RACERS",
    "RACE_SURFACES",
    "learning_rate_bowl",
    "optimizer_race",
]

#: The racers, in the order (and with the colours and markers) the explorer draws them:
#: key -> (label, engine optimizer name, default hyperparameters). The engine's names
#: are descend.optim's: ``momentum`` and ``nesterov`` are SGD with those options.
RACERS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "sgd": ("gradient descent", "sgd", {"lr": 1e-3}),
    "momentum": ("momentum", "sgd", {"lr": 1e-3, "momentum": 0.9}),
    "nesterov": ("Nesterov", "sgd", {"lr": 1e-3, "momentum": 0.9, "nesterov": True}),
    "adagrad": ("AdaGrad", "adagrad", {"lr": 0.5}),
    "rmsprop": ("RMSProp", "rmsprop", {"lr": 0.01, "alpha": 0.99}),
    "adam": ("Adam", "adam", {"lr": 0.1, "betas": [0.9, 0.999]}),
}

#: The surfaces offered, with a plotting window where the library's is too wide to see
#: the race (None: the surface's own ``xlim`` and ``ylim``).
RACE_SURFACES: dict[str, tuple[tuple[float, float], tuple[float, float]] | None] = {
    "rosenbrock": None,
    "beale": ((-0.5, 4.0), (-1.0, 2.0)),
    "himmelblau": None,
    "quadratic": None,
    "saddle": None,
    "multi_well": None,
}

LR_RANGE = (1e-5, 10.0)  # the learning-rate sliders' ends
MAX_STEPS = 1000


def _surface_state(name: str) -> dict[str, Any]:
    s = _surfaces.get(name)
    xlim, ylim = RACE_SURFACES[name] or (s.xlim, s.ylim)
    params: dict[str, float] = {}
    if name == "quadratic":
        H = s.hessian
        params = {"h11": float(H[0, 0]), "h12": float(H[0, 1]), "h22": float(H[1, 1])}
    return {
        "params": params,
        "xlim": [float(v) for v in xlim],
        "ylim": [float(v) for v in ylim],
        "start": [round(float(v), 4) for v in s.start],
        "minima": [[round(float(v), 6) for v in m] for m in s.minima],
        "fmin": float(min(s.min_values)),
    }


def _check_hyper(key: str, hyper: dict[str, Any]) -> dict[str, Any]:
    """The racer's hyperparameters, checked (unknown names and bad values refused)."""
    label, _, defaults = RACERS[key]
    unknown = sorted(set(hyper) - set(defaults))
    if unknown:
        raise TypeError(
            f"unknown hyperparameter(s) {unknown} for {label}; its hyperparameters are "
            f"{sorted(defaults)}"
        )
    h = {**defaults, **hyper}
    check_in_range(h["lr"], f"{label}'s lr", *LR_RANGE)
    if "momentum" in h:
        check_in_range(h["momentum"], f"{label}'s momentum", 0.0, 0.99)
    if "alpha" in h:
        check_in_range(h["alpha"], f"{label}'s alpha", 0.5, 0.999)
    if "betas" in h:
        b1, b2 = h["betas"]
        check_in_range(b1, f"{label}'s beta1", 0.0, 0.99)
        check_in_range(b2, f"{label}'s beta2", 0.5, 0.9999)
        h["betas"] = [float(b1), float(b2)]
    return {k: v if isinstance(v, (bool, list)) else float(v) for k, v in h.items()}


class OptimizerRace(LiveWidget):
    """Six optimizers race from a start the reader picks, on a 2-D surface (chapter 5).

    Traits
    ------
    surfaces : dict
        ``{name: {"params", "xlim", "ylim", "start", "minima", "fmin"}}``: each offered
        surface's parameters for the engine (the quadratic's Hessian entries), its
        plotting window, suggested start, minima and lowest value ``fmin`` (the loss
        curves show ``f - fmin``).
    racers : dict
        ``{key: {"label", "name", "hyper"}}`` in drawing order: the engine optimizer
        ``name`` and its hyperparameters (the controls' starting values).
    settings : dict
        ``surface``, ``steps`` and ``start`` (``[x, y]``, or None for the surface's own):
        the controls' starting values.
    result : dict
        Written by the browser after each redraw: ``surface``, ``start``, ``steps``,
        ``hyper`` (every racer's), ``final`` (each racer's last value, None if it
        diverged) and ``leader``.

    Introduced in: book/05-update
    """

    kind = "race"
    page_state = ("surfaces", "racers", "settings")
    surfaces = t.Dict().tag(sync=True)
    racers = t.Dict().tag(sync=True)
    settings = t.Dict().tag(sync=True)
    result = t.Dict().tag(sync=True)

    def optimizer(self, key: str) -> _optim.Optimizer:
        """A fresh :mod:`descend.optim` optimizer with racer ``key``'s settings.

        With it, ``descend.minimize`` reproduces the browser's path of that racer.

        Introduced in: book/05-update
        """
        check_choice("OptimizerRace.optimizer", key, self.racers, "racer")
        r = self.racers[key]
        hyper = dict(r["hyper"])
        if "betas" in hyper:
            hyper["betas"] = tuple(hyper["betas"])
        return _optim.get(r["name"], **hyper)

    def start(self) -> tuple[float, float]:
        """The start point of the current settings (the surface's own unless one is set)."""
        s = self.settings
        start = s.get("start") or self.surfaces[s["surface"]]["start"]
        return float(start[0]), float(start[1])


def optimizer_race(
    surface: str = "rosenbrock",
    steps: int = 500,
    start: tuple[float, float] | None = None,
    surfaces: tuple[str, ...] = tuple(RACE_SURFACES),
    **hyper: dict[str, Any],
) -> OptimizerRace:
    """An :class:`OptimizerRace` on ``surfaces``, showing ``surface`` for ``steps`` steps.

    Parameters
    ----------
    surface : str
        The surface shown first (one of ``surfaces``).
    steps : int
        Steps of each optimizer, 1 to 1000 (the reader's slider goes to 1000).
    start : (float, float) or None
        The start point; None: the surface's suggested start (``Surface.start``).
    surfaces : tuple of str
        The surfaces offered, from ``RACE_SURFACES``.
    **hyper
        Per racer (``sgd``, ``momentum``, ``nesterov``, ``adagrad``, ``rmsprop``,
        ``adam``), a dict of hyperparameters replacing the defaults of ``RACERS``, e.g.
        ``adam={"lr": 0.05, "betas": [0.8, 0.99]}``. Learning rates between 1e-5 and 10.

    No random numbers are involved: the race is the same every time.

    Introduced in: book/05-update
    """
    if not surfaces:
        raise ValueError("surfaces must offer at least one surface, e.g. ('rosenbrock',)")
    for name in surfaces:
        check_choice("optimizer_race", name, RACE_SURFACES, "surface")
    check_choice("optimizer_race", surface, surfaces, "surface (of those offered)")
    steps = check_int(steps, "steps", 1, MAX_STEPS)
    unknown = sorted(set(hyper) - set(RACERS))
    if unknown:
        raise TypeError(f"unknown racer(s) {unknown}; the racers are {list(RACERS)}")
    if start is not None:
        if len(start) != 2:
            raise ValueError(f"start must be a point (x, y), got {start!r}")
        start = [round(check_number(v, "start"), 4) for v in start]
    racers = {}
    for key, (label, name, _) in RACERS.items():
        h = hyper.get(key, {})
        if not isinstance(h, dict):
            raise TypeError(f"{key} takes a dict of hyperparameters, got {type(h).__name__}")
        racers[key] = {"label": label, "name": name, "hyper": _check_hyper(key, h)}
    return OptimizerRace(
        surfaces={name: _surface_state(name) for name in surfaces},
        racers=racers,
        settings={"surface": surface, "steps": steps, "start": start},
    )


# ------------------------------------------------------------------ the learning rate on a bowl

#: The learning-rate slider's positions: lr = k * lr_max / LR_POSITIONS, k = 1 .. LR_POSITIONS.
LR_POSITIONS = 250


class LearningRateBowl(LiveWidget):
    """Gradient descent on a stretched quadratic bowl, the learning rate on a slider (ch. 5).

    The slider runs from ``lr_max / 250`` to ``lr_max = 2.5 / lambda_max`` in 250 equal
    steps, past the stability bound ``2 / lambda_max`` (marked under it, with
    ``1 / lambda_max``, where the path starts to zig-zag).

    Traits
    ------
    bowl : dict
        The Hessian's entries ``h11, h12, h22``, its eigenvalues ``lam_min, lam_max``,
        the ``start`` and the window ``xlim, ylim``.
    settings : dict
        ``lr`` (a slider position), ``steps`` and ``lr_max``.
    result : dict
        Written by the browser: ``lr``, ``values`` (f at every step, None past a
        divergence) and ``ratio`` (last value over the first).

    Introduced in: book/05-update
    """

    kind = "bowl"
    page_state = ("bowl", "settings")
    bowl = t.Dict().tag(sync=True)
    settings = t.Dict().tag(sync=True)
    result = t.Dict().tag(sync=True)

    def slider_lrs(self) -> list[float]:
        """Every learning rate the slider offers, as the browser computes them."""
        top = self.settings["lr_max"]
        return [float(f"{k * top / LR_POSITIONS:.4g}") for k in range(1, LR_POSITIONS + 1)]


def learning_rate_bowl(
    condition: float = 10.0, angle: float = 0.0, lr: float = 0.1, steps: int = 30
) -> LearningRateBowl:
    """A :class:`LearningRateBowl` on ``descend.surfaces.quadratic(condition, angle)``.

    ``lr`` is the slider's starting value (rounded to the nearest position); ``steps``
    the number of gradient-descent steps drawn, 1 to 200.

    Introduced in: book/05-update
    """
    surface = _surfaces.quadratic(condition=condition, angle=angle)
    steps = check_int(steps, "steps", 1, 200)
    H = surface.hessian
    lam_min, lam_max = (float(v) for v in np.linalg.eigvalsh(H))
    lr_max = float(f"{2.5 / lam_max:.4g}")
    check_in_range(lr, "lr", lr_max / LR_POSITIONS, lr_max, why="the slider's range")
    k = max(1, round(lr / lr_max * LR_POSITIONS))
    return LearningRateBowl(
        bowl={
            "h11": float(H[0, 0]),
            "h12": float(H[0, 1]),
            "h22": float(H[1, 1]),
            "lam_min": lam_min,
            "lam_max": lam_max,
            "start": [float(v) for v in surface.start],
            "xlim": [float(v) for v in surface.xlim],
            "ylim": [float(v) for v in surface.ylim],
        },
        settings={
            "lr": float(f"{k * lr_max / LR_POSITIONS:.4g}"),
            "steps": steps,
            "lr_max": lr_max,
        },
    )
