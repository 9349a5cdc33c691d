"""Grade exercise notebooks without trusting them.

    python -m exercises grade SET PATH --out DIR        (PATH: a notebook or a folder)
    python -m exercises.grader SET PATH --out DIR       (the same)

For every submission the grader

1. reads the notebook (invalid JSON or an invalid notebook: a clear message, 0 points);
2. starts a fresh kernel through :mod:`exercises.sandbox`, held as described in
   :mod:`exercises.grader.isolation` (as root: a cgroup and a PID namespace for its
   whole tree of processes, the user ``nobody``, a size-capped scratch tmpfs) and in
   a Landlock sandbox (no reading the instructor's files, no writing outside its
   folders); switches off, by replacing their code, the descend functions the set asks
   the learner to write (:func:`exercises.feedback.block`); runs the submission's code
   cells in order, each with a time limit;
3. for every question, writes the check inputs as ``.npz`` files and runs one cell
   that calls the learner's function through each check's driver
   (:mod:`exercises.grader.harness`) and saves what it returned with
   ``np.save(..., allow_pickle=False)``; the question has a time limit;
4. loads those arrays in the grading process (``allow_pickle=False``, regular files
   only, size-capped) and judges them there, against reference values computed in
   the grading process from the instructor's solutions
   (:mod:`exercises.grader.judging`).

Hidden checks draw their inputs from a seed chosen afresh for every grading run
(``--seed`` reproduces a run). A question that crashes, hangs, runs out of memory or
returns nothing scores 0 (all its checks); the next question gets a fresh kernel.

Outputs (:mod:`exercises.grader.report`), per submission ``NAME``:
``DIR/NAME/results.json`` (Gradescope's format), ``DIR/NAME/feedback.md``; for the
batch: ``DIR/grades.csv``. With ``--gradescope``, PATH is Gradescope's submission
folder and ``DIR/results.json`` is written.

The parts: :mod:`~exercises.grader.cli` (the command line),
:mod:`~exercises.grader.plan` (settings, inputs and reference values),
:mod:`~exercises.grader.submissions` (finding and reading notebooks),
:mod:`~exercises.grader.kernel` and :mod:`~exercises.grader.isolation` (a kernel's life),
:mod:`~exercises.grader.harness` (the kernel side), :mod:`~exercises.grader.judging`
(grading and judging), :mod:`~exercises.grader.report` and
:mod:`~exercises.grader.text` (the reports).
"""

from __future__ import annotations

from exercises.grader.cli import add_arguments, main, run
from exercises.grader.judging import (
    CheckResult,
    GradingTampered,
    SubmissionResult,
    fingerprint,
    grade,
    grade_notebook,
    read_outputs,
)
from exercises.grader.kernel import KernelSession, kill_all, protected_paths, sandbox_reads
from exercises.grader.plan import Plan, PlannedCheck, Settings, make_plan
from exercises.grader.report import feedback_text, results_json, write_results
from exercises.grader.submissions import code_cells, find_submissions, read_submission

__all__ = [
    "CheckResult",
    "GradingTampered",
    "KernelSession",
    "Plan",
    "PlannedCheck",
    "Settings",
    "SubmissionResult",
    "add_arguments",
    "code_cells",
    "feedback_text",
    "find_submissions",
    "fingerprint",
    "grade",
    "grade_notebook",
    "kill_all",
    "main",
    "make_plan",
    "protected_paths",
    "read_outputs",
    "read_submission",
    "results_json",
    "run",
    "sandbox_reads",
    "write_results",
]
