"""Explorers: the book's precomputed interactive figures, and the PNG frames they hold.

An **explorer** is a thin layer over a ``render`` function that returns a matplotlib
figure: it precomputes one frame per parameter value (or pair of values), a small
quantised PNG (:func:`fig_to_png`), and returns a :class:`descend.live.frames.Frames`
widget holding them with the slider's readouts (``"η = 0.084"``) and alt texts. Its
JavaScript, ``descend/live/frames.js``, shows one or two ``<input type="range">`` sliders
and the frame of the values chosen. Like every live explorer of :mod:`descend.live` it is
an anywidget in a notebook with a kernel and a placeholder the website mounts with its
own small script: no Python, and no ipywidgets widget manager, on the static website.
Every frame is an ``<img>`` with alt text; the sliders work with the keyboard (Tab to
one, then the arrow keys) and by touch.

Live explorers, which compute in the browser, are in :mod:`descend.live`.

Every explorer's root element carries the CSS class ``descend-explorer``
(``EXPLORER_CLASS``), so the website's tests can find them all.

Introduced in: book/00-one-dimension.ipynb
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.mathtext import MathTextParser

from descend.errors import check_positive
from descend.live.frames import Frames

__all__ = [
    "explorer",
    "explorer2d",
    "fig_to_png",
    "frame_html",
    "render_png",
    "slider_labels",
    "EXPLORER_CLASS",
]

EXPLORER_CLASS = "descend-explorer"
_MAX_FRAMES = 400


def render_png(render: Callable[..., Any], *args: Any, dpi: float = 80, colors: int = 64) -> bytes:
    """Call ``render(*args)``, check it returned a Figure, and return it as a quantised PNG.

    The figure is closed afterwards, so a loop of frames does not pile up figures.

    Introduced in: book/00-one-dimension.ipynb
    """
    fig = render(*args)
    if not isinstance(fig, Figure):
        shown = ", ".join(repr(a) for a in args)
        raise TypeError(
            f"render({shown}) returned {type(fig).__name__}, not a matplotlib Figure; "
            "make it end with `return fig` (from fig, ax = plt.subplots())"
        )
    try:
        return fig_to_png(fig, dpi=dpi, colors=colors)
    finally:
        plt.close(fig)


def frame_html(png: bytes, alt: str, css_class: str = "descend-frame") -> str:
    """An ``<img>`` element holding ``png`` inline (base64) with the given alt text.

    Introduced in: book/00-one-dimension.ipynb
    """
    _check_png(png)
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("every frame needs non-empty alt text describing what it shows")
    data = base64.b64encode(bytes(png)).decode("ascii")
    return (
        f'<img class="{html.escape(css_class)}" alt="{html.escape(alt.strip(), quote=True)}" '
        f'src="data:image/png;base64,{data}" style="max-width:100%;height:auto">'
    )


def _check_png(png: Any) -> None:
    if not isinstance(png, (bytes, bytearray)) or not bytes(png[:8]) == b"\x89PNG\r\n\x1a\n":
        raise ValueError("png must be the bytes of a PNG file (see descend.widgets.fig_to_png)")


def slider_labels(values: Sequence[Any], label: str, fmt: str = "{:g}") -> list[str]:
    """The slider's text for each value: ``"<label> = <fmt.format(value)>"``.

    Raises ``ValueError`` for an empty sequence or when two values get the same text
    (give ``fmt`` more digits).

    Introduced in: book/00-one-dimension.ipynb
    """
    values = _check_values(values, "values")
    if not isinstance(label, str) or not label.strip():
        raise ValueError("label must be a non-empty string, e.g. label='η'")
    try:
        texts = [fmt.format(v) for v in values]
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        raise ValueError(f"fmt {fmt!r} cannot format the values: {exc}") from exc
    seen: dict[str, Any] = {}
    for v, t in zip(values, texts, strict=True):
        if t in seen:
            raise ValueError(
                f"fmt {fmt!r} shows both {seen[t]!r} and {v!r} as {t!r}; "
                "use a format with more digits, e.g. '{:.3g}', or remove duplicate values"
            )
        seen[t] = v
    return [f"{label.strip()} = {t}" for t in texts]


def _check_values(values: Any, name: str) -> list[Any]:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise TypeError(f"{name} must be a sequence of values (a list or 1-D array)")
    values = list(values)
    if not values:
        raise ValueError(f"{name} is empty; give at least one value to show")
    if len(values) > _MAX_FRAMES:
        raise ValueError(f"{name} has {len(values)} entries; keep explorers under {_MAX_FRAMES}")
    for v in values:
        if isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isfinite(v):
            raise ValueError(f"{name} holds {v!r}; every value must be a finite number")
    return values


def _index_of(values: Sequence[Any], target: Any, name: str) -> int:
    if target is None:
        return 0
    for i, v in enumerate(values):
        if v == target:
            return i
        try:
            if math.isclose(float(v), float(target), rel_tol=1e-9, abs_tol=1e-12):
                return i
        except (TypeError, ValueError):
            continue
    raise ValueError(f"{name}={target!r} is not one of the values {list(values)!r}")


def _alt_text(alt: Callable[..., str] | None, default: str, *args: Any) -> str:
    if alt is None:
        return default
    if not callable(alt):
        raise TypeError("alt must be a function value -> alt text (or None)")
    text = alt(*args)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"alt{args!r} returned {text!r}; it must return non-empty text")
    return text


def _check_text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string (it is read by screen readers)")
    return value.strip()


def _frame(png: bytes, alt: str) -> dict[str, str]:
    """One frame of a :class:`~descend.live.frames.Frames`: its alt text and its PNG inline."""
    _check_png(png)
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("every frame needs non-empty alt text describing what it shows")
    return {"alt": alt.strip(), "src": "data:image/png;base64," + base64.b64encode(png).decode()}


def explorer(
    render: Callable[[Any], Figure],
    values: Sequence[Any],
    *,
    label: str,
    title: str,
    description: str,
    fmt: str = "{:g}",
    initial: Any = None,
    alt: Callable[[Any], str] | None = None,
    dpi: float = 80,
    colors: int = 64,
) -> Frames:
    """An explorer over one parameter: a slider of real values and one precomputed frame each.

    Parameters
    ----------
    render : callable
        ``render(value) -> Figure``; the explorer closes each figure after rendering it.
    values : sequence
        The parameter values, in slider order (numbers, or short strings).
    label : str
        The symbol or name shown before the value, e.g. ``"η"`` gives ``"η = 0.084"``.
    title : str
        One line shown above the explorer.
    description : str
        What the explorer shows, in words (shown, and read by screen readers).
    fmt : str
        Format of the value in the slider, e.g. ``"{:.3g}"``.
    initial : optional
        The value shown first (default: the first value).
    alt : callable, optional
        ``alt(value) -> str``, the alt text of each frame (default: title and value).
    dpi, colors : optional
        Resolution and palette size of the frames (see :func:`fig_to_png`).

    Returns
    -------
    descend.live.frames.Frames
        The widget (``frames.js``): a slider whose readout is ``"<label> = <value>"`` and
        the frame of the value chosen; its ``index`` trait is ``[position]``.

    Introduced in: book/00-one-dimension.ipynb
    """
    if not callable(render):
        raise TypeError("render must be a function value -> matplotlib Figure")
    title = _check_text(title, "title")
    description = _check_text(description, "description")
    values = _check_values(values, "values")
    labels = slider_labels(values, label, fmt)
    index = _index_of(values, initial, "initial")
    frames = []
    for v, lab in zip(values, labels, strict=True):
        png = render_png(render, v, dpi=dpi, colors=colors)
        frames.append(_frame(png, _alt_text(alt, f"{title}: {lab}", v)))
    return Frames(
        title=title,
        description=description,
        sliders=[{"label": label.strip(), "texts": labels}],
        frames=frames,
        index=[index],
    )


def explorer2d(
    render: Callable[[Any, Any], Figure],
    values1: Sequence[Any],
    values2: Sequence[Any],
    *,
    labels: tuple[str, str],
    title: str,
    description: str,
    fmts: tuple[str, str] = ("{:g}", "{:g}"),
    initial: tuple[Any, Any] | None = None,
    alt: Callable[[Any, Any], str] | None = None,
    dpi: float = 80,
    colors: int = 64,
) -> Frames:
    """An explorer over two parameters: two sliders and a precomputed frame per pair.

    There are ``len(values1) * len(values2)`` frames: keep grids small.

    Parameters
    ----------
    render : callable
        ``render(v1, v2) -> Figure``.
    values1, values2 : sequence
        The two parameters' values.
    labels : (str, str)
        The two symbols or names shown before the values.
    title, description : str
        As for :func:`explorer`.
    fmts : (str, str)
        Formats of the two values.
    initial : (v1, v2), optional
        The pair shown first (default: the first of each).
    alt : callable, optional
        ``alt(v1, v2) -> str``, the alt text of each frame.
    dpi, colors : optional
        As for :func:`explorer`.

    Returns
    -------
    descend.live.frames.Frames
        The widget: two sliders and the frame of the pair chosen, frames in row-major
        order (``values1`` outer); its ``index`` trait is ``[position1, position2]``.

    Introduced in: book/00-one-dimension.ipynb
    """
    if not callable(render):
        raise TypeError("render must be a function (v1, v2) -> matplotlib Figure")
    title = _check_text(title, "title")
    description = _check_text(description, "description")
    if not isinstance(labels, (tuple, list)) or len(labels) != 2:
        raise ValueError("labels must be a pair of names, e.g. labels=('η', 'batch size')")
    if not isinstance(fmts, (tuple, list)) or len(fmts) != 2:
        raise ValueError("fmts must be a pair of formats, e.g. fmts=('{:g}', '{:d}')")
    values1 = _check_values(values1, "values1")
    values2 = _check_values(values2, "values2")
    if len(values1) * len(values2) > _MAX_FRAMES:
        raise ValueError(
            f"{len(values1)} x {len(values2)} = {len(values1) * len(values2)} frames is too "
            f"many (limit {_MAX_FRAMES}); use fewer values"
        )
    labels1 = slider_labels(values1, labels[0], fmts[0])
    labels2 = slider_labels(values2, labels[1], fmts[1])
    if initial is None:
        initial = (None, None)
    if not isinstance(initial, (tuple, list)) or len(initial) != 2:
        raise ValueError("initial must be a pair (v1, v2) or None")
    i1 = _index_of(values1, initial[0], "initial[0]")
    i2 = _index_of(values2, initial[1], "initial[1]")
    frames = []
    for v1, lab1 in zip(values1, labels1, strict=True):
        for v2, lab2 in zip(values2, labels2, strict=True):
            png = render_png(render, v1, v2, dpi=dpi, colors=colors)
            frames.append(_frame(png, _alt_text(alt, f"{title}: {lab1}, {lab2}", v1, v2)))
    return Frames(
        title=title,
        description=description,
        sliders=[
            {"label": labels[0].strip(), "texts": labels1},
            {"label": labels[1].strip(), "texts": labels2},
        ],
        frames=frames,
        index=[i1, i2],
    )


# ------------------------------------------------------------------ frames: figures as small PNGs


def fig_to_png(fig: Figure, dpi: float = 80, colors: int | None = 64) -> bytes:
    """Render ``fig`` to a small PNG: rasterised at ``dpi`` and quantised to ``colors`` colours.

    The explorers store one such PNG per frame, so a page with many frames stays small.
    ``colors=None`` gives a full-colour PNG written with fast compression instead, about
    ten times quicker to make and a few times larger.

    Parameters
    ----------
    fig : Figure
        The figure to render (left open; the caller closes it).
    dpi : float
        Dots per inch, 30-300 (72-100 is the book's range for explorer frames).
    colors : int or None
        Size of the palette the image is quantised to, 2-256; ``None`` for no
        quantising (speed over size).

    Returns
    -------
    bytes
        A palette ("P" mode) PNG file, or an RGB one when ``colors`` is None.

    Introduced in: book/00-one-dimension.ipynb
    """
    if not isinstance(fig, Figure):
        raise TypeError(
            f"fig_to_png needs a matplotlib Figure, got {type(fig).__name__}; "
            "return the figure from plt.subplots() (fig, ax = plt.subplots())"
        )
    dpi, colors = _check_png_options(dpi, colors)
    # Draw once with Agg straight into memory (no intermediate PNG, no "tight" second
    # pass: a render function sets its own layout, e.g. fig.tight_layout()).
    old_canvas, old_dpi = fig.canvas, fig.dpi
    try:
        canvas = FigureCanvasAgg(fig)
        fig.dpi = dpi
        # Every new canvas makes a renderer with its own maths parser, whose cache then
        # starts empty: each $x_1$ or 10^{-2} label of every frame was parsed again (about
        # 10-20 ms each). One parser for all frames keeps what it has parsed.
        canvas.get_renderer().mathtext_parser = _MATHTEXT
        canvas.draw()
        return _encode_png(canvas, colors)
    finally:
        fig.dpi = old_dpi
        fig.set_canvas(old_canvas)


_MATHTEXT = MathTextParser("path")  # what matplotlib's Agg renderer uses, shared by all frames


def _check_png_options(dpi: Any, colors: Any) -> tuple[float, int | None]:
    dpi = check_positive(dpi, "dpi")
    if not 30 <= dpi <= 300:
        raise ValueError(f"dpi must be between 30 and 300, got {dpi:g}")
    if colors is not None and (
        isinstance(colors, bool) or not isinstance(colors, (int, np.integer))
    ):
        raise TypeError(f"colors must be an integer 2-256, or None for full colour; got {colors!r}")
    if colors is not None and not 2 <= colors <= 256:
        raise ValueError(f"colors must be between 2 and 256, got {colors}")
    return dpi, None if colors is None else int(colors)


def _encode_png(canvas: FigureCanvasAgg, colors: int | None) -> bytes:
    """The canvas's pixels as a PNG: quantised to ``colors``, or full colour and fast."""
    from PIL import Image

    rgba = np.asarray(canvas.buffer_rgba())
    rgb = Image.fromarray(np.ascontiguousarray(rgba[..., :3]))
    out = io.BytesIO()
    if colors is None:
        rgb.save(out, format="PNG", compress_level=1)
    else:
        quant = rgb.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=0)
        quant.save(out, format="PNG", optimize=True)
    return out.getvalue()
