"""Screenshots of every explorer of the built website, light and dark, desktop and phone.

    python benchmarks/screenshots.py [FOLDER]        # default _build/screenshots/
    python benchmarks/screenshots.py --page book/04-gradient.html --variant 390-dark

Serves the built site (``_build/html``; build it first) on 127.0.0.1 (``site_server.py``:
requests off 127.0.0.1 blocked), opens every chapter page holding a live explorer
(``div.descend-live``) or a precomputed one (``.descend-explorer``) in headless Debian
Chromium, once per variant, and saves a screenshot of each explorer's box as
``<page>-<kind>-<n>-<variant>.png``: ``page`` the page's file name without ``.html``,
``kind`` a live explorer's ``data-kind`` (``explorer`` for a precomputed one without a
``data-kind``), ``n`` its number among that page's explorers of that kind (from 1).
Variants: ``1280-light`` and ``1280-dark`` (a 1280 x 900 window) and ``390-dark`` (a phone:
390 x 844 CSS pixels, touch, two device pixels per CSS pixel). Dark means the reader's
system asks for dark (``prefers-color-scheme``), which the site's theme follows. Prints
each file written, and any explorer that failed to mount or page error, so the shots can
be looked at.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from site_server import HTML, launch, open_page, serve
from timing import ROOT, log

from tests.website.conftest import PAGES

VARIANTS = {
    "1280-light": {"viewport": {"width": 1280, "height": 900}, "color_scheme": "light"},
    "1280-dark": {"viewport": {"width": 1280, "height": 900}, "color_scheme": "dark"},
    "390-dark": {
        "viewport": {"width": 390, "height": 844},
        "color_scheme": "dark",
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}
SELECTOR = "div.descend-live, .descend-explorer"
MARKERS = ('class="descend-live"', "descend-explorer")

# Each explorer box of the page: its kind and its number among that kind (from 1).
BOXES = """(selector) => {
  const count = {};
  return [...document.querySelectorAll(selector)].map((el) => {
    const kind = el.dataset.kind || "explorer"; // every live explorer has a data-kind
    count[kind] = (count[kind] ?? 0) + 1;
    return { kind, n: count[kind], mounted: el.dataset.mounted ?? null };
  });
}"""

# The i-th box in page coordinates, MARGIN CSS pixels around it (what surrounds it shows).
# A whole-page screenshot clipped to it: the theme's fixed header and skip link stay at the
# top of the page, not drawn over a box taller than the window as an element shot draws them.
MARGIN = 8
CLIP = f"""({{ selector, i }}) => {{
  const r = document.querySelectorAll(selector)[i].getBoundingClientRect();
  const x = Math.max(0, r.left + window.scrollX - {MARGIN});
  const y = Math.max(0, r.top + window.scrollY - {MARGIN});
  const width = Math.min(document.documentElement.scrollWidth - x, r.width + 2 * {MARGIN});
  return {{ x, y, width, height: r.height + 2 * {MARGIN} }};
}}"""


def file_name(page: str, kind: str, n: int, variant: str) -> str:
    """``<page>-<kind>-<n>-<variant>.png``, e.g. ``04-gradient-gradient-1-390-dark.png``."""
    return f"{Path(page).stem}-{kind}-{n}-{variant}.png"


def explorer_pages(html: Path = HTML) -> list[str]:
    """The chapter pages (in the table of contents) holding a live or precomputed explorer."""
    return [
        p
        for p in PAGES
        if any(m in (html / p).read_text(encoding="utf-8") for m in MARKERS)
        and "/exercises/" not in p
    ]


def shoot_page(page, path: str, variant: str, folder: Path) -> list[Path]:
    """Screenshots of every explorer box of an open page; the files written."""
    # The window made as tall as the page first: a full-page shot would otherwise resize it
    # while shooting, and explorers that lay out by their width could move under the clip.
    size = page.viewport_size
    height = min(page.evaluate("document.documentElement.scrollHeight"), 30_000)
    page.set_viewport_size({"width": size["width"], "height": height})
    page.wait_for_timeout(600)  # relaid out, images decoded, last frames drawn
    written = []
    for i, box in enumerate(page.evaluate(BOXES, SELECTOR)):
        if box["mounted"] not in (None, "true"):
            log(f"{path} {box['kind']} {box['n']}: not mounted ({box['mounted']})")
        target = folder / file_name(path, box["kind"], box["n"], variant)
        clip = page.evaluate(CLIP, {"selector": SELECTOR, "i": i})
        page.screenshot(path=str(target), clip=clip)
        written.append(target)
        print(target, flush=True)
    page.set_viewport_size(size)
    return written


def shoot(
    folder: Path,
    html: Path = HTML,
    pages: list[str] | None = None,
    variants: list[str] | None = None,
) -> list[Path]:
    """Save every explorer's screenshot under ``folder``; the files written, in order."""
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with serve(html) as base, sync_playwright() as pw:
        browser = launch(pw)
        try:
            for path in pages or explorer_pages(html):
                for variant in variants or list(VARIANTS):
                    run = open_page(browser, base, path, **VARIANTS[variant])
                    try:
                        written += shoot_page(run.page, path, variant, folder)
                    finally:
                        run.close()
                    for err in run.errors + [f"blocked: {u}" for u in run.external]:
                        log(f"{path} {variant}: {err}")
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "_build" / "screenshots")
    parser.add_argument("--html", type=Path, default=HTML, help="the built site")
    parser.add_argument("--page", action="append", help="only this page (repeatable)")
    parser.add_argument("--variant", action="append", choices=list(VARIANTS))
    args = parser.parse_args(argv)
    written = shoot(args.folder, args.html, args.page, args.variant)
    log(f"{len(written)} screenshots in {args.folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
