"""Submissions that try to break or fool the grader score exactly what they deserve.

All are variations of set 1's solution notebook (the smallest set), graded in one batch
with short limits so that the suite stays quick: 3 s per exercise, 4 s per cell and
1 GiB of memory per kernel.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from exercise_helpers import (
    cell,
    full_marks,
    grade_submissions,
    processes_running,
    solution_notebook,
    with_answer,
)

from exercises import build, grader, sandbox

ROOT = Path(__file__).resolve().parents[2]
LIMITS = {"time_limit": 3.0, "cell_time_limit": 4.0, "memory_mb": 1024, "workers": 2}
NAMES = [
    "infinite_loop",
    "top_level_loop",
    "memory_bomb",
    "always_equal",
    "numpy_patched",
    "display_patched",
    "nan_outputs",
    "invalid_json",
    "not_a_notebook",
    "deleted_reordered",
    "hard_coded",
    "forbidden_call",
    "reload_top_level",
    "reload_inside",
    "escaped_child",
]
DAEMON = "import time; time.sleep(987.654)"  # a child that leaves the kernel's process group


def _insert_after_imports(nb: nbformat.NotebookNode, source: str) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb)
    position = [c.get("id") for c in nb.cells].index("imports") + 1
    nb.cells.insert(position, nbformat.v4.new_code_cell(source))
    return nb


ALWAYS_EQUAL = '''
class AlwaysEqual:
    """Claims to equal anything, to be close to anything, to have any shape."""

    shape = (400, 300)

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __array__(self, dtype=None, copy=None):
        raise TypeError("no")

    def __getattr__(self, name):
        return lambda *args, **kwargs: True
'''


def _submissions(ex):
    sol = solution_notebook(ex)
    subs = {}

    # an infinite loop (that even swallows interrupts) in exercise 1.2
    subs["infinite_loop"] = with_answer(
        sol,
        "q2",
        "def he_normal(shape, rng):\n"
        "    while True:\n"
        "        try:\n"
        "            pass\n"
        "        except BaseException:\n"
        "            pass\n",
    )
    # an infinite loop at the top level of a cell of its own
    subs["top_level_loop"] = _insert_after_imports(sol, "while True:\n    pass\n")
    # a memory bomb in exercise 1.1, and a huge allocation at the top level
    subs["memory_bomb"] = _insert_after_imports(
        with_answer(
            sol,
            "q1",
            "def count_params(sizes):\n"
            "    hog = []\n"
            "    while True:\n"
            "        hog.append(np.ones(10**7))\n",
        ),
        "big = np.ones((10**6, 10**6))",
    )
    # objects whose __eq__ always says True
    nb = _insert_after_imports(sol, ALWAYS_EQUAL)
    for key, name, args in (
        ("q1", "count_params", "sizes"),
        ("q2", "he_normal", "shape, rng"),
        ("q5", "zero_init_answer", ""),
    ):
        nb = with_answer(nb, key, f"def {name}({args}):\n    return AlwaysEqual()\n")
    subs["always_equal"] = nb
    # NumPy's comparison functions patched to always agree, then two wrong answers
    nb = _insert_after_imports(
        sol,
        "import numpy.testing\n"
        "np.allclose = lambda *a, **k: True\n"
        "np.isclose = lambda *a, **k: True\n"
        "np.array_equal = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
        "np.testing.assert_array_equal = lambda *a, **k: None\n"
        "np.testing.assert_equal = lambda *a, **k: None\n",
    )
    nb = with_answer(nb, "q1", "def count_params(sizes):\n    return 0\n")
    subs["numpy_patched"] = with_answer(
        nb, "q4", "def activation_stds(X, weights):\n    return np.zeros(len(weights))\n"
    )
    # the kernel's exception display silenced, then one exercise raises, one returns None
    nb = _insert_after_imports(
        sol,
        "import sys\n"
        "import IPython.core.interactiveshell as shell\n"
        "ip = get_ipython()\n"
        "ip.showtraceback = lambda *a, **k: None\n"
        "ip._showtraceback = lambda *a, **k: None\n"
        "shell.InteractiveShell.showtraceback = lambda *a, **k: None\n"
        "sys.excepthook = lambda *a: None\n",
    )
    nb = with_answer(
        nb, "q3", "def xavier_uniform(shape, rng, gain=1.0):\n    raise ValueError('x')\n"
    )
    subs["display_patched"] = with_answer(nb, "q6", "def init_network(sizes, seed):\n    pass\n")
    # NaN results
    nb = with_answer(sol, "q2", "def he_normal(shape, rng):\n    return np.full(shape, np.nan)\n")
    subs["nan_outputs"] = with_answer(
        nb, "q4", "def activation_stds(X, weights):\n    return np.full(len(weights), np.nan)\n"
    )
    # not JSON at all (a truncated download)
    subs["invalid_json"] = nbformat.writes(sol)[:5000]
    # not a notebook although it is JSON
    subs["not_a_notebook"] = json.dumps({"cells": "none", "nbformat": 4})
    # a deleted answer cell, the imports moved to the end, the rest reversed
    nb = copy.deepcopy(sol)
    nb.cells = [c for c in nb.cells if c.get("id") != "q3-answer"]
    imports = cell(nb, "imports")
    others = [c for c in nb.cells if c is not imports]
    nb.cells = list(reversed(others)) + [imports]
    subs["deleted_reordered"] = nb
    # the public examples' answers hard-coded (they can be read from the notebook)
    public = json.loads(cell(sol, "checks").source.split("r'''")[2].split("'''")[0])
    known = {
        len(c["inputs"]["sizes"]["data"]): c["want"]["out"]["data"][0]
        for c in public["questions"]["q1"]["checks"]
    }
    want = public["questions"]["q4"]["checks"][0]["want"]["out"]["data"]
    nb = with_answer(sol, "q1", f"def count_params(sizes):\n    return {known!r}[len(sizes)]\n")
    subs["hard_coded"] = with_answer(
        nb, "q4", f"def activation_stds(X, weights):\n    return np.array({want!r})\n"
    )
    # calling the library's own version of what the exercise asks for, under an alias
    nb = _insert_after_imports(sol, "from descend.init import he_normal as library_he")
    subs["forbidden_call"] = with_answer(
        nb, "q2", "def he_normal(shape, rng):\n    return library_he(shape, rng)\n"
    )
    # switching the library's version back on with importlib.reload, at the top level
    nb = _insert_after_imports(sol, "import importlib\n\nimportlib.reload(ds.init)")
    subs["reload_top_level"] = with_answer(
        nb, "q2", "def he_normal(shape, rng):\n    return ds.init.he_normal(shape, rng)\n"
    )
    # ... and inside the answer itself
    subs["reload_inside"] = with_answer(
        sol,
        "q2",
        "import importlib\n\n\n"
        "def he_normal(shape, rng):\n"
        "    importlib.reload(ds.init)\n"
        "    return ds.init.he_normal(shape, rng)\n",
    )
    # a child process that leaves the kernel's process group to outlive it
    subs["escaped_child"] = _insert_after_imports(
        sol,
        "import subprocess\nimport sys\n\n"
        f"subprocess.Popen([sys.executable, '-c', {DAEMON!r}], start_new_session=True)\n",
    )
    return subs


def _expected(ex):
    full = full_marks(ex)

    def but(**zeroed):
        return {**full, **zeroed}

    return {
        "infinite_loop": but(q2=0.0),
        "top_level_loop": full,
        "memory_bomb": but(q1=0.0),
        "always_equal": but(q1=0.0, q2=0.0, q5=0.0),
        "numpy_patched": but(q1=0.0, q4=0.0),
        "display_patched": but(q3=0.0, q6=0.0),
        "nan_outputs": but(q2=0.0, q4=0.0),
        "invalid_json": dict.fromkeys(full, 0.0),
        "not_a_notebook": dict.fromkeys(full, 0.0),
        "deleted_reordered": but(q3=0.0),
        # public checks pass (2 of 5 weight for 1.1, 1 of 5 for 1.4), hidden ones fail
        "hard_coded": but(q1=0.4, q4=0.4),
        "forbidden_call": but(q2=0.0),
        "reload_top_level": but(q2=0.0),
        "reload_inside": but(q2=0.0),
        "escaped_child": full,
    }


@pytest.fixture(scope="module")
def graded(sets, tmp_path_factory):
    ex = sets[1]
    return ex, grade_submissions(ex, _submissions(ex), tmp_path_factory.mktemp("subs"), **LIMITS)


@pytest.mark.parametrize("name", NAMES)
def test_each_submission_scores_exactly_what_it_deserves(graded, name):
    ex, results = graded
    assert results[name].question_scores() == pytest.approx(_expected(ex)[name], abs=1e-9)


def test_the_reasons_are_reported(graded):
    ex, results = graded
    msgs = {name: " ".join(c.message for c in res.checks) for name, res in results.items()}
    notes = {name: " ".join(res.notes) for name, res in results.items()}
    assert "time limit (3 s)" in msgs["infinite_loop"]
    assert "code cell 3 was skipped" in notes["top_level_loop"]
    assert "MemoryError" in msgs["memory_bomb"] and "MemoryError" in notes["memory_bomb"]
    assert "not a NumPy array or a number" in msgs["always_equal"]
    assert "raised ValueError: `x`" in msgs["display_patched"]
    assert "forget to 'return'" in msgs["display_patched"]
    assert "NaN or infinite" in msgs["nan_outputs"]
    assert results["invalid_json"].status == "invalid"
    assert "not valid JSON" in msgs["invalid_json"]
    assert results["not_a_notebook"].status == "invalid"
    assert "not a valid Jupyter notebook" in msgs["not_a_notebook"]
    assert "xavier_uniform is not defined" in msgs["deleted_reordered"]
    assert "used descend.init.he_normal, which Exercise 1.2 asks" in msgs["forbidden_call"]
    assert "switched off" in msgs["reload_top_level"]
    assert "the code switched descend.init.he_normal, " in msgs["reload_inside"]
    for name in ("reload_top_level", "reload_inside"):
        assert "uses importlib, reload, sys.modules" in notes[name]
    assert "importlib" not in notes["forbidden_call"]
    for name, res in results.items():
        assert res.status in ("graded", "invalid"), (name, res.notes)


def test_no_process_outlives_its_kernel(graded):
    assert processes_running(DAEMON) == []


def test_hidden_inputs_are_drawn_afresh_for_every_run(sets):
    ex = sets[1]
    plans = [grader.make_plan(ex, grader.Settings()) for _ in range(2)]
    assert plans[0].seed != plans[1].seed
    for key in ex.keys:
        for a, b in zip(plans[0].checks[key], plans[1].checks[key], strict=True):
            same = all(np.array_equal(a.inputs[k], b.inputs[k]) for k in a.inputs)
            if a.visibility == "public":
                assert same, a.ident
            elif a.inputs:
                assert not same, a.ident
    again = grader.make_plan(ex, grader.Settings(seed=plans[0].seed))
    first = plans[0].checks["q2"][1].inputs["shape"]
    assert np.array_equal(again.checks["q2"][1].inputs["shape"], first)


def test_a_submission_that_writes_next_to_the_grader(sets, tmp_path):
    """It writes into the grader's folder, the results folder and the private sets, and
    steals the reference solution: with the sandbox nothing of it lands, without it the
    grader notices that its files changed and stops."""
    ex = sets[1]
    home, private, subs, out = (tmp_path / d for d in ("grader", "private", "subs", "out"))
    home.mkdir()
    shutil.copytree(build.ROOT / "exercises" / "sets", private)
    subs.mkdir()
    before = {p.name: p.read_bytes() for p in private.glob("*.py")}
    sol = solution_notebook(ex)
    writer = _insert_after_imports(
        sol,
        "import os\n"
        "import pathlib\n"
        f"OUT, SETS, HOME = {str(out)!r}, {str(private)!r}, {str(home)!r}\n"
        "folders = [pathlib.Path.cwd(), pathlib.Path(f'/proc/{os.getppid()}/cwd'),\n"
        "           pathlib.Path(HOME), pathlib.Path(OUT), pathlib.Path(OUT) / 'solution',\n"
        "           pathlib.Path(SETS)]\n"
        "for folder in folders:\n"
        "    try:\n"
        "        folder.mkdir(parents=True, exist_ok=True)\n"
        "        (folder / 'results.json').write_text('{\"score\": 1000}')\n"
        "        (folder / 'grades.csv').write_text('submission,score\\nwriter,1000\\n')\n"
        "    except OSError:\n"
        "        pass\n"
        "try:\n"
        "    (pathlib.Path(SETS) / 's01_initialize.py').write_text('SET = None\\n')\n"
        "except OSError:\n"
        "    pass\n",
    )
    stolen = (
        "import ast\n"
        "import pathlib\n"
        "try:\n"
        f"    text = pathlib.Path({str(private / 's01_initialize.py')!r}).read_text()\n"
        "    tree = ast.parse(text)\n"
        "    fn = [n for n in tree.body if getattr(n, 'name', '') == 'he_normal'][0]\n"
        "    exec(compile(ast.Module([fn], []), 'stolen', 'exec'), globals())\n"
        "except OSError as exc:\n"
        "    reason = str(exc)\n"
        "\n"
        "    def he_normal(shape, rng):\n"
        "        raise PermissionError(reason)\n"
    )
    nbformat.write(with_answer(writer, "q2", stolen), subs / "writer.ipynb")
    nbformat.write(sol, subs / "solution.ipynb")
    cmd = [
        sys.executable,
        "-m",
        "exercises",
        "grade",
        "1",
        str(subs),
        "--out",
        str(out),
        "--sets-dir",
        str(private),
        "--time-limit",
        "5",
        "--memory-mb",
        "1024",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(cmd, cwd=home, env=env, capture_output=True, text=True, timeout=300)

    if sandbox.landlock_abi() == 0:  # no sandbox on this machine: the grader must refuse
        assert done.returncode != 0
        assert "the grader's files changed" in done.stderr
        return
    assert done.returncode == 0, done.stderr
    assert {p.name: p.read_bytes() for p in private.glob("*.py")} == before
    assert sorted(p.name for p in home.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["grades.csv", "solution", "writer"]
    for name, score in (("solution", 10.0), ("writer", 8.0)):
        data = json.loads((out / name / "results.json").read_text())
        assert data["score"] == pytest.approx(score), name
        assert (out / name / "feedback.md").read_text().startswith("# Exercise set 1")
    writer_q2 = [
        t
        for t in json.loads((out / "writer" / "results.json").read_text())["tests"]
        if t["number"] == "1.2"
    ]
    # denied by Landlock, or (as root) not even there: the kernel's user cannot enter the
    # test's 0700 folders, so its mount namespace shows only the folders it may read
    unreadable = ("Permission denied", "No such file or directory")
    assert all(any(u in t["output"] for u in unreadable) for t in writer_q2), writer_q2
    rows = (out / "grades.csv").read_text().splitlines()
    assert rows[0].startswith("submission,score,max_score,percent,1.1,1.2,")  # named by exercise
    assert sorted(r.split(",")[:2] for r in rows[1:]) == [["solution", "10"], ["writer", "8"]]
