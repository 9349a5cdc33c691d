"""Generate the learner's notebooks, the solution notebooks and the book's exercise pages.

Every generated file is written from the set sources in ``exercises/sets/``; never
edit one by hand. ``python -m exercises build`` writes them, ``python -m exercises
build --check`` fails when one differs from what the sources give (a test runs it).

    exercises/student/exercises-NN-slug.ipynb   the learner's notebook: stubs + public checks
    exercises/solutions/NN-slug.ipynb   the same with the solutions (run by nbval)
    book/exercises/index.md             the book's Exercises part
    book/exercises/NN-slug.md           one page per set (links to the notebook)
"""

from __future__ import annotations

import ast
import json
import textwrap
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import nbformat
import numpy as np

from exercises import feedback
from exercises.model import (
    ExerciseSet,
    Question,
    load_sets,
    normalise,
    public_seed,
    reference,
    source_of,
)

ROOT = Path(__file__).resolve().parent.parent
STUDENT_DIR = ROOT / "exercises" / "student"
SOLUTION_DIR = ROOT / "exercises" / "solutions"
BOOK_DIR = ROOT / "book" / "exercises"
FEEDBACK_FILE = Path(feedback.__file__)

SETUP_MARKER = "# Descend exercise checks (public)"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


# ------------------------------------------------------------ code collection


def _names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def _is_authored(fn: Any) -> bool:
    module = getattr(fn, "__module__", "") or ""
    return (
        isinstance(fn, types.FunctionType)
        and module != feedback.__name__
        and (module.startswith("exercises.sets") or module.startswith("exercises_private_sets"))
    )


def function_sources(functions: Iterable[Callable[..., Any]]) -> str:
    """The source of ``functions`` and of every set-module helper they call."""
    seen: dict[str, Callable[..., Any]] = {}
    todo = list(functions)
    while todo:
        fn = todo.pop(0)
        if not _is_authored(fn) or fn.__name__ in seen:
            continue
        if fn.__name__ in vars(feedback):
            raise ValueError(f"{fn.__name__} shadows a name of exercises.feedback; rename it")
        seen[fn.__name__] = fn
        for name in sorted(_names(fn.__code__)):
            value = fn.__globals__.get(name)
            if _is_authored(value):
                todo.append(value)
    return "\n\n".join(source_of(fn) for fn in seen.values())


def runtime_code(functions: Iterable[Callable[..., Any]]) -> str:
    """feedback.py, ``import descend as ds`` and the given drivers/verifiers with helpers."""
    code = FEEDBACK_FILE.read_text()
    extra = function_sources(functions)
    return code.rstrip() + "\n\nimport descend as ds  # noqa: E402\n\n\n" + extra


def public_functions(ex: ExerciseSet) -> dict[str, Callable[..., Any]]:
    fns: dict[str, Callable[..., Any]] = {}
    for q in ex.questions:
        for c in q.public:
            fns[c.driver.__name__] = c.driver
            fns[c.verify.__name__] = c.verify
    return fns


def driver_functions(ex: ExerciseSet) -> dict[str, Callable[..., Any]]:
    fns: dict[str, Callable[..., Any]] = {}
    for q in ex.questions:
        for c in q.public + q.hidden:
            fns[c.driver.__name__] = c.driver
    return fns


def public_inputs(ex: ExerciseSet, qi: int, ci: int) -> dict[str, np.ndarray]:
    check = ex.questions[qi].public[ci]
    return normalise(check.inputs(np.random.default_rng(public_seed(ex.number, qi + 1, ci))))


def public_data(ex: ExerciseSet) -> dict[str, Any]:
    """Inputs and reference values of the public checks, as JSON-ready data."""
    questions = {}
    for qi, (key, q) in enumerate(zip(ex.keys, ex.questions, strict=True)):
        checks = []
        for ci, c in enumerate(q.public):
            inp = public_inputs(ex, qi, ci)
            want = reference(c, q.solution, inp)
            checks.append(
                {
                    "name": c.name,
                    "driver": c.driver.__name__,
                    "verify": c.verify.__name__,
                    "options": dict(c.options),
                    "inputs": feedback.encode(inp),
                    "want": feedback.encode(want),
                }
            )
        questions[key] = {
            "number": f"{ex.number}.{qi + 1}",
            "function": q.function,
            "checks": checks,
        }
    return {"set": ex.number, "forbidden": ex.forbidden_labels(), "questions": questions}


