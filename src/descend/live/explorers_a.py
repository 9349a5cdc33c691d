"""Live explorers of chapters 0 and 4: the learning rate in 1-D, and the gradient of a surface.

* :class:`LearningRate1D` (``lr1d.js``, chapter 0): gradient descent on a 1-D function with a
  log-scale learning-rate slider, the path drawn on the function, its values listed and the
  bound ``2 / f''(x*)`` marked. Its functions are :data:`FUNCTIONS_1D`, mirrored in
  ``engine.js`` (``FUNCTIONS_1D``, ``descent1d``).
* :class:`GradientExplorer` (``gradient.js``, chapter 4): pick any point of a surface of
  :mod:`descend.surfaces`; the gradient, the steepest-descent direction, the contour line
  through the point and the slope in every direction are drawn in the browser.

Introduced in: book/00-one-dimension
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import traitlets as t

from descend import surfaces as _surfaces
from descend.errors import check_choice, check_int, check_positive

from . import LiveWidget

__all__ = [
    "FUNCTIONS_1D",
    "Function1D",
    "descent_1d",
    "LearningRate1D",
    "learning_rate_1d",
    "GradientExplorer",
    "gradient_explorer",
]


@dataclass(frozen=True)
class Function1D:
    """A 1-D function with its slope and curvature, a start and its minimum.

    ``x_min`` is the minimum a small learning rate reaches from ``x0``; ``curvature`` is
    ``f''(x_min)``, so gradient descent near it converges for ``lr < 2 / curvature``.

    Introduced in: book/00-one-dimension
    """

    name: str
    label: str
    f: Callable[[Any], Any] = field(repr=False)
    df: Callable[[Any], Any] = field(repr=False)
    d2f: Callable[[Any], Any] = field(repr=False)
    x0: float
    window: tuple[float, float]
    x_min: float = 0.0
    curvature: float = 0.0


def _newton_1d(df: Callable, d2f: Callable, x: float, steps: int = 60) -> float:
    for _ in range(steps):
        x = x - df(x) / d2f(x)
    return float(x)


def _make(name, label, f, df, d2f, x0, window, guess) -> Function1D:
    x_min = _newton_1d(df, d2f, guess)
    return Function1D(name, label, f, df, d2f, x0, window, x_min, float(d2f(x_min)))


FUNCTIONS_1D: dict[str, Function1D] = {
    fn.name: fn
    for fn in (
        _make(
            "quadratic",
            "quadratic: (x − 2)² + 1",
            lambda x: (x - 2.0) ** 2 + 1.0,
            lambda x: 2.0 * (x - 2.0),
            lambda x: 2.0 + 0.0 * np.asarray(x, dtype=float),
            -1.0,
            (-2.0, 6.0),
            2.0,
        ),
        _make(
            "quartic",
            "quartic: 0.1 x⁴ + 0.5 x²",
            lambda x: 0.1 * x**4 + 0.5 * x**2,
            lambda x: 0.4 * x**3 + x,
            lambda x: 1.2 * x**2 + 1.0,
            2.5,
            (-3.5, 3.5),
            0.0,
        ),
        _make(
            "double_well",
            "non-convex: x⁴/4 − x² + 0.3 x",
            lambda x: 0.25 * x**4 - x**2 + 0.3 * x,
            lambda x: x**3 - 2.0 * x + 0.3,
            lambda x: 3.0 * x**2 - 2.0,
            2.2,
            (-2.5, 2.5),
            1.3,
        ),
    )
}


def descent_1d(function: str, x0: float, lr: float, steps: int, limit: float = 1e6) -> np.ndarray:
    """Iterates ``x_0 .. x_steps`` of ``x <- x - lr f'(x)`` on one of :data:`FUNCTIONS_1D`.

    The run stops after the first iterate with ``|x| > limit`` (it has diverged): the
    last entry is that iterate.

    Introduced in: book/00-one-dimension
    """
    check_choice("descent_1d", function, FUNCTIONS_1D, "function")
    check_positive(lr, "lr")
    steps = check_int(steps, "steps", 0, 100_000)
    df = FUNCTIONS_1D[function].df
    xs = [float(x0)]
    x = float(x0)
    for _ in range(steps):
        x = x - lr * df(x)
        xs.append(x)
        if not math.isfinite(x) or abs(x) > limit:
            break
    return np.array(xs)


#: The learning-rate slider's positions (0 .. SLIDER_POSITIONS), as in ``lr1d.js``.
SLIDER_POSITIONS = 400


class LearningRate1D(LiveWidget):
    """Gradient descent on a 1-D function, live, with a log-scale learning-rate slider.

    Traits
    ------
    functions : list of dict
        One entry per function offered: ``name``, ``label``, ``x0``, ``window``,
        ``x_min``, ``f_min``, ``curvature`` (``f''(x_min)``), ``bound`` (``2 / f''``) and
        ``lr_range`` (the slider's ends).
    settings : dict
        ``function``, ``lr`` and ``steps``; set it from Python to move the controls.
    history : dict
        Written by the browser: ``function``, ``lr`` and the iterates ``xs``.

    Introduced in: book/00-one-dimension
    """

    kind = "lr1d"
    page_state = ("functions", "settings")
    functions = t.List().tag(sync=True)
    settings = t.Dict().tag(sync=True)
    history = t.Dict().tag(sync=True)

    def slider_lrs(self, function: str | None = None) -> list[float]:
        """Every learning rate the slider offers for ``function``, as the browser computes them.

        ``SLIDER_POSITIONS + 1`` positions evenly spaced in ``log10(lr)`` over the
        function's ``lr_range``, each rounded to 3 significant digits, except that the
        positions nearest ``1/f''`` and ``2/f''`` (at the minimum) are those rates exactly.
        ``function`` defaults to the one shown.

        Introduced in: book/00-one-dimension
        """
        name = self.settings["function"] if function is None else function
        entry = {e["name"]: e for e in self.functions}.get(name)
        if entry is None:
            check_choice("slider_lrs", name, [e["name"] for e in self.functions], "function")
        a, b = (math.log10(v) for v in entry["lr_range"])

        def position(lr: float) -> int:  # JavaScript's Math.round: halves round up
            return math.floor((math.log10(lr) - a) / (b - a) * SLIDER_POSITIONS + 0.5)

        marks = {position(lr): lr for lr in (entry["bound"] / 2, entry["bound"])}
        return [
            marks.get(k, float(f"{10 ** (a + k / SLIDER_POSITIONS * (b - a)):.3g}"))
            for k in range(SLIDER_POSITIONS + 1)
        ]


def learning_rate_1d(
    function: str = "quadratic", lr: float = 0.1, steps: int = 30
) -> LearningRate1D:
    """A :class:`LearningRate1D` offering every function of :data:`FUNCTIONS_1D`.

    Parameters
    ----------
    function : str
        The function shown first: ``"quadratic"``, ``"quartic"`` or ``"double_well"``.
    lr : float
        The starting learning rate (the slider spans 1/1000 of the bound to twice it).
    steps : int
        Steps per run, 1 to 200.

    Introduced in: book/00-one-dimension
    """
    check_choice("learning_rate_1d", function, FUNCTIONS_1D, "function")
    check_positive(lr, "lr")
    steps = check_int(steps, "steps", 1, 200)
    entries = []
    for fn in FUNCTIONS_1D.values():
        bound = 2.0 / fn.curvature
        entries.append(
            {
                "name": fn.name,
                "label": fn.label,
                "x0": fn.x0,
                "window": list(fn.window),
                "x_min": fn.x_min,
                "f_min": float(fn.f(fn.x_min)),
                "curvature": fn.curvature,
                "bound": bound,
                "lr_range": [bound / 1000.0, bound * 2.0],
            }
        )
    return LearningRate1D(
        functions=entries, settings={"function": function, "lr": float(lr), "steps": steps}
    )


# ------------------------------------------------------------------ chapter 4: the gradient

GRADIENT_SURFACES = ("himmelblau", "rosenbrock", "beale", "saddle", "multi_well", "quadratic")
QUADRATIC = {"condition": 10.0, "angle": 30.0}  # the stretched, turned bowl offered


def _surface(name: str) -> _surfaces.Surface:
    return _surfaces.get(name, **QUADRATIC) if name == "quadratic" else _surfaces.get(name)


class GradientExplorer(LiveWidget):
    """Pick a point of a surface: its gradient, contour and slope in every direction, live.

    Traits
    ------
    surfaces : list of dict
        One entry per surface: ``name``, ``params`` (the engine's arguments; the
        quadratic's Hessian entries), ``xlim``, ``ylim`` and ``levels`` (the contour
        levels drawn behind).
    settings : dict
        ``surface``, ``x``, ``y``: the picked point; set it from Python to move it.
    history : dict
        Written by the browser: ``surface``, ``point``, ``value``, ``gradient``.

    Introduced in: book/04-gradient
    """

    kind = "gradient"
    page_state = ("surfaces", "settings")
    surfaces = t.List().tag(sync=True)
    settings = t.Dict().tag(sync=True)
    history = t.Dict().tag(sync=True)


def gradient_explorer(
    surface: str = "himmelblau", point: tuple[float, float] = (1.0, 1.0)
) -> GradientExplorer:
    """A :class:`GradientExplorer` offering Himmelblau, Rosenbrock, Beale, the saddle,
    the multi-well surface and a stretched quadratic bowl, starting at ``point``.

    Introduced in: book/04-gradient
    """
    check_choice("gradient_explorer", surface, GRADIENT_SURFACES, "surface")
    x, y = (float(v) for v in point)
    entries = []
    for name in GRADIENT_SURFACES:
        s = _surface(name)
        _, _, Z = s.grid(101)
        z = Z[np.isfinite(Z)]
        lo = float(np.min(z))
        # levels evenly spaced in log(f - min): the lines crowd near minima as they should
        levels = (lo + np.geomspace(1e-2, 1.0, 9) * (float(np.max(z)) - lo) * 0.6).tolist()
        params = {}
        if s.hessian is not None:
            h = np.asarray(s.hessian, dtype=float)
            params = {"h11": float(h[0, 0]), "h12": float(h[0, 1]), "h22": float(h[1, 1])}
        entries.append(
            {
                "name": name,
                "params": params,
                "xlim": [float(v) for v in s.xlim],
                "ylim": [float(v) for v in s.ylim],
                "levels": levels,
            }
        )
    entry = next(e for e in entries if e["name"] == surface)
    if not (
        entry["xlim"][0] <= x <= entry["xlim"][1] and entry["ylim"][0] <= y <= entry["ylim"][1]
    ):
        raise ValueError(
            f"point {point!r} lies outside the {surface} window x in {entry['xlim']}, "
            f"y in {entry['ylim']}; pick a point inside it"
        )
    return GradientExplorer(surfaces=entries, settings={"surface": surface, "x": x, "y": y})
