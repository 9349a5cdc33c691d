"""Every formula of every notebook renders without the website's configuration.

JupyterLab, Jupyter Notebook, Colab and VS Code never read `_config.yml`, so a formula
that needs something only the site defines (a custom macro such as `\\vtheta`) shows as
red raw TeX there. This test takes the maths of every markdown cell of every notebook
(and of the book's pages) as the website's parser (markdown-it with MyST's dollarmath and
amsmath rules) finds it, and converts each formula with the vendored MathJax 3 in
headless Chromium, on a blank page with MathJax's defaults: no macros, nothing added.
A TeX error (`merror`) or an undefined control sequence (which MathJax's default
`noundefined` package shows as red text) fails the test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

ROOT = Path(__file__).resolve().parents[2]
MATHJAX = ROOT / "vendor" / "site" / "assets" / "mathjax" / "es5" / "tex-chtml.js"
NOTEBOOKS = sorted(
    p
    for folder in ("book", "exercises/student", "exercises/solutions")
    for p in (ROOT / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)
PAGES = sorted((ROOT / "book").rglob("*.md"))

# the dollarmath settings of myst-parser's defaults (myst_dmath_*)
PARSER = (
    MarkdownIt("commonmark")
    .enable("table")
    .use(dollarmath_plugin, allow_labels=True, allow_space=True, allow_digits=True)
    .use(amsmath_plugin)
)


def _maths(tokens):
    for t in tokens:
        if t.type.startswith("math") or t.type == "amsmath":
            yield t
        if t.children:
            yield from _maths(t.children)


def formulas() -> list[dict]:
    """Every formula: where it is, its TeX, and whether it is displayed."""
    found = []
    sources = [
        (f"{p.relative_to(ROOT)} cell {i}", "".join(c["source"]))
        for p in NOTEBOOKS
        for i, c in enumerate(json.loads(p.read_text(encoding="utf-8"))["cells"])
        if c["cell_type"] == "markdown"
    ] + [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in PAGES]
    for where, text in sources:
        for t in _maths(PARSER.parse(text)):
            tex = t.content
            if t.type == "amsmath":  # \begin{align} ... \end{align}: MathJax reads it whole
                display = True
            else:
                display = t.type != "math_inline"
            found.append({"where": where, "tex": tex, "display": display})
    return found


# tex2mmlPromise, not tex2mml: the site's MathJax component (tex-chtml) loads extensions
# such as boldsymbol from its own folder on first use, which only the promise form waits for
CONVERT = """async formulas => {
  const out = [];
  for (const f of formulas) {
    try { out.push(await MathJax.tex2mmlPromise(f.tex, {display: f.display})); }
    catch (e) { out.push('exception: ' + e.message); }
  }
  return out;
}"""

# noundefined shows an unknown \command as red text; a TeX error becomes <merror>
UNDEFINED = re.compile(r'mathcolor="red">\\\\?[A-Za-z]+')


def test_the_notebooks_hold_maths():
    found = formulas()
    assert len(NOTEBOOKS) >= 11 + 7 and len(found) > 1000
    assert any(r"\mathbf{x}" in f["tex"] for f in found)


@pytest.mark.browser
def test_notebook_maths_renders_without_site_configuration(browser, tmp_path):
    found = formulas()
    page = browser.new_page()
    external = []

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    blank = tmp_path / "blank.html"
    blank.write_text(f'<!doctype html><html><body><script src="{MATHJAX.as_uri()}"></script>')
    page.goto(blank.as_uri())
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("() => MathJax.startup.promise")
    # a control: MathJax as loaded here rejects the site's old macros and a TeX error
    probe = page.evaluate(
        CONVERT, [{"tex": r"\vtheta", "display": False}, {"tex": "x^1^2", "display": False}]
    )
    assert UNDEFINED.search(probe[0]) and "merror" in probe[1]
    results = page.evaluate(CONVERT, found)
    page.close()
    bad = [
        f"{f['where']}: {f['tex']!r}: {mml[:200]}"
        for f, mml in zip(found, results, strict=True)
        if "merror" in mml or mml.startswith("exception") or UNDEFINED.search(mml)
    ]
    assert not bad, f"{len(bad)} formulas fail outside the website:\n" + "\n".join(bad[:40])
    assert external == [], external