# ------------------------------------------------------------------- notebooks


def stub_source(ex: ExerciseSet, qi: int) -> str:
    """The solution's signature and docstring, then a line that raises NotImplementedError."""
    q = ex.questions[qi]
    source = source_of(q.solution)
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef)
    first = node.body[0]
    has_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    end = first.end_lineno if has_doc else first.lineno - 1
    lines = source.splitlines()[:end]
    body = textwrap.dedent(q.stub).strip().splitlines() if q.stub else []
    message = f"Exercise {ex.number}.{qi + 1}: write {q.function} (replace this line)"
    body.append(f"raise NotImplementedError({message!r})")
    return "\n".join(lines + ["    " + line if line else "" for line in body]) + "\n"


def _cell(
    kind: str,
    source: str,
    cell_id: str,
    role: str,
    question: str | None = None,
    hidden_source: bool = False,
) -> nbformat.NotebookNode:
    meta: dict[str, Any] = {"descend": {"role": role}}
    if question:
        meta["descend"]["question"] = question
    if hidden_source:
        meta["jupyter"] = {"source_hidden": True}
        meta["tags"] = ["hide-input"]
    if kind == "markdown":
        cell = nbformat.v4.new_markdown_cell(source.strip(), metadata=meta)
    else:
        cell = nbformat.v4.new_code_cell(source.strip(), metadata=meta)
    cell["id"] = cell_id
    return cell


def setup_source(ex: ExerciseSet) -> str:
    code = runtime_code(public_functions(ex).values())
    data = json.dumps(public_data(ex), separators=(",", ":"))
    names = sorted(public_functions(ex))
    for text in (code, data):
        if "'''" in text or text.endswith("\\"):
            raise ValueError("the checks code or data contains ''' or ends with a backslash")
    return (
        f'{SETUP_MARKER}: run this cell once, then check("q1") etc.\n'
        f"# Generated from {_rel(ex)}; it holds no solutions. Do not edit.\n"
        "def _descend_load_checks(code, data, names):\n"
        "    import json\n"
        "    import types\n\n"
        '    module = types.ModuleType("descend_checks")\n'
        '    exec(compile(code, "descend_checks", "exec"), module.__dict__)\n'
        "    functions = {name: getattr(module, name) for name in names}\n"
        "    return module.make_check(globals(), json.loads(data), functions)\n\n\n"
        "check = _descend_load_checks(\n"
        f"    r'''{code}''',\n"
        f"    r'''{data}''',\n"
        f"    {names!r},\n"
        ")\n"
        "del _descend_load_checks\n"
    )


def _rel(ex: ExerciseSet) -> str:
    path = Path(ex.module.__file__).resolve() if ex.module else None
    try:
        return str(path.relative_to(ROOT)) if path else "?"
    except ValueError:
        return path.name


def _intro(ex: ExerciseSet, solutions: bool) -> str:
    title = f"# Exercise set {ex.number}: {ex.title}" + (" (solutions)" if solutions else "")
    forbidden = ", ".join(f"`{name}`" for name in ex.forbidden)
    return f"""{title}

{ex.summary} It goes with the chapter `{ex.chapter}` of the course.

**How to work.** Run the three cells below (they install the library if it is missing,
import it and load the checks). Then, for each exercise, write the function
in its cell (replace the line that raises `NotImplementedError`), run it, and run the
`check("q...")` cell below it: the *public checks* say what passed and what failed.
Passing them is necessary, not sufficient: grading also runs *hidden checks* on new
inputs. Use NumPy and `descend` freely, except the functions this set asks you to
write, which are switched off while checking and grading: {forbidden}.

**How to submit.** Save this notebook and hand in the `.ipynb` file as your course
says (see the book's *Exercises* page). The grader runs your code cells from the top
in a fresh kernel, then calls your functions: keep their names, keep each cell
runnable, and keep slow experiments out of the answer cells.
"""


