"""``python -m exercises``: build notebooks and pages, grade, package for Gradescope.

python -m exercises build [--check]
python -m exercises grade SET PATH --out DIR [options]
python -m exercises gradescope SET --out autograder.zip
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exercises", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="write the student and solution notebooks and the book pages")
    b.add_argument(
        "--check",
        action="store_true",
        help="write nothing; fail if a generated file differs from its source",
    )

    from exercises import grader

    g = sub.add_parser("grade", help="grade a notebook or a folder of notebooks")
    grader.add_arguments(g)

    z = sub.add_parser("gradescope", help="build a Gradescope autograder .zip for one set")
    z.add_argument("set", help="exercise set: number, slug or name")
    z.add_argument("--out", type=Path, required=True, help="the .zip file to write")
    z.add_argument(
        "--sets-dir",
        type=Path,
        default=None,
        help="folder with the set sources (default exercises/sets)",
    )

    args = parser.parse_args(argv)
    if args.command == "build":
        from exercises import build

        if args.check:
            problems = build.drift()
            for p in problems:
                print(p, file=sys.stderr)
            if problems:
                print("run `python -m exercises build` and commit the result", file=sys.stderr)
            return 1 if problems else 0
        for path in build.write():
            print(f"wrote {path.relative_to(build.ROOT)}")
        return 0
    if args.command == "grade":
        return grader.run(args)
    from exercises import gradescope

    return gradescope.run(args)


if __name__ == "__main__":
    sys.exit(main())
