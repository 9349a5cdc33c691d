"""Every chapter closes in one order: summary, check your understanding, exercises.

A learner who reaches the end of one chapter should find the same closing sections,
in the same order, at the end of every other (issue 17, item 14).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p for p in (ROOT / "book").glob("[0-9][0-9]-*.ipynb"))
CLOSING = ["## Summary", "## Check your understanding", "## Exercises"]


def _headings(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    lines = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            lines += "".join(cell["source"]).splitlines()
    return [line.strip() for line in lines if line.startswith("## ")]


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_closing_sections_come_in_one_order(path: Path):
    present = [h for h in _headings(path) if h in CLOSING]
    assert "## Summary" in present and "## Check your understanding" in present, (
        f"{path.name} lacks a summary or a check-your-understanding section: {present}"
    )
    expected = [h for h in CLOSING if h in present]
    assert present == expected, f"{path.name} closes with {present}; expected the order {CLOSING}"
