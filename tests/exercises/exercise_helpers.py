"""Helpers for the exercise tests: read the generated notebooks, write submissions, grade them."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from exercises import build, grader, model


def solution_notebook(ex: model.ExerciseSet) -> nbformat.NotebookNode:
    return nbformat.read(build.SOLUTION_DIR / f"{ex.name}.ipynb", as_version=4)


def student_notebook(ex: model.ExerciseSet) -> nbformat.NotebookNode:
    return nbformat.read(build.student_path(ex), as_version=4)


def cell(nb: nbformat.NotebookNode, cell_id: str) -> nbformat.NotebookNode:
    """The cell with this id (``"q2-answer"``, ``"imports"``, ...)."""
    for c in nb.cells:
        if c.get("id") == cell_id:
            return c
    raise KeyError(cell_id)


def with_answer(nb: nbformat.NotebookNode, key: str, source: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose answer cell of question ``key`` holds ``source``."""
    nb = copy.deepcopy(nb)
    cell(nb, f"{key}-answer").source = source
    return nb


def grade_submissions(
    ex: model.ExerciseSet,
    submissions: dict[str, nbformat.NotebookNode | str | bytes],
    folder: Path,
    **settings: object,
) -> dict[str, grader.SubmissionResult]:
    """Write the submissions into ``folder`` and grade them all in one batch."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in submissions.items():
        path = folder / f"{name}.ipynb"
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content)
        else:
            nbformat.write(content, path)
        paths.append((name, path))
    plan = grader.make_plan(ex, grader.Settings(**settings))
    try:
        results = grader.grade(plan, paths)
    finally:
        grader.kill_all()
    return {r.name: r for r in results}


def full_marks(ex: model.ExerciseSet) -> dict[str, float]:
    return {key: q.points for key, q in zip(ex.keys, ex.questions, strict=True)}


def processes_running(marker: str) -> list[str]:
    """The process ids whose command line contains ``marker`` (a test's daemon)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if marker.encode() in (entry / "cmdline").read_bytes():
                found.append(entry.name)
        except OSError:
            continue
    return found
