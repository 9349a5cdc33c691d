"""Descend: the library behind the course on how neural networks learn by gradient descent.

Written to be read, not to be fast: every function is small, names follow the book's
notation, and every docstring says which chapter introduces it.

One module per step of the loop::

    1 initialize  ds.init                       starting values for W and b
    2 forward     ds.activations, ds.layers, ds.losses
    3 backprop    ds.network                    Network: forward, backward, grads
    4 gradient    ds.gradcheck, ds.surfaces     finite differences; 2-D test surfaces
    5 update      ds.optim, ds.schedules        SGD, Adagrad, RMSprop, Adam, AdamW
    6 iterate     ds.train                      ds.train.train(...), minimize(...), History
    support       ds.data, ds.plots, ds.widgets, ds.errors, ds.registry

Use it as ``import descend as ds``. Submodules load on first use, so importing the
package is quick and the plotting and widget modules load matplotlib and ipywidgets
only when a chapter asks for them.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# submodule -> step of the loop it belongs to (documentation and `ds.steps()`)
SUBMODULES = {
    "init": "1 initialize",
    "activations": "2 forward",
    "layers": "2 forward",
    "losses": "2 forward",
    "network": "3 backprop",
    "gradcheck": "4 gradient",
    "surfaces": "4 gradient",
    "optim": "5 update",
    "schedules": "5 update",
    "train": "6 iterate",
    "data": "support",
    "plots": "support",
    "widgets": "support",
    "errors": "support",
    "registry": "support",
}

# convenient top-level names -> the submodule that defines them
_NAMES = {
    "Network": "network",
    "History": "train",
    "Path": "train",
    "minimize": "train",
    "DivergenceError": "errors",
    "check_network_gradients": "gradcheck",
    "numerical_gradient": "gradcheck",
    "relative_error": "gradcheck",
    "Surface": "surfaces",
    "glue": "gluing",
}

__all__ = sorted([*SUBMODULES, *_NAMES])


def __getattr__(name: str) -> Any:
    if name in SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    # Top-level names are looked up in their module on every access, never cached here,
    # so ds.Network is always descend.network.Network, even if that was replaced later
    # (the exercises' grader switches functions off and on again).
    if name in _NAMES:
        return getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
    raise AttributeError(
        f"module 'descend' has no attribute {name!r}; available: {', '.join(__all__)}"
    )


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
