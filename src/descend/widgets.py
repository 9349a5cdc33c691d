"""Explorers and playgrounds: the book's interactive figures.

Two kinds, both thin layers over a ``render`` function that returns a matplotlib
figure:

* An **explorer** precomputes one frame per parameter value: small quantised PNGs
  (see :func:`descend.plots.fig_to_png`) inside an ``ipywidgets.Stack``, with a
  ``SelectionSlider`` that shows the real values, joined by ``jslink``. The link
  lives in the browser, so an explorer works on the static website with no Python
  running, and instantly in a notebook. Every frame is an ``<img>`` with alt text;
  the slider works with the keyboard (Tab to it, then the arrow keys).
* A **playground** calls ``render`` again whenever a control changes. It needs a
  running kernel; on the static website it shows its first frame and a note on
  how to run the notebook.

Every widget returned here carries the CSS class ``descend-explorer`` (or
``descend-playground``), so the website's tests can find them all.

Introduced in: book/00-one-dimension.ipynb
"""

from __future__ import annotations

import base64
import html
import inspect
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as W
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from descend.plots import LiveFigure, fig_to_png

__all__ = [
    "explorer",
    "explorer2d",
    "playground",
    "frame_html",
    "render_png",
    "slider_labels",
    "EXPLORER_CLASS",
    "PLAYGROUND_CLASS",
    "DEFAULT_NOTE",
]

EXPLORER_CLASS = "descend-explorer"
PLAYGROUND_CLASS = "descend-playground"
DEFAULT_NOTE = (
    "Run this notebook to play: the controls need a live Python kernel (use the launch "
    "button at the top of the page, or run it locally). On the website you see the first "
    "frame only."
)
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

    ``ipywidgets.Image`` renders an ``<img>`` without alt text, so frames are HTML.

    Introduced in: book/00-one-dimension.ipynb
    """
    if not isinstance(png, (bytes, bytearray)) or not bytes(png[:8]) == b"\x89PNG\r\n\x1a\n":
        raise ValueError("png must be the bytes of a PNG file (see descend.plots.fig_to_png)")
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("every frame needs non-empty alt text describing what it shows")
    data = base64.b64encode(bytes(png)).decode("ascii")
    return (
        f'<img class="{html.escape(css_class)}" alt="{html.escape(alt.strip(), quote=True)}" '
        f'src="data:image/png;base64,{data}" style="max-width:100%;height:auto">'
    )


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


def _header(title: str, description: str, css: str) -> list[W.HTML]:
    t = W.HTML(f'<p class="{css}-title"><strong>{html.escape(title)}</strong></p>')
    d = W.HTML(f'<p class="{css}-description">{html.escape(description)}</p>')
    return [t, d]


def _slider(labels: list[str], values: list[Any], index: int) -> W.SelectionSlider:
    # (text, index) pairs: the slider's value is the frame index; the readout is the text
    s = W.SelectionSlider(
        options=list(zip(labels, range(len(values)), strict=True)),
        value=index,
        description="",
        continuous_update=True,
        readout=True,
        layout=W.Layout(width="100%", max_width="40rem"),
        style={"description_width": "0px"},
    )
    s.add_class("descend-slider")
    return s


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
) -> W.VBox:
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
        Resolution and palette size of the frames (see :func:`descend.plots.fig_to_png`).

    Returns
    -------
    ipywidgets.VBox
        Children: title, description, slider, and the ``Stack`` of frames.

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
        frames.append(W.HTML(frame_html(png, _alt_text(alt, f"{title}: {lab}", v))))
    stack = W.Stack(children=frames, selected_index=index)
    stack.add_class("descend-frames")
    slider = _slider(labels, values, index)
    W.jslink((slider, "index"), (stack, "selected_index"))
    box = W.VBox([*_header(title, description, EXPLORER_CLASS), slider, stack])
    box.add_class(EXPLORER_CLASS)
    return box


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
) -> W.VBox:
    """An explorer over two parameters: two sliders and a precomputed frame per pair.

    Frames are an outer ``Stack`` over ``values1`` of inner ``Stack`` s over
    ``values2``; the first slider is linked to the outer stack, the second to every
    inner one. There are ``len(values1) * len(values2)`` frames: keep grids small.

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
    ipywidgets.VBox
        Children: title, description, slider 1, slider 2, the outer ``Stack``.

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
    inner = []
    for v1, lab1 in zip(values1, labels1, strict=True):
        frames = []
        for v2, lab2 in zip(values2, labels2, strict=True):
            png = render_png(render, v1, v2, dpi=dpi, colors=colors)
            text = _alt_text(alt, f"{title}: {lab1}, {lab2}", v1, v2)
            frames.append(W.HTML(frame_html(png, text)))
        st = W.Stack(children=frames, selected_index=i2)
        inner.append(st)
    outer = W.Stack(children=inner, selected_index=i1)
    outer.add_class("descend-frames")
    s1 = _slider(labels1, values1, i1)
    s2 = _slider(labels2, values2, i2)
    W.jslink((s1, "index"), (outer, "selected_index"))
    for st in inner:
        W.jslink((s2, "index"), (st, "selected_index"))
    box = W.VBox([*_header(title, description, EXPLORER_CLASS), s1, s2, outer])
    box.add_class(EXPLORER_CLASS)
    return box


