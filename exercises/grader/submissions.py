"""Finding and reading submitted notebooks."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import nbformat

MAX_NOTEBOOK_BYTES = 20 * 2**20
CHECK_CALL = re.compile(r"""^\s*check\(\s*["']q\d+["']\s*(,[^()]*)?\)\s*;?\s*$""")
# Names the batch writes next to the submissions' folders; no submission may take one.
RESERVED = {"grades.csv", "results.json"}
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def read_submission(path: Path) -> tuple[nbformat.NotebookNode | None, str | None]:
    """The notebook, or a message saying why it cannot be graded."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, f"cannot read the submission: {exc.strerror}"
    if size > MAX_NOTEBOOK_BYTES:
        return None, f"the notebook is {size / 2**20:.0f} MB; clear its outputs and resubmit"
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None, "not a valid notebook: the file is not UTF-8 text (is it an .ipynb?)"
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return None, (
            f"not a valid notebook: the file is not valid JSON ({exc.msg} at line "
            f"{exc.lineno}, column {exc.colno}); was it edited outside Jupyter? "
            "Download it again from Jupyter (File > Download) and resubmit"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(text, as_version=4)
            nbformat.validate(nb)
    except Exception as exc:
        message = str(getattr(exc, "message", exc)).splitlines()[0][:300]
        return None, f"not a valid Jupyter notebook ({message}); resave it in Jupyter and resubmit"
    return nb, None


def code_cells(nb: nbformat.NotebookNode) -> list[str]:
    """The submission's code, cell by cell, without the ``check("q1")`` calls."""
    cells = []
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if source.strip() and not CHECK_CALL.match(source):
            cells.append(source)
    return cells


def find_submissions(path: Path) -> list[tuple[str, Path]]:
    """``(name, path)`` of every notebook under ``path`` (or ``path`` itself).

    A name is the notebook's path below ``path`` without ``.ipynb``, folders joined by
    ``__`` and other characters than letters, digits, ``.``, ``_`` and ``-`` replaced
    by ``_``; it names the notebook's results folder, so names are made distinct (a
    second ``alice__hw`` becomes ``alice__hw-2``, in the order of the paths) and never
    one of the batch's own files (``grades.csv``) nor hidden (a leading ``.``).
    """
    if path.is_file():
        found = [path]
        base = path.parent
    elif path.is_dir():
        found = sorted(
            p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts and p.is_file()
        )
        base = path
    else:
        raise FileNotFoundError(f"no notebook or folder at {path}")
    names: list[tuple[str, Path]] = []
    taken = {r.lower() for r in RESERVED}
    for p in found:
        rel = p.relative_to(base).with_suffix("")
        name = "__".join(UNSAFE.sub("_", part) for part in rel.parts).lstrip(".") or "submission"
        unique, n = name, 1
        while unique.lower() in taken:
            n += 1
            unique = f"{name}-{n}"
        taken.add(unique.lower())
        names.append((unique, p))
    return names
