"""Live explorers of chapter 6: which basin a start reaches; the running example trained live.

* :class:`BasinExplorer` (``basins.js``): pick a start anywhere on a non-convex surface of
  :mod:`descend.surfaces`; plain gradient descent runs from it in the browser
  (``engine.js``'s ``minimize``, golden-tested against :func:`descend.minimize`), its path
  is drawn to where it ends and the minimum it reaches is named. A faint basin map colours
  every start of a grid by the minimum it reaches, computed the same way.
* :class:`TrainingExplorer` (``training.js``): a network trained epoch by epoch in the
  browser (``engine.js``'s ``trainEpoch``) with Play, Pause, Step, Reset and an epoch
  slider, its decision boundary and both loss curves drawn as it goes. The data, the
  initial weights and every epoch's batch order come from Python (the engine draws no
  random numbers), so the browser's run is :func:`descend.train.train`'s, epoch by epoch.

Introduced in: book/06-iterate
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import traitlets as t

from descend import surfaces as _surfaces
from descend.errors import as_float_array, check_choice, check_in_range, check_int, check_rng
from descend.network import Network

from . import LiveWidget

__all__ = [
    "BASIN_SURFACES",
    "BasinExplorer",
    "basin_explorer",
    "slider_lr",
    "TrainingExplorer",
    "training_explorer",
    "batch_orders",
    "decode_orders",
]

# ------------------------------------------------------------------ basins of attraction

#: The surfaces offered: name -> the learning-rate slider's ends (log scale).
BASIN_SURFACES: dict[str, tuple[float, float]] = {"multi_well": (1e-3, 0.5)}
LR_POSITIONS = 300  # the learning-rate sliders' positions (both explorers)
MAX_STEPS = 500


def slider_lr(position: int, lr_range: tuple[float, float], positions: int = LR_POSITIONS) -> float:
    """The learning rate at a log-scale slider's ``position`` (0 .. ``positions``), as the
    browser computes it: ``lo (hi / lo) ** (position / positions)`` to 3 significant digits.

    Introduced in: book/06-iterate
    """
    lo, hi = lr_range
    position = check_int(position, "position", 0, positions)
    return float(f"{lo * (hi / lo) ** (position / positions):.3g}")


class BasinExplorer(LiveWidget):
    """Pick a start on a non-convex surface; see the path and which minimum it reaches.

    Traits
    ------
    surface : dict
        ``name``, ``params`` (the engine's arguments), ``xlim``, ``ylim``, ``minima``
        (deepest first), ``min_values``, ``saddles``, ``fmin`` and ``lr_range`` (the
        learning-rate slider's ends).
    settings : dict
        ``x``, ``y`` (the start), ``lr``, ``steps`` and ``basins`` (show the basin map);
        set it from Python to move the controls.
    history : dict
        Written by the browser: ``start``, ``end``, ``value`` (f at the end), ``minimum``
        (the index of the minimum reached, deepest first; None if the run had not
        settled within 1e-3 of one, or diverged) and ``diverged``.

    Introduced in: book/06-iterate
    """

    kind = "basins"
    page_state = ("surface", "settings")
    surface = t.Dict().tag(sync=True)
    settings = t.Dict().tag(sync=True)
    history = t.Dict().tag(sync=True)


def basin_explorer(
    surface: str = "multi_well",
    start: tuple[float, float] = (0.0, 0.0),
    lr: float = 0.05,
    steps: int = 150,
    basins: bool = True,
) -> BasinExplorer:
    """A :class:`BasinExplorer` on ``surface`` (one of :data:`BASIN_SURFACES`).

    Parameters
    ----------
    surface : str
        The surface, ``"multi_well"``.
    start : (float, float)
        The first start shown, inside the surface's window.
    lr : float
        Plain gradient descent's learning rate, inside the slider's range (1e-3 to 0.5).
    steps : int
        Steps per run, 1 to 500.
    basins : bool
        Whether the basin map is shown at first.

    No random numbers are involved.

    Introduced in: book/06-iterate
    """
    check_choice("basin_explorer", surface, BASIN_SURFACES, "surface")
    s = _surfaces.get(surface)
    lr_range = BASIN_SURFACES[surface]
    lr = check_in_range(lr, "lr", *lr_range, why="the slider's range")
    steps = check_int(steps, "steps", 1, MAX_STEPS)
    if len(start) != 2:
        raise ValueError(f"start must be a point (x, y), got {start!r}")
    x, y = (float(v) for v in start)
    if not (s.xlim[0] <= x <= s.xlim[1] and s.ylim[0] <= y <= s.ylim[1]):
        raise ValueError(
            f"start {start!r} lies outside the {surface} window x in {list(s.xlim)}, "
            f"y in {list(s.ylim)}; pick a start inside it"
        )
    return BasinExplorer(
        surface={
            "name": surface,
            "params": {},
            "xlim": [float(v) for v in s.xlim],
            "ylim": [float(v) for v in s.ylim],
            "minima": [[float(v) for v in m] for m in s.minima],
            "min_values": [float(v) for v in s.min_values],
            "saddles": [[float(v) for v in p] for p in s.saddles],
            "fmin": float(min(s.min_values)),
            "lr_range": list(lr_range),
        },
        settings={"x": x, "y": y, "lr": lr, "steps": steps, "basins": bool(basins)},
    )


# ------------------------------------------------------------------ the running example, live

BATCH_SIZES = (1, 8, 16, 32, 64, 0)  # 0: the whole training set, one batch per epoch
TRAIN_LR_RANGE = (1e-4, 1.0)
MAX_EPOCHS = 1000


def batch_orders(n: int, epochs: int, rng: np.random.Generator) -> list[np.ndarray]:
    """The batch order of every epoch, as :func:`descend.train.train` draws them.

    ``train`` shuffles through :func:`descend.data.minibatches`, which draws one
    ``rng.permutation(n)`` per epoch whatever the batch size (and none when an epoch is
    one full batch, which needs no order). So with the same ``rng`` these are the orders
    of ``train(..., rng=rng)`` for every batch size below ``n``.

    Introduced in: book/06-iterate
    """
    rng = check_rng(rng, "batch_orders")
    return [rng.permutation(n) for _ in range(epochs)]


def _encode_orders(orders: list[np.ndarray], n: int) -> dict[str, Any]:
    width = 1 if n <= 256 else 2  # bytes per index
    raw = np.concatenate(orders).astype("<u1" if width == 1 else "<u2").tobytes()
    return {
        "n": n,
        "epochs": len(orders),
        "bytes": width,
        "data": base64.b64encode(raw).decode("ascii"),
    }


def decode_orders(orders: dict[str, Any]) -> np.ndarray:
    """The batch orders of :attr:`TrainingExplorer.orders` as an ``(epochs, n)`` array.

    Introduced in: book/06-iterate
    """
    dtype = "<u1" if orders["bytes"] == 1 else "<u2"
    flat = np.frombuffer(base64.b64decode(orders["data"]), dtype=dtype)
    return flat.reshape(orders["epochs"], orders["n"]).astype(int)


class TrainingExplorer(LiveWidget):
    """A network trained live in the browser: its decision boundary and both loss curves.

    Traits
    ------
    data : dict
        ``X``, ``y``, ``X_val``, ``y_val``: the points (full precision: the browser's
        run is descend's) and labels 0/1.
    network : dict
        ``sizes``, ``activation``, ``loss`` and ``params`` (the initial weights, full
        precision, drawn in Python).
    orders : dict
        Every epoch's batch order, from :func:`batch_orders`: ``n``, ``epochs``,
        ``bytes`` (per index) and ``data`` (base64 of the indices, little-endian).
    settings : dict
        ``optimizer`` (``"adam"`` or ``"sgd"``), ``lr``, ``batch_size`` (0: full batch),
        ``epoch`` (shown) and ``epochs`` (the run's length); set it from Python to move
        the controls.
    history : dict
        Written by the browser: ``epoch``, ``epoch_losses``, ``val_losses``,
        ``initial_loss``, ``initial_val_loss``, ``val_accuracy``, ``diverged``, ``settings``.

    Introduced in: book/06-iterate
    """

    kind = "training"
    page_state = ("data", "network", "orders", "settings")
    data = t.Dict().tag(sync=True)
    network = t.Dict().tag(sync=True)
    orders = t.Dict().tag(sync=True)
    settings = t.Dict().tag(sync=True)
    history = t.Dict().tag(sync=True)

    def start_network(self) -> Network:
        """A fresh :class:`descend.Network` with the run's initial weights."""
        net_state = self.network
        net = Network(
            net_state["sizes"],
            activation=net_state["activation"],
            loss=net_state["loss"],
            initializer="zeros",
        )
        for name, value in net_state["params"].items():
            net.params[name][...] = value
        return net


def training_explorer(
    network: Network,
    X: Any,
    y: Any,
    X_val: Any,
    y_val: Any,
    *,
    rng: np.random.Generator,
    optimizer: str = "adam",
    lr: float = 0.02,
    batch_size: int = 32,
    epochs: int = 270,
) -> TrainingExplorer:
    """A :class:`TrainingExplorer` training a copy of ``network`` on ``X, y``.

    Parameters
    ----------
    network : descend.Network
        The starting network (its parameters are copied; it is not trained here). Two
        inputs and one output logit, so its decision boundary can be drawn.
    X, y, X_val, y_val : array-like
        Training and validation points ``(n, 2)`` and labels 0/1.
    rng : np.random.Generator
        Draws every epoch's batch order (:func:`batch_orders`); the same ``rng`` given
        to :func:`descend.train.train` gives the same run.
    optimizer : str
        ``"adam"`` or ``"sgd"`` (plain).
    lr : float
        The starting learning rate, 1e-4 to 1 (a log-scale slider in the browser).
    batch_size : int
        One of 1, 8, 16, 32, 64, or 0 for the whole training set.
    epochs : int
        The run's length (the epoch slider's end), 1 to 1000.

    Introduced in: book/06-iterate
    """
    rng = check_rng(rng, "training_explorer")
    if not isinstance(network, Network):
        raise TypeError(f"network must be a descend.Network, got {type(network).__name__}")
    if network.sizes[0] != 2 or network.sizes[-1] != 1:
        raise ValueError(
            f"the network must take 2 inputs and give 1 output logit to draw its decision "
            f"boundary, got sizes {network.sizes}"
        )
    sets = []
    for xs, ys, names in ((X, y, ("X", "y")), (X_val, y_val, ("X_val", "y_val"))):
        xs = as_float_array(xs, names[0], ndim=2)
        ys = np.asarray(ys)
        if xs.shape[1] != 2 or len(xs) != len(ys) or len(xs) == 0:
            raise ValueError(
                f"{names[0]} and {names[1]} must be points of shape (n, 2) and n labels, "
                f"got shapes {xs.shape} and {ys.shape}"
            )
        if not np.isin(ys, (0, 1)).all():
            raise ValueError(f"{names[1]} must hold labels 0 and 1 only")
        sets.append((xs, ys.astype(int)))
    (X, y), (X_val, y_val) = sets
    check_choice("training_explorer", optimizer, ("adam", "sgd"), "optimizer")
    lr = check_in_range(lr, "lr", *TRAIN_LR_RANGE, why="the slider's range")
    if batch_size not in BATCH_SIZES:
        raise ValueError(f"batch_size must be one of {BATCH_SIZES} (0: all), got {batch_size!r}")
    epochs = check_int(epochs, "epochs", 1, MAX_EPOCHS)
    if len(X) > 65536:
        raise ValueError(f"at most 65536 training points can be trained live, got {len(X)}")
    return TrainingExplorer(
        data={
            "X": X.tolist(),
            "y": y.tolist(),
            "X_val": X_val.tolist(),
            "y_val": y_val.tolist(),
        },
        network={
            "sizes": list(network.sizes),
            "activation": list(network.activation_names),
            "loss": network.loss_name,
            "params": {k: v.tolist() for k, v in network.params.items()},
        },
        orders=_encode_orders(batch_orders(len(X), epochs, rng), len(X)),
        settings={
            "optimizer": optimizer,
            "lr": lr,
            "batch_size": int(batch_size),
            "epoch": 0,
            "epochs": epochs,
        },
    )
