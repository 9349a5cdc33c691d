"""What an exercise set is made of: questions, their solutions, public and hidden checks.

A set is written once, in one module of ``exercises/sets/`` (see CONTRIBUTING.md's
"Adding an exercise set"); everything else (the learner's notebook, the solution
notebook, the book page, the grader's tests) is generated from it.

A question names a *solution function*; the learner writes a function of the same
name and signature (the stub keeps the signature and docstring and raises
``NotImplementedError("Exercise 1.2: ...")``). A check calls it through a *driver*
on some inputs and judges the outputs with a *verifier* against the solution's
outputs on the same inputs (see :mod:`exercises.feedback`).

* Public checks use fixed inputs; their inputs, drivers, verifiers and reference
  values are copied into the learner's notebook for instant feedback.
* Hidden checks draw their inputs at grading time from a fresh seed and stay in the
  instructor's copy; their reference values are computed in the grading process.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import re
import sys
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from exercises import feedback

Inputs = Mapping[str, Any]

SETS_DIR = Path(__file__).parent / "sets"
KEEP_INPUTS = re.compile(r"(?i)\b(do not|don't) (change|modify)\b|\bunchanged\b")


@dataclass(frozen=True)
class Check:
    """One check of a question.

    Parameters
    ----------
    name
        What it checks, in words a learner reads ("matches the formula on a 3x4 batch").
    inputs
        ``inputs(rng) -> dict`` of arrays, numbers, tuples or strings, in the order the
        driver passes them. Public checks call it with a fixed seed when the notebook
        is generated; hidden checks with a fresh one at every grading run.
    verify
        ``verify(got, want, inp, **options)``; raises ``CheckFailure``.
    driver
        ``drive(fn, inp) -> value``; default: ``fn(*inputs)``.
    summary
        ``summary(outputs, inp) -> dict`` applied to the solution's outputs to get
        ``want`` (e.g. only a standard deviation, or nothing for a multiple-choice
        answer). Default: the outputs themselves.
    options
        Keyword arguments of ``verify`` (JSON-able: tolerances, choices).
    weight
        Share of the question's points (0 for a format check that gives feedback only).
    """

    name: str
    inputs: Callable[[np.random.Generator], Inputs]
    verify: Callable[..., None] = feedback.verify_close
    driver: Callable[..., Any] = feedback.call
    summary: Callable[[dict[str, np.ndarray], dict[str, np.ndarray]], dict[str, Any]] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    weight: float = 1.0


@dataclass(frozen=True)
class Question:
    """One exercise: the learner writes ``solution.__name__``.

    ``context`` is provided code shown before the answer cell (an experiment to run
    before an "explain what you see" question); ``stub`` overrides the generated stub
    body (a scaffold with comments). ``time_limit`` bounds all its checks together,
    in seconds. ``keep_inputs``: a function that changes its input arrays fails
    (default: when the prompt says "do not change" or "unchanged").
    """

    title: str
    solution: Callable[..., Any]
    prompt: str
    public: tuple[Check, ...]
    hidden: tuple[Check, ...]
    points: float = 1.0
    context: str | None = None
    stub: str | None = None
    time_limit: float = 10.0
    keep_inputs: bool | None = None

    @property
    def function(self) -> str:
        return self.solution.__name__

    @property
    def must_keep_inputs(self) -> bool:
        """Whether grading fails a function that changes its inputs: ``keep_inputs``, or
        by default whether the prompt says so ("do not change", "unchanged")."""
        if self.keep_inputs is not None:
            return self.keep_inputs
        return bool(KEEP_INPUTS.search(self.prompt))


@dataclass(frozen=True)
class ExerciseSet:
    """A set of exercises for one chapter.

    ``forbidden`` maps a dotted name of a descend function to the question key
    (``"q2"``) that asks the learner to write it: it is switched off while that
    set's checks run and while grading (see the instructor guide).
    """

    number: int
    slug: str
    title: str
    chapter: str
    summary: str
    questions: tuple[Question, ...]
    forbidden: Mapping[str, str] = field(default_factory=dict)
    imports: str = "import numpy as np\n\nimport descend as ds"
    module: ModuleType | None = None

    @property
    def name(self) -> str:
        return f"{self.number:02d}-{self.slug}"

    @property
    def keys(self) -> list[str]:
        return [f"q{i}" for i in range(1, len(self.questions) + 1)]

    def question(self, key: str) -> Question:
        return self.questions[self.keys.index(key)]

    def label(self, key: str) -> str:
        return f"Exercise {self.number}.{self.keys.index(key) + 1}"

    @property
    def max_score(self) -> float:
        return float(sum(q.points for q in self.questions))

    def forbidden_labels(self) -> dict[str, str]:
        """Dotted name -> "Exercise N.k", including the package-level aliases."""
        labels = {}
        for dotted, key in self.forbidden.items():
            labels[dotted] = self.label(key)
            parts = dotted.split(".")
            if len(parts) == 3 and parts[0] == "descend":
                alias = _package_alias(parts[1], parts[2])
                if alias:
                    labels[alias] = self.label(key)
        return labels


def _package_alias(submodule: str, name: str) -> str | None:
    """``descend.<name>`` when the package re-exports ``descend.<submodule>.<name>``."""
    import descend

    names = getattr(descend, "_NAMES", {})
    if names.get(name) == submodule:
        return f"descend.{name}"
    return None


def public_seed(set_number: int, question_index: int, check_index: int) -> int:
    """The fixed seed of a public check's inputs (the same in notebook and grader)."""
    return 1000 * set_number + 10 * question_index + check_index


