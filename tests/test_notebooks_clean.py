"""Committed notebooks carry no outputs, and their install cells name the repository.

The book executes the chapters at build time, so a committed output is stale by
definition (and bloats the history). The check covers every notebook under book/ and
exercises/ (generated student notebooks included).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p
    for folder in ("book", "exercises")
    for p in (ROOT / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts and "_build" not in p.parts
)
REPO_URL = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]


def _ids(paths):
    return [p.relative_to(ROOT).as_posix() for p in paths]


def test_there_are_notebooks_to_check():
    assert (ROOT / "book" / "00-one-dimension.ipynb") in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_has_no_outputs(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} have outputs or execution counts; clear them "
        "(jupyter nbconvert --clear-output --inplace, or nbstripout) before committing"
    )
    assert "widgets" not in nb.get("metadata", {}), f"{path.name}: stored widget state"


BOOK_NOTEBOOKS = [p for p in NOTEBOOKS if p.parent == ROOT / "book"]


@pytest.mark.parametrize("path", BOOK_NOTEBOOKS, ids=_ids(BOOK_NOTEBOOKS))
def test_chapter_installs_the_course_when_missing(path: Path):
    """A chapter opened on Colab installs `descend` from the repository in _config.yml."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = nb["cells"][0]
    source = "".join(first["source"])
    assert first["cell_type"] == "code" and "remove-cell" in first["metadata"].get("tags", [])
    assert re.search(r"import descend", source) and "except ImportError" in source
    urls = re.findall(r"git\+(https://[^\s\"']+)", source)
    assert urls and all(u.removesuffix(".git") == REPO_URL for u in urls), (
        f"{path.name}: the install cell must use the repository url of _config.yml ({REPO_URL})"
    )


def test_downloaded_notebooks_have_distinct_names():
    """A learner who downloads chapter 5 and exercise set 5 gets two files, not one twice."""
    pages = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "book").rglob("*.md"))
    downloads = [Path(t).name for t in re.findall(r"\{download\}`[^`<]*<([^>`]+)>`", pages)]
    chapters = {p.name for p in BOOK_NOTEBOOKS}
    assert len(downloads) >= 7 and len(set(downloads)) == len(downloads), downloads
    assert not set(downloads) & chapters, set(downloads) & chapters


TYPED_NUMBER = re.compile(r"(?i)\b(chapters?|sections?|§)\s*\d+(\.\d+)*\b")


def _book_texts():
    for p in sorted((ROOT / "book").rglob("*.md")):
        yield p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8")
    for p in BOOK_NOTEBOOKS:
        for i, c in enumerate(json.loads(p.read_text(encoding="utf-8"))["cells"]):
            yield f"{p.relative_to(ROOT).as_posix()} cell {i}", "".join(c["source"])


def test_no_typed_chapter_or_section_numbers():
    """Sphinx numbers the chapters: a typed "chapter 5" goes stale when one is added."""
    typed = [
        f"{where}: {m.group(0)!r}"
        for where, text in _book_texts()
        for m in TYPED_NUMBER.finditer(text)
    ]
    assert not typed, (
        "write {numref}`Chapter %s <ch-update>` (a label above the chapter's title), not "
        "a typed number:\n" + "\n".join(typed)
    )
    assert not TYPED_NUMBER.search("{numref}`Chapter %s <ch-update>`")
    assert TYPED_NUMBER.search("as chapter 5 showed") and TYPED_NUMBER.search("section 6.13")


def test_one_citation_style():
    """Every citation is author-year, {cite:p} or {cite:t}, linked to the References page."""
    other = [
        f"{where}: {m.group(0)}"
        for where, text in _book_texts()
        for m in re.finditer(r"\{(footcite|footbibliography|footcite:\w+|cite)\}", text)
    ]
    assert not other, "cite papers with {cite:p}`key` or {cite:t}`key`:\n" + "\n".join(other)