def playground(
    render: Callable[..., Any],
    controls: Mapping[str, W.ValueWidget],
    *,
    title: str,
    description: str,
    note: str | None = None,
    alt: Callable[..., str] | None = None,
    dpi: float = 80,
) -> W.VBox:
    """A live playground: controls whose every change re-renders the figure.

    ``render`` is either a function that returns a figure, or a generator function
    that yields one several times, for instance after every few epochs of training.
    A generator's frames are shown as they come, drawn in a background thread, so the
    first picture of a new setting appears at once, the learner watches the rest
    arrive, and the controls stay free: another change stops the run at its next
    frame and starts a new one. Only the last frame is drawn when the playground is
    built (the picture the static website shows) and by ``box.update()``.

    Parameters
    ----------
    render : callable
        ``render(**values) -> Figure``, called with one keyword per control; or a
        generator function ``render(**values)`` yielding Figures. A generator may
        yield the same figure again after changing its artists in place; the fast
        way is a :class:`descend.plots.LiveFigure`, which redraws only the artists
        marked animated (see also :class:`descend.plots.BoundaryView`). Make a
        figure you keep with ``matplotlib.figure.Figure(...)``, not
        ``plt.subplots``, so that the notebook does not display it a second time.
    controls : dict
        ``name -> ipywidgets value widget`` (``FloatSlider``, ``Dropdown``, ...);
        sliders are switched to ``continuous_update=False`` so a render runs once
        per release, not once per pixel.
    title, description : str
        As for :func:`explorer`.
    note : str, optional
        One line shown under the figure (default :data:`DEFAULT_NOTE`: run this
        notebook to play).
    alt : callable, optional
        ``alt(**values) -> str``, the alt text of the figure.
    dpi : float
        Resolution of the figure.

    Returns
    -------
    ipywidgets.VBox
        Children: title, description, the controls' box, the figure, a status
        line (errors from ``render`` are shown there, not raised), the note.
        ``box.update()`` renders the current values again, to the end, before it
        returns; ``box.wait(timeout)`` waits for a generator's live run to finish.

    Introduced in: book/00-one-dimension.ipynb
    """
    if not callable(render):
        raise TypeError("render must be a function (**values) -> matplotlib Figure")
    title = _check_text(title, "title")
    description = _check_text(description, "description")
    if not isinstance(controls, Mapping) or not controls:
        raise ValueError("controls must be a non-empty dict name -> ipywidgets value widget")
    for name, c in controls.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"control name {name!r} must be a valid Python identifier")
        if not isinstance(c, W.ValueWidget):
            raise TypeError(
                f"controls[{name!r}] is a {type(c).__name__}; use an ipywidgets value widget "
                "such as FloatSlider, IntSlider or Dropdown"
            )
        if hasattr(c, "continuous_update"):
            c.continuous_update = False
    note = DEFAULT_NOTE if note is None else _check_text(note, "note")
    live = inspect.isgeneratorfunction(render)

    def current() -> dict[str, Any]:
        return {k: c.value for k, c in controls.items()}

    def alt_for(vals: dict[str, Any]) -> str:
        if alt is not None:
            text = alt(**vals)
            if not isinstance(text, str) or not text.strip():
                raise ValueError("alt(**values) must return non-empty text")
            return text
        shown = ", ".join(f"{k} = {v}" for k, v in vals.items())
        return f"{title}: {shown}"

    image = W.HTML("")
    status = W.HTML("")
    status.add_class("descend-playground-status")
    runs = _LiveRuns()

    def show_error(exc: Exception) -> None:
        status.value = f"<p><strong>Could not draw:</strong> {html.escape(str(exc))}</p>"

    def draw_to_end(vals: dict[str, Any]) -> None:
        """Render ``vals`` completely in this thread; only the last frame is drawn."""
        if not live:
            png = render_png(lambda: render(**vals), dpi=dpi)
        else:
            figures = _run_frames(render, vals, lambda fig: True)
            try:
                png = _frame_png(figures[-1], dpi, colors=64)
            finally:
                _close(figures)
        image.value = frame_html(png, alt_for(vals))
        status.value = ""

    def draw_live(vals: dict[str, Any], run_id: int) -> None:
        """A generator's frames, each shown as it comes, until a newer run starts."""

        def show(fig: Figure) -> bool:
            if not runs.is_current(run_id):
                return False
            image.value = frame_html(_frame_png(fig, dpi, colors=None), alt_for(vals))
            return True

        try:
            _close(_run_frames(render, vals, show))
            if runs.is_current(run_id):
                status.value = ""
        except Exception as exc:  # shown to the learner, who can pick other values
            if runs.is_current(run_id):
                show_error(exc)

    def update(_change: Any = None) -> None:
        vals = current()
        runs.start()  # a live run still going stops at its next frame
        try:
            with runs.lock:
                draw_to_end(vals)
        except Exception as exc:
            show_error(exc)

    def on_change(_change: Any = None) -> None:
        if not live:
            update()
            return
        vals = current()
        run_id = runs.start()
        runs.spawn(lambda: draw_live(vals, run_id) if runs.is_current(run_id) else None)

    draw_to_end(current())  # a render that fails here raises: the notebook must not hide it
    for c in controls.values():
        c.observe(on_change, names="value")
    note_w = W.HTML(f'<p class="{PLAYGROUND_CLASS}-note"><em>{html.escape(note)}</em></p>')
    box = W.VBox(
        [
            *_header(title, description, PLAYGROUND_CLASS),
            W.VBox(list(controls.values())),
            image,
            status,
            note_w,
        ]
    )
    box.add_class(PLAYGROUND_CLASS)
    box.update = update  # re-render by hand (tests, or after changing several controls)
    box.wait = runs.wait  # wait for a live run to finish (tests, benchmarks)
    return box