def normalise(values: Inputs) -> dict[str, np.ndarray]:
    """Inputs or outputs as a dict of NumPy arrays (tuples of ints become int arrays)."""
    out = {}
    for key, value in values.items():
        arr = np.asarray(value)
        if arr.dtype.kind not in feedback.ARRAY_KINDS:
            raise TypeError(f"input {key!r} must be numbers or text, got dtype {arr.dtype}")
        out[key] = arr
    return out


def reference(check: Check, solution: Callable[..., Any], inp: dict[str, np.ndarray]) -> dict:
    """``want`` for a check: the solution's outputs on ``inp``, summarised."""
    outputs = feedback.to_arrays(check.driver(solution, feedback.copy_inputs(inp)))
    if check.summary is None:
        return outputs
    return normalise(check.summary(outputs, inp))


def validate(ex: ExerciseSet) -> None:
    """Authoring mistakes a build must not let through."""
    if len(ex.questions) < 5:
        raise ValueError(f"set {ex.name} has {len(ex.questions)} questions; at least 5 needed")
    names = [q.function for q in ex.questions]
    if len(set(names)) != len(names):
        raise ValueError(f"set {ex.name}: two questions use the same function name")
    for q in ex.questions:
        if not q.public or not q.hidden:
            raise ValueError(f"{ex.name} {q.title}: needs public and hidden checks")
        if sum(c.weight for c in q.public + q.hidden) <= 0:
            raise ValueError(f"{ex.name} {q.title}: checks carry no weight")
        for c in q.public + q.hidden:
            for fn in (c.driver, c.verify):
                if fn.__name__ == "<lambda>" or "<locals>" in fn.__qualname__:
                    raise ValueError(
                        f"{ex.name} {q.title} / {c.name}: drivers and verifiers must be "
                        "top-level functions (their source is copied into notebooks)"
                    )
    for dotted, key in ex.forbidden.items():
        if key not in ex.keys:
            raise ValueError(f"{ex.name}: forbidden {dotted} names unknown question {key}")


# ----------------------------------------------------------------------- registry


def load_sets(sets_dir: Path | str | None = None) -> dict[int, ExerciseSet]:
    """Every set defined in ``sets_dir`` (default: ``exercises/sets``), by number.

    A set module defines ``SET = ExerciseSet(...)``. With another folder (the
    instructor's private copy of the sets) the modules are loaded from there.
    """
    sets_dir = Path(sets_dir) if sets_dir is not None else SETS_DIR
    sets: dict[int, ExerciseSet] = {}
    if sets_dir.resolve() == SETS_DIR.resolve():
        modules = [
            importlib.import_module(f"exercises.sets.{info.name}")
            for info in pkgutil.iter_modules([str(SETS_DIR)])
            if not info.name.startswith("_")
        ]
    else:
        modules = [_load_file(path) for path in sorted(sets_dir.glob("[!_]*.py"))]
    for module in modules:
        ex = getattr(module, "SET", None)
        if not isinstance(ex, ExerciseSet):
            continue
        if ex.number in sets:
            raise ValueError(f"two sets numbered {ex.number}: {sets[ex.number].name}, {ex.name}")
        object.__setattr__(ex, "module", module)
        validate(ex)
        sets[ex.number] = ex
    if not sets:
        raise FileNotFoundError(f"no exercise sets (modules defining SET) in {sets_dir}")
    return dict(sorted(sets.items()))


def _load_file(path: Path) -> ModuleType:
    name = f"exercises_private_sets.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def find_set(sets: Mapping[int, ExerciseSet], ident: str | int) -> ExerciseSet:
    """A set by number (``3``, ``"03"``), slug (``"backprop"``) or name (``"03-backprop"``)."""
    text = str(ident).strip().lower()
    for ex in sets.values():
        if text in {str(ex.number), f"{ex.number:02d}", ex.slug, ex.name}:
            return ex
    raise ValueError(
        f"unknown exercise set {ident!r}; choose one of: "
        + ", ".join(f"{ex.number} ({ex.slug})" for ex in sets.values())
    )


def source_of(fn: Callable[..., Any]) -> str:
    """The source text of a top-level function, dedented."""
    return textwrap.dedent(inspect.getsource(fn)).rstrip() + "\n"


def nothing(outputs: Mapping[str, np.ndarray], inp: Mapping[str, np.ndarray]) -> dict:
    """A summary that keeps nothing of the reference (for format-only public checks)."""
    return {}
