"""Grade exercise notebooks without trusting them.

    python -m exercises grade SET PATH --out DIR        (PATH: a notebook or a folder)
    python -m exercises.grader SET PATH --out DIR       (the same)

For every submission the grader

1. reads the notebook (invalid JSON or an invalid notebook: a clear message, 0 points);
2. starts a fresh kernel through :mod:`exercises.sandbox` (memory limit, and on Linux
   a Landlock sandbox: no reading the instructor's files, no writing outside a fresh
   temporary folder), switches off the descend functions the set asks the learner to
   write, and runs the submission's code cells in order, each with a time limit;
3. for every question, writes the check inputs as ``.npz`` files, and runs one cell
   that calls the learner's function through each check's driver and saves what it
   returned with ``np.save(..., allow_pickle=False)``; the question has a time limit;
4. loads those arrays in the grading process (``allow_pickle=False``, regular files
   only, size-capped) and judges them there, against reference values computed in
   the grading process from the instructor's solutions. Nothing the kernel does to
   NumPy, to ``__eq__`` or to its own exception display reaches the judging.

Hidden checks draw their inputs from a seed chosen afresh for every grading run
(``--seed`` reproduces a run). A question that crashes, hangs, runs out of memory or
returns nothing scores 0; the kernel is restarted (replaying the submission's cells)
and the other questions and submissions are graded as usual.

Outputs, per submission ``NAME``: ``DIR/NAME/results.json`` (Gradescope's format),
``DIR/NAME/feedback.md``; for the batch: ``DIR/grades.csv``. With ``--gradescope``,
PATH is Gradescope's submission folder and ``DIR/results.json`` is written.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import numpy as np

from exercises import feedback, sandbox
from exercises.build import driver_functions, runtime_code, setup_source
from exercises.model import (
    Check,
    ExerciseSet,
    find_set,
    load_sets,
    normalise,
    public_seed,
    reference,
)

EXERCISES_DIR = Path(__file__).resolve().parent
ROOT = EXERCISES_DIR.parent
SANDBOX_SCRIPT = EXERCISES_DIR / "sandbox.py"
MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_OUTPUT_BYTES = 64 * 2**20
MAX_ERROR_BYTES = 4096
# Ways to undo the switched-off descend functions; flagged for the instructor to look at.
RULE_BENDING = re.compile(r"importlib|sys\.modules|__import__\(|\breload\(|runpy|__file__")
CHECK_CALL = re.compile(r"""^\s*check\(\s*["']q\d+["']\s*(,[^()]*)?\)\s*;?\s*$""")


@dataclass
class Settings:
    """How to grade. Times in seconds; ``time_limit`` overrides every question's own."""

    time_limit: float | None = None
    cell_time_limit: float = 20.0
    memory_mb: int = 2048
    file_mb: int = 256
    sandbox: str = "auto"  # "auto", "require" or "off"
    workers: int = 2
    seed: int | None = None
    max_restarts: int = 4
    startup_timeout: float = 60.0
    hidden_visibility: str = "after_published"


# --------------------------------------------------------------------- the plan


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
    harness: str
    forbidden: dict[str, str]
    setup_cell: str  # the checks cell of the learner's notebook, as generated

    def time_limit(self, key: str) -> float:
        return self.settings.time_limit or self.ex.question(key).time_limit


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
    harness = runtime_code(driver_functions(ex).values()) + "\n\n" + HARNESS
    return Plan(
        ex, seed, settings, checks, harness, ex.forbidden_labels(), setup_source(ex).strip()
    )


# The part of the kernel-side code that runs the checks (appended to feedback.py and
# the set's drivers, and sent to the kernel as a string).
HARNESS = '''
def run_question(namespace, function, checks):
    """Call the learner's function through each check's driver; save what comes back."""
    import pathlib

    for ident, driver, folder in checks:
        folder = pathlib.Path(folder)
        for owner, attr, replacement in GUARD.blocked:  # switch off again what was undone
            setattr(owner, attr, replacement)
        try:
            with np.load(folder / "in.npz", allow_pickle=False) as data:
                inp = {key: data[key] for key in data.files}
            fn = namespace.get(function)
            if fn is None:
                raise NameError(f"{function} is not defined; keep the name of the stub")
            if not callable(fn):
                raise TypeError(f"{function} is a {type(fn).__name__}, not a function")
            arrays = to_arrays(globals()[driver](fn, inp))
            undone = still_blocked(GUARD)
            if undone:
                raise CheckFailure(
                    "the code switched " + ", ".join(undone) + " back on; this set asks you "
                    "to write it yourself"
                )
            if len(arrays) > 64:
                raise CheckFailure(f"the result has {len(arrays)} parts; too many")
            for key, arr in arrays.items():
                np.save(folder / f"{key}.npy", arr, allow_pickle=False)
            (folder / "done").write_text("done")
        except CheckFailure as exc:
            (folder / "error.txt").write_text(str(exc)[:2000])
        except BaseException as exc:
            (folder / "error.txt").write_text(describe_error(exc)[:2000])
            if isinstance(exc, KeyboardInterrupt):
                raise
'''

SETUP_CELL = """def __descend_grading_setup(code, forbidden):
    import sys
    import types

    module = types.ModuleType("descend_grading")
    exec(compile(code, "descend_grading", "exec"), module.__dict__)
    sys.modules["descend_grading"] = module
    module.GUARD = module.block(forbidden)


__descend_grading_setup({code!r}, {forbidden!r})
del __descend_grading_setup
"""

QUESTION_CELL = (
    '__import__("sys").modules["descend_grading"].run_question(globals(), {function!r}, {checks!r})'
)


# ---------------------------------------------------------------------- results


@dataclass
class CheckResult:
    planned: PlannedCheck
    score: float
    message: str

    @property
    def passed(self) -> bool:
        return (
            self.score >= self.planned.max_score
            and self.planned.max_score > 0
            or (self.planned.max_score == 0 and self.message == "")
        )


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


def _all_zero(plan: Plan, name: str, path: Path, message: str, status: str) -> SubmissionResult:
    res = SubmissionResult(name, path, status=status, notes=[message])
    for planned in _flat(plan):
        res.checks.append(CheckResult(planned, 0.0, message))
    return res


def _flat(plan: Plan) -> list[PlannedCheck]:
    return [c for checks in plan.checks.values() for c in checks]


# ------------------------------------------------------------------ submissions


def read_submission(path: Path) -> tuple[nbformat.NotebookNode | None, str | None]:
    """The notebook, or a message saying why it cannot be graded."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, f"cannot read the submission: {exc.strerror}"
    if size > MAX_NOTEBOOK_BYTES:
        return None, f"the notebook is {size / 2**20:.0f} MB; clear its outputs and resubmit"
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None, "not a valid notebook: the file is not UTF-8 text (is it an .ipynb?)"
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return None, (
            f"not a valid notebook: the file is not valid JSON ({exc.msg} at line "
            f"{exc.lineno}, column {exc.colno}); was it edited outside Jupyter? "
            "Download it again from Jupyter (File > Download) and resubmit"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(text, as_version=4)
            nbformat.validate(nb)
    except Exception as exc:
        message = str(getattr(exc, "message", exc)).splitlines()[0][:300]
        return None, f"not a valid Jupyter notebook ({message}); resave it in Jupyter and resubmit"
    return nb, None


def code_cells(nb: nbformat.NotebookNode) -> list[str]:
    """The submission's code, cell by cell, without the ``check("q1")`` calls."""
    cells = []
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if source.strip() and not CHECK_CALL.match(source):
            cells.append(source)
    return cells


def find_submissions(path: Path) -> list[tuple[str, Path]]:
    """``(name, path)`` of every notebook under ``path`` (or ``path`` itself)."""
    if path.is_file():
        return [(path.stem, path)]
    if not path.is_dir():
        raise FileNotFoundError(f"no notebook or folder at {path}")
    found = sorted(
        p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts and p.is_file()
    )
    names = []
    for p in found:
        rel = p.relative_to(path).with_suffix("")
        names.append(("__".join(rel.parts), p))
    return names


# ----------------------------------------------------------------- the kernel


class _ClientBase:
    """Import nbclient lazily (it is heavy) and cap what a cell may print."""

    _cls: Any = None

    @classmethod
    def get(cls) -> Any:
        if cls._cls is None:
            from nbclient import NotebookClient

            class GradingClient(NotebookClient):
                def output(self, outs: list, msg: dict, display_id: Any, cell_index: int) -> Any:
                    if len(outs) >= 20 and msg["msg_type"] != "error":
                        return None
                    out = super().output(outs, msg, display_id, cell_index)
                    if outs and outs[-1].get("output_type") == "stream":
                        outs[-1]["text"] = outs[-1]["text"][-4000:]
                    elif outs and outs[-1].get("output_type") == "error":
                        outs[-1]["evalue"] = str(outs[-1].get("evalue", ""))[:1000]
                        outs[-1]["traceback"] = []
                    return out

            cls._cls = GradingClient
        return cls._cls


_ACTIVE: set[Any] = set()
_ACTIVE_LOCK = threading.Lock()
_STOPPING = threading.Event()


def _protected_paths(extra: Iterable[Path]) -> list[Path]:
    """Folders learner code must not read: the exercises (solutions, hidden checks), the
    submissions, the results, the instructor's private sets."""
    return [EXERCISES_DIR, *[Path(p).resolve() for p in extra]]


def sandbox_reads(
    protected: Sequence[Path],
    root: Path = ROOT,
    needed: Sequence[str] | None = None,
    optional: Sequence[str] | None = None,
) -> list[str]:
    """Folders the kernel may read: Python, the library, the system.

    Never anything inside ``protected`` (the exercises, the submissions, the results)
    nor, except the ``needed`` folders (the Python installation and the descend
    package, which may live in the repository), anything of the repository ``root``
    (its history holds the solutions). A folder that *contains* a forbidden one is
    replaced by its other subfolders (the course in ``/usr/src/app`` leaves ``/usr/lib``
    readable).
    """
    if needed is None:
        import descend

        needed = [
            sys.prefix,
            sys.base_prefix,
            sys.exec_prefix,
            str(Path(descend.__file__).resolve().parent),
        ]
    if optional is None:
        optional = [*sys.path, *sandbox.SYSTEM_READ]
    secret = [Path(p).resolve() for p in protected]
    forbidden = [*secret, Path(root).resolve()]
    out: list[str] = []

    def inside(p: Path, folders: Sequence[Path]) -> bool:
        return any(p == q or q in p.parents for q in folders)

    def contains(p: Path, folders: Sequence[Path]) -> bool:
        return any(p in q.parents for q in folders)

    def allow(p: Path, folders: Sequence[Path]) -> None:
        if inside(p, folders) or str(p) in out:
            return
        if contains(p, folders):
            for child in sorted(p.iterdir()) if p.is_dir() else []:
                allow(child, folders)
            return
        out.append(str(p))

    for c in needed:
        p = Path(c).resolve()
        if c and p.exists():
            # Python or descend inside the repository (a .venv there, an editable install)
            allow(p, secret if inside(p, [Path(root).resolve()]) else forbidden)
    for c in optional:
        p = Path(c).resolve() if c else None
        if p is not None and p.exists():
            allow(p, forbidden)
    return out


class KernelSession:
    """One sandboxed kernel running one submission's cells."""

    def __init__(self, plan: Plan, protected: Sequence[Path]) -> None:
        self.plan = plan
        self.protected = protected
        self.km: Any = None
        self.client: Any = None
        self.run_dir: Path | None = None

    @property
    def io_dir(self) -> Path:
        assert self.run_dir is not None
        return self.run_dir / "kernel" / "io"

    async def start(self) -> None:
        if _STOPPING.is_set():
            raise KernelStartError("grading was interrupted")
        try:
            await self._start()
        except KernelStartError:
            self.kill()
            raise
        except Exception as exc:
            self.kill()
            raise KernelStartError(f"{type(exc).__name__}: {exc}") from None

    async def _start(self) -> None:
        from jupyter_client.kernelspec import KernelSpec
        from jupyter_client.manager import AsyncKernelManager

        s = self.plan.settings
        self.run_dir = Path(tempfile.mkdtemp(prefix="descend-grading-")).resolve()
        kdir = self.run_dir / "kernel"
        dirs = {
            name: kdir / name for name in ("cwd", "home", "tmp", "io", "ipython", "mpl", "jupyter")
        }
        for d in dirs.values():
            d.mkdir(parents=True)
        _copy_font_cache(dirs["mpl"])
        settings = {
            "memory_mb": s.memory_mb,
            "file_mb": s.file_mb,
            "sandbox": s.sandbox,
            "read": sandbox_reads(self.protected),
            "write": [str(kdir)],
            "cwd": str(dirs["cwd"]),
        }
        spec = KernelSpec(
            argv=[
                sys.executable,
                str(SANDBOX_SCRIPT),
                json.dumps(settings),
                "-f",
                "{connection_file}",
            ],
            display_name="Descend grading kernel",
            language="python",
        )

        class SandboxKernelManager(AsyncKernelManager):
            @property
            def kernel_spec(self) -> KernelSpec:
                return spec

        self.token = secrets.token_hex(16)
        env = {
            "DESCEND_GRADING_SESSION": self.token,  # inherited by every child process
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(dirs["home"]),
            "TMPDIR": str(dirs["tmp"]),
            "IPYTHONDIR": str(dirs["ipython"]),
            "MPLCONFIGDIR": str(dirs["mpl"]),
            "MPLBACKEND": "Agg",
            "JUPYTER_RUNTIME_DIR": str(dirs["jupyter"]),
            "JUPYTER_DATA_DIR": str(dirs["jupyter"]),
            "JUPYTER_CONFIG_DIR": str(dirs["jupyter"]),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONIOENCODING": "utf-8",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "LANG": "C.UTF-8",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
        km = SandboxKernelManager(kernel_name="python3")
        km.connection_file = str(self.run_dir / "connection.json")
        log = open(self.run_dir / "kernel.log", "wb")  # noqa: SIM115 (closed in stop)
        self._log = log
        self.km = km
        with _ACTIVE_LOCK:
            _ACTIVE.add(self)
        await km.start_kernel(cwd=str(dirs["cwd"]), env=env, stdout=log, stderr=log)
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=s.startup_timeout)
        except RuntimeError as exc:
            raise KernelStartError(self._log_tail() or str(exc)) from None
        Client = _ClientBase.get()
        self.client = Client(
            nbformat.v4.new_notebook(),
            km=km,
            allow_errors=True,
            store_widget_state=False,
            record_timing=False,
            iopub_timeout=4,
            raise_on_iopub_timeout=False,
        )
        self._reply: dict[str, Any] = {}

        def keep_reply(cell: Any, cell_index: int, execute_reply: dict[str, Any]) -> None:
            self._reply = execute_reply or {}

        self.client.on_cell_executed = keep_reply
        self.client.kc = kc
        self.client.reset_execution_trackers()

    def _log_tail(self) -> str:
        if self.run_dir is None:
            return ""
        try:
            return (self.run_dir / "kernel.log").read_bytes()[-2000:].decode("utf-8", "replace")
        except OSError:
            return ""

    async def run(self, code: str, timeout: float) -> tuple[str, str]:
        """Execute ``code``: ``("ok"|"error"|"timeout"|"dead", message)``."""
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        cell = nbformat.v4.new_code_cell(code)
        self.client.nb.cells = [cell]
        self._reply = {}
        self.client.timeout = max(1, int(np.ceil(timeout)))
        try:
            cell = await self.client.async_execute_cell(cell, 0, store_history=False)
        except CellTimeoutError:
            return "timeout", f"did not finish within the time limit ({timeout:g} s)"
        except DeadKernelError:
            return "dead", "the kernel died (out of memory, or the code ended the process)"
        except Exception as exc:  # zmq or protocol trouble: treat the kernel as lost
            return "dead", f"lost contact with the kernel ({type(exc).__name__})"
        # the execute reply (shell channel) says whether it raised, even when the IOPub
        # messages are late; the outputs are the fallback
        content = self._reply.get("content", {}) if isinstance(self._reply, dict) else {}
        if content.get("status") == "error":
            return "error", f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"[:500]
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return "error", f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"[:500]
        return "ok", ""

    async def stop(self) -> None:
        try:
            if self.client is not None and self.client.kc is not None:
                self.client.kc.stop_channels()
            if self.km is not None and self.km.has_kernel:
                await self.km.shutdown_kernel(now=True)
        except Exception:
            pass
        finally:
            self.kill()

    def kill(self) -> None:
        """Kill the kernel's whole process group and remove its folder."""
        km = self.km
        try:
            pgid = getattr(getattr(km, "provisioner", None), "pgid", None)
            if pgid:
                os.killpg(pgid, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
        _kill_marked(getattr(self, "token", None))
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None
        if self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        with _ACTIVE_LOCK:
            _ACTIVE.discard(self)


class KernelStartError(RuntimeError):
    """The grading kernel could not start (a problem of the grading machine)."""


def _kill_marked(token: str | None) -> None:
    """Kill the processes that carry a session's token in their environment: the kernel's
    children that left its process group (``os.setsid``) to outlive it. Linux only."""
    if not token or not os.path.isdir("/proc"):
        return
    marker = f"DESCEND_GRADING_SESSION={token}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if marker in f.read().split(b"\0"):
                    os.kill(int(entry), signal.SIGKILL)
        except OSError:
            continue


def _copy_font_cache(target: Path) -> None:
    """Reuse matplotlib's font list so a plotting cell does not rebuild it (slow)."""
    source = Path(os.environ.get("MPLCONFIGDIR", Path.home() / ".cache" / "matplotlib"))
    for f in source.glob("fontlist-*.json") if source.is_dir() else []:
        shutil.copy2(f, target / f.name)


# --------------------------------------------------------------------- grading


def _write_inputs(folder: Path, inputs: dict[str, np.ndarray]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(folder / "in.npz", **inputs)


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


def read_outputs(folder: Path) -> tuple[dict[str, np.ndarray] | None, str]:
    """What the kernel saved for one check, or why there is nothing to judge."""
    error = _safe_read(folder / "error.txt", MAX_ERROR_BYTES)
    if error is not None:
        return None, error.decode("utf-8", "replace").strip() or "raised an error"
    if _safe_read(folder / "done", 16) is None:
        return None, "returned nothing (no result was saved)"
    arrays: dict[str, np.ndarray] = {}
    total = 0
    import io

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


def _judge(planned: PlannedCheck, folder: Path) -> CheckResult:
    got, why = read_outputs(folder)
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


async def grade_notebook(
    plan: Plan, name: str, path: Path, protected: Sequence[Path] = ()
) -> SubmissionResult:
    """Grade one notebook file."""
    t0 = time.monotonic()
    nb, problem = read_submission(path)
    if nb is None:
        res = _all_zero(plan, name, path, problem or "invalid notebook", "invalid")
        res.seconds = time.monotonic() - t0
        return res
    res = SubmissionResult(name, path)
    set_number = (
        nb.metadata.get("descend", {}).get("set")
        if isinstance(nb.metadata.get("descend"), dict)
        else None
    )
    if set_number is not None and set_number != plan.ex.number:
        res.notes.append(
            f"this notebook is marked as exercise set {set_number}, but it is graded as set "
            f"{plan.ex.number}"
        )
    cells = code_cells(nb)
    if any(RULE_BENDING.search(code) for code in cells if code.strip() != plan.setup_cell):
        res.notes.append(
            "the code uses importlib, reload or sys.modules: check by hand that it does not "
            "switch back on the descend functions this set asks learners to write"
        )
    skipped: set[int] = set()
    session: KernelSession | None = None
    restarts = 0
    setup = SETUP_CELL.format(code=plan.harness, forbidden=plan.forbidden)
    protected = _protected_paths(protected)

    async def fresh_kernel() -> KernelSession:
        """A new kernel with the guard installed and the submission's cells run."""
        nonlocal restarts
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
                if status == "error" and restarts == 0:
                    res.notes.append(f"code cell {i + 1} raised {message}")
                elif status in ("timeout", "dead"):
                    skipped.add(i)
                    res.notes.append(
                        f"code cell {i + 1} was skipped: it {message}"
                        if status == "timeout"
                        else f"code cell {i + 1} was skipped: {message}"
                    )
                    lost = True
                    break
            if not lost:
                return sess
            await sess.stop()
            restarts += 1
            if restarts > plan.settings.max_restarts:
                raise TooManyRestarts()

    try:
        for key, planned in plan.checks.items():
            if session is None:
                session = await fresh_kernel()
            qdir = session.io_dir / key
            specs = []
            for c in planned:
                folder = qdir / c.ident
                _write_inputs(folder, c.inputs)
                specs.append([c.ident, c.check.driver.__name__, str(folder)])
            q = plan.ex.question(key)
            code = QUESTION_CELL.format(function=q.function, checks=specs)
            status, message = await session.run(code, plan.time_limit(key))
            for c in planned:
                result = _judge(c, qdir / c.ident)
                unfinished = result.message.startswith("returned nothing")
                if result.score == 0 and status in ("timeout", "dead") and unfinished:
                    result.message = (
                        message
                        if status == "dead"
                        else f"did not finish within the time limit ({plan.time_limit(key):g} s)"
                    )
                res.checks.append(result)
            if status in ("timeout", "dead"):
                res.notes.append(f"{plan.ex.label(key)}: {message}")
                await session.stop()
                session = None
                restarts += 1
                if restarts > plan.settings.max_restarts:
                    raise TooManyRestarts()
    except TooManyRestarts:
        graded = {c.planned.ident for c in res.checks}
        for c in _flat(plan):
            if c.ident not in graded:
                res.checks.append(
                    CheckResult(c, 0.0, "not graded: the kernel had to be restarted too many times")
                )
        res.notes.append("grading stopped early: the kernel had to be restarted too many times")
    except KernelStartError as exc:
        graded = {c.planned.ident for c in res.checks}
        for c in _flat(plan):
            if c.ident not in graded:
                res.checks.append(CheckResult(c, 0.0, "not graded: the grading kernel failed"))
        res.status = "error"
        res.notes.append(f"the grading kernel could not start: {exc}")
    finally:
        if session is not None:
            await session.stop()
    res.seconds = time.monotonic() - t0
    return res


class TooManyRestarts(RuntimeError):
    pass


def _fingerprint(paths: Iterable[Path]) -> str:
    """A hash of the instructor's code, to notice if grading changed it."""
    h = hashlib.sha256()
    for base in paths:
        files = sorted(base.rglob("*.py")) if base.is_dir() else [base]
        for f in files:
            if "__pycache__" in f.parts:
                continue
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
    _STOPPING.clear()
    watched = [EXERCISES_DIR, *watched]
    hidden = [*watched, *protected, *{p.resolve().parent for _, p in submissions}]
    before = _fingerprint(watched)
    lock = threading.Lock()

    def one(item: tuple[str, Path]) -> SubmissionResult:
        name, path = item
        try:
            result = asyncio.run(grade_notebook(plan, name, path, protected=hidden))
        except Exception as exc:  # a grader bug: report it, grade the others
            result = _all_zero(plan, name, path, f"the grader failed: {exc!r}", "error")
        with lock:
            if _fingerprint(watched) != before:
                raise GradingTampered(
                    f"the grader's files changed while grading {name}; stop, restore them "
                    "from version control and grade again with the sandbox on"
                )
            if progress:
                progress(result)
        return result

    workers = max(1, min(plan.settings.workers, len(submissions)))
    if workers == 1:
        return [one(item) for item in submissions]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, submissions))


def _kill_all(interrupted: bool = False) -> None:
    """Kill every kernel still running; after an interruption, start no new ones."""
    if interrupted:
        _STOPPING.set()
    with _ACTIVE_LOCK:
        sessions = list(_ACTIVE)
    for s in sessions:
        s.kill()


# ---------------------------------------------------------------------- writing


def results_json(plan: Plan, res: SubmissionResult) -> dict[str, Any]:
    """Gradescope's autograder results format."""
    tests = []
    for c in res.checks:
        p = c.planned
        status = "passed" if (c.score > 0 or (p.max_score == 0 and not c.message)) else "failed"
        tests.append(
            {
                "name": f"Exercise {p.number} {p.title}: {p.name} ({p.visibility})",
                "number": p.number,
                "score": round(c.score, 4),
                "max_score": round(p.max_score, 4),
                "status": status,
                "output": "passed" if status == "passed" else c.message,
                "visibility": "visible"
                if p.visibility == "public"
                else plan.settings.hidden_visibility,
            }
        )
    summary = [
        f"Exercise set {plan.ex.number} ({plan.ex.title}): {res.score:g} of "
        f"{res.max_score:g} points."
    ]
    summary += [f"Note: {n}" for n in res.notes]
    return {
        "score": res.score,
        "execution_time": round(res.seconds, 2),
        "output": "\n".join(summary),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "set": plan.ex.name,
            "seed": str(plan.seed),
            "status": res.status,
            "sandbox": sandbox_status(plan.settings),
        },
    }


def feedback_text(plan: Plan, res: SubmissionResult) -> str:
    """A readable report for the learner (and the instructor)."""
    lines = [
        f"# Exercise set {plan.ex.number}: {plan.ex.title}: {res.name}",
        "",
        f"Score: {res.score:g} of {res.max_score:g} points.",
        "",
    ]
    if res.notes:
        lines += ["Notes:", *[f"- {n}" for n in res.notes], ""]
    by_key: dict[str, list[CheckResult]] = {}
    for c in res.checks:
        by_key.setdefault(c.planned.key, []).append(c)
    for checks in by_key.values():
        first = checks[0].planned
        got = sum(c.score for c in checks)
        top = sum(c.planned.max_score for c in checks)
        lines.append(f"## Exercise {first.number}: {first.title} ({got:g} of {top:g})")
        for c in checks:
            mark = (
                "passed"
                if c.score > 0 or (c.planned.max_score == 0 and not c.message)
                else "FAILED"
            )
            text = f"- [{c.planned.visibility}] {c.planned.name}: {mark}"
            if mark == "FAILED":
                text += f": {c.message}"
            lines.append(text)
        lines.append("")
    return "\n".join(lines)


def write_results(
    plan: Plan, results: Sequence[SubmissionResult], out: Path, gradescope: bool = False
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    if gradescope:
        (out / "results.json").write_text(json.dumps(results_json(plan, results[0]), indent=2))
        return
    for res in results:
        folder = out / res.name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "results.json").write_text(json.dumps(results_json(plan, res), indent=2))
        (folder / "feedback.md").write_text(feedback_text(plan, res))
    keys = plan.ex.keys
    with open(out / "grades.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["submission", "score", "max_score", "percent", *keys, "status", "notes"])
        for res in results:
            qs = res.question_scores()
            w.writerow(
                [
                    res.name,
                    f"{res.score:g}",
                    f"{res.max_score:g}",
                    f"{100 * res.score / res.max_score:.1f}" if res.max_score else "0",
                    *[f"{qs.get(k, 0):g}" for k in keys],
                    res.status,
                    " | ".join(res.notes)[:1000],
                ]
            )


def sandbox_status(settings: Settings) -> str:
    if settings.sandbox == "off":
        return "off (resource limits only)"
    abi = sandbox.landlock_abi()
    return f"landlock ABI {abi}" if abi else "unavailable (resource limits only)"


# -------------------------------------------------------------------------- CLI


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("set", help="exercise set: number (3), slug (backprop) or name (03-backprop)")
    p.add_argument("path", type=Path, help="a submitted notebook or a folder of them")
    p.add_argument("--out", type=Path, required=True, help="folder for the results")
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed of the hidden inputs (default: a fresh one; it is recorded)",
    )
    p.add_argument("--workers", type=int, default=2, help="submissions graded at once (2)")
    p.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds per exercise, overriding each exercise's own limit (mostly 10)",
    )
    p.add_argument(
        "--cell-time-limit",
        type=float,
        default=20.0,
        help="seconds per code cell of a submission (20)",
    )
    p.add_argument("--memory-mb", type=int, default=2048, help="memory limit per kernel (2048)")
    p.add_argument(
        "--sandbox",
        choices=("auto", "require", "off"),
        default="auto",
        help="Landlock filesystem sandbox: auto (if available), require, off",
    )
    p.add_argument(
        "--sets-dir",
        type=Path,
        default=None,
        help="folder with the set sources (e.g. a private copy with other hidden "
        "checks); default exercises/sets",
    )
    p.add_argument(
        "--gradescope",
        action="store_true",
        help="PATH is Gradescope's submission folder; write OUT/results.json",
    )
    p.add_argument(
        "--hidden-visibility",
        default="after_published",
        choices=("hidden", "after_due_date", "after_published", "visible"),
        help="Gradescope visibility of hidden checks (after_published)",
    )


