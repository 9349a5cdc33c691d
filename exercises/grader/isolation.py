"""What holds a grading kernel's processes: control groups, a size-capped scratch folder,
the user it runs as. Grader side; the kernel's launcher (:mod:`exercises.sandbox`) joins
the cgroups, enters the namespaces and drops to the user.

Where the grader runs as root on Linux (CI, a grading server, Gradescope), every
kernel gets

* a memory cgroup and a pids cgroup (cgroup v1; with cgroup v2 only, none) created
  here, that bound the *whole tree* of its processes (``memory_mb``, ``pids``) and
  let the grader find and kill every one of them, whatever ``setsid`` they did;
* a PID namespace (its process 1 is the kernel: when it ends, every process left in
  it is killed) and a private ``/proc`` that shows no other process of the machine;
* the unprivileged user ``nobody`` (uid/gid 65534, present on every Linux);
* a tmpfs of ``disk_mb`` for all it may write, and one of ``OUT_MB`` for its results.

Elsewhere (not root, macOS) the kernel keeps per-process limits (``RLIMIT_AS``,
``RLIMIT_FSIZE``) and is killed by process group; :func:`describe` says which.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

CGROUP_ROOT = Path("/sys/fs/cgroup")
NOBODY = 65534
OUT_MB = 160  # room for the results of one question (read up to 64 MB per check)


def privileged() -> bool:
    return sys.platform.startswith("linux") and os.geteuid() == 0


def _own_cgroup(controller: str) -> Path | None:
    """The cgroup v1 folder of this process for ``controller`` (or None)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            folder = CGROUP_ROOT / controller / path.lstrip("/")
            return folder if folder.is_dir() else None
    return None


class Isolation:
    """The cgroups, scratch tmpfs and user of one kernel (each only where possible)."""

    def __init__(self, run_dir: Path, memory_mb: int, disk_mb: int, pids: int) -> None:
        self.run_dir = run_dir
        self.memory_mb, self.disk_mb, self.pids = memory_mb, disk_mb, pids
        self.cgroups: list[Path] = []
        self.mounted: list[Path] = []
        self.root = privileged()

    def prepare(self) -> None:
        """Mount the size-capped tmpfs folders and create the cgroups (as root).

        ``run_dir/kernel`` (all the kernel may write: ``disk_mb``) and ``run_dir/out``
        (the results, ``OUT_MB``) are two tmpfs; the grader's own files (the inputs)
        stay outside them, so a full scratch folder does not stop the grading.
        """
        if not self.root:
            return
        libc = ctypes.CDLL(None, use_errno=True)
        for name, size in (("kernel", self.disk_mb), ("out", OUT_MB)):
            folder = self.run_dir / name
            folder.mkdir()
            options = f"size={size}m,mode=0755".encode()
            if libc.mount(b"tmpfs", str(folder).encode(), b"tmpfs", 2 | 4, options) != 0:
                raise OSError(ctypes.get_errno(), f"cannot mount a tmpfs on {folder}")
            self.mounted.append(folder)
        name = self.run_dir.name
        for controller, settings in (
            ("memory", {"memory.limit_in_bytes": self.memory_mb * 2**20}),
            ("pids", {"pids.max": self.pids}),
        ):
            parent = _own_cgroup(controller)
            if parent is None:
                continue
            folder = parent / name
            folder.mkdir()
            self.cgroups.append(folder)
            for key, value in settings.items():
                (folder / key).write_text(str(value))
            swap = folder / "memory.memsw.limit_in_bytes"
            if controller == "memory" and swap.exists():
                swap.write_text(str(self.memory_mb * 2**20))

    @property
    def uid(self) -> int | None:
        return NOBODY if self.root else None

    def launcher_settings(self) -> dict[str, Any]:
        return {
            "cgroups": [str(c) for c in self.cgroups],
            "uid": self.uid,
            "namespaces": self.root,
            "stage": str(self.run_dir / "stage"),
        }

    def processes(self) -> list[int]:
        pids: set[int] = set()
        for folder in self.cgroups:
            try:
                pids.update(int(p) for p in (folder / "cgroup.procs").read_text().split())
            except (OSError, ValueError):
                continue
        return sorted(pids)

    def kill(self) -> None:
        """Kill every process in the kernel's cgroups (until none is left)."""
        for _ in range(200):
            pids = self.processes()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.01)

    def remove(self) -> None:
        """Kill what is left, remove the cgroups and unmount the scratch tmpfs."""
        self.kill()
        for folder in self.cgroups:
            for _ in range(100):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
        self.cgroups = []
        libc = ctypes.CDLL(None, use_errno=True)
        for folder in self.mounted:
            libc.umount2(str(folder).encode(), 2)  # MNT_DETACH
        self.mounted = []


def describe(memory_mb: int, disk_mb: int, pids: int) -> str:
    """What holds the kernels on this machine, for the report."""
    if not privileged():
        return (
            f"per process: {memory_mb} MB of address space, files up to the file limit; "
            "killed by process group (run the grader as root for a cgroup, a PID "
            "namespace and the user nobody)"
        )
    have = [c for c in ("memory", "pids") if _own_cgroup(c) is not None]
    tree = (
        f"cgroups ({', '.join(have)}): {memory_mb} MB and {pids} processes for the whole tree"
        if have
        else f"no cgroups: {memory_mb} MB per process"
    )
    return f"{tree}; PID namespace; user nobody; scratch tmpfs of {disk_mb} MB"
