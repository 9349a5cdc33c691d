"""Kernel launcher for grading: a process tree of its own, resource limits, Landlock.

The grader starts every learner kernel as ``python exercises/sandbox.py SETTINGS_FILE -f
CONNECTION_FILE``. Before IPython starts, this script

* joins the kernel's control groups (created by the grader when it runs as root:
  memory and number of processes limited for the whole tree of processes);
* when it runs as root: starts the kernel as process 1 of a new PID namespace with a
  private mount namespace and its own ``/proc`` (the kernel sees no other process of
  the machine; when process 1 ends, the Linux kernel kills every process left in the
  namespace, whatever ``setsid`` or double forks they did), then drops to the
  unprivileged user ``nobody`` (uid and gid 65534), so it cannot read ``/etc/shadow``
  nor other users' processes, nor write where root may;
* limits the process's address space (``RLIMIT_AS``: a memory bomb gets a
  ``MemoryError``), the size of files it may write (``RLIMIT_FSIZE``) and core dumps;
* on Linux >= 5.13, applies a Landlock ruleset (unprivileged, inherited by every
  child process): the kernel may *read* only the Python installation, the course
  library and the system folders, and *write* only inside its own temporary folder;
  with a recent kernel it may not connect to any TCP port (it only binds its own
  five) nor signal processes outside its sandbox. So learner code can neither read
  the instructor's solutions and hidden checks nor write next to the grader.

Where Landlock is missing (older Linux, macOS), ``sandbox="auto"`` carries on with the
resource limits only (the grader says so in its report); ``"require"`` refuses to
start the kernel.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
from pathlib import Path

# Landlock (linux/landlock.h): syscall numbers are the same on every architecture.
SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH, RULE_NET_PORT = 1, 2
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_TRUNCATE, FS_IOCTL_DEV = 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1
PR_SET_NO_NEW_PRIVS = 38

SYSTEM_READ = (
    "/usr",
    "/lib",
    "/lib32",
    "/lib64",
    "/bin",
    "/sbin",
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/nix",
    "/run/current-system",
)
DEVICE_FILES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _NetPortAttr(ctypes.Structure):
    _fields_ = [("allowed_access", ctypes.c_uint64), ("port", ctypes.c_uint64)]


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def landlock_abi() -> int:
    """The Landlock ABI version of this kernel (0: not available)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        version = _libc().syscall(
            SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION)
        )
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def _fs_rights(abi: int) -> int:
    rights = (1 << 13) - 1  # EXECUTE ... MAKE_SYM
    if abi >= 2:
        rights |= 1 << 13  # REFER
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


def restrict(
    read: list[str],
    write: list[str],
    read_files: list[str],
    bind_ports: list[int],
    list_dirs: tuple[str, ...] = (),
) -> int:
    """Apply the sandbox to this process (and its future children); return the ABI used.

    Raises OSError if Landlock is unavailable or a step fails.
    """
    abi = landlock_abi()
    if abi < 1:
        raise OSError("Landlock is not available in this kernel (Linux >= 5.13 needed)")
    libc = _libc()
    handled = _fs_rights(abi)
    attr = _RulesetAttr(
        handled,
        NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
        SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0,
    )
    size = 8 if abi < 4 else (16 if abi < 6 else 24)
    ruleset = libc.syscall(
        SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0)
    )
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    file_rights = (FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV) & handled
    read_rights = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR

    def add_path(path: str, rights: int) -> None:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return  # a folder this machine does not have
        try:
            if not os.path.isdir(path):
                rights &= file_rights
            rule = _PathBeneathAttr(rights, fd)
            if (
                libc.syscall(
                    SYS_ADD_RULE,
                    ctypes.c_int(ruleset),
                    ctypes.c_int(RULE_PATH_BENEATH),
                    ctypes.byref(rule),
                    ctypes.c_uint32(0),
                )
                < 0
            ):
                raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
        finally:
            os.close(fd)

    try:
        for path in read:
            add_path(path, read_rights)
        for path in read_files:
            add_path(path, FS_READ_FILE)
        for path in list_dirs:
            add_path(path, FS_READ_DIR)
        for path in DEVICE_FILES:
            add_path(path, file_rights)
        for path in write:
            add_path(path, handled)
        if abi >= 4:
            for port in bind_ports:
                rule = _NetPortAttr(NET_BIND_TCP, port)
                if (
                    libc.syscall(
                        SYS_ADD_RULE,
                        ctypes.c_int(ruleset),
                        ctypes.c_int(RULE_NET_PORT),
                        ctypes.byref(rule),
                        ctypes.c_uint32(0),
                    )
                    < 0
                ):
                    raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for port {port}")
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        if libc.syscall(SYS_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) < 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)
    return abi


def set_limits(memory_mb: int, file_mb: int) -> None:
    """Address-space, file-size and core-dump limits (POSIX only)."""
    import resource

    for name, value in (
        ("RLIMIT_AS", memory_mb * 2**20),
        ("RLIMIT_FSIZE", file_mb * 2**20),
        ("RLIMIT_CORE", 0),
    ):
        limit = getattr(resource, name, None)
        if limit is None:
            continue
        soft, hard = resource.getrlimit(limit)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError) as exc:  # e.g. macOS refuses some address-space limits
            sys.stderr.write(f"descend grading sandbox: {name} not set ({exc})\n")


