"""Grading a batch: run each submission in its own kernel, judge what came back."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import re
import site
import stat
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from exercises import feedback
from exercises.grader.kernel import (
    EXERCISES_DIR,
    KernelSession,
    KernelStartError,
    protected_paths,
)
from exercises.grader.plan import Plan, PlannedCheck
from exercises.grader.submissions import code_cells, read_submission
from exercises.grader.text import learner_text

MAX_OUTPUT_BYTES = 64 * 2**20
MAX_ERROR_BYTES = 8192
# Ways to get at the switched-off descend functions or the grader's own code; flagged
# for the instructor to look at (grading closes the routes it knows, see the guide).
RULE_BENDING = re.compile(
    r"importlib|sys\.modules|__import__\(|\breload\(|runpy|__file__|__code__|__globals__"
    r"|__closure__|__descend|\bctypes\b|\bgc\.|\bsetprofile\b|\bsettrace\b|descend_grading"
)
USED = re.compile(r"^used (descend[\w.]*)(?: \(a private part of (descend[\w.]*)\))?")
SETUP_CELL = """def __descend_grading_setup(code, forbidden):
    import sys
    import types

    module = types.ModuleType("descend_grading")
    exec(compile(code, "descend_grading", "exec"), module.__dict__)
    sys.modules["descend_grading"] = module
    module.install(forbidden)


__descend_grading_setup({code!r}, {forbidden!r})
del __descend_grading_setup
"""
QUESTION_CELL = (
    '__import__("sys").modules["descend_grading"].run_question('
    "globals(), {function!r}, {checks!r}, {keep!r})"
)


@dataclass
class CheckResult:
    planned: PlannedCheck
    score: float
    message: str

    @property
    def passed(self) -> bool:
        if self.planned.max_score == 0:
            return self.message == ""
        return self.score >= self.planned.max_score


@dataclass
class SubmissionResult:
    name: str
    path: Path
    checks: list[CheckResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    status: str = "graded"  # "graded", "invalid" or "error" (a grader-side problem)
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return round(sum(c.score for c in self.checks), 6)

    @property
    def max_score(self) -> float:
        return round(sum(c.planned.max_score for c in self.checks), 6)

    def question_scores(self) -> dict[str, float]:
        scores: dict[str, float] = {}
        for c in self.checks:
            scores[c.planned.key] = scores.get(c.planned.key, 0.0) + c.score
        return {key: round(value, 6) for key, value in scores.items()}


def all_zero(plan: Plan, name: str, path: Path, message: str, status: str) -> SubmissionResult:
    res = SubmissionResult(name, path, status=status, notes=[message])
    for planned in plan.flat():
        res.checks.append(CheckResult(planned, 0.0, message))
    return res


# ------------------------------------------------------------- what came back


def _safe_read(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file (no symlinks, FIFOs, devices) of at most ``limit`` bytes."""
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(limit + 1)[:limit]
    finally:
        os.close(fd)


def _error_message(data: bytes, forbidden: dict[str, str]) -> str:
    """The grader's words for an ``error.json`` the kernel wrote (learner text quoted)."""
    try:
        error = json.loads(data.decode("utf-8", "replace"))
        kind, kind_type, text = (str(error[k]) for k in ("kind", "type", "text"))
    except (ValueError, KeyError, TypeError):
        return "the kernel wrote an unreadable error report"
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,80}", kind_type):
        kind_type = "an exception"
    if kind == "rule":
        used = USED.match(text)
        if used:
            name, owner = used.group(1), used.group(2)
            label = forbidden.get(owner or name)
            if label:
                part = f" (a private part of {owner})" if owner else ""
                return (
                    f"used {name}{part}, which {label} asks you to write, so it is switched off "
                    "in the checks and in grading; use NumPy instead"
                )
    if kind == "unanswered":
        return f"not answered yet: {learner_text(text)}"
    if kind == "check":
        return learner_text(text)
    return f"raised {kind_type}: {learner_text(text)}"


def read_outputs(
    folder: Path, forbidden: dict[str, str] | None = None
) -> tuple[dict[str, np.ndarray] | None, str]:
    """What the kernel saved for one check, or why there is nothing to judge."""
    if Path(os.path.realpath(folder)) != folder:
        return None, "the result folder was replaced by a link; nothing to judge"
    error = _safe_read(folder / "error.json", MAX_ERROR_BYTES)
    if error is not None:
        return None, _error_message(error, forbidden or {})
    if _safe_read(folder / "done", 16) is None:
        return None, "returned nothing (no result was saved)"
    arrays: dict[str, np.ndarray] = {}
    total = 0
    for entry in sorted(os.listdir(folder)):
        if not entry.endswith(".npy"):
            continue
        key = entry[:-4]
        if not feedback.KEY_PATTERN.match(key):
            continue
        data = _safe_read(folder / entry, MAX_OUTPUT_BYTES - total)
        if data is None:
            return None, "the result is too large or not a regular file"
        total += len(data)
        try:
            arr = np.load(io.BytesIO(data), allow_pickle=False)
        except Exception as exc:
            return None, f"could not read the result ({type(exc).__name__})"
        if not isinstance(arr, np.ndarray) or arr.dtype.kind not in feedback.ARRAY_KINDS:
            return None, "the result is not an array of numbers"
        arrays[key] = arr
    if not arrays:
        return None, "returned nothing (no result was saved)"
    return arrays, ""