def install_source() -> str:
    """The first code cell: on Colab (no descend yet), install the course library.

    The repository's address is read from _config.yml, the one place it is written.
    """
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    url = config["repository"]["url"]
    return (
        "# On Colab or another fresh kernel, install the course library if it is missing.\n"
        "try:\n"
        "    import descend  # noqa: F401\n"
        "except ImportError:\n"
        f'    %pip install --quiet "descend @ git+{url}"\n'
    )


def notebook(ex: ExerciseSet, solutions: bool) -> nbformat.NotebookNode:
    """The learner's notebook (``solutions=False``) or the solution notebook."""
    cells = [
        _cell("markdown", _intro(ex, solutions), "intro", "intro"),
        _cell("code", install_source(), "install", "install"),
        _cell("code", ex.imports, "imports", "imports"),
        _cell("code", setup_source(ex), "checks", "setup", hidden_source=True),
    ]
    for qi, (key, q) in enumerate(zip(ex.keys, ex.questions, strict=True)):
        points = f"{q.points:g} point" + ("" if q.points == 1 else "s")
        text = f"## Exercise {ex.number}.{qi + 1}: {q.title} ({points})\n\n{q.prompt}"
        cells.append(_cell("markdown", text, f"{key}-prompt", "prompt", key))
        if q.context:
            cells.append(_cell("code", q.context, f"{key}-context", "context", key))
        answer = source_of(q.solution) if solutions else stub_source(ex, qi)
        cells.append(_cell("code", answer, f"{key}-answer", "answer", key))
        # the semicolon keeps check's True/False out of the page: its printout says it all
        call = f'check("{key}", strict=True);' if solutions else f'check("{key}");'
        cells.append(_cell("code", call, f"{key}-check", "check", key))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
        "descend": {
            "set": ex.number,
            "kind": "solutions" if solutions else "student",
            "generated_from": _rel(ex),
        },
    }
    nbformat.validate(nb)
    return nb


# ------------------------------------------------------------------ book pages


def _q_kind(q: Question) -> str:
    verifiers = {c.verify.__name__ for c in q.public}
    if "verify_letter_format" in verifiers:
        return "multiple choice"
    if "verify_number_format" in verifiers:
        return "predict a value"
    return "write a function"


def set_page(ex: ExerciseSet) -> str:
    rows = "\n".join(
        f"| {ex.number}.{i} | {q.title} | `{q.function}` | {_q_kind(q)} | {q.points:g} |"
        for i, q in enumerate(ex.questions, start=1)
    )
    return f"""% Generated by `python -m exercises build` from {_rel(ex)}; do not edit.
# Exercise set {ex.number}: {ex.title}

{ex.summary} It goes with the chapter {{doc}}`../{Path(ex.chapter).stem}`.

Download the notebook:
{{download}}`{student_path(ex).name} <../../exercises/student/{student_path(ex).name}>`
(or open `exercises/student/{student_path(ex).name}` in your copy of the repository). It
needs the course package installed (the README's first command).

| Exercise | What you do | Function | Kind | Points |
|---|---|---|---|---|
{rows}

Total: {ex.max_score:g} points. Each exercise has public checks you run in the
notebook with `check("q1")`, `check("q2")`, ...; grading adds hidden checks on inputs
drawn afresh for every grading run. In this set, descend's own
{_plural(len(ex.forbidden), "version")} of what you write
({", ".join(f"`{name}`" for name in ex.forbidden)}) {_verb(len(ex.forbidden))} switched
off while checking and grading. See {{doc}}`index` for how feedback and grading work.
"""


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def _verb(n: int) -> str:
    return "is" if n == 1 else "are"


def feedback_example(ex: ExerciseSet, key: str, wrong: str) -> str:
    """What ``check(key)`` prints for the answer ``wrong`` (source code), computed."""
    import contextlib
    import io

    ns: dict[str, Any] = {}
    exec(ex.imports, ns)
    exec(setup_source(ex), ns)
    exec(wrong, ns)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ns["check"](key)
    return "```text\n" + out.getvalue().rstrip() + "\n```"


