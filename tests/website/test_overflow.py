"""Nothing is cut off on a desktop page (issue 17, item 19).

At the 1280-pixel viewport of the browser suite, no displayed equation, code block,
printed output or table may be wider than its box: a reader would have to scroll it
sideways, and on paper (printing, a PDF) the end of the line is simply lost.
"""

from __future__ import annotations

import pytest

from .conftest import PAGES

# Every block a reader must see whole: displayed maths, code, printed outputs, tables.
# An element is cut off when its content is wider than its box (scrollWidth > clientWidth,
# a pixel of rounding allowed), or when it sticks out to the right of the article.
OVERFLOWING = """() => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const right = article.getBoundingClientRect().right;
  const selectors = [
    'mjx-container[display="true"]', 'div.math', 'div.highlight pre',
    'div.cell_output pre', 'div.output pre', 'table',
  ];
  const found = [];
  for (const el of document.querySelectorAll(selectors.join(', '))) {
    if (el.closest('.widget-subarea, .jupyter-widgets, .descend-explorer')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0) continue;  // hidden (a closed dropdown, another tab)
    const wide = el.scrollWidth > el.clientWidth + 1;
    const sticksOut = box.right > right + 1;
    if (wide || sticksOut) {
      const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 80);
      found.push(`${el.tagName.toLowerCase()}.${el.className}: ${el.scrollWidth}px in a `
                 + `${el.clientWidth}px box: ${text}`);
    }
  }
  return found;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_no_equation_code_or_output_is_cut_off(site_page, path):
    run = site_page(path)
    overflowing = run.page.evaluate(OVERFLOWING)
    assert not overflowing, f"{path}: blocks wider than their box:\n" + "\n".join(overflowing)