def judge_check(planned: PlannedCheck, folder: Path, forbidden: dict[str, str]) -> CheckResult:
    got, why = read_outputs(folder, forbidden)
    if got is None:
        return CheckResult(planned, 0.0, why)
    ok, message = feedback.judge(
        planned.check.verify,
        got,
        planned.want,
        feedback.copy_inputs(planned.inputs),
        planned.check.options,
    )
    return CheckResult(planned, planned.max_score if ok else 0.0, message)


# ------------------------------------------------------------------- one notebook


class TooManyRestarts(RuntimeError):
    pass


async def grade_notebook(
    plan: Plan, name: str, path: Path, protected: Sequence[Path] = ()
) -> SubmissionResult:
    """Grade one notebook file.

    The submission's cells run once per kernel; a cell that hangs or kills the kernel
    is skipped from then on, and ``max_restarts`` bounds how often that may happen.
    A question that hangs or kills the kernel scores 0 as a whole (also the checks
    that had finished) and the next question gets a fresh kernel; it costs no other
    question anything.
    """
    t0 = time.monotonic()
    nb, problem = read_submission(path)
    if nb is None:
        res = all_zero(plan, name, path, problem or "invalid notebook", "invalid")
        res.seconds = time.monotonic() - t0
        return res
    res = SubmissionResult(name, path)
    meta = nb.metadata.get("descend")
    set_number = meta.get("set") if isinstance(meta, dict) else None
    if set_number is not None and set_number != plan.ex.number:
        res.notes.append(
            f"this notebook is marked as exercise set {learner_text(str(set_number))}, but it is "
            f"graded as set {plan.ex.number}"
        )
    cells = code_cells(nb)
    if any(RULE_BENDING.search(code) for code in cells if code.strip() != plan.setup_cell):
        res.notes.append(
            "the code uses importlib, reload, sys.modules, ctypes, gc or a function's code: "
            "check by hand that it does not get at the descend functions this set asks "
            "learners to write"
        )
    skipped: set[int] = set()
    session: KernelSession | None = None
    cell_restarts = 0
    setup = SETUP_CELL.format(code=plan.harness, forbidden=plan.forbidden)
    protected = protected_paths(protected)

    async def fresh_kernel() -> KernelSession:
        """A new kernel with the guard installed and the submission's cells run."""
        nonlocal cell_restarts
        first = True
        while True:
            sess = KernelSession(plan, protected)
            await sess.start()
            status, message = await sess.run(setup, plan.settings.startup_timeout)
            if status != "ok":
                await sess.stop()
                raise KernelStartError(f"the grading setup failed: {message}")
            lost = False
            for i, code in enumerate(cells):
                if i in skipped:
                    continue
                status, message = await sess.run(code, plan.settings.cell_time_limit)
                if status == "error" and first and cell_restarts == 0:
                    res.notes.append(f"code cell {i + 1} raised {learner_text(message)}")
                elif status in ("timeout", "dead"):
                    skipped.add(i)
                    why = message if status == "timeout" else learner_text(message)
                    res.notes.append(f"code cell {i + 1} was skipped: it {why}")
                    lost = True
                    break
            if not lost:
                return sess
            await sess.stop()
            first = False
            cell_restarts += 1
            if cell_restarts > plan.settings.max_restarts:
                raise TooManyRestarts()

    try:
        for key, planned in plan.checks.items():
            if session is None:
                session = await fresh_kernel()
            specs = []
            for c in planned:
                inputs = session.inputs_file(c.ident)
                np.savez(inputs, **c.inputs)
                os.chmod(inputs, 0o644)
                out = session.output_dir(key, c.ident)
                specs.append([c.ident, c.check.driver.__name__, str(inputs), str(out)])
            q = plan.ex.question(key)
            code = QUESTION_CELL.format(function=q.function, checks=specs, keep=q.must_keep_inputs)
            status, message = await session.run(code, plan.time_limit(key))
            lost = status in ("timeout", "dead")
            why = (
                f"the exercise did not finish within the time limit ({plan.time_limit(key):g} s)"
                if status == "timeout"
                else message
            )
            for c, spec in zip(planned, specs, strict=True):
                result = judge_check(c, Path(spec[3]), plan.forbidden)
                if lost:
                    result = CheckResult(c, 0.0, f"{why}; the whole exercise scores 0")
                res.checks.append(result)
            if lost:
                res.notes.append(f"{plan.ex.label(key)}: {why}")
                await session.stop()
                session = None
    except TooManyRestarts:
        graded = {c.planned.ident for c in res.checks}
        for c in plan.flat():
            if c.ident not in graded:
                res.checks.append(
                    CheckResult(c, 0.0, "not graded: the kernel had to be restarted too many times")
                )
        res.notes.append(
            "grading stopped early: the notebook's own cells made the kernel restart too many times"
        )
    except KernelStartError as exc:
        graded = {c.planned.ident for c in res.checks}
        for c in plan.flat():
            if c.ident not in graded:
                res.checks.append(CheckResult(c, 0.0, "not graded: the grading kernel failed"))
        res.status = "error"
        res.notes.append(f"the grading kernel could not start: {exc}")
    finally:
        if session is not None:
            await session.stop()
    res.seconds = time.monotonic() - t0
    return res


