"""How to grade, and the plan of a grading run: every check's inputs and reference values."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import numpy as np

from exercises.build import driver_functions, runtime_code, setup_source
from exercises.grader import harness
from exercises.model import Check, ExerciseSet, normalise, public_seed, reference


@dataclass
class Settings:
    """How to grade. Times in seconds; ``time_limit`` overrides every question's own.

    ``memory_mb`` and ``pids`` bound a kernel's whole tree of processes (a cgroup) where
    the grader runs as root, each process otherwise; ``disk_mb`` its scratch folder.
    ``max_restarts`` bounds the restarts caused by the submission's own cells (a cell
    that hangs is skipped on the next start); a question that hangs costs only itself.
    """

    time_limit: float | None = None
    cell_time_limit: float = 20.0
    memory_mb: int = 2048
    file_mb: int = 256
    disk_mb: int = 512
    pids: int = 256
    sandbox: str = "require"  # "auto", "require" or "off"
    workers: int = 2
    seed: int | None = None
    max_restarts: int = 4
    startup_timeout: float = 60.0
    hidden_visibility: str = "after_published"


@dataclass
class PlannedCheck:
    """One check with its inputs and reference values, fixed for a grading run."""

    ident: str
    key: str
    number: str
    title: str
    name: str
    visibility: str  # "public" or "hidden"
    check: Check
    inputs: dict[str, np.ndarray]
    want: dict[str, np.ndarray]
    max_score: float


@dataclass
class Plan:
    """Everything a grading run needs, computed once in the grading process."""

    ex: ExerciseSet
    seed: int
    settings: Settings
    checks: dict[str, list[PlannedCheck]]  # question key -> its checks
    harness: str  # the kernel-side code: feedback.py, the drivers, harness.py
    forbidden: dict[str, str]
    setup_cell: str  # the checks cell of the learner's notebook, as generated

    def time_limit(self, key: str) -> float:
        return self.settings.time_limit or self.ex.question(key).time_limit

    def flat(self) -> list[PlannedCheck]:
        return [c for checks in self.checks.values() for c in checks]


def kernel_code(ex: ExerciseSet) -> str:
    """The code a grading kernel runs once: feedback.py, the set's drivers, the harness."""
    return runtime_code(driver_functions(ex).values()) + "\n\n" + harness.kernel_source()


def make_plan(ex: ExerciseSet, settings: Settings) -> Plan:
    """Draw the hidden inputs for this run and compute every reference value."""
    seed = settings.seed if settings.seed is not None else secrets.randbits(63)
    checks: dict[str, list[PlannedCheck]] = {}
    for qi, (key, q) in enumerate(zip(ex.keys, ex.questions, strict=True)):
        total = sum(c.weight for c in q.public + q.hidden)
        planned = []
        for visibility, group in (("public", q.public), ("hidden", q.hidden)):
            for ci, c in enumerate(group):
                if visibility == "public":
                    rng = np.random.default_rng(public_seed(ex.number, qi + 1, ci))
                else:
                    rng = np.random.default_rng([seed, ex.number, qi, ci])
                inp = normalise(c.inputs(rng))
                planned.append(
                    PlannedCheck(
                        ident=f"{key}-{visibility}-{ci + 1}",
                        key=key,
                        number=f"{ex.number}.{qi + 1}",
                        title=q.title,
                        name=c.name,
                        visibility=visibility,
                        check=c,
                        inputs=inp,
                        want=reference(c, q.solution, inp),
                        max_score=q.points * c.weight / total,
                    )
                )
        checks[key] = planned
    return Plan(
        ex,
        seed,
        settings,
        checks,
        kernel_code(ex),
        ex.forbidden_labels(),
        setup_source(ex).strip(),
    )
