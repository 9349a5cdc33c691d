"""Build a Gradescope autograder .zip for one exercise set.

    python -m exercises gradescope SET --out autograder-SET.zip [--sets-dir PRIVATE]

The zip holds ``setup.sh`` (installs Python and the grading dependencies in a virtual
environment), ``run_autograder`` (grades ``/autograder/submission`` into
``/autograder/results/results.json``) and the source it needs: the ``descend``
library and the ``exercises`` package with the set sources, solutions and hidden
checks included, so upload it only to Gradescope and keep it private. With
``--sets-dir`` the sets come from your private folder instead of ``exercises/sets``.
"""

from __future__ import annotations

import argparse
import re
import stat
import zipfile
from pathlib import Path

from exercises.model import find_set, load_sets

ROOT = Path(__file__).resolve().parent.parent
GRADER_PACKAGES = (
    "numpy",
    "matplotlib",
    "pillow",
    "ipywidgets",
    "ipykernel",
    "nbclient",
    "nbformat",
)

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null \\
    || ! python3 -m venv --help >/dev/null 2>&1; then
  apt-get update -qq
  apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
fi
python3 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install -q --upgrade pip
/autograder/venv/bin/python -m pip install -q -r /autograder/source/requirements-grader.txt
/autograder/venv/bin/python -m pip install -q --no-deps -e /autograder/source
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes results/results.json.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
cd "$ROOT/source"
"$PYTHON" -m exercises grade {set} "$ROOT/submission" --out "$ROOT/results" \\
    --gradescope --workers 1
"""


def grader_requirements() -> str:
    """The lines of requirements.txt the grader needs (library + kernel + nbclient)."""
    lines = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name = re.split(r"[<>=!~\[ ]", line.strip(), maxsplit=1)[0].lower()
        if name in GRADER_PACKAGES:
            lines.append(line.strip())
    return "\n".join(lines) + "\n"


def build_zip(set_ident: str, out: Path, sets_dir: Path | None = None) -> list[str]:
    """Write the autograder zip; return the names it holds."""
    ex = find_set(load_sets(sets_dir), set_ident)
    files: dict[str, bytes] = {
        "setup.sh": SETUP.encode(),
        "run_autograder": RUN.format(set=ex.number).encode(),
        "requirements-grader.txt": grader_requirements().encode(),
    }
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            files[name] = (ROOT / name).read_bytes()
    for path in sorted((ROOT / "src" / "descend").rglob("*.py")):
        files[str(path.relative_to(ROOT))] = path.read_bytes()
    for path in sorted(
        [*(ROOT / "exercises").glob("*.py"), *(ROOT / "exercises" / "grader").glob("*.py")]
    ):
        if path.name != "conftest.py":
            files[str(path.relative_to(ROOT))] = path.read_bytes()
    sets_source = Path(sets_dir) if sets_dir else ROOT / "exercises" / "sets"
    for path in sorted(sets_source.glob("*.py")):
        files[f"exercises/sets/{path.name}"] = path.read_bytes()
    files.setdefault("exercises/sets/__init__.py", b"")
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            executable = name in ("setup.sh", "run_autograder")
            info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return sorted(files)


def run(args: argparse.Namespace) -> int:
    names = build_zip(args.set, args.out, args.sets_dir)
    print(f"wrote {args.out} ({len(names)} files); upload it as the assignment's autograder")
    return 0
