"""The grading kernel's sandbox: what it may read and write, and its limits."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from exercises import grader, model, sandbox
from exercises.grader import isolation

ROOT = Path(__file__).resolve().parents[2]


def test_readable_folders_skip_the_secrets_but_keep_python_and_the_library(tmp_path):
    usr, app = tmp_path / "usr", tmp_path / "usr" / "src" / "app"
    for d in (
        usr / "bin",
        usr / "lib",
        usr / "src" / "other",
        app / "exercises" / "sets",
        app / "src" / "descend",
        app / ".git",
        app / "tests",
        app / ".venv" / "lib",
        tmp_path / "subs",
    ):
        d.mkdir(parents=True)
    allowed = grader.sandbox_reads(
        protected=[app / "exercises", tmp_path / "subs"],
        root=app,
        needed=[str(usr), str(app / ".venv"), str(app / "src" / "descend")],
        optional=["", str(app), str(usr / "lib"), str(tmp_path / "subs")],
    )
    assert sorted(Path(p).relative_to(tmp_path).as_posix() for p in allowed) == [
        "usr/bin",
        "usr/lib",
        "usr/src/app/.venv",
        "usr/src/app/src/descend",
        "usr/src/other",
    ]


def test_the_real_layout_hides_the_repository_but_not_python(tmp_path):
    allowed = [Path(p) for p in grader.sandbox_reads(grader.protected_paths([tmp_path]))]
    import descend

    assert Path(descend.__file__).resolve().parent in allowed
    assert all(not (p == ROOT or ROOT in p.parents) or p.name == "descend" for p in allowed)
    assert not any(p == tmp_path or tmp_path in p.parents for p in allowed)


PROBE = """
import json, os, pathlib, socket
report = {}
def attempt(name, action):
    try:
        action()
        report[name] = "ok"
    except (OSError, MemoryError) as exc:
        report[name] = type(exc).__name__
attempt("read_sets", lambda: open(SETS).read())
attempt("read_git", lambda: open(GIT).read())
attempt("write_tmp", lambda: open("/tmp/descend-sandbox-probe", "w").write("x"))
attempt("write_cwd", lambda: open("probe.txt", "w").write("x"))
attempt("connect", lambda: socket.create_connection(("127.0.0.1", 9), timeout=1))
attempt("allocate", lambda: bytearray(3 * 2**30))
report["parent"] = os.getppid()
if os.getppid():
    attempt("kill_parent", lambda: os.kill(os.getppid(), 0))
pathlib.Path("report.json").write_text(json.dumps(report))
"""


def test_a_kernel_cannot_read_the_secrets_write_outside_or_connect():
    abi = sandbox.landlock_abi()
    if abi == 0:
        pytest.skip("Landlock is not available on this machine: the sandbox is off here")
    ex = model.load_sets()[1]
    plan = grader.make_plan(ex, grader.Settings(memory_mb=1024, seed=0))
    code = (
        f"SETS = {str(ROOT / 'exercises' / 'sets' / 's01_initialize.py')!r}\n"
        # .git is a folder in a clone, a file in a git worktree
        f"GIT = {str(ROOT / '.git' / 'HEAD' if (ROOT / '.git').is_dir() else ROOT / '.git')!r}\n"
        + PROBE
    )

    async def probe() -> dict:
        session = grader.KernelSession(plan, grader.protected_paths([]))
        await session.start()
        try:
            status, message = await session.run(code, 30)
            assert status == "ok", message
            return json.loads((session.run_dir / "kernel" / "cwd" / "report.json").read_text())
        finally:
            await session.stop()

    report = asyncio.run(probe())
    assert report["read_sets"] == "PermissionError"
    assert report["read_git"] == "PermissionError"
    assert report["write_tmp"] == "PermissionError"
    assert report["write_cwd"] == "ok"
    assert report["allocate"] == "MemoryError"
    if abi >= 4:
        assert report["connect"] == "PermissionError"
    if isolation.privileged():  # process 1 of its own PID namespace: no parent to see
        assert report["parent"] == 0
    elif abi >= 6:
        assert report["kill_parent"] == "PermissionError"
    assert not Path("/tmp/descend-sandbox-probe").exists()
