"""Lighter theme icons for the Descend website (a Sphinx extension named in _config.yml).

pydata-sphinx-theme loads ``_static/scripts/fontawesome.js`` on every page: Font Awesome's
whole SVG icon set, 1.5 MB (530 KB gzipped), to draw about twenty icons. Its stylesheet
already holds Font Awesome's CSS (every ``.fa-<name>:before`` glyph code and the
``@font-face`` rules), and its admonition, breadcrumb and link icons use the web font
anyway, whose solid and brands files weigh another 270 KB.

After the HTML build this extension

0. rewrites the pages' figures (``_images/*.png``, drawn by matplotlib in full colour) as
   256-colour palette PNGs when that is smaller, as the explorers' frames already are:
   a third of the bytes for the same picture (no dithering; transparent images and
   anything not smaller are left as they are; the dots per inch are kept);

1. removes the ``fontawesome.js`` script tag from every page (the ``<i class="fa-...">``
   icons are then drawn by the web font, as Font Awesome's CSS intends), and
2. writes ``_static/descend-icons/fa-{solid,regular,brands}.woff``: the theme's own
   Font Awesome fonts cut down (fontTools) to the glyphs the site uses, i.e. the
   ``fa-<name>`` classes found in the built pages and the theme's scripts, and every icon
   the theme's stylesheets name outside the list of icon classes. ``descend.css``
   declares them last, so they replace the full fonts (``@font-face`` rules with the
   same descriptors: the last one wins).

Nothing is downloaded; the fonts come from the installed theme (Font Awesome Free,
icons CC BY 4.0, fonts SIL OFL 1.1).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sphinx.util import logging

logger = logging.getLogger(__name__)

FA_SCRIPT = re.compile(
    r'[ \t]*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\n?'
)
FONTS = {  # theme font file -> the subset written under _static/descend-icons/
    "fa-solid-900.ttf": "fa-solid.woff",
    "fa-regular-400.ttf": "fa-regular.woff",
    "fa-brands-400.ttf": "fa-brands.woff",
}
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_ICON_SELECTOR = re.compile(r"^\s*\.fa-([a-z0-9-]+):(?::)?(?:before|after)\s*$")
_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})")
_CLASS = re.compile(r"\bfa-([a-z0-9-]+)")


def _private_use(text: str) -> set[int]:
    """Code points of the Private Use Area (where icon fonts put glyphs) named in ``text``."""
    codes = {int(h, 16) for h in _ESCAPE.findall(text)}
    codes |= {ord(c) for c in text}
    return {c for c in codes if 0xE000 <= c <= 0xF8FF}


def icon_codepoints(css: str, used_names: set[str]) -> set[int]:
    """Glyphs the site can show: used ``.fa-<name>`` icons and every other icon in ``css``."""
    codes: set[int] = set()
    for selector, body in _RULE.findall(css):
        names = [_ICON_SELECTOR.match(s) for s in selector.split(",")]
        if all(names):  # one of Font Awesome's `.fa-<name>:before{content:...}` rules
            if used_names & {m.group(1) for m in names}:
                codes |= _private_use(body)
        else:  # the theme's own rules: admonitions, breadcrumbs, links, variables
            codes |= _private_use(body)
    return codes


def palette_png(data: bytes, colors: int = 256) -> bytes:
    """``data`` (a PNG) as a ``colors``-colour palette PNG, or ``data`` itself if that is
    not smaller or the image has transparency."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        if im.mode == "P":
            return data
        if im.mode in ("RGBA", "LA") and im.getchannel("A").getextrema()[0] < 255:
            return data  # transparent pixels: keep them
        if im.mode not in ("RGB", "RGBA", "L", "LA"):
            return data
        rgb = im.convert("RGB")
        dpi = im.info.get("dpi")
        quant = rgb.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=0)
        out = io.BytesIO()
        quant.save(out, format="PNG", optimize=True, **({"dpi": dpi} if dpi else {}))
    small = out.getvalue()
    return small if len(small) < len(data) else data


def _lighten(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    for figure in sorted((out / "_images").glob("*.png")):
        data = figure.read_bytes()
        small = palette_png(data)
        if small is not data:
            figure.write_bytes(small)
    static = out / "_static"
    used: set[str] = set()
    left = []
    for page in out.rglob("*.html"):
        if "_static" in page.parts:
            continue
        html = page.read_text(encoding="utf-8")
        used |= set(_CLASS.findall(html))
        new, n = FA_SCRIPT.subn("", html)
        if n:
            page.write_text(new, encoding="utf-8")
        if "scripts/fontawesome.js" in new:
            left.append(page.relative_to(out).as_posix())
    for script in (static / "scripts").glob("*.js"):
        used |= set(_CLASS.findall(script.read_text(encoding="utf-8")))
    if left:  # an incremental build rewrites only some pages; each is checked here
        logger.warning(
            f"descend_light: could not remove fontawesome.js from {left[:3]}; "
            "has the theme changed how it loads the script?"
        )
    css = "".join(p.read_text(encoding="utf-8") for p in (static / "styles").glob("*.css"))
    codes = icon_codepoints(css, used)
    if not codes:
        logger.warning("descend_light: found no icon glyphs in the theme's stylesheets")
        return
    _subset_fonts(static / "vendor" / "fontawesome" / "webfonts", static / "descend-icons", codes)


def _subset_fonts(source: Path, dest: Path, codes: set[int]) -> None:
    from fontTools import subset

    dest.mkdir(exist_ok=True)
    for name, target in FONTS.items():
        font_path = source / name
        if not font_path.is_file():
            logger.warning(f"descend_light: the theme has no {font_path.name}")
            continue
        options = subset.Options()
        options.flavor = "woff"  # zlib: needs no brotli (woff2 would)
        options.layout_features = []
        options.name_IDs = ["*"]  # keep the copyright and licence notices
        font = subset.load_font(str(font_path), options)
        sub = subset.Subsetter(options)
        sub.populate(unicodes=codes)
        sub.subset(font)
        subset.save_font(font, str(dest / target), options)


def setup(app) -> dict[str, Any]:
    app.connect("build-finished", _lighten)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
