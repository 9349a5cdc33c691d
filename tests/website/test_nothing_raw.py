"""Nothing raw reaches the reader: no authoring syntax, no Python reprs, no typeset leftovers.

Read as a learner reads it: the text of each built page's article, with the code the
learner can expand (cell inputs) left out, as code may legitimately hold `{:.3f}` or `$x$`.
What remains (prose, outputs, figure captions, tables) must hold no MyST role left
unparsed (`{term}`, `{glue:text}`, `{footcite}`, `{numref}`, `{doc}`), no dollar maths that
MathJax did not typeset, no markdown table printed as pipes, no NumPy repr such as
`np.float64(0.5)`, no float printed to 16 digits and no `-0.000`.
"""

from __future__ import annotations

import re

import pytest

from .conftest import PAGES

RAW = {
    "MyST role": re.compile(r"\{(term|glue(:\w+)?|footcite|cite(:\w+)?|numref|doc|ref)\}`?"),
    "dollar maths": re.compile(r"(?<![\w$])\$[^$\s][^$]*\$(?!\w)"),
    "markdown table": re.compile(r"^\s*\|?\s*:?-{3,}:?\s*\|", re.M),
    "NumPy repr": re.compile(r"\bnp\.(float|int|bool_?)\d*\(|array\(\["),
    "16-digit float": re.compile(r"\d\.\d{13,}"),
    "negative zero": re.compile(r"(?<![\d.])-0\.0+(?![\d.]*[1-9])\b"),
}

ARTICLE_TEXT = """() => {
  const article = document.querySelector('article.bd-article') || document.body;
  const copy = article.cloneNode(true);
  copy.querySelectorAll('.cell_input, mjx-container, script, style, .MathJax')
      .forEach(e => e.remove());
  return copy.innerText;
}"""


def test_the_patterns_catch_what_they_should():
    for name, sample in [
        ("MyST role", "as {term}`learning rate` says"),
        ("dollar maths", "the loss $L(w)$ falls"),
        ("markdown table", "| a | b |\n|---|---|\n| 1 | 2 |"),
        ("NumPy repr", "value np.float64(0.25)"),
        ("16-digit float", "predicted: 0.9961267199999999"),
        ("negative zero", "step with lr 0.1:  -0.000"),
    ]:
        assert RAW[name].search(sample), name
    clean = "costs $5 and 0.125 -0.001 (4, 6) Chapter 6 x - 0.5"
    assert not any(p.search(clean) for p in RAW.values())


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_nothing_raw_on_the_page(site_page, path: str):
    text = site_page(path).page.evaluate(ARTICLE_TEXT)
    found = [
        f"{name}: ...{text[max(0, m.start() - 40) : m.end() + 20]!r}..."
        for name, pattern in RAW.items()
        for m in pattern.finditer(text)
    ]
    assert not found, f"{path} shows raw text to the reader:\n" + "\n".join(found[:20])
