"""ds.glue: glues through myst-nb when it is installed, and is harmless when it is not."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from IPython.utils.capture import capture_output

import descend as ds


def shown(name, value, display):
    with capture_output() as cap:
        result = ds.glue(name, value, display=display)
    assert result is None
    return [out.data["text/plain"] for out in cap.outputs if "text/plain" in out.data]


@pytest.mark.parametrize("myst_nb_installed", [True, False])
def test_glue_shows_the_python_number_only_when_asked(monkeypatch, myst_nb_installed):
    if not myst_nb_installed:
        monkeypatch.setitem(sys.modules, "myst_nb", None)  # import myst_nb -> ImportError
    assert shown("loss", np.float64(0.25), display=False) == []
    # a NumPy scalar is glued as the Python number it holds ({glue:text} formats it)
    assert shown("loss", np.float64(0.25), display=True) == ["0.25"]


def test_glue_name_must_be_an_identifier():
    with pytest.raises(ValueError, match="'final loss' must be a Python identifier"):
        ds.glue("final loss", 1.0)
