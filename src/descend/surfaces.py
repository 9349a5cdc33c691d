"""Step 4, the gradient: two-dimensional test surfaces with exact gradients.

A surface is a function of two parameters, small enough to draw as a contour map
and hard enough to show how gradient descent and its variants behave: an
ill-conditioned quadratic (the valley that makes plain descent zig-zag), the
Rosenbrock banana, Himmelblau's four minima, Beale's flat plateaus, a saddle, and
a surface with several wells of different depths.

Every surface gives f vectorised over arrays (for contour plots), its exact gradient
(for descent), its minima and their values, a plotting window and a suggested start::

    s = ds.surfaces.get("rosenbrock")
    s.value((-1.2, 1.0)), s.gradient((-1.2, 1.0))     # about 24.2 and (-215.6, -88.0)

Introduced in: book/04-gradient
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import as_float_array, check_choice, check_number, check_positive

__all__ = [
    "Surface",
    "quadratic",
    "rosenbrock",
    "himmelblau",
    "beale",
    "saddle",
    "multi_well",
    "line_fit",
    "directional_derivative",
    "SURFACES",
    "get",
]

Point = tuple[float, float]


@dataclass(frozen=True)
class Surface:
    """A 2-D test function with its exact gradient, its minima and a plotting window.

    Attributes
    ----------
    name : str
        Short name, as in :data:`SURFACES`.
    f : callable
        ``f(x, y) -> z``, vectorised: ``x`` and ``y`` are arrays of one shape (or
        broadcastable), ``z`` has the broadcast shape.
    grad : callable
        ``grad(x, y) -> (gx, gy)``, the exact partial derivatives, vectorised like ``f``.
    minima : tuple of (x, y)
        Every local minimum inside the plotting window (for ``multi_well``, deepest first).
    xlim, ylim : (float, float)
        A plotting window that shows the interesting part.
    start : (float, float)
        A suggested starting point for descent.
    min_values : tuple of float
        ``f`` at each of ``minima``, in the same order.
    saddles : tuple of (x, y)
        Saddle points worth marking (points of zero gradient that are not minima).
    hessian : ndarray of shape (2, 2) or None
        The constant Hessian of a quadratic surface (None for the others).
    formula : str
        The formula in LaTeX, for titles and captions.

    Introduced in: book/04-gradient
    """

    name: str
    f: Callable[[Any, Any], Any] = field(repr=False, compare=False)
    grad: Callable[[Any, Any], tuple[Any, Any]] = field(repr=False, compare=False)
    minima: tuple[Point, ...]
    xlim: Point
    ylim: Point
    start: Point
    min_values: tuple[float, ...] = ()
    saddles: tuple[Point, ...] = ()
    hessian: np.ndarray | None = field(default=None, repr=False, compare=False)
    formula: str = ""

    def _point(self, p: Any) -> np.ndarray:
        p = as_float_array(p, "p", ndim=1)
        if p.shape != (2,):
            raise ValueError(
                f"p must be a point (x, y) of shape (2,), got shape {p.shape}; "
                f"the {self.name} surface has two parameters"
            )
        return p

    def value(self, p: Any) -> float:
        """``f`` at the point ``p = (x, y)`` (array-like of shape (2,)), as a float.

        Introduced in: book/04-gradient
        """
        p = self._point(p)
        return float(self.f(p[0], p[1]))

    def gradient(self, p: Any) -> np.ndarray:
        """The gradient ``(df/dx, df/dy)`` at ``p = (x, y)``, an array of shape (2,).

        Introduced in: book/04-gradient
        """
        p = self._point(p)
        gx, gy = self.grad(p[0], p[1])
        return np.array([gx, gy], dtype=float)

    def grid(self, n: int = 101) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(X, Y, Z)``, each of shape (n, n), covering ``xlim`` × ``ylim`` (for contours).

        Introduced in: book/04-gradient
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
            raise ValueError(f"n must be an integer >= 2 (points per axis), got {n!r}")
        X, Y = np.meshgrid(np.linspace(*self.xlim, int(n)), np.linspace(*self.ylim, int(n)))
        return X, Y, self.f(X, Y)


def _xy(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _rotation(angle: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s], [s, c]])


def _newton(surface_grad: Callable, hess: Callable, p: Point, steps: int = 50) -> Point:
    """Refine a stationary point with Newton's method (to machine precision)."""
    q = np.array(p, dtype=float)
    for _ in range(steps):
        g = np.array(surface_grad(q[0], q[1]), dtype=float)
        dq = np.linalg.solve(np.asarray(hess(q[0], q[1]), dtype=float), g)
        q = q - dq
        if np.max(np.abs(dq)) <= 1e-15 * max(1.0, np.max(np.abs(q))):
            break
    return float(q[0]), float(q[1])


