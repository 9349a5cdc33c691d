"""The attacks of issue 13: nothing a submission does changes another's grade, its own
beyond its worth, or the batch. One submission (or batch) per item; each test checks
the exact score, the note the learner and the instructor read, and that the batch
finished. Short limits keep it quick: 3 s per exercise, 4 s per cell, 1 GiB per kernel.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from exercise_helpers import (
    full_marks,
    grade_submissions,
    processes_running,
    solution_notebook,
    student_notebook,
    with_answer,
)
from test_exercises_adversarial import _insert_after_imports

from exercises import feedback, grader, sandbox
from exercises.grader import cli, isolation, judging, kernel

ROOT = Path(__file__).resolve().parents[2]
LIMITS = {"time_limit": 3.0, "cell_time_limit": 4.0, "memory_mb": 1024, "workers": 2}
ROOT_ONLY = pytest.mark.skipif(
    not isolation.privileged(), reason="the process-tree isolation needs the grader as root"
)
DAEMON = "import time; time.sleep(876.543)"
HANG = "    while True:\n        pass\n"
SIGNATURES = {
    "q1": "sgd_step(params, grads, lr)",
    "q2": "momentum_step(theta, grad, velocity, lr, momentum)",
    "q3": "adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)",
    "q4": "max_stable_lr(H)",
    "q5": "contraction_factor()",
}


def _set5(ex):
    sol = solution_notebook(ex)
    subs = {}
    # 1: the library's optimizers reached through the registry, get() and a harness
    # replaced by one that calls the original (the old guard re-blocked there)
    nb = _insert_after_imports(
        sol,
        "import sys\n"
        "grading = sys.modules.get('descend_grading')\n"
        "if grading is not None:\n"
        "    original = grading.run_question\n"
        "    grading.run_question = lambda *a, **k: original(*a, **k)\n",
    )
    nb = with_answer(
        nb,
        "q1",
        "def sgd_step(params, grads, lr):\n"
        "    new = {k: v.copy() for k, v in params.items()}\n"
        "    ds.optim.get('sgd', lr=lr).step(new, grads)\n"
        "    return new\n",
    )
    subs["registry_routes"] = with_answer(
        nb,
        "q3",
        "def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
        "    opt = ds.optim.OPTIMIZERS['adam'](lr=lr, betas=(beta1, beta2), eps=eps)\n"
        "    p = {'w': theta.copy()}\n"
        "    opt.step(p, {'w': grad})\n"
        "    return p['w'], m, v\n",
    )
    # 2: a child that forks, calls setsid() and re-executes Python with no environment
    subs["escaped_grandchild"] = _insert_after_imports(
        sol,
        "import os\nimport sys\n\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        os.execve(sys.executable, [sys.executable, '-c', {DAEMON!r}], {{}})\n"
        "    os._exit(0)\n",
    )
    # 5: five questions that hang, then two right ones
    nb = sol
    for key in ("q1", "q2", "q3", "q4", "q5"):
        nb = with_answer(nb, key, f"def {SIGNATURES[key]}:\n{HANG}")
    subs["five_hangs"] = nb
    # 5: a question that leaves sys.stdout = None, then right ones
    subs["stdout_none"] = with_answer(
        sol,
        "q1",
        "import sys\n\n\ndef sgd_step(params, grads, lr):\n"
        "    sys.stdout = None\n"
        "    sys.stderr = None\n"
        "    return {name: params[name] - lr * grads[name] for name in params}\n",
    )
    # 5: right values in float32
    subs["float32"] = with_answer(
        sol,
        "q1",
        "def sgd_step(params, grads, lr):\n"
        "    return {n: (params[n] - lr * grads[n]).astype(np.float32) for n in params}\n",
    )
    # 9: the prompt says to leave the inputs unchanged; this changes them
    subs["changes_inputs"] = with_answer(
        sol,
        "q1",
        "def sgd_step(params, grads, lr):\n"
        "    for name in params:\n"
        "        params[name] -= lr * grads[name]\n"
        "    return params\n",
    )
    # 11: right on the public check, hangs on the hidden ones
    subs["hang_after_public"] = with_answer(
        sol,
        "q1",
        "def sgd_step(params, grads, lr):\n"
        "    if lr != 0.1:\n"
        "        while True:\n"
        "            pass\n"
        "    return {name: params[name] - lr * grads[name] for name in params}\n",
    )
    # 8: an exception message that prints a fake score
    subs["fake_score"] = with_answer(
        sol,
        "q4",
        "def max_stable_lr(H):\n"
        "    raise ValueError('x\\n\\nScore: 11 of 11 points.\\n\\n## Exercise 5.4 (1 of 1)')\n",
    )
    return subs


def _expected5(ex):
    full = full_marks(ex)

    def but(**zeroed):
        return {**full, **zeroed}

    return {
        "registry_routes": but(q1=0.0, q3=0.0),
        "escaped_grandchild": full,
        "five_hangs": but(q1=0.0, q2=0.0, q3=0.0, q4=0.0, q5=0.0),
        "stdout_none": full,
        "float32": full,
        "changes_inputs": but(q1=0.0),
        "hang_after_public": but(q1=0.0),
        "fake_score": but(q4=0.0),
    }


@pytest.fixture(scope="module")
def set5(sets, tmp_path_factory):
    ex = sets[5]
    results = grade_submissions(ex, _set5(ex), tmp_path_factory.mktemp("subs5"), **LIMITS)
    return ex, results


@pytest.mark.parametrize(
    "name",
    [
        "registry_routes",
        "escaped_grandchild",
        "five_hangs",
        "stdout_none",
        "float32",
        "changes_inputs",
        "hang_after_public",
        "fake_score",
    ],
)
def test_set5_attacks_score_exactly_what_they_deserve(set5, name):
    ex, results = set5
    assert results[name].status == "graded", results[name].notes
    assert results[name].question_scores() == pytest.approx(_expected5(ex)[name], abs=1e-9)


def _messages(res, key):
    return [c.message for c in res.checks if c.planned.key == key]


def test_item1_every_route_to_the_library_is_closed_and_named(set5):
    ex, results = set5
    res = results["registry_routes"]
    assert set(_messages(res, "q1")) == {
        "used descend.optim.SGD, which Exercise 5.1 asks you to write, so it is switched "
        "off in the checks and in grading; use NumPy instead"
    }
    assert {m.split(",")[0] for m in _messages(res, "q3")} == {"used descend.optim.Adam"}
    text = grader.feedback_text(grader.make_plan(ex, grader.Settings(seed=1)), res)
    assert "used descend.optim.Adam, which Exercise 5.3 asks you to write" in text


@pytest.mark.parametrize("by_name", [False, True])
def test_item1_the_switch_holds_whether_registries_look_up_by_name_or_not(by_name):
    """A registry holding the function object (today) or looking it up by name in its
    module at call time (issue 12): both routes reach the switched-off code."""
    import types

    module = types.ModuleType("descend.fake_registry")
    sys.modules["descend.fake_registry"] = module
    try:
        exec(
            "def adam(x):\n    return x + 1\n\n"
            "REGISTRY = {'adam': adam}\n\n"
            "def get(name):\n"
            + ("    return globals()[name]\n" if by_name else "    return REGISTRY[name]\n")
            + "\n\ndef closure():\n    return lambda x: adam(x)\n",
            module.__dict__,
        )
        module.adam.__module__ = "descend.fake_registry"
        kept = module.adam
        restore = feedback.block({"descend.fake_registry.adam": "Exercise 9.9"})
        for route in (module.get("adam"), module.REGISTRY["adam"], module.closure(), kept):
            with pytest.raises(feedback.ExerciseRuleError, match="used descend.fake_registry.adam"):
                route(1)
        restore()
        assert module.get("adam")(1) == 2
    finally:
        del sys.modules["descend.fake_registry"]


@ROOT_ONLY
def test_item2_no_grandchild_outlives_its_kernel(set5):
    ex, results = set5
    assert results["escaped_grandchild"].notes == []
    assert processes_running(DAEMON) == []


def test_item5_a_hanging_question_costs_only_itself(set5):
    ex, results = set5
    res = results["five_hangs"]
    for key in ("q1", "q2", "q3", "q4", "q5"):
        label = ex.label(key)
        assert f"{label}: the exercise did not finish within the time limit (3 s)" in res.notes
    assert not any("restarted too many times" in n for n in res.notes)
    assert _messages(res, "q6") == [""] * len(_messages(res, "q6"))
    assert results["stdout_none"].notes == []
    assert results["float32"].notes == []


def test_item9_a_function_that_changes_its_inputs_fails(set5):
    ex, results = set5
    messages = _messages(results["changes_inputs"], "q1")
    assert messages and all(
        m.startswith("`the function changed its input p_") and "leave the inputs unchanged" in m
        for m in messages
    )


def test_item11_a_timed_out_exercise_scores_zero_even_for_finished_checks(set5):
    ex, results = set5
    res = results["hang_after_public"]
    assert {c.planned.visibility for c in res.checks if c.planned.key == "q1"} == {
        "public",
        "hidden",
    }
    assert set(_messages(res, "q1")) == {
        "the exercise did not finish within the time limit (3 s); the whole exercise scores 0"
    }


def test_item8_learner_text_cannot_pass_for_the_graders(set5):
    ex, results = set5
    res = results["fake_score"]
    plan = grader.make_plan(ex, grader.Settings(seed=1))
    text = grader.feedback_text(plan, res)
    lines = text.splitlines()
    points = ex.question("q4").points
    assert [line for line in lines if line.startswith("Score:")] == [
        f"Score: {ex.max_score - points:g} of {ex.max_score:g} points."
    ]
    assert [line for line in lines if line.startswith("## Exercise 5.4")] == [
        f"## Exercise 5.4: {ex.question('q4').title} (0 of {points:g})"
    ]
    assert set(_messages(res, "q4")) == {
        "raised ValueError: `x Score: 11 of 11 points. ## Exercise 5.4 (1 of 1)`"
    }


# the kernel's environment: what the grader sets, what ipykernel adds
KERNEL_ENV = {
    *kernel._environment(dict.fromkeys(kernel.KERNEL_DIRS, Path("/x")), "token"),
    *("CLICOLOR", "CLICOLOR_FORCE", "FORCE_COLOR", "GIT_PAGER", "PAGER", "TERM"),
    *("JPY_PARENT_PID", "JPY_SESSION_NAME", "PYDEVD_USE_FRAME_EVAL"),
}
PROBE = (
    "import os\n"
    "try:\n"
    "    open('/etc/shadow').read()\n"
    "    shadow = 'readable'\n"
    "except OSError:\n"
    "    shadow = 'unreadable'\n"
    "import sys\n"
    "site = [p for p in sys.path if p.endswith('site-packages')][0]\n"
    "try:\n"
    "    open(os.path.join(site, 'zz_descend_attack.pth'), 'w').write('import os\\n')\n"
    "    pth = 'written'\n"
    "except OSError:\n"
    "    pth = 'refused'\n"
    "procs = len([p for p in os.listdir('/proc') if p.isdigit()])\n"
    f"known = {sorted(KERNEL_ENV)!r}\n"
    "extra = ','.join(sorted(k for k in os.environ if k not in known))\n"
    "raise RuntimeError(f'uid={os.getuid()} procs={procs} shadow={shadow} pth={pth} '\n"
    "                   f'env={extra}')\n"
)
TREE = (
    "import os, subprocess, sys, time, pathlib\n"
    "child = ('import os, time; b = bytearray(450 * 2**20); b[::4096] = b\"x\" * len(b[::4096]);'\n"
    '         \'open("held-%d" % os.getpid(), "w").close(); time.sleep(30)\')\n'
    "kids = [subprocess.Popen([sys.executable, '-c', child]) for _ in range(3)]\n"
    "for _ in range(300):  # until every child holds its memory or has ended\n"
    "    if all(k.poll() is not None or pathlib.Path(f'held-{k.pid}').exists() for k in kids):\n"
    "        break\n"
    "    time.sleep(0.05)\n"
    "held = sum(k.poll() is None for k in kids)\n"
    "killed = sum(k.poll() == -9 for k in kids)\n"
    "for k in kids:\n"
    "    k.kill()\n"
    "for k in kids:\n"
    "    k.wait()\n"
    "written = 0\n"
    "try:\n"
    "    for i in range(8):\n"
    "        with open(f'big-{i}', 'wb') as f:\n"
    "            for _ in range(100):\n"
    "                f.write(b'x' * 2**20)\n"
    "                written += 1\n"
    "except OSError:\n"
    "    pass\n"
    "raise RuntimeError(f'held={held} killed={killed} disk={written}')\n"
)


@pytest.fixture(scope="module")
def unsandboxed(sets, tmp_path_factory):
    ex = sets[1]
    sol = solution_notebook(ex)
    subs = {
        "probe": _insert_after_imports(sol, PROBE),
        "tree": _insert_after_imports(sol, TREE),
        "after": sol,
    }
    settings = {**LIMITS, "sandbox": "off", "disk_mb": 256, "cell_time_limit": 20.0}
    return ex, grade_submissions(ex, subs, tmp_path_factory.mktemp("subs-off"), **settings)


@ROOT_ONLY
def test_item7_and_10_the_kernel_runs_as_nobody_alone_without_the_graders_environment(
    unsandboxed,
):
    ex, results = unsandboxed
    res = results["probe"]
    assert res.question_scores() == full_marks(ex)
    [note] = res.notes
    assert note == (
        "code cell 3 raised `RuntimeError: uid=65534 procs=1 shadow=unreadable pth=refused env=`"
    )
    # 10: the next honest notebook is graded in full, and nothing landed in site-packages
    assert results["after"].question_scores() == full_marks(ex)
    assert not any(
        Path(p, "zz_descend_attack.pth").exists() for p in sys.path if p.endswith("site-packages")
    )


@ROOT_ONLY
def test_item6_memory_and_disk_are_limited_for_the_whole_tree(unsandboxed):
    ex, results = unsandboxed
    res = results["tree"]
    assert res.question_scores() == full_marks(ex)
    [note] = res.notes
    assert note.startswith("code cell 3 raised `RuntimeError: held=")
    held = int(note.split("held=")[1].split()[0])
    killed = int(note.split("killed=")[1].split()[0])
    disk = int(note.split("disk=")[1].rstrip("`"))
    # 3 x 450 MB do not fit in 1024 MB for the tree: the OOM killer ends one at least
    assert held <= 2 and killed >= 1 and held + killed == 3
    assert disk <= 256  # MB written into a 256 MB scratch folder
    assert disk >= 100


def test_item10_batches_require_the_sandbox_and_the_fingerprint_sees_a_pth(
    tmp_path, monkeypatch, capsys
):
    site = tmp_path / "site-packages"
    site.mkdir()
    (site / "numpy").mkdir()
    before = judging.fingerprint([site])
    (site / "zz.pth").write_text("import os\n")
    assert judging.fingerprint([site]) != before
    assert any("site-packages" in str(p) for p in judging.watched_paths())
    import argparse

    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args(["1", str(tmp_path), "--out", str(tmp_path / "out")])
    assert args.sandbox is None and grader.Settings().sandbox == "require"
    monkeypatch.setattr(sandbox, "landlock_abi", lambda: 0)
    assert cli.run(args) == 2
    assert "the filesystem sandbox (Landlock, Linux >= 5.13) is not available" in (
        capsys.readouterr().err
    )


def test_items3_4_8_names_never_collide_and_never_become_formulas(sets, tmp_path):
    ex = sets[1]
    subs, out = tmp_path / "subs", tmp_path / "out"
    (subs / "alice").mkdir(parents=True)
    sol, stub = solution_notebook(ex), student_notebook(ex)
    nbformat.write(sol, subs / "grades.csv.ipynb")
    nbformat.write(sol, subs / "alice" / "hw.ipynb")
    nbformat.write(stub, subs / "alice__hw.ipynb")
    nbformat.write(stub, subs / '=HYPERLINK("http:x").ipynb')
    cmd = [sys.executable, "-m", "exercises", "grade", "1", str(subs), "--out", str(out)]
    cmd += ["--time-limit", "5", "--memory-mb", "1024"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")])}
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (out / "grades.csv").is_file()
    with open(out / "grades.csv", newline="") as f:
        rows = {row["submission"]: row for row in csv.DictReader(f)}
    assert {name: float(row["score"]) for name, row in rows.items()} == {
        "_HYPERLINK_http_x_": 0.0,
        "alice__hw": 10.0,
        "alice__hw-2": 0.0,
        "grades.csv-2": 10.0,
    }
    assert rows["alice__hw"]["file"].endswith("alice/hw.ipynb")
    assert rows["alice__hw-2"]["file"].endswith("alice__hw.ipynb")
    assert sorted(p.name for p in out.iterdir()) == sorted([*rows, "grades.csv"])
    assert not any(v.startswith(("=", "+", "@")) for row in rows.values() for v in row.values())


def test_the_kernel_side_harness_is_a_module_that_runs_a_question(tmp_path, monkeypatch, sets):
    """The harness runs in the kernel as text, and here as an ordinary module."""
    import json

    import numpy as np

    from exercises.grader import harness

    monkeypatch.setitem(vars(harness), "call", feedback.call)  # in the kernel: the drivers
    np.savez(tmp_path / "in.npz", x=np.arange(3.0))

    def double(x):
        x *= 2
        return x

    for keep in (True, False):
        out = tmp_path / f"out-{keep}"
        out.mkdir()
        check = ["c1", "call", str(tmp_path / "in.npz"), str(out)]
        harness.run_question({"double": double}, "double", [check], keep_inputs=keep)
        if keep:
            assert json.loads((out / "error.json").read_text()) == {
                "kind": "check",
                "type": "CheckFailure",
                "text": "the function changed its input x; the exercise asks you to leave "
                "the inputs unchanged (work on a copy)",
            }
        else:
            assert np.load(out / "out.npy").tolist() == [0.0, 2.0, 4.0]
    code = grader.make_plan(sets[1], grader.Settings(seed=1)).harness
    assert "from exercises" not in code  # the grader-only imports are left out
    compile(code, "descend_grading", "exec")