# ------------------------------------------------------------ process tree and user

CLONE_NEWNS, CLONE_NEWPID = 0x00020000, 0x20000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = (
    2,
    4,
    8,
    4096,
    8192,
    16384,
    1 << 18,
)
PR_SET_PDEATHSIG = 1
NOBODY = 65534


def _check(result: int, what: str) -> None:
    if result != 0:
        raise OSError(ctypes.get_errno(), f"{what} failed")


def join_cgroups(paths: list[str]) -> None:
    """Move this process (and so every process it starts) into the grader's cgroups."""
    for path in paths:
        with open(os.path.join(path, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))


def new_namespaces() -> None:
    """Fork: the parent waits (passing on the grader's signals), the child carries on as
    process 1 of a new PID namespace, in a private mount namespace with its own /proc."""
    import signal

    libc = _libc()
    _check(libc.unshare(CLONE_NEWNS | CLONE_NEWPID), "unshare")
    pid = os.fork()
    if pid:  # the launcher the grader knows: wait for the kernel, end with it
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the kernel gets it from its group

        def forward(signum: int, frame: object) -> None:
            os.kill(pid, signal.SIGKILL)

        signal.signal(signal.SIGTERM, forward)
        signal.signal(signal.SIGHUP, forward)
        while True:
            try:
                _, status = os.waitpid(pid, 0)
                break
            except ChildProcessError:
                status = 0
                break
            except InterruptedError:
                continue
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    # process 1: dies with the launcher, and takes the whole namespace with it
    _check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    _check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
    _check(libc.mount(b"proc", b"/proc", b"proc", flags, None), "mount /proc")


def open_paths_for(uid: int, paths: list[str], stage: str) -> None:
    """Make ``paths`` reachable for ``uid`` inside this mount namespace only.

    A folder on the way that others may not enter (``/root``, mode 0700, when Python
    lives in ``/root/.pyenv``) is covered by an empty tmpfs (mode 0755) into which the
    needed entries are bind-mounted back; nothing else of it is visible.
    """
    libc = _libc()
    closed: dict[str, set[str]] = {}
    for path in paths:
        parts = Path(path).resolve().parts
        for i in range(1, len(parts) - 1):
            folder = os.path.join(*parts[: i + 1])
            try:
                st = os.stat(folder)
            except OSError:
                break
            if not st.st_mode & 0o001 and st.st_uid != uid:
                closed.setdefault(folder, set()).add(parts[i + 1])
    for folder in sorted(closed, key=len):
        os.makedirs(stage, exist_ok=True)
        moved = []
        for name in sorted(closed[folder]):
            source = os.path.join(folder, name)
            target = os.path.join(stage, name)
            if os.path.isdir(source):
                os.makedirs(target, exist_ok=True)
            else:
                open(target, "a").close()
            _check(
                libc.mount(source.encode(), target.encode(), None, MS_BIND | MS_REC, None), "bind"
            )
            moved.append((name, target))
        _check(libc.mount(b"tmpfs", folder.encode(), b"tmpfs", MS_NOSUID, b"mode=0755"), "tmpfs")
        for name, target in moved:
            place = os.path.join(folder, name)
            if os.path.isdir(target):
                os.makedirs(place, exist_ok=True)
            else:
                open(place, "a").close()
            _check(libc.mount(target.encode(), place.encode(), None, MS_MOVE, None), "move")


def drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError("could not switch to the unprivileged user")


def main(argv: list[str]) -> None:
    """``sandbox.py SETTINGS_FILE -f CONNECTION_FILE [ipykernel options]``."""
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != Path(here)]
    with open(argv[0]) as f:
        settings = json.load(f)
    rest = argv[1:]
    connection_file = rest[rest.index("-f") + 1]
    with open(connection_file) as f:
        info = json.load(f)
    ports = [
        int(info[k])
        for k in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
        if k in info
    ]
    try:
        join_cgroups(settings.get("cgroups", []))
        uid = settings.get("uid")
        if settings.get("namespaces"):
            new_namespaces()
        if uid is not None:
            os.chown(connection_file, uid, uid)
            needed = settings["read"] + settings.get("list", []) + settings.get("python", [])
            open_paths_for(uid, needed, settings["stage"])
    except OSError as exc:
        sys.stderr.write(f"descend grading sandbox: {exc}; refusing to start\n")
        sys.exit(3)
    set_limits(int(settings["memory_mb"]), int(settings["file_mb"]))
    mode = settings.get("sandbox", "auto")
    if mode != "off":
        try:
            restrict(
                settings["read"],
                settings["write"],
                [connection_file],
                ports,
                tuple(settings.get("list", [])),
            )
        except OSError as exc:
            if mode == "require":
                sys.stderr.write(f"descend grading sandbox: {exc}; refusing to start\n")
                sys.exit(3)
    if uid is not None:
        drop_privileges(uid, uid)
    os.chdir(settings["cwd"])
    sys.path.insert(0, "")
    sys.argv = ["ipykernel_launcher", *rest]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main(sys.argv[1:])
