"""Precomputed explorers as live widgets: sliders over PNG frames, no widget manager.

:func:`descend.widgets.explorer` and :func:`descend.widgets.explorer2d` render one small
quantised PNG per parameter value (or pair of values) and return a :class:`Frames`, which
``frames.js`` shows: the title, the description, one or two labelled
``<input type="range">`` sliders with the real value as their readout, and the frame of
the values chosen, an ``<img>`` with its alt text (also announced by an aria-live line).
Like every :class:`descend.live.LiveWidget` it is an anywidget in a notebook with a
kernel, and a placeholder the website's ``live/site.js`` mounts on the static site, so
no page needs the ipywidgets widget manager.

Build explorers with :mod:`descend.widgets`; this module only holds the widget.

Introduced in: book/00-one-dimension
"""

from __future__ import annotations

from typing import Any

import traitlets as t

from . import LiveWidget

__all__ = ["Frames"]


class Frames(LiveWidget):
    """An explorer over one or two parameters whose figures were drawn beforehand.

    Traits
    ------
    title, description : str
        Shown above the sliders (the description is read by screen readers too).
    sliders : list of dict
        One or two ``{"label": "η", "texts": ["η = 0.001", ...]}``: the parameter's name
        and the readout of each of its positions (:func:`descend.widgets.slider_labels`).
    frames : list of dict
        ``{"alt": text, "src": "data:image/png;base64,..."}`` for every position (both
        sliders: row-major, the first slider's position times the second's count plus
        the second's position).
    index : list of int
        The position of each slider; the browser writes it as the reader moves them, and
        setting it from Python moves them.

    Introduced in: book/00-one-dimension
    """

    kind = "frames"
    page_state = ("title", "description", "sliders", "frames", "index")
    fallback_text = (
        "An explorer: sliders over figures drawn beforehand. It runs in the course website, "
        "or in a notebook with a kernel (JupyterLab, Jupyter Notebook, VS Code, Colab) once "
        "the cell has run."
    )
    title = t.Unicode().tag(sync=True)
    description = t.Unicode().tag(sync=True)
    sliders = t.List(t.Dict()).tag(sync=True)
    frames = t.List(t.Dict()).tag(sync=True)
    index = t.List(t.Int()).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        counts = [len(s["texts"]) for s in self.sliders]
        expected = counts[0] * (counts[1] if len(counts) == 2 else 1) if counts else 0
        if not 1 <= len(counts) <= 2 or len(self.frames) != expected:
            raise ValueError(
                f"Frames needs one or two sliders and one frame per position: got "
                f"{len(counts)} slider(s) with {counts} positions and {len(self.frames)} frames"
            )

    @t.validate("index")
    def _check_index(self, proposal: dict) -> list[int]:
        index = list(proposal["value"])
        counts = [len(s["texts"]) for s in self.sliders]
        if len(index) != len(counts) or not all(
            0 <= i < n for i, n in zip(index, counts, strict=True)
        ):
            raise t.TraitError(
                f"index must give a position for each of the {len(counts)} slider(s), "
                f"0 to {[n - 1 for n in counts]}; got {index}"
            )
        return index

    @property
    def frame(self) -> dict[str, str]:
        """The frame shown now: ``{"alt": ..., "src": ...}``."""
        flat = self.index[0]
        if len(self.index) == 2:
            flat = flat * len(self.sliders[1]["texts"]) + self.index[1]
        return self.frames[flat]