def index_page(sets: dict[int, ExerciseSet]) -> str:
    example = feedback_example(
        sets[min(sets)],
        "q2",
        "def he_normal(shape, rng):\n    return rng.normal(0.0, 0.1, size=shape)\n",
    )
    rows = "\n".join(
        f"| {{doc}}`{ex.name}` | {len(ex.questions)} | {ex.max_score:g} |" for ex in sets.values()
    )
    return f"""% Generated by `python -m exercises build`; do not edit.
# Exercises

Every step of the loop has a graded exercise set, and so does linear regression.
Each set is one notebook: you write small functions (an initializer, a forward
pass, a backward pass, a gradient checker, an optimizer step, a training loop, a
line fit) and answer a few "explain what you see" questions after running a
provided experiment. Every answer is checked by code: a function is called on
inputs and its outputs compared with the reference's; a multiple-choice answer is
a letter; a predicted value is a number.

| Set | Exercises | Points |
|---|---|---|
{rows}

## Getting feedback

Open the set's notebook (download it from its page, or open
`exercises/student/` in your copy of the repository after the README's install
command) and run the cells at its top (they install the library if it is missing,
import it and load the checks). Below every answer cell a `check("q1")` cell
runs the *public checks* of that exercise and prints, check by check, what passed
and, for what failed, why:

{example}

When every public check of an exercise passes, `check` says *public checks
passed*, not that you are done: grading also runs *hidden checks* with inputs drawn
afresh at every grading run (new shapes, new seeds, extreme values), so a function
that is right only on the public examples still loses points. A stub that still
raises `NotImplementedError` is reported as *not answered yet*.

You may use NumPy and `descend` in your answers, except descend's own versions of
the functions a set asks you to write: those are switched off while checking and
grading (calling one raises an error that says so).

## Submitting

Hand in the notebook file (`.ipynb`) as your course says (for example on
Gradescope). The grader starts a fresh Python kernel in an empty folder, runs your
code cells from the top, then calls each of your functions on its own inputs, with
a time limit per exercise and a memory limit. So before submitting:

* restart the kernel and run all cells: every answer cell must run on its own;
* keep the function names and signatures of the stubs;
* do not leave long experiments in the notebook (each exercise has a time limit,
  10 seconds by default);
* an exercise that crashes, runs out of time or returns nothing scores 0 for that
  exercise only; the others are graded as usual.

Instructors: see the {{doc}}`instructor-guide`.
"""


# --------------------------------------------------------------------- outputs


def student_path(ex: ExerciseSet) -> Path:
    """The learner's notebook, ``exercises-NN-slug.ipynb``: downloaded from the website it
    must not take the name of the chapter's own notebook, ``NN-slug.ipynb``."""
    return STUDENT_DIR / f"exercises-{ex.name}.ipynb"


def outputs(sets: dict[int, ExerciseSet]) -> dict[Path, str]:
    """Every generated file and its content."""
    files: dict[Path, str] = {BOOK_DIR / "index.md": index_page(sets)}
    for ex in sets.values():
        files[student_path(ex)] = nbformat.writes(notebook(ex, False)) + "\n"
        files[SOLUTION_DIR / f"{ex.name}.ipynb"] = nbformat.writes(notebook(ex, True)) + "\n"
        files[BOOK_DIR / f"{ex.name}.md"] = set_page(ex)
    return files


def write(sets: dict[int, ExerciseSet] | None = None) -> list[Path]:
    """Write every generated file; return those that changed."""
    changed = []
    for path, text in outputs(sets or load_sets()).items():
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            changed.append(path)
    return changed


def drift(sets: dict[int, ExerciseSet] | None = None) -> list[str]:
    """Generated files that differ from what the sources give (or are missing or stray)."""
    files = outputs(sets or load_sets())
    problems = [
        f"{path.relative_to(ROOT)} is missing"
        if not path.exists()
        else f"{path.relative_to(ROOT)} differs from its source"
        for path, text in files.items()
        if not path.exists() or path.read_text() != text
    ]
    for folder, pattern in ((STUDENT_DIR, "*.ipynb"), (SOLUTION_DIR, "*.ipynb")):
        for path in folder.glob(pattern):
            if path not in files:
                problems.append(f"{path.relative_to(ROOT)} has no source set")
    return problems