def run(args: argparse.Namespace) -> int:
    settings = Settings(
        time_limit=args.time_limit,
        cell_time_limit=args.cell_time_limit,
        memory_mb=args.memory_mb,
        sandbox=args.sandbox,
        workers=args.workers,
        seed=args.seed,
        hidden_visibility=args.hidden_visibility,
    )
    if settings.sandbox == "require" and not sandbox.landlock_abi():
        print(
            "error: --sandbox require, but Landlock is not available on this machine",
            file=sys.stderr,
        )
        return 2
    ex = find_set(load_sets(args.sets_dir), args.set)
    submissions = find_submissions(args.path)
    if args.gradescope:
        submissions = _gradescope_pick(submissions, ex)
    if not submissions:
        print(f"error: no .ipynb files under {args.path}", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    plan = make_plan(ex, settings)
    print(
        f"Grading {len(submissions)} submission(s) of set {ex.name} (seed {plan.seed}; "
        f"sandbox: {sandbox_status(settings)})",
        file=sys.stderr,
    )

    def progress(res: SubmissionResult) -> None:
        print(
            f"  {res.name}: {res.score:g}/{res.max_score:g} ({res.seconds:.1f} s)"
            + ("" if res.status == "graded" else f" [{res.status}]"),
            file=sys.stderr,
        )

    watched = [args.sets_dir.resolve()] if args.sets_dir else []
    try:
        results = grade(
            plan, submissions, watched=watched, protected=[args.out.resolve()], progress=progress
        )
    except KeyboardInterrupt:
        _kill_all(interrupted=True)
        raise
    finally:
        _kill_all()
    write_results(plan, results, args.out, gradescope=args.gradescope)
    print(f"Done in {time.monotonic() - t0:.1f} s; results in {args.out}", file=sys.stderr)
    return 1 if any(r.status == "error" for r in results) else 0


def _gradescope_pick(found: list[tuple[str, Path]], ex: ExerciseSet) -> list[tuple[str, Path]]:
    """Gradescope grades one notebook: prefer the one marked with this set's number."""
    if len(found) <= 1:
        return [("submission", p) for _, p in found]
    for _, p in found:
        nb, _problem = read_submission(p)
        if nb is not None and nb.metadata.get("descend", {}).get("set") == ex.number:
            return [("submission", p)]
    return [("submission", found[0][1])]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m exercises.grader", description=__doc__.split("\n\n")[0]
    )
    add_arguments(p)
    return run(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
