"""The Gradescope autograder zip: its files, and its run_autograder on a local copy of
Gradescope's folder layout (/autograder/source, /autograder/submission, /autograder/results)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile

import pytest
from exercise_helpers import solution_notebook

from exercises import build, gradescope


def test_the_zip_holds_the_scripts_the_library_and_the_set(tmp_path):
    out = tmp_path / "autograder.zip"
    names = gradescope.build_zip("update", out)
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == names
        modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
        run = z.read("run_autograder").decode()
        requirements = z.read("requirements-grader.txt").decode().split()
    for required in (
        "setup.sh",
        "run_autograder",
        "requirements-grader.txt",
        "pyproject.toml",
        "src/descend/__init__.py",
        "exercises/grader/harness.py",
        "exercises/sandbox.py",
        "exercises/sets/s05_update.py",
    ):
        assert required in names
    assert not any(n.endswith(".ipynb") for n in names)  # no notebooks, no solutions to leak
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    assert "-m exercises grade 5 " in run and "--gradescope" in run
    assert [r.split(">")[0] for r in requirements] == [
        "numpy",
        "matplotlib",
        "pillow",
        "ipywidgets",
        "ipykernel",
        "nbclient",
        "nbformat",
    ]


def test_the_zip_takes_the_sets_from_a_private_folder(tmp_path):
    private = tmp_path / "private"
    private.mkdir()
    source = (build.ROOT / "exercises" / "sets" / "s01_initialize.py").read_text()
    (private / "s01_initialize.py").write_text(source.replace('"Initialize"', '"Initialise"'))
    (private / "_common.py").write_bytes((build.ROOT / "exercises/sets/_common.py").read_bytes())
    out = tmp_path / "ag.zip"
    gradescope.build_zip("1", out, sets_dir=private)
    with zipfile.ZipFile(out) as z:
        assert b'"Initialise"' in z.read("exercises/sets/s01_initialize.py")
        assert "exercises/sets/s02_forward.py" not in z.namelist()


def test_run_autograder_writes_gradescope_results(sets, tmp_path):
    ex = sets[4]
    root = tmp_path / "autograder"
    for d in ("source", "submission"):
        (root / d).mkdir(parents=True)
    gradescope.build_zip("4", tmp_path / "ag.zip")
    with zipfile.ZipFile(tmp_path / "ag.zip") as z:
        z.extractall(root / "source")
    (root / "submission" / "whatever-name.ipynb").write_text(json.dumps(solution_notebook(ex)))
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == pytest.approx(ex.max_score)
    assert data["extra_data"]["set"] == "04-gradient"
    assert len(data["tests"]) == sum(len(q.public) + len(q.hidden) for q in ex.questions)
    for test in data["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output", "visibility", "status"}