def _freeze(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a


# --- the surfaces ------------------------------------------------------------------------


def quadratic(condition: float = 10.0, angle: float = 0.0) -> Surface:
    """An ill-conditioned quadratic bowl ``f(p) = ½ pᵀ H p`` with chosen shape.

    ``H = R diag(1, condition) Rᵀ`` where ``R`` rotates by ``angle``: the eigenvalues
    of H are λ_min = 1 and λ_max = ``condition`` (so H's condition number is
    ``condition``), the shallow direction (eigenvalue 1) points at ``angle`` and the
    steep one at ``angle + π/2``. Plain gradient descent converges for
    ``lr < 2 / λ_max = 2 / condition`` and zig-zags across the narrow valley.

    Parameters
    ----------
    condition : float, default 10.0
        Condition number κ = λ_max / λ_min ≥ 1.
    angle : float, default 0.0
        Rotation of the valley's long axis from the x-axis, in radians.

    Returns
    -------
    Surface
        With ``hessian`` (shape (2, 2)), one minimum at (0, 0) where f = 0.

    Introduced in: book/05-update
    """
    kappa = check_positive(condition, "condition")
    if kappa < 1:
        raise ValueError(
            f"condition must be >= 1 (it is lambda_max / lambda_min), got {condition!r}"
        )
    theta = check_number(angle, "angle")
    R = _rotation(theta)
    H = _freeze(R @ np.diag([1.0, kappa]) @ R.T)
    h11, h12, h22 = float(H[0, 0]), float(H[0, 1]), float(H[1, 1])

    def f(x: Any, y: Any) -> Any:
        x, y = _xy(x, y)
        return 0.5 * (h11 * x * x + 2.0 * h12 * x * y + h22 * y * y)

    def grad(x: Any, y: Any) -> tuple[Any, Any]:
        x, y = _xy(x, y)
        return h11 * x + h12 * y, h12 * x + h22 * y

    sx, sy = R @ np.array([-2.5, 1.0])  # along the valley, a little up its side
    return Surface(
        name="quadratic",
        f=f,
        grad=grad,
        minima=((0.0, 0.0),),
        xlim=(-3.0, 3.0),
        ylim=(-3.0, 3.0),
        start=(float(sx), float(sy)),
        min_values=(0.0,),
        hessian=H,
        formula=r"f(\mathbf{p}) = \tfrac12\,\mathbf{p}^\top H\,\mathbf{p}",
    )


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    """Rosenbrock's banana valley ``f = (a − x)² + b (y − x²)²``.

    The minimum (a, a²), where f = 0, lies at the bottom of a long, curved, flat
    valley: easy to reach, slow to travel along.

    Parameters
    ----------
    a : float, default 1.0
        Position of the minimum.
    b : float, default 100.0
        Steepness of the valley walls, > 0.

    Introduced in: book/05-update
    """
    a = check_number(a, "a")
    b = check_positive(b, "b")

    def f(x: Any, y: Any) -> Any:
        x, y = _xy(x, y)
        return (a - x) ** 2 + b * (y - x * x) ** 2

    def grad(x: Any, y: Any) -> tuple[Any, Any]:
        x, y = _xy(x, y)
        r = y - x * x
        return -2.0 * (a - x) - 4.0 * b * x * r, 2.0 * b * r

    s = max(1.0, abs(a))
    return Surface(
        name="rosenbrock",
        f=f,
        grad=grad,
        minima=((a, a * a),),
        xlim=(-2.0 * s, 2.0 * s),
        ylim=(-1.0 * s * s, 3.0 * s * s),
        start=(-1.2 * s, 1.0 * s * s),
        min_values=(0.0,),
        formula=rf"f(x, y) = ({a:g} - x)^2 + {b:g}\,(y - x^2)^2",
    )


def himmelblau() -> Surface:
    """Himmelblau's function ``f = (x² + y − 11)² + (x + y² − 7)²``: four minima, all f = 0.

    One minimum is (3, 2); the other three are roots of a polynomial with no neat
    closed form, found here by Newton's method from rough positions.

    Introduced in: book/06-iterate
    """

    def f(x: Any, y: Any) -> Any:
        x, y = _xy(x, y)
        return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2

    def grad(x: Any, y: Any) -> tuple[Any, Any]:
        x, y = _xy(x, y)
        u, v = x * x + y - 11.0, x + y * y - 7.0
        return 4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v

    def hess(x: float, y: float) -> list[list[float]]:
        hxy = 4.0 * (x + y)
        return [[12.0 * x * x + 4.0 * y - 42.0, hxy], [hxy, 12.0 * y * y + 4.0 * x - 26.0]]

    rough = ((3.0, 2.0), (-2.8, 3.1), (-3.8, -3.3), (3.6, -1.8))
    minima = tuple(_newton(grad, hess, p) for p in rough)
    return Surface(
        name="himmelblau",
        f=f,
        grad=grad,
        minima=minima,
        xlim=(-5.0, 5.0),
        ylim=(-5.0, 5.0),
        start=(0.0, 0.0),
        min_values=(0.0, 0.0, 0.0, 0.0),
        formula=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    )


def beale() -> Surface:
    """Beale's function: one minimum f(3, 0.5) = 0 between flat plateaus and steep ridges.

    ``f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²``.

    Introduced in: book/05-update
    """
    c1, c2, c3 = 1.5, 2.25, 2.625

    def f(x: Any, y: Any) -> Any:
        x, y = _xy(x, y)
        return (c1 - x + x * y) ** 2 + (c2 - x + x * y**2) ** 2 + (c3 - x + x * y**3) ** 2

    def grad(x: Any, y: Any) -> tuple[Any, Any]:
        x, y = _xy(x, y)
        t1, t2, t3 = c1 - x + x * y, c2 - x + x * y**2, c3 - x + x * y**3
        gx = 2.0 * (t1 * (y - 1.0) + t2 * (y**2 - 1.0) + t3 * (y**3 - 1.0))
        gy = 2.0 * x * (t1 + 2.0 * y * t2 + 3.0 * y**2 * t3)
        return gx, gy

    return Surface(
        name="beale",
        f=f,
        grad=grad,
        minima=((3.0, 0.5),),
        xlim=(-4.5, 4.5),
        ylim=(-4.5, 4.5),
        start=(1.0, 1.5),
        min_values=(0.0,),
        formula=r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
    )


def saddle() -> Surface:
    """A saddle at the origin between two valleys: ``f = x² + y⁴/4 − y²/2``.

    Near (0, 0) it looks like ``x² − y²/2``: a minimum along x, a maximum along y,
    gradient zero, f = 0. Unlike ``x² − y²`` it is bounded below, with two minima
    (0, ±1) where f = −1/4, so descent ends somewhere. A start with y = 0 exactly
    slides into the saddle and stops there (zero gradient, not a minimum); any
    small y escapes, slowly at first.

    Introduced in: book/06-iterate
    """

    def f(x: Any, y: Any) -> Any:
        x, y = _xy(x, y)
        return x * x + 0.25 * y**4 - 0.5 * y * y

    def grad(x: Any, y: Any) -> tuple[Any, Any]:
        x, y = _xy(x, y)
        return 2.0 * x, y**3 - y

    return Surface(
        name="saddle",
        f=f,
        grad=grad,
        minima=((0.0, 1.0), (0.0, -1.0)),
        xlim=(-2.0, 2.0),
        ylim=(-2.0, 2.0),
        start=(1.8, 0.02),
        min_values=(-0.25, -0.25),
        saddles=((0.0, 0.0),),
        formula=r"f(x, y) = x^2 + \tfrac14 y^4 - \tfrac12 y^2",
    )


def _well(r_low: float, r_mid: float, r_high: float) -> tuple[Callable, Callable]:
    """A 1-D double well whose derivative is ``(u − r_low)(u − r_mid)(u − r_high)``.

    Its minima are exactly ``r_low`` and ``r_high`` and its local maximum ``r_mid``;
    the antiderivative (zero at u = 0) is written out so both are exact polynomials.
    """
    e1 = r_low + r_mid + r_high
    e2 = r_low * r_mid + r_low * r_high + r_mid * r_high
    e3 = r_low * r_mid * r_high

    def w(u: Any) -> Any:
        return ((0.25 * u - e1 / 3.0) * u + e2 / 2.0) * u * u - e3 * u

    def dw(u: Any) -> Any:
        return (u - r_low) * (u - r_mid) * (u - r_high)

    return w, dw


# multi_well's shape: two double wells, one along each rotated axis, so its four minima
# sit exactly at known points and have four different depths.
_U_ROOTS = (-1.5, 0.3, 1.4)
_V_ROOTS = (-1.2, -0.2, 1.3)
_V_WEIGHT = 1.6
_MW_ANGLE = math.radians(25.0)


def multi_well() -> Surface:
    """A non-convex surface with four minima of different depths, four saddles and a peak.

    ``f(x, y) = g(u) + 1.6 h(v)`` where ``(u, v)`` are ``(x, y)`` rotated by −25°, and
    ``g``, ``h`` are double wells whose derivatives are ``(u + 1.5)(u − 0.3)(u − 1.4)``
    and ``(v + 1.2)(v + 0.2)(v − 1.3)``. The minima are every pairing of a well of g
    (u = −1.5 or 1.4) with a well of h (v = −1.2 or 1.3), rotated back; which one
    descent reaches depends on where it starts. ``minima`` is ordered deepest first.

    Introduced in: book/06-iterate
    """
    g, dg = _well(*_U_ROOTS)
    h, dh = _well(*_V_ROOTS)
    c, s = math.cos(_MW_ANGLE), math.sin(_MW_ANGLE)
    R = _rotation(_MW_ANGLE)

    def f(x: Any, y: Any) -> Any:
        x, y = _xy(x, y)
        u, v = c * x + s * y, -s * x + c * y
        return g(u) + _V_WEIGHT * h(v)

    def grad(x: Any, y: Any) -> tuple[Any, Any]:
        x, y = _xy(x, y)
        u, v = c * x + s * y, -s * x + c * y
        gu, gv = dg(u), _V_WEIGHT * dh(v)
        return c * gu - s * gv, s * gu + c * gv

    def to_xy(u: float, v: float) -> Point:
        x, y = R @ np.array([u, v])
        return float(x), float(y)

    lows_u, mid_u = (_U_ROOTS[0], _U_ROOTS[2]), _U_ROOTS[1]
    lows_v, mid_v = (_V_ROOTS[0], _V_ROOTS[2]), _V_ROOTS[1]
    wells = sorted(((float(g(u) + _V_WEIGHT * h(v))), to_xy(u, v)) for u in lows_u for v in lows_v)
    saddles = tuple(to_xy(u, mid_v) for u in lows_u) + tuple(to_xy(mid_u, v) for v in lows_v)
    return Surface(
        name="multi_well",
        f=f,
        grad=grad,
        minima=tuple(p for _, p in wells),
        xlim=(-2.5, 2.5),
        ylim=(-2.5, 2.5),
        start=to_xy(mid_u + 0.15, mid_v + 0.1),
        min_values=tuple(v for v, _ in wells),
        saddles=saddles,
        formula=r"f(x, y) = g(u) + 1.6\,h(v),\ (u, v) = R_{-25^\circ}(x, y)",
    )


def line_fit(X: Any, y: Any) -> Surface:
    """The mean squared error of a straight-line fit, as a surface over (slope, intercept).

    For data ``x_i, y_i`` (i = 1..n) the surface is

    ``L(w, b) = (1/n) Σ (w x_i + b − y_i)²``,

    a quadratic bowl in the slope ``w`` (the surface's x) and the intercept ``b``
    (its y). With ``A = [x, 1]`` of shape (n, 2) and ``θ = (w, b)``, the gradient is
    ``(2/n) Aᵀ(Aθ − y)`` and the Hessian the constant ``(2/n) AᵀA``; its condition
    number says how stretched the bowl is, and so how slowly plain gradient descent
    crosses it. The minimum is the least-squares line (``numpy.linalg.lstsq``).

    Parameters
    ----------
    X : array-like, shape (n, 1) or (n,)
        The inputs, one feature (e.g. from :func:`descend.data.line`).
    y : array-like, shape (n,)
        The targets.

    Returns
    -------
    Surface
        ``name="line_fit"``; ``minima`` holds the least-squares ``(w*, b*)`` and
        ``min_values`` its loss; ``hessian`` is ``(2/n) AᵀA``; ``start`` is (0, 0) (the
        flat line y = 0); the window is centred on the minimum and contains the start.

    Raises
    ------
    ValueError
        When ``X`` has more than one column, the lengths differ, there are fewer than
        two examples, or every ``x`` is equal (then no single line is best).

    Introduced in: book/07-linear-regression
    """
    X = as_float_array(X, "X", ndim=(1, 2))
    if X.ndim == 2 and X.shape[1] != 1:
        raise ValueError(
            f"X must hold one feature, shape (n, 1) or (n,), got shape {X.shape}; "
            "a line has one slope"
        )
    x = X.reshape(-1)
    y = as_float_array(y, "y", ndim=(1, 2)).reshape(-1)
    if x.shape != y.shape:
        raise ValueError(
            f"X has {x.size} examples but y has {y.size}; they need one target per input"
        )
    if x.size < 2:
        raise ValueError(f"a line fit needs at least two examples, got {x.size}")
    if np.ptp(x) == 0:
        raise ValueError(
            f"every x equals {x[0]:g}, so every slope fits equally well and there is no "
            "single best line; use inputs with at least two different values"
        )
    n = x.size
    A = np.column_stack([x, np.ones(n)])
    H = _freeze(2.0 / n * A.T @ A)
    w_star, b_star = (float(v) for v in np.linalg.lstsq(A, y, rcond=None)[0])
    min_value = float(np.mean((A @ np.array([w_star, b_star]) - y) ** 2))
    # L is exactly quadratic, so L(θ) = L* + ½ (θ − θ*)ᵀ H (θ − θ*): cheap on a whole
    # grid, and accurate near the minimum (no cancellation of large sums)
    h11, h12, h22 = float(H[0, 0]), float(H[0, 1]), float(H[1, 1])

    def f(w: Any, b: Any) -> Any:
        w, b = _xy(w, b)
        dw, db = w - w_star, b - b_star
        return min_value + 0.5 * (h11 * dw * dw + 2.0 * h12 * dw * db + h22 * db * db)

    def grad(w: Any, b: Any) -> tuple[Any, Any]:
        w, b = _xy(w, b)
        dw, db = w - w_star, b - b_star
        return h11 * dw + h12 * db, h12 * dw + h22 * db

    # a window centred on the minimum that also holds the start (0, 0)
    r = 1.5 * max(abs(w_star), abs(b_star), 1.0)
    return Surface(
        name="line_fit",
        f=f,
        grad=grad,
        minima=((w_star, b_star),),
        xlim=(w_star - r, w_star + r),
        ylim=(b_star - r, b_star + r),
        start=(0.0, 0.0),
        min_values=(min_value,),
        hessian=H,
        formula=r"L(w, b) = \tfrac1n \sum_i (w x_i + b - y_i)^2",
    )


def directional_derivative(surface: Any, p: Any, angle: Any) -> np.ndarray:
    """The slope of ``surface`` at ``p`` in the direction at ``angle``: ``D_u f = ∇f(p) · u``.

    ``u = (cos angle, sin angle)`` is the unit vector at ``angle`` radians from the
    x-axis. The slope is largest, ``|∇f(p)|``, when ``u`` points along the gradient,
    zero across it, and ``−|∇f(p)|`` against it.

    Parameters
    ----------
    surface : Surface
        Anything with ``gradient(p) -> array of shape (2,)``.
    p : array-like, shape (2,)
        The point.
    angle : float or array-like of any shape
        Direction(s) in radians.

    Returns
    -------
    ndarray, shape of ``angle``
        The directional derivative for each angle.

    Introduced in: book/04-gradient
    """
    if not callable(getattr(surface, "gradient", None)):
        raise TypeError(
            f"surface must have a gradient(p) method (like ds.surfaces.get('himmelblau')), "
            f"got {type(surface).__name__}"
        )
    g = np.asarray(surface.gradient(p), dtype=float)
    if g.shape != (2,):
        raise ValueError(f"surface.gradient(p) must return shape (2,), got {g.shape}")
    a = as_float_array(angle, "angle")
    return g[0] * np.cos(a) + g[1] * np.sin(a)


SURFACES: dict[str, Callable[..., Surface]] = {
    "quadratic": quadratic,
    "rosenbrock": rosenbrock,
    "himmelblau": himmelblau,
    "beale": beale,
    "saddle": saddle,
    "multi_well": multi_well,
}


def get(name: str, **kwargs: Any) -> Surface:
    """Build a surface by name, e.g. ``get("quadratic", condition=50)``.

    Parameters
    ----------
    name : str
        One of ``quadratic``, ``rosenbrock``, ``himmelblau``, ``beale``, ``saddle``,
        ``multi_well``.
    **kwargs
        Passed to the builder (only ``quadratic`` and ``rosenbrock`` take any).

    Introduced in: book/04-gradient
    """
    check_choice("get", name, SURFACES, "surface")
    return SURFACES[name](**kwargs)
