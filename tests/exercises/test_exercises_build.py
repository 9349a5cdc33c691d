"""The generated notebooks and pages: up to date, stubs that raise, instant feedback that
says what passed and why, and no solutions or hidden checks anywhere a learner looks."""

from __future__ import annotations

import ast
import contextlib
import html
import inspect
import io
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from exercise_helpers import cell, solution_notebook, student_notebook

from exercises import build, feedback, model

ROOT = Path(__file__).resolve().parents[2]
SET_NUMBERS = sorted(model.load_sets())


def test_generated_files_match_their_sources():
    assert build.drift() == []


def test_the_check_command_reports_drift(tmp_path, monkeypatch):
    page = build.BOOK_DIR / "01-initialize.md"
    original = page.read_text()
    try:
        page.write_text(original + "\nedited by hand\n")
        done = subprocess.run(
            [sys.executable, "-m", "exercises", "build", "--check"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    finally:
        page.write_text(original)
    assert done.returncode == 1
    assert "book/exercises/01-initialize.md differs from its source" in done.stderr


# ---------------------------------------------------------------------- stubs


@pytest.mark.parametrize("number", SET_NUMBERS)
def test_every_stub_raises_not_implemented_with_its_exercise_number(sets, number):
    ex = sets[number]
    nb = student_notebook(ex)
    for i, (key, q) in enumerate(zip(ex.keys, ex.questions, strict=True), start=1):
        ns: dict = {}
        exec(cell(nb, "imports").source, ns)
        exec(cell(nb, f"{key}-answer").source, ns)
        fn = ns[q.function]
        params = inspect.signature(fn).parameters.values()
        required = [p for p in params if p.default is inspect.Parameter.empty]
        with pytest.raises(NotImplementedError, match=rf"^Exercise {number}\.{i}: write "):
            fn(*[None] * len(required))
        # the stub keeps the solution's signature and docstring
        assert inspect.signature(fn) == inspect.signature(q.solution)
        assert fn.__doc__ == q.solution.__doc__


@pytest.mark.parametrize("kind", ["student", "solutions"])
def test_notebooks_are_committed_without_outputs(kind):
    for path in sorted((ROOT / "exercises" / kind).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        for c in nb.cells:
            if c.cell_type == "code":
                assert c.outputs == [] and c.execution_count is None, path.name


def test_only_solution_notebooks_are_collected_by_pytest():
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "exercises"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    collected = {line.split("::")[0] for line in done.stdout.splitlines() if "::" in line}
    expected = {f"exercises/solutions/{ex.name}.ipynb" for ex in model.load_sets().values()}
    assert collected == expected


# ------------------------------------------------------------------ feedback


def _load(nb: nbformat.NotebookNode) -> dict:
    ns: dict = {}
    exec(cell(nb, "imports").source, ns)
    exec(cell(nb, "checks").source, ns)
    return ns


def _check(ns: dict, key: str, **kwargs) -> tuple[bool, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ok = ns["check"](key, **kwargs)
    return ok, out.getvalue()


def test_check_reports_each_public_check_and_why_it_failed(sets):
    ex = sets[1]
    ns = _load(student_notebook(ex))
    exec(cell(student_notebook(ex), "q1-answer").source, ns)
    ok, text = _check(ns, "q1")
    assert not ok
    assert text.splitlines()[0] == "Exercise 1.1 (count_params), public checks:"
    assert "\u2717 the 2-3-1 network of the example: not answered yet (Exercise 1.1: " in text
    assert text.splitlines()[-1].startswith("0 of 2 public checks passed")

    exec("def count_params(sizes):\n    return sum(a * b for a, b in zip(sizes, sizes[1:]))", ns)
    ok, text = _check(ns, "q1")  # forgets the biases
    assert not ok
    assert "\u2717 the 2-3-1 network of the example: the result is 9, which is not right" in text

    exec(cell(solution_notebook(ex), "q1-answer").source, ns)
    ok, text = _check(ns, "q1")
    assert ok
    assert "\u2713 the 2-3-1 network of the example" in text
    assert text.splitlines()[-1] == (
        "2 of 2 public checks passed. Public checks passed; grading also runs hidden "
        "checks on new inputs."
    )


def test_check_explains_shape_and_statistics_mistakes(sets):
    ex = sets[1]
    ns = _load(student_notebook(ex))
    exec("def he_normal(shape, rng):\n    return rng.normal(0, 0.1, size=shape)", ns)
    ok, text = _check(ns, "q2")
    assert not ok
    assert re.search(r"the standard deviation is 0\.09\d+, expected 0\.07071 \(within 5%\)", text)
    exec(
        "def he_normal(shape, rng):\n    return np.random.normal(0, (2 / shape[0]) ** 0.5, shape)",
        ns,
    )
    assert "draw from rng" in _check(ns, "q2")[1]
    exec("def activation_stds(X, weights):\n    return np.ones((len(weights), 1))", ns)
    assert "the result has shape (3, 1), expected (3,)" in _check(ns, "q4")[1]


def test_check_switches_off_the_library_function_the_exercise_asks_for(sets):
    import descend as ds

    ex = sets[1]
    ns = _load(student_notebook(ex))
    exec("def he_normal(shape, rng):\n    return ds.init.he_normal(shape, rng)", ns)
    ok, text = _check(ns, "q2")
    assert not ok
    assert "used descend.init.he_normal, which Exercise 1.2 asks you to write, so it is " in text
    # switched back on afterwards, for the learner's own experiments
    assert ds.init.he_normal((3, 2), rng=__import__("numpy").random.default_rng(0)).shape == (3, 2)


def test_check_errors_are_clear(sets):
    ns = _load(student_notebook(sets[1]))
    with pytest.raises(ValueError, match="unknown question 'q9'; this set has q1, q2, q3"):
        ns["check"]("q9")
    with pytest.raises(AssertionError, match="Exercise 1.1: 2 public check"):
        _check(ns, "q1", strict=True)


@pytest.mark.parametrize("number", SET_NUMBERS)
def test_every_solution_passes_its_public_checks_in_process(sets, number):
    ex = sets[number]
    ns = _load(solution_notebook(ex))
    nb = solution_notebook(ex)
    for c in nb.cells:
        if c.cell_type == "code" and c.metadata["descend"]["role"] in ("answer", "context"):
            with contextlib.redirect_stdout(io.StringIO()):
                exec(c.source, ns)
    for key in ex.keys:
        ok, text = _check(ns, key)
        assert ok, text
        assert "public checks passed" in text


def test_no_notebook_ever_claims_that_all_tests_passed():
    for path in [*ROOT.glob("exercises/*/*.ipynb"), Path(feedback.__file__)]:
        assert "all tests passed" not in path.read_text().lower(), path


# ---------------------------------------------------------------------- leaks


def _body(fn) -> list[str]:
    """The lines of a function after its signature and docstring, stripped."""
    source = model.source_of(fn)
    node = ast.parse(source).body[0]
    first = node.body[0]
    has_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    start = (node.body[1].lineno if has_doc else first.lineno) - 1
    lines = [line.strip() for line in source.splitlines()[start:]]
    return [line for line in lines if line and not line.startswith("#")]


def _normalise(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _public_material(ex) -> str:
    parts = [Path(feedback.__file__).read_text()]
    for i, q in enumerate(ex.questions):
        parts += [q.prompt, q.context or "", build.stub_source(ex, i)]
    parts.append(build.function_sources(build.public_functions(ex).values()))
    return _normalise("\n".join(parts))


def _secrets(ex) -> tuple[list[str], list[str], list[str]]:
    """(whole solution bodies, distinctive solution lines, hidden-only code)."""
    public = _public_material(ex)
    bodies, lines = [], []
    for q in ex.questions:
        body = _body(q.solution)
        bodies.append("\n".join(body))
        lines += [line for line in body if len(line) >= 20 and line not in public]
    public_fns = set(build.public_functions(ex))
    hidden = set()
    for q in ex.questions:
        for c in q.hidden:
            hidden |= {c.verify, c.inputs, c.summary} - {None}
        for c in q.public:
            if c.summary is not None:
                hidden.add(c.summary)
    hidden_code = []
    for fn in hidden:
        if fn.__name__ in public_fns or fn.__name__ == "<lambda>" or fn.__name__ == "nothing":
            continue
        if fn.__name__ in vars(feedback):
            continue
        hidden_code.append(_normalise(textwrap.dedent(inspect.getsource(fn))))
        hidden_code.append(f"def {fn.__name__}(")
    return bodies, lines, hidden_code


def _text_of(path: Path) -> str:
    text = path.read_text(errors="replace")
    if path.suffix == ".ipynb":
        nb = json.loads(text)
        text = "\n".join(
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in nb["cells"]
        )
    elif path.suffix in (".html", ".htm"):
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return _normalise(text)


def _leaks(paths: list[Path], strict: bool) -> list[str]:
    found = []
    texts = {p: _text_of(p) for p in paths}
    for ex in model.load_sets().values():
        bodies, lines, hidden = _secrets(ex)
        needles = [*bodies, *hidden, *(lines if strict else [])]
        for path, text in texts.items():
            for needle in needles:
                if needle and needle in text:
                    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
                    found.append(f"{where}: {needle.splitlines()[0][:80]}")
    return found


def test_the_leak_scan_finds_a_planted_solution(tmp_path):
    ex = model.load_sets()[1]
    planted = tmp_path / "leaky.ipynb"
    nb = student_notebook(ex)
    cell(nb, "q2-answer").source = model.source_of(ex.questions[1].solution)
    nbformat.write(nb, planted)
    planted_hidden = tmp_path / "page.html"
    planted_hidden.write_text(
        "<pre>" + html.escape(inspect.getsource(ex.module._he_target)) + "</pre>"
    )
    found = _leaks([planted, planted_hidden], strict=True)
    assert any("leaky.ipynb: fan_in = shape[0]" in f for f in found), found
    assert any("page.html: def _he_target" in f for f in found), found


def test_student_notebooks_and_book_pages_hold_no_solutions_or_hidden_checks():
    paths = sorted(build.STUDENT_DIR.glob("*.ipynb")) + sorted(build.BOOK_DIR.glob("*.md"))
    assert len(paths) == 2 * len(SET_NUMBERS) + 2  # notebooks, set pages, index, guide
    assert _leaks(paths, strict=True) == []


def test_public_data_never_holds_multiple_choice_answers(sets):
    for ex in sets.values():
        data = build.public_data(ex)
        for key, q in zip(ex.keys, ex.questions, strict=True):
            if build._q_kind(q) != "write a function":
                assert all(c["want"] == {} for c in data["questions"][key]["checks"]), key


def test_the_built_website_holds_no_solutions_or_hidden_checks(built_site: Path):
    site = built_site  # built once per session by tests/conftest.py
    paths = [
        p
        for p in site.rglob("*")
        if p.is_file()
        and p.suffix in (".html", ".ipynb", ".txt", ".md", ".js", ".json", ".py")
        and p.stat().st_size < 20 * 2**20
    ]
    assert paths
    assert _leaks(paths, strict=False) == []
