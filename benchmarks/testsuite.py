"""The test suite: total time of the README's test command, and its slowest tests.

Runs ``pytest`` once in the repository (the README's command, which also builds the
website for the browser tests), with ``--durations=30`` to list the slowest tests,
and parses pytest's own summary line and durations table.
"""

from __future__ import annotations

import re
import subprocess
import time
from typing import Any

from timing import ROOT, log

COMMAND = ["pytest", "--durations=30", "-q"]
# "=== 3 passed, 1 failed in 12.34s (0:00:12) ===", without the rules under -q
_SUMMARY = re.compile(
    r"^(?:=+ )?(\d+ (?:passed|failed|error|errors|skipped|deselected)\b.*) "
    r"in ([\d.]+)s(?: \([\d:]+\))?(?: =+)?$"
)
_DURATION = re.compile(r"^([\d.]+)s (call|setup|teardown)\s+(\S.*)$")


def parse(output: str) -> dict[str, Any]:
    """pytest's counts, reported time and slowest tests from its output."""
    summary, reported = None, None
    for line in output.splitlines():
        m = _SUMMARY.match(line.strip())
        if m:
            summary, reported = m.group(1), float(m.group(2))
    counts = {}
    if summary:
        for n, what in re.findall(r"(\d+) (\w+)", summary):
            counts[what] = int(n)
    slowest = []
    for line in output.splitlines():
        m = _DURATION.match(line.strip())
        if m:
            slowest.append({"seconds": float(m.group(1)), "when": m.group(2), "test": m.group(3)})
    failures = [
        re.sub(r"\x1b\[[0-9;]*m", "", line.strip())
        for line in output.splitlines()
        if line.startswith(("FAILED ", "ERROR "))
    ]
    return {
        "summary": summary,
        "reported_s": reported,
        "counts": counts,
        "slowest": slowest,
        "failures": failures[:40],
    }


def run() -> dict[str, Any]:
    log("tests: running the whole suite once: " + " ".join(COMMAND))
    t0 = time.perf_counter()
    proc = subprocess.run(COMMAND, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    out = proc.stdout + proc.stderr
    data = parse(out)
    data.update(
        {
            "command": " ".join(COMMAND),
            "wall_s": seconds,
            "exit_code": proc.returncode,
            "tail": out.strip().splitlines()[-5:],
        }
    )
    return data
