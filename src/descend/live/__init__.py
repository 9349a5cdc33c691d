"""Live explorers: computed in the browser by a small engine, the same widget everywhere.

An explorer is an ES module (``<kind>.js`` in this folder) exporting
``render({model, el, engine, draw})``: it builds its controls and canvases in ``el``,
reads its state with ``model.get(name)``, listens with ``model.on("change:name", f)``,
writes back with ``model.set(name, value); model.save_changes()`` and returns a clean-up
function. ``engine`` is ``engine.js`` (descend's maths in JavaScript, tested against the
library by ``tests/website/test_engine_golden.py``) and ``draw`` is ``draw.js`` (canvas
helpers). The same render runs in two venues:

* **a notebook with a kernel** (JupyterLab, Notebook 7, VS Code, Colab): the explorer is an
  ``anywidget.AnyWidget`` (:class:`LiveWidget`); anywidget's front end imports the entry
  module ``widget.js`` from a blob URL, and that module imports the engine, the drawing
  helpers and the explorer from their sources, sent as the ``_lib`` trait (blob URLs cannot
  import each other by relative path, so the modules have no static imports at all).
  Python sets the state traits and reads back what the browser writes (``history``).
* **the static website**, no kernel and no widget manager: the widget's mime bundle also
  holds ``text/html``, a placeholder ``<div class="descend-live" data-kind=...
  data-state=...>`` carrying the state as JSON; the book's configuration makes the html
  builder prefer it, the book's Sphinx extension copies this folder's ``.js`` files to
  ``_build/html/live/`` and adds ``live/site.js`` to pages holding a placeholder, and
  ``site.js`` mounts each one with the same render and a static model object.

To add an explorer: write ``<kind>.js`` next to ``playground.js`` and a
:class:`LiveWidget` subclass naming ``kind`` and its ``page_state`` traits (see
:class:`Playground`); CONTRIBUTING.md has the checklist.

Introduced in: book/09-network
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, ClassVar

import anywidget
import numpy as np
import traitlets as t

from descend import data as _data
from descend.errors import (
    as_float_array,
    check_choice,
    check_int,
    check_labels,
    check_positive,
    check_rng,
)
from descend.network import Network

__all__ = [
    "LiveWidget",
    "Playground",
    "playground",
    "LearningRate1D",
    "learning_rate_1d",
    "GradientExplorer",
    "gradient_explorer",
    "OptimizerRace",
    "optimizer_race",
    "LearningRateBowl",
    "learning_rate_bowl",
    "InitExplorer",
    "init_explorer",
    "TwoWeights",
    "two_weights",
    "OneNeuron",
    "one_neuron",
    "BasinExplorer",
    "basin_explorer",
    "TrainingExplorer",
    "training_explorer",
    "BatchSizeExplorer",
    "batch_size_explorer",
    "LineFitExplorer",
    "line_fit_explorer",
    "LogisticFitExplorer",
    "logistic_fit_explorer",
    "FeatureScaling",
    "feature_scaling",
    "BackpropExplorer",
    "backprop_explorer",
    "FiniteDifferenceExplorer",
    "finite_difference_explorer",
    "Frames",
    "source",
    "JS_FILES",
]

HERE = Path(__file__).resolve().parent
#: The JavaScript files the website serves from ``live/`` (every explorer and its helpers).
JS_FILES = tuple(sorted(p.name for p in HERE.glob("*.js")))


def source(name: str) -> str:
    """The text of one of this folder's JavaScript files, e.g. ``source("engine.js")``."""
    if name not in JS_FILES:
        raise ValueError(f"no live module {name!r}; the modules are: {', '.join(JS_FILES)}")
    return (HERE / name).read_text(encoding="utf-8")


