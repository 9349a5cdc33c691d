"""The build step that lightens the website (``book/_ext/descend_light.py``), on small inputs."""

from __future__ import annotations

import importlib.util
import io

from PIL import Image

from .conftest import ROOT

_spec = importlib.util.spec_from_file_location(
    "descend_light", ROOT / "book" / "_ext" / "descend_light.py"
)
light = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(light)

CSS = (
    '.fa-magnifying-glass:before,.fa-search:before{content:"\\f002"}'
    '.fa-rocket:before{content:"\\f135"}'
    ':root{--pst-icon-external-link:"\\f35d"}'
    ".admonition-title:after{content:var(--pst-icon-external-link);font:var(--fa-font-solid)}"
)


def test_icon_codepoints_keeps_used_icons_and_the_themes_own():
    codes = light.icon_codepoints(CSS, {"magnifying-glass", "bars"})
    assert codes == {0xF002, 0xF35D}  # not the rocket: no page uses it


def _png(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", **options)
    return out.getvalue()


def test_palette_png_shrinks_a_figure_and_keeps_its_dpi():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(4, 3))
    x, y = np.meshgrid(np.linspace(-3, 3, 200), np.linspace(-3, 3, 200))
    ax.contourf(x, y, np.sin(x) * np.cos(y), levels=30)
    ax.plot([-3, 3], [3, -3], label="a line")
    ax.legend()
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=100)
    plt.close(fig)
    data = out.getvalue()
    small = light.palette_png(data)
    assert len(small) < 0.7 * len(data)
    with Image.open(io.BytesIO(small)) as im, Image.open(io.BytesIO(data)) as orig:
        assert im.mode == "P" and im.size == orig.size == (400, 300)
        assert round(im.info["dpi"][0]) == 100


def test_palette_png_leaves_transparent_and_palette_images_alone():
    clear = Image.new("RGBA", (50, 50), (255, 0, 0, 0))
    data = _png(clear)
    assert light.palette_png(data) is data
    pal = _png(Image.new("RGB", (50, 50), "white").quantize(colors=4))
    assert light.palette_png(pal) is pal
