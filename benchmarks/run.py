"""Run the benchmarks and write benchmarks/RESULTS.md.

    python benchmarks/run.py                          # everything (an hour on a busy machine)
    python benchmarks/run.py --only training,speedup  # some parts
    python benchmarks/run.py --quick                  # fewer repeats and epochs: a smoke run
    python benchmarks/run.py --report                 # only rewrite RESULTS.md

Parts: ``training`` (descend against a hand-fused NumPy loop and PyTorch, and the
scaling figure), ``speedup`` (the library before and after its speed-ups), ``book``
(clean and cached builds, each notebook's execution time, page weights), ``explorers``
(explorer precompute times and playground latency), ``weight`` (bytes a browser
transfers per page of the built ``_build/html``: ``page_weight.py``), ``engine`` (the
in-browser engine against descend per epoch, and the live playground's frame rate),
``live`` (every live explorer's input-to-frame latency on the built site:
``live_latency.py``), ``grading`` (the exercises' grader on a class of submissions:
``bench_grading.py``, by the exercises' authors) and ``tests`` (the whole test suite,
once). Each part stores its figures in ``benchmarks/results/<part>.json``; RESULTS.md is
written from all stored parts, so one part can be re-run alone.

Speed is measured here and only here; the test suite has no timed test.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time

import timing

PARTS = ("training", "speedup", "book", "explorers", "weight", "engine", "live", "grading", "tests")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to run, of: {', '.join(PARTS)} (default: all)",
    )
    parser.add_argument("--quick", action="store_true", help="fewer repeats and epochs")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per figure")
    parser.add_argument("--clean-builds", type=int, default=1, help="clean book builds")
    parser.add_argument("--report", action="store_true", help="only rewrite RESULTS.md")
    args = parser.parse_args(argv)

    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {unknown}; choose from {', '.join(PARTS)}")
    if args.report:
        parts = []
    repeats = args.repeats or (3 if args.quick else 7)

    t0 = time.perf_counter()
    failed = []
    for part in parts:
        timing.log(f"== {part}")
        try:
            run_part(part, repeats, args)
        except Exception as exc:  # one broken part must not cost the others' figures
            timing.log(f"part {part} failed: {type(exc).__name__}: {exc}")
            failed.append(part)

    import report

    stored = timing.load("training")
    if stored is not None:  # the figure is drawn from the stored figures, like the page
        import training

        training.plot_scaling(stored["scaling"], timing.HERE / stored["figure"])
    path = report.write()
    timing.log(f"wrote {path} ({time.perf_counter() - t0:.0f} s)")
    if failed:
        timing.log(f"parts that failed (their previous figures are kept): {', '.join(failed)}")
    return 1 if failed else 0


def run_part(part: str, repeats: int, args: argparse.Namespace) -> None:
    if part == "training":
        import training

        timing.save("training", training.run(repeats=repeats, quick=args.quick))
    elif part == "speedup":
        import speedup

        timing.save("speedup", speedup.run(repeats=repeats, quick=args.quick))
    elif part == "book":
        import explorers

        import book

        tree = book.copy_tree()
        try:
            data = book.run(tree, repeats=2 if args.quick else 3, clean_repeats=args.clean_builds)
            data["weights"] = explorers.page_weights(tree / "_build" / "html")
            timing.save("book", data)
        finally:
            shutil.rmtree(tree.parent, ignore_errors=True)
    elif part == "explorers":
        import explorers

        timing.save("explorers", explorers.run())
    elif part == "weight":
        import page_weight

        page_weight.store("after", page_weight.run())
    elif part == "engine":
        import engine

        timing.save("engine", engine.run(repeats=repeats, quick=args.quick))
    elif part == "live":
        import live_latency

        timing.save("live", live_latency.run(inputs=40 if args.quick else live_latency.INPUTS))
    elif part == "grading":
        # the exercises' own benchmark (bench_grading.py) writes results/grading.json
        subprocess.run([sys.executable, str(timing.HERE / "bench_grading.py")], check=True)
    elif part == "tests":
        import testsuite

        timing.save("tests", testsuite.run())


if __name__ == "__main__":
    sys.exit(main())