class LiveWidget(anywidget.AnyWidget):
    """A live explorer: one anywidget in notebooks, a placeholder the site mounts on the web.

    Subclasses set ``kind`` (the explorer module ``<kind>.js``) and ``page_state`` (the
    names of the synced traits the explorer reads; they are written into the website's
    placeholder), and declare those traits with ``.tag(sync=True)``.

    Introduced in: book/09-network
    """

    kind: ClassVar[str] = ""
    page_state: ClassVar[tuple[str, ...]] = ()
    #: What a front end that can run neither widgets nor the site's script shows.
    fallback_text: ClassVar[str] = (
        "A live explorer: it runs in the course website, or in a notebook with a kernel "
        "(JupyterLab, Jupyter Notebook, VS Code, Colab) once the cell has run."
    )

    _esm = (HERE / "widget.js").read_text(encoding="utf-8")
    _lib = t.Dict().tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lib = {
            "engine": source("engine.js"),
            "draw": source("draw.js"),
            "explorer": source(f"{self.kind}.js"),
        }

    def state(self) -> dict[str, Any]:
        """The state the explorer starts from: ``page_state``'s traits as plain JSON values."""
        return {name: getattr(self, name) for name in self.page_state}

    def placeholder_html(self) -> str:
        """The website's ``<div class="descend-live">`` for this explorer (see the module doc)."""
        state = html.escape(json.dumps(self.state(), separators=(",", ":")), quote=True)
        return (
            f'<div class="descend-live" data-kind="{self.kind}" data-state="{state}">'
            f'<p class="descend-live-fallback">{html.escape(self.fallback_text)}</p></div>'
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        data = {**data, "text/html": self.placeholder_html(), "text/plain": self.fallback_text}
        return data, metadata


# ------------------------------------------------------------------ the playground

DATA_SETS = {"two moons": "two_moons", "circles": "circles", "spirals": "spirals", "xor": "xor"}
ACTIVATIONS = ("tanh", "relu", "leaky_relu", "sigmoid", "identity")
OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam")
BATCH_SIZES = (1, 5, 10, 25, 50, 0)  # 0: the whole training set, one batch per epoch
MAX_WIDTH, MAX_DEPTH = 8, 4
DEFAULTS = {
    "data": "spirals",
    "noise": 0.05,  # one of the noise levels (the first one, unless given)
    "width": 8,
    "depth": 2,
    "activation": "tanh",
    "optimizer": "adam",
    "lr": 0.01,
    "batch_size": 10,
}


def _round(a: np.ndarray, decimals: int) -> list:
    return np.round(np.asarray(a, dtype=float), decimals).tolist()


def weights_key(width: int, depth: int, initializer: str) -> str:
    """The key of one architecture's initial weights in :attr:`Playground.weights`."""
    return f"{initializer}/{depth}x{width}"


def _initializer(activation: str) -> str:
    # descend.Network's default: He for the ReLU family, Xavier otherwise
    return "he_normal" if activation in ("relu", "leaky_relu") else "xavier_normal"


class Playground(LiveWidget):
    """Train a small network on a 2-D data set live, in the browser (chapter 9).

    Traits
    ------
    data : dict
        ``{data set: [{"noise", "X", "y", "X_val", "y_val"}, ...]}``: every data set at
        every noise level, made by :mod:`descend.data` (coordinates rounded to 3 decimals;
        the rounded numbers are the data).
    weights : dict
        Initial parameters for every architecture, ``weights_key(width, depth,
        initializer) -> {"W1": ..., "b1": ...}``, drawn by :class:`descend.Network`
        (rounded to 4 decimals; again the rounded numbers are the weights).
    settings : dict
        The controls' values (see ``DEFAULTS``); set it from Python to change the run.
    history : dict
        Written by the browser: ``epoch``, ``epoch_losses``, ``val_losses``,
        ``val_accuracy``, ``diverged`` (the DivergenceError message or None) and the
        ``settings`` of the run.

    Introduced in: book/09-network
    """

    kind = "playground"
    page_state = ("data", "weights", "settings")
    data = t.Dict().tag(sync=True)
    weights = t.Dict().tag(sync=True)
    settings = t.Dict().tag(sync=True)
    history = t.Dict().tag(sync=True)

    def set_data(self, X: Any, y: Any, X_val: Any, y_val: Any, name: str = "your data") -> None:
        """Train on your own data: the playground then offers only this data set.

        ``X`` and ``X_val`` are points of shape ``(n, 2)``, ``y`` and ``y_val`` labels 0 or
        1. The browser picks it up at once (and starts a new run).

        Introduced in: book/09-network
        """
        sets = []
        for xs, ys, what in ((X, y, "X, y"), (X_val, y_val, "X_val, y_val")):
            xs = as_float_array(xs, what.split(",")[0], ndim=2)
            ys = np.asarray(check_labels(ys, what.split(", ")[1]))
            if xs.shape[1] != 2 or len(xs) != len(ys) or len(xs) == 0:
                raise ValueError(
                    f"{what} must be points of shape (n, 2) and n labels, got shapes "
                    f"{xs.shape} and {ys.shape}"
                )
            if not np.isin(ys, (0, 1)).all():
                raise ValueError(f"{what.split(', ')[1]} must hold labels 0 and 1 only")
            sets.append((xs, ys))
        (X, y), (X_val, y_val) = sets
        entry = {
            "noise": 0.0,
            "X": _round(X, 3),
            "y": y.astype(int).tolist(),
            "X_val": _round(X_val, 3),
            "y_val": y_val.astype(int).tolist(),
        }
        self.settings = {**self.settings, "data": name, "noise": 0.0}
        self.data = {name: [entry]}

    def network(self, settings: dict[str, Any] | None = None) -> Network:
        """The :class:`descend.Network` a run with these settings starts from (same weights)."""
        s = {**self.settings, **(settings or {})}
        init = _initializer(s["activation"])
        net = Network(
            [2] + [s["width"]] * s["depth"] + [1],
            activation=s["activation"] if s["depth"] else [],
            initializer="zeros",
        )
        for name, value in self.weights[weights_key(s["width"], s["depth"], init)].items():
            net.params[name][...] = value
        return net


def playground(
    rng: np.random.Generator | None = None,
    n: int = 300,
    noise_levels: tuple[float, ...] = (0.05, 0.1, 0.2),
    val_fraction: float = 1 / 3,
    **settings: Any,
) -> Playground:
    """A :class:`Playground` with every data set and initial weights drawn from ``rng``.

    Parameters
    ----------
    rng : np.random.Generator
        Draws the data sets, their split and the initial weights. Required.
    n : int
        Points per data set (training and validation together), 20 to 2000.
    noise_levels : tuple of float
        The noise levels offered (the ``noise`` argument of the data set functions).
    val_fraction : float
        The share of each data set held out for validation.
    **settings
        Starting values of the controls: ``data`` (``"two moons"``, ``"circles"``,
        ``"spirals"``, ``"xor"``), ``noise`` (one of ``noise_levels``), ``width``
        (1-8), ``depth`` (0-4 hidden layers), ``activation``, ``optimizer`` (``"sgd"``,
        ``"momentum"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"``), ``lr``, ``batch_size``
        (1, 5, 10, 25, 50, or 0 for the whole training set).

    Introduced in: book/09-network
    """
    rng = check_rng(rng, "playground")
    n = check_int(n, "n", 20, 2000, " (points per data set)")
    levels = [check_positive(v, "noise level", allow_zero=True) for v in noise_levels]
    if not levels:
        raise ValueError("noise_levels must offer at least one noise level, e.g. (0.1,)")
    unknown = sorted(set(settings) - set(DEFAULTS))
    if unknown:
        raise TypeError(f"unknown setting(s) {unknown}; the settings are {sorted(DEFAULTS)}")
    s = {**DEFAULTS, "noise": levels[0], **settings}  # the lowest noise unless told
    check_choice("playground", s["data"], DATA_SETS, "data set")
    check_choice("playground", s["activation"], ACTIVATIONS, "activation")
    check_choice("playground", s["optimizer"], OPTIMIZERS, "optimizer")
    check_int(s["width"], "width", 1, MAX_WIDTH)
    check_int(s["depth"], "depth", 0, MAX_DEPTH)
    if s["noise"] not in levels:
        raise ValueError(f"noise must be one of the noise levels {levels}, got {s['noise']!r}")
    check_positive(s["lr"], "lr")
    if s["batch_size"] not in BATCH_SIZES:
        raise ValueError(
            f"batch_size must be one of {BATCH_SIZES} (0: all), got {s['batch_size']!r}"
        )

    data = {}
    for label, fn in DATA_SETS.items():
        data[label] = []
        for level in levels:
            X, y = getattr(_data, fn)(n, level, rng=rng)
            X_train, y_train, X_val, y_val = _data.train_val_split(X, y, val_fraction, rng=rng)
            data[label].append(
                {
                    "noise": level,
                    "X": _round(X_train, 3),
                    "y": np.asarray(y_train).astype(int).tolist(),
                    "X_val": _round(X_val, 3),
                    "y_val": np.asarray(y_val).astype(int).tolist(),
                }
            )
    weights = {}
    for init in ("xavier_normal", "he_normal"):
        for depth in range(MAX_DEPTH + 1):
            for width in range(1, MAX_WIDTH + 1) if depth else [1]:
                sizes = [2] + [width] * depth + [1]
                act = "relu" if init == "he_normal" else "tanh"
                net = Network(sizes, activation=act if depth else [], initializer=init, rng=rng)
                key = weights_key(width, depth, init)
                weights[key] = {k: _round(v, 4) for k, v in net.params.items()}
    return Playground(data=data, weights=weights, settings=s)


# the explorers' classes live in their own modules, which import LiveWidget from here
from descend.live.explorers_a import (  # noqa: E402, F401
    GradientExplorer,
    LearningRate1D,
    gradient_explorer,
    learning_rate_1d,
)
from descend.live.explorers_b import (  # noqa: E402, F401
    LearningRateBowl,
    OptimizerRace,
    learning_rate_bowl,
    optimizer_race,
)
from descend.live.explorers_backprop import (  # noqa: E402, F401
    BackpropExplorer,
    FiniteDifferenceExplorer,
    backprop_explorer,
    finite_difference_explorer,
)
from descend.live.explorers_batch import (  # noqa: E402, F401
    BatchSizeExplorer,
    batch_size_explorer,
)
from descend.live.explorers_forward import (  # noqa: E402, F401
    OneNeuron,
    TwoWeights,
    one_neuron,
    two_weights,
)
from descend.live.explorers_init import (  # noqa: E402, F401
    InitExplorer,
    init_explorer,
)
from descend.live.explorers_iterate import (  # noqa: E402, F401
    BasinExplorer,
    TrainingExplorer,
    basin_explorer,
    training_explorer,
)
from descend.live.explorers_regression import (  # noqa: E402, F401
    FeatureScaling,
    LineFitExplorer,
    LogisticFitExplorer,
    feature_scaling,
    line_fit_explorer,
    logistic_fit_explorer,
)
from descend.live.frames import Frames  # noqa: E402, F401