# --------------------------------------------------------------------- a batch


def watched_paths(extra: Iterable[Path] = ()) -> list[Path]:
    """What no submission may change: the exercises, the library, the site folders."""
    import descend

    return [
        EXERCISES_DIR,
        Path(descend.__file__).resolve().parent,
        *[Path(p) for p in site.getsitepackages() + [site.getusersitepackages()]],
        *extra,
    ]


def changed(before: dict[str, str], paths: Iterable[Path]) -> list[str]:
    """The folders of ``before`` (a :func:`fingerprints`) whose fingerprint changed."""
    after = fingerprints(paths)
    return [p for p in before if after.get(p) != before[p]]


def fingerprints(paths: Iterable[Path]) -> dict[str, str]:
    """:func:`fingerprint` of each folder."""
    return {str(p): fingerprint([p]) for p in paths}


def fingerprint(paths: Iterable[Path]) -> str:
    """A hash of the instructor's code and of what Python loads at start-up.

    For the exercises and the library: every ``.py`` file's content. For a site
    folder (``site-packages``): its entries' names, sizes and modification times, and
    the content of every ``.pth`` file and of ``sitecustomize.py``/``usercustomize.py``
    (what Python runs when it starts), not every file below it (too slow to hash for
    every submission; the kernel's user cannot write there where the grader is root).
    """
    h = hashlib.sha256()
    for base in paths:
        base = Path(base)
        if not base.exists():
            h.update(f"{base} missing".encode())
            continue
        if base.is_file():
            h.update(str(base).encode() + base.read_bytes())
            continue
        if "-packages" in base.name:
            for entry in sorted(os.scandir(base), key=lambda e: e.name):
                st = entry.stat(follow_symlinks=False)
                h.update(f"{entry.name} {st.st_size} {st.st_mtime_ns}\n".encode())
                if entry.name.endswith(".pth") or entry.name in (
                    "sitecustomize.py",
                    "usercustomize.py",
                ):
                    h.update(Path(entry.path).read_bytes())
            continue
        for f in sorted(base.rglob("*.py")):
            if "__pycache__" not in f.parts:
                h.update(str(f).encode())
                h.update(f.read_bytes())
    return h.hexdigest()


class GradingTampered(RuntimeError):
    """The grader's own files changed while a submission was graded."""


def grade(
    plan: Plan,
    submissions: Sequence[tuple[str, Path]],
    watched: Sequence[Path] = (),
    protected: Sequence[Path] = (),
    progress: Any = None,
) -> list[SubmissionResult]:
    """Grade ``submissions`` (``(name, path)`` pairs), ``settings.workers`` at a time.

    ``watched``: more instructor folders (a private sets folder) that must not change;
    ``protected``: more folders the kernels must not read (the results folder).
    """
    from exercises.grader import kernel

    kernel._STOPPING.clear()
    extra = [Path(p) for p in watched]
    hidden = [EXERCISES_DIR, *extra, *protected, *{p.resolve().parent for _, p in submissions}]
    watched = watched_paths(extra)
    before = fingerprints(watched)
    lock = threading.Lock()

    def one(item: tuple[str, Path]) -> SubmissionResult:
        name, path = item
        try:
            result = asyncio.run(grade_notebook(plan, name, path, protected=hidden))
        except Exception as exc:  # a grader bug: report it, grade the others
            result = all_zero(plan, name, path, f"the grader failed: {exc!r}", "error")
        with lock:
            moved = changed(before, watched)
            if moved:
                raise GradingTampered(
                    f"files changed in {', '.join(moved)} while grading {name}; stop, "
                    "restore them (version control, reinstall) and grade again with "
                    "--sandbox require"
                )
            if progress:
                progress(result)
        return result

    workers = max(1, min(plan.settings.workers, len(submissions)))
    if workers == 1:
        return [one(item) for item in submissions]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, submissions))