class _LiveRuns:
    """The runs of one playground: which is current, and one at a time on the figure."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # held while a run draws: runs never share a figure
        self._current = 0
        self._threads: list[threading.Thread] = []

    def start(self) -> int:
        self._current += 1
        return self._current

    def is_current(self, run_id: int) -> bool:
        return run_id == self._current

    def spawn(self, work: Callable[[], None]) -> None:
        def locked() -> None:
            with self.lock:
                work()

        self._threads = [t for t in self._threads if t.is_alive()]
        thread = threading.Thread(target=locked, name="descend-playground", daemon=True)
        self._threads.append(thread)
        thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for every live run to finish; True if they did within ``timeout`` seconds."""
        for thread in list(self._threads):
            thread.join(timeout)
        return not any(t.is_alive() for t in self._threads)


def _frame_png(frame: Figure | LiveFigure, dpi: float, colors: int | None) -> bytes:
    if isinstance(frame, LiveFigure):
        return frame.png(colors=colors)
    return fig_to_png(frame, dpi=dpi, colors=colors)


def _run_frames(
    render: Callable[..., Any],
    vals: dict[str, Any],
    show: Callable[[Figure | LiveFigure], bool],
) -> list[Figure | LiveFigure]:
    """Drive a generator ``render(**vals)``, passing each frame to ``show``.

    Stops early when ``show`` returns False. Returns the distinct figures seen (the
    caller closes them); the last yielded is last in the list.
    """
    figures: list[Figure | LiveFigure] = []
    frames = render(**vals)
    try:
        for fig in frames:
            if not isinstance(fig, (Figure, LiveFigure)):
                shown = ", ".join(f"{k}={v!r}" for k, v in vals.items())
                raise TypeError(
                    f"render({shown}) yielded {type(fig).__name__}, not a matplotlib Figure; "
                    "yield the figure itself (or a descend.plots.LiveFigure)"
                )
            if fig in figures:
                figures.remove(fig)
            figures.append(fig)
            if not show(fig):
                break
    except BaseException:
        _close(figures)
        raise
    finally:
        frames.close()
    if not figures:
        raise ValueError("render yielded no figure; yield at least one")
    return figures


def _close(figures: list[Figure | LiveFigure]) -> None:
    for fig in figures:
        if isinstance(fig, Figure):
            plt.close(fig)  # pyplot figures are freed; a plain Figure is left to its owner
