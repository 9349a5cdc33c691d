"""``ds.glue``: hand a computed number to the website's prose, harmless everywhere else.

A chapter quotes its results in the text through MyST's ``{glue:text}`name``` role, so
that no number on the website is typed by hand. The website's builder (myst-nb) collects
the values that the notebook *glues* while it runs. ``ds.glue(name, value)`` does that
when myst-nb is installed, and nothing when it is not (Colab, VS Code, or a kernel with
only ``descend`` installed), so a chapter runs top to bottom in any of them.

What a learner sees is the same in both cases: nothing for ``display=False`` (the default:
the prose quotes the number, the cell does not print it) and the value, as the cell would
show it, for ``display=True``.

Introduced in: every chapter (its first code cell imports ``descend as ds``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["glue"]


def glue(name: str, value: Any, display: bool = False) -> None:
    """Record ``value`` under ``name`` for the website's ``{glue:text}`name``` roles.

    Parameters
    ----------
    name : str
        The key the prose uses, e.g. ``"final_loss"`` in ``{glue:text}`final_loss:.3f```.
    value : Any
        Usually a number. A NumPy scalar (``np.float64(0.25)``) is glued as the Python
        number it holds, so that ``{glue:text}`` can format it.
    display : bool
        Also show the value in the notebook (default ``False``).

    Without myst-nb installed this records nothing and shows the value only when
    ``display`` is true: the notebook runs as it does on the website.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(
            f"glue name {name!r} must be a Python identifier such as 'final_loss': "
            "the prose refers to it as {glue:text}`final_loss`"
        )
    if isinstance(value, np.generic):
        value = value.item()
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(value)
        return None
    myst_glue(name, value, display=display)
    return None
