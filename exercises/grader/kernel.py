"""One sandboxed kernel: start it, run code in it with a time limit, kill its whole tree."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import nbformat

from exercises import sandbox
from exercises.grader.isolation import Isolation
from exercises.grader.plan import Plan

EXERCISES_DIR = Path(__file__).resolve().parent.parent
ROOT = EXERCISES_DIR.parent
SANDBOX_SCRIPT = EXERCISES_DIR / "sandbox.py"
KERNEL_DIRS = ("cwd", "home", "tmp", "ipython", "mpl", "jupyter")

_ACTIVE: set[Any] = set()
_ACTIVE_LOCK = threading.Lock()
_STOPPING = threading.Event()


class KernelStartError(RuntimeError):
    """The grading kernel could not start (a problem of the grading machine)."""


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


def protected_paths(extra: Iterable[Path]) -> list[Path]:
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


def library_parent() -> Path:
    """The folder that holds the grader's ``descend`` package: the kernel imports it from
    there (not another copy that its Python would find first)."""
    import descend

    return Path(descend.__file__).resolve().parent.parent


def _environment(dirs: dict[str, Path], token: str) -> dict[str, str]:
    """The kernel's whole environment: nothing of the grader's."""
    return {
        "DESCEND_GRADING_SESSION": token,
        "PYTHONPATH": str(library_parent()),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
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


class KernelSession:
    """One sandboxed kernel running one submission's cells.

    Its folder (``run_dir``) holds ``inputs/`` (the grader's, read-only for the kernel),
    ``out/KEY/IDENT/`` (one folder per check, the only place the kernel's results may
    come from) and ``kernel/`` (the kernel's working, home and temporary folders); the
    last two are size-capped tmpfs where the grader is root.
    """

    def __init__(self, plan: Plan, protected: Sequence[Path]) -> None:
        self.plan = plan
        self.protected = protected
        self.km: Any = None
        self.client: Any = None
        self.run_dir: Path | None = None
        self.isolation: Isolation | None = None
        self.token = secrets.token_hex(16)
        self._log: Any = None

    def _dir(self, *parts: str) -> Path:
        assert self.run_dir is not None
        return self.run_dir.joinpath(*parts)

    def inputs_file(self, ident: str) -> Path:
        return self._dir("inputs", f"{ident}.npz")

    def output_dir(self, key: str, ident: str) -> Path:
        """A fresh folder for one check's results, writable by the kernel's user only."""
        parent = self._dir("out", key)
        parent.mkdir(exist_ok=True)  # the grader's (root's): the kernel cannot replace it
        folder = parent / ident
        folder.mkdir()
        if self.isolation is not None and self.isolation.uid is not None:
            os.chown(folder, self.isolation.uid, self.isolation.uid)
        return folder

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
        with _ACTIVE_LOCK:
            _ACTIVE.add(self)
        self.isolation = Isolation(self.run_dir, s.memory_mb, s.disk_mb, s.pids)
        self.isolation.prepare()
        os.chmod(self.run_dir, 0o755)
        uid = self.isolation.uid
        dirs = {name: self._dir("kernel", name) for name in KERNEL_DIRS}
        for d in [self._dir("inputs"), self._dir("out"), self._dir("kernel"), *dirs.values()]:
            d.mkdir(parents=True, exist_ok=True)
            if uid is not None and "kernel" in (d.name, d.parent.name):
                os.chown(d, uid, uid)
        _copy_font_cache(dirs["mpl"], uid)
        settings = {
            "memory_mb": s.memory_mb,
            "file_mb": s.file_mb,
            "sandbox": s.sandbox,
            "read": [*sandbox_reads(self.protected), str(self._dir("inputs"))],
            "list": [str(library_parent())],  # its entries' names only, to find descend
            "write": [str(self._dir("kernel")), str(self._dir("out"))],
            "python": [sys.executable],
            "cwd": str(dirs["cwd"]),
            **self.isolation.launcher_settings(),
        }
        settings_file = self._dir("launch.json")
        settings_file.write_text(json.dumps(settings))
        spec = KernelSpec(
            argv=[
                sys.executable,
                str(SANDBOX_SCRIPT),
                str(settings_file),
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

        km = SandboxKernelManager(kernel_name="python3")
        km.connection_file = str(self._dir("connection.json"))
        self._log = open(self._dir("kernel.log"), "wb")  # noqa: SIM115 (closed in kill)
        self.km = km
        env = _environment(dirs, self.token)
        await km.start_kernel(cwd=str(dirs["cwd"]), env=env, stdout=self._log, stderr=self._log)
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
            return self._dir("kernel.log").read_bytes()[-2000:].decode("utf-8", "replace")
        except OSError:
            return ""

    async def run(self, code: str, timeout: float) -> tuple[str, str]:
        """Execute ``code``: ``("ok"|"error"|"timeout"|"dead", message)``."""
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        cell = nbformat.v4.new_code_cell(code)
        self.client.nb.cells = [cell]
        self._reply = {}
        self.client.timeout = max(1, int(-(-timeout // 1)))
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
        """Kill the kernel's whole tree of processes and remove its folder."""
        km = self.km
        try:
            pgid = getattr(getattr(km, "provisioner", None), "pgid", None)
            if pgid:
                os.killpg(pgid, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
        if self.isolation is not None:
            self.isolation.kill()
        else:
            _kill_marked(self.token)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.isolation is not None:
            self.isolation.remove()
            if not self.isolation.cgroups:
                _kill_marked(self.token)
        if self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        with _ACTIVE_LOCK:
            _ACTIVE.discard(self)


def _kill_marked(token: str | None) -> None:
    """Kill the processes that carry a session's token in their environment (the fallback
    where there are no cgroups: children that left the kernel's process group)."""
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


def kill_all(interrupted: bool = False) -> None:
    """Kill every kernel still running; after an interruption, start no new ones."""
    if interrupted:
        _STOPPING.set()
    with _ACTIVE_LOCK:
        sessions = list(_ACTIVE)
    for s in sessions:
        s.kill()


def _copy_font_cache(target: Path, uid: int | None) -> None:
    """Reuse matplotlib's font list so a plotting cell does not rebuild it (slow)."""
    source = Path(os.environ.get("MPLCONFIGDIR", Path.home() / ".cache" / "matplotlib"))
    for f in source.glob("fontlist-*.json") if source.is_dir() else []:
        shutil.copy2(f, target / f.name)
        if uid is not None:
            os.chown(target / f.name, uid, uid)
