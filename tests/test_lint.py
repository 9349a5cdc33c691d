"""Ruff (lint and format) over the whole repository, as part of the test command."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("ruff")
    cmd = [exe] if exe else [sys.executable, "-m", "ruff"]
    return subprocess.run([*cmd, *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_check_reports_no_problems():
    result = _ruff("check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_every_file_unchanged():
    result = _ruff("format", "--no-cache", "--check", ".")
    assert result.returncode == 0, "files need `ruff format`:\n" + result.stdout + result.stderr


# The library is written to be read: small functions, and no module reaching into
# another's private names. plots.py and widgets.py (the figures and the explorers) are
# held to the same rule by their own tests.
LIBRARY = ROOT / "src" / "descend"
READABLE = sorted(p for p in LIBRARY.glob("*.py") if p.name not in ("plots.py", "widgets.py"))
MAX_LINES = 60  # of code, after the docstring


def _functions(path: Path):
    import ast

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0]
            has_doc = isinstance(first, ast.Expr) and isinstance(
                getattr(first, "value", None), ast.Constant
            )
            start = first.end_lineno + 1 if has_doc and len(node.body) > 1 else first.lineno
            yield node.name, node.end_lineno - start + 1


def test_library_functions_are_short():
    long = [
        f"{path.name}:{name} has {n} lines of code"
        for path in READABLE
        for name, n in _functions(path)
        if n > MAX_LINES
    ]
    assert not long, "split these into named helpers:\n" + "\n".join(long)


def test_no_module_imports_another_modules_private_names():
    import ast

    found = []
    for path in LIBRARY.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("descend"):
                found += [f"{path.name}: {a.name}" for a in node.names if a.name.startswith("_")]
            if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                # module._name, e.g. _activations._KERNELS (self._x and dunders are fine)
                owner = node.value
                if (
                    isinstance(owner, ast.Name)
                    and owner.id.lstrip("_") in _MODULES
                    and not node.attr.startswith("__")
                ):
                    found.append(f"{path.name}: {owner.id}.{node.attr}")
    assert not found, "private names used across modules:\n" + "\n".join(found)


_MODULES = {p.stem for p in LIBRARY.glob("*.py")}
